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
//
// sim.protocol: at puts the DDR3 controllers behind their approximately-timed target
// (dram::AtTarget) and runs each of the core's outstanding accesses in a SystemC thread of its
// own (mem::ScConcurrency), given to the core, the MMU, the caches and the memory path; the DMA
// engine's requests wait there too, each in a thread of its own, the engine advanced by a thread
// that runs while transfers are in flight. A `simple` memory stays behind its loosely-timed
// target (it has no queue to wait in).
#include <exception>
#include <memory>
#include <vector>

#include "models/cache/cache_sc.h"
#include "models/cpu/trace_core_sc.h"
#include "models/dma/engine_sc.h"
#include "models/dram/at_target_sc.h"
#include "models/interconnect/concurrency_sc.h"
#include "models/interconnect/tlm_port_sc.h"
#include "sim/run/machine.h"

namespace memsim::run {

class Netlist {
public:
    // EXECUTE runs each event through the machine (Machine::execute, wrapped by the caller). AT:
    // sim.protocol is at.
    Netlist(Machine& m, cpu::TraceCoreSc::NextEvent next, cpu::TraceCoreSc::Execute execute,
            cpu::TraceCoreSc::OnEvent on_event, bool at = false);
    // What an access's thread threw (sim.protocol: at), to rethrow after sc_start.
    std::exception_ptr failure() const { return conc_ ? conc_->failure() : nullptr; }

private:
    std::unique_ptr<mem::ScConcurrency> conc_;  // sim.protocol: at
    std::unique_ptr<dram::AtTarget> at_memory_;  // sim.protocol: at on DDR3
    cpu::TraceCoreSc core_;
    std::unique_ptr<mem::TlmPortTarget> memory_;  // the memory model behind its socket, loosely timed
    dma::EngineSc dma_;                           // the DMA engine's initiator, bound to the memory
    bool dma_running_ = false;                    // sim.protocol: at: the DMA thread is issuing

    // sim.protocol: at: issues the engine's requests at their times until every transfer
    // submitted has completed (started by a submit).
    void run_dma(dma::Engine& e);
    std::vector<std::unique_ptr<cache::CacheSc>> caches_;  // in Hierarchy::levels() order

    template <class Socket>
    void bind_memory(Socket& initiator) {
        if (at_memory_) initiator.bind(at_memory_->socket);
        else initiator.bind(memory_->socket);
    }
};

}  // namespace memsim::run
