#pragma once
// The SystemC shell of the trace core: a TLM-2.0 initiator, loosely timed with temporal
// decoupling. The plain TraceCore decides when each access issues and its MemoryPath translates it
// (MMU, page faults); the path's physical requests leave through three initiator sockets — the
// instruction side, the data side and the page walker's — as generic payloads with b_transport,
// the target annotating their completion on the delay. A quantum keeper yields to the SystemC
// kernel once the core runs a quantum ahead.
#include <functional>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "models/cpu/memory_path.h"
#include "models/cpu/trace_core.h"
#include "models/interconnect/tlm_port_sc.h"

namespace memsim::cpu {

class TraceCoreSc : public sc_core::sc_module {
public:
    using NextEvent = std::function<bool(trace::Event&)>;
    // Runs one event: the machine offers it to the models that own it (the kernel first, then
    // the core, whose accesses go out through PORT); true if one handled it.
    using Execute = std::function<bool(const trace::Event&, MemoryPort& port)>;
    using OnEvent = std::function<void(const trace::Event&, bool handled, uint64_t now_ps)>;

    tlm_utils::simple_initiator_socket<TraceCoreSc> isocket;  // instruction fetches
    tlm_utils::simple_initiator_socket<TraceCoreSc> dsocket;  // loads and stores
    tlm_utils::simple_initiator_socket<TraceCoreSc> wsocket;  // the page walker's reads and A/D writes

    // Rebinds PATH's ports to the sockets. CONC (sim.protocol: at): the core's accesses run in
    // threads of their own and the core keeps SystemC time (no quantum); AT_END runs in the core's
    // thread once the trace is replayed and every access has completed. Null: loosely timed.
    TraceCoreSc(sc_core::sc_module_name name, TraceCore& core, MemoryPath& path, NextEvent next, Execute execute,
                OnEvent on_event, mem::Concurrency* conc = nullptr, std::function<void()> at_end = {});
    SC_HAS_PROCESS(TraceCoreSc);

private:
    TraceCore& core_;
    MemoryPath& path_;
    NextEvent next_;
    Execute execute_;
    OnEvent on_event_;
    mem::Concurrency* conc_;
    std::function<void()> at_end_;
    tlm_utils::tlm_quantumkeeper qk_;
    mem::TlmInitiatorPort iport_, dport_, wport_;

    void run();
    void run_at();
};

}  // namespace memsim::cpu
