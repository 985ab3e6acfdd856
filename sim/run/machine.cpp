#include "sim/run/machine.h"

namespace memsim::run {

Machine::Machine(const config::Config& cfg, stats::Registry& stats, bool timed, const std::string& trace_file)
    : timed_(timed) {
    auto memory = cfg.section<dram::MemoryParams>("memory");
    if (memory.model == "simple")
        memory_ = std::make_unique<dram::SimpleMemory>(cfg.section<dram::SimpleMemoryParams>("memory.simple"), stats,
                                                       timed);
    kernel_ = std::make_unique<os::Kernel>(cfg, stats, trace_file);
    core_ = std::make_unique<cpu::TraceCore>(cfg.section<cpu::CoreParams>("cpu"), stats, timed);
}

bool Machine::execute(const trace::Event& ev, cpu::MemoryPort& port) {
    bool handled = kernel_->execute(ev);
    if (handled && !kernel_->access_allowed()) return true;
    return core_->execute(ev, port) || handled;
}

uint64_t Machine::DirectPort::access(const cpu::Access& a, uint64_t issue_ps) {
    if (!m_.timed_) {
        m_.memory_->count(a.size, a.write);
        return issue_ps;
    }
    return m_.memory_->access(a.addr, a.size, a.write, issue_ps);
}

}  // namespace memsim::run
