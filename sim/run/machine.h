#pragma once
// The simulated machine's plain models, built from a configuration. Functional mode drives them
// directly; timing mode wraps each in its SystemC shell and binds their sockets (netlist_sc.h).
// Each issue's models join here: the memory side grows with the cache hierarchy and the DRAM
// controllers, the software side with the allocator.
#include <memory>

#include "models/cpu/trace_core.h"
#include "models/dram/memory.h"
#include "models/dram/simple_memory.h"
#include "models/os/kernel.h"
#include "sim/config/config.h"
#include "sim/stats/stats.h"

namespace memsim::run {

class Machine {
public:
    // TRACE_FILE names the trace in the models' messages.
    Machine(const config::Config& cfg, stats::Registry& stats, bool timed, const std::string& trace_file);

    // One trace event through the machine: the kernel first (allocator and address-space events;
    // for a raw access, the page faults it takes), then the core, whose accesses go out through
    // PORT unless the kernel killed the process on this access. True if a model handled it.
    bool execute(const trace::Event& ev, cpu::MemoryPort& port);

    cpu::TraceCore& core() { return *core_; }
    os::Kernel& kernel() { return *kernel_; }
    dram::SimpleMemory& memory() { return *memory_; }
    // The core's port straight into the memory: timed (functional mode has no time, only counts).
    cpu::MemoryPort& direct_port() { return direct_port_; }

private:
    class DirectPort final : public cpu::MemoryPort {
    public:
        explicit DirectPort(Machine& m) : m_(m) {}
        uint64_t access(const cpu::Access& a, uint64_t issue_ps) override;

    private:
        Machine& m_;
    };

    bool timed_;
    std::unique_ptr<dram::SimpleMemory> memory_;
    std::unique_ptr<os::Kernel> kernel_;
    std::unique_ptr<cpu::TraceCore> core_;
    DirectPort direct_port_{*this};
};

}  // namespace memsim::run
