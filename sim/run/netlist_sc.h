#pragma once
// Timing mode's netlist: the SystemC shells of the machine's models, bound by TLM-2.0 sockets as
// the configuration describes. Today: core -> memory. The cache hierarchy, the interconnect and the
// DRAM controller are inserted between them by their issues.
#include "models/cpu/trace_core_sc.h"
#include "models/dram/simple_memory_sc.h"
#include "sim/run/machine.h"

namespace memsim::run {

class Netlist {
public:
    // EXECUTE runs each event through the machine (Machine::execute, wrapped by the caller).
    Netlist(Machine& m, cpu::TraceCoreSc::NextEvent next, cpu::TraceCoreSc::Execute execute,
            cpu::TraceCoreSc::OnEvent on_event);

private:
    cpu::TraceCoreSc core_;
    dram::SimpleMemorySc memory_;
};

}  // namespace memsim::run
