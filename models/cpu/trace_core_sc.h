#pragma once
// The SystemC shell of the trace core: a TLM-2.0 initiator, loosely timed with temporal
// decoupling. The plain TraceCore decides when each access issues; this shell carries it over the
// socket as a generic payload with b_transport, the target annotates its completion on the delay,
// and a quantum keeper yields to the SystemC kernel once the core runs a quantum ahead.
#include <functional>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "models/cpu/trace_core.h"

namespace memsim::cpu {

class TraceCoreSc : public sc_core::sc_module, private MemoryPort {
public:
    using NextEvent = std::function<bool(trace::Event&)>;
    // Runs one event: the machine offers it to the models that own it (the kernel first, then
    // the core, whose accesses go out through PORT); true if one handled it.
    using Execute = std::function<bool(const trace::Event&, MemoryPort& port)>;
    using OnEvent = std::function<void(const trace::Event&, bool handled, uint64_t now_ps)>;

    tlm_utils::simple_initiator_socket<TraceCoreSc> socket;

    TraceCoreSc(sc_core::sc_module_name name, TraceCore& core, NextEvent next, Execute execute, OnEvent on_event);
    SC_HAS_PROCESS(TraceCoreSc);

private:
    TraceCore& core_;
    NextEvent next_;
    Execute execute_;
    OnEvent on_event_;
    tlm_utils::tlm_quantumkeeper qk_;
    tlm::tlm_generic_payload trans_;

    void run();
    uint64_t access(const Access& a, uint64_t issue_ps) override;
};

}  // namespace memsim::cpu
