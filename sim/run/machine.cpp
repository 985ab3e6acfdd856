#include "sim/run/machine.h"

namespace memsim::run {

Machine::Machine(const config::Config& cfg, stats::Registry& stats, bool timed)
    : timed_(timed) {
    auto memory = cfg.section<dram::MemoryParams>("memory");
    if (memory.model == "simple")
        memory_ = std::make_unique<dram::SimpleMemory>(cfg.section<dram::SimpleMemoryParams>("memory.simple"), stats,
                                                       timed);
    core_ = std::make_unique<cpu::TraceCore>(cfg.section<cpu::CoreParams>("cpu"), stats, timed);
}

uint64_t Machine::DirectPort::access(const cpu::Access& a, uint64_t issue_ps) {
    if (!m_.timed_) {
        m_.memory_->count(a.size, a.write);
        return issue_ps;
    }
    return m_.memory_->access(a.addr, a.size, a.write, issue_ps);
}

}  // namespace memsim::run
