#include "models/cpu/trace_core_sc.h"

#include "sim/core/error.h"

namespace memsim::cpu {
namespace {
uint64_t to_ps(const sc_core::sc_time& t) { return uint64_t(t.value()); }  // time resolution is 1 ps
}  // namespace

TraceCoreSc::TraceCoreSc(sc_core::sc_module_name name, TraceCore& core, NextEvent next, Execute execute,
                         OnEvent on_event)
    : sc_module(name),
      socket("socket"),
      core_(core),
      next_(std::move(next)),
      execute_(std::move(execute)),
      on_event_(std::move(on_event)) {
    SC_THREAD(run);
}

void TraceCoreSc::run() {
    qk_.reset();
    trace::Event ev;
    while (next_(ev)) {
        bool handled = execute_(ev, *this);
        on_event_(ev, handled, core_.now_ps());
        qk_.set(sc_core::sc_time(double(core_.now_ps() - to_ps(sc_core::sc_time_stamp())), sc_core::SC_PS));
        if (qk_.need_sync()) qk_.sync();
    }
    core_.drain();
    qk_.set(sc_core::sc_time(double(core_.now_ps() - to_ps(sc_core::sc_time_stamp())), sc_core::SC_PS));
    qk_.sync();
}

uint64_t TraceCoreSc::access(const Access& a, uint64_t issue_ps) {
    trans_.set_command(a.write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    trans_.set_address(a.addr);
    trans_.set_data_ptr(nullptr);  // timing only: the trace carries no data
    trans_.set_data_length(a.size);
    trans_.set_streaming_width(a.size);
    trans_.set_byte_enable_ptr(nullptr);
    trans_.set_dmi_allowed(false);
    trans_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    uint64_t now = to_ps(sc_core::sc_time_stamp());
    sc_core::sc_time delay(double(issue_ps - now), sc_core::SC_PS);
    socket->b_transport(trans_, delay);
    if (trans_.is_response_error())
        throw SimulationError("memory returned " + trans_.get_response_string() + " for address " +
                              std::to_string(a.addr));
    return now + to_ps(delay);
}

}  // namespace memsim::cpu
