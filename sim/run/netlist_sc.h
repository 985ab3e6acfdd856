#pragma once
// Timing mode's netlist: the SystemC shells of the machine's models, bound by TLM-2.0 sockets as
// the configuration describes:
//
//   core.isocket -> l1i ─┐
//   core.dsocket -> l1d ─┴-> l2 -> llc -> memory      (disabled levels are skipped; no caches:
//   core.wsocket -> the level named by mmu.walk_level  the core's sockets go to memory)
//   dma.socket   -> memory    (behind dma::CoherentPort, whose snoops call the plain Caches)
//
// Each cache shell's initiator carries its misses and write-backs to the level below; the plain
// Caches keep their direct links for what the sockets do not carry (back-invalidation, exclusive
// fills).
#include <memory>
#include <vector>

#include "models/cache/cache_sc.h"
#include "models/cpu/trace_core_sc.h"
#include "models/dma/engine_sc.h"
#include "models/interconnect/tlm_port_sc.h"
#include "sim/run/machine.h"

namespace memsim::run {

class Netlist {
public:
    // EXECUTE runs each event through the machine (Machine::execute, wrapped by the caller).
    Netlist(Machine& m, cpu::TraceCoreSc::NextEvent next, cpu::TraceCoreSc::Execute execute,
            cpu::TraceCoreSc::OnEvent on_event);

private:
    cpu::TraceCoreSc core_;
    mem::TlmPortTarget memory_;  // the memory model behind its socket
    dma::EngineSc dma_;          // the DMA engine's initiator, bound to the memory
    std::vector<std::unique_ptr<cache::CacheSc>> caches_;  // in Hierarchy::levels() order
};

}  // namespace memsim::run
