#include "models/cpu/trace_core_sc.h"

namespace memsim::cpu {
TraceCoreSc::TraceCoreSc(sc_core::sc_module_name name, TraceCore& core, MemoryPath& path, NextEvent next,
                         Execute execute, OnEvent on_event)
    : sc_module(name),
      isocket("isocket"),
      dsocket("dsocket"),
      wsocket("wsocket"),
      core_(core),
      path_(path),
      next_(std::move(next)),
      execute_(std::move(execute)),
      on_event_(std::move(on_event)),
      iport_(isocket),
      dport_(dsocket),
      wport_(wsocket) {
    path_.set_ports({&iport_, &dport_, &wport_});
    SC_THREAD(run);
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

}  // namespace memsim::cpu
