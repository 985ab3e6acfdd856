#include "models/cpu/trace_core_sc.h"

namespace memsim::cpu {
TraceCoreSc::TraceCoreSc(sc_core::sc_module_name name, TraceCore& core, MemoryPath& path, NextEvent next,
                         Execute execute, OnEvent on_event, mem::Concurrency* conc, std::function<void()> at_end)
    : sc_module(name),
      isocket("isocket"),
      dsocket("dsocket"),
      wsocket("wsocket"),
      core_(core),
      path_(path),
      next_(std::move(next)),
      execute_(std::move(execute)),
      on_event_(std::move(on_event)),
      conc_(conc),
      at_end_(std::move(at_end)),
      iport_(isocket),
      dport_(dsocket),
      wport_(wsocket) {
    path_.set_ports({&iport_, &dport_, &wport_});
    if (conc_) {
        core_.set_concurrency(conc_);
        SC_THREAD(run_at);
    } else {
        SC_THREAD(run);
    }
}

void TraceCoreSc::run() {
    qk_.reset();
    trace::Event ev;
    while (next_(ev)) {
        bool handled = execute_(ev, path_);
        on_event_(ev, handled, core_.now_ps());
        qk_.set(mem::sc_ps(core_.now_ps() - mem::ps_of(sc_core::sc_time_stamp())));
        if (qk_.need_sync()) qk_.sync();
    }
    core_.drain();
    qk_.set(mem::sc_ps(core_.now_ps() - mem::ps_of(sc_core::sc_time_stamp())));
    qk_.sync();
}

void TraceCoreSc::run_at() {
    // No temporal decoupling: the core issues each access at its time (TraceCore::issue_at waits
    // for it), so the memory receives every access in time order.
    trace::Event ev;
    while (next_(ev)) {
        bool handled = execute_(ev, path_);
        on_event_(ev, handled, core_.now_ps());
    }
    core_.drain();
    if (at_end_) at_end_();
}

}  // namespace memsim::cpu
