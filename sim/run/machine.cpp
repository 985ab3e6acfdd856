#include "sim/run/machine.h"

#include <filesystem>
#include <fstream>
#include <ostream>

#include <fmt/format.h>

namespace memsim::run {

Machine::Machine(const config::Config& cfg, stats::Registry& stats, bool timed, const std::string& trace_file)
    : timed_(timed) {
    auto memory = cfg.section<dram::MemoryParams>("memory");
    if (memory.model == "simple")
        memory_ = std::make_unique<dram::SimpleMemory>(cfg.section<dram::SimpleMemoryParams>("memory.simple"), stats,
                                                       timed);
    kernel_ = std::make_unique<os::Kernel>(cfg, stats, trace_file);
    core_ = std::make_unique<cpu::TraceCore>(cfg.section<cpu::CoreParams>("cpu"), stats, timed);
    libc_ = std::make_unique<libc::Ptmalloc>(cfg.section<libc::PtmallocParams>("libc"), libc_process_, stats);
    libc_events_ = std::make_unique<libc::LibcEvents>(*libc_, kernel_->process(), stats, trace_file);
    if (cfg.section<cache::CacheParams>("cache").model == "cachegrind")
        cachegrind_ = std::make_unique<cache::Cachegrind>(cfg.section<cache::CacheGeometry>("cache.l1i"),
                                                          cfg.section<cache::CacheGeometry>("cache.l1d"),
                                                          cfg.section<cache::CacheGeometry>("cache.ll"), stats);
    after_death_ = &stats.counter("sim.events_after_abort", "events",
                                  "process events skipped because glibc had aborted the process");
}

namespace {
// Events of the simulated process (as opposed to the kernel's own allocations and the clock).
bool is_process_event(trace::Op op) {
    using trace::Op;
    switch (op) {
        case Op::Mmap: case Op::Munmap: case Op::Madvise: case Op::Touch:
        case Op::Read: case Op::Write: case Op::Modify: case Op::Ifetch:
            return true;
        default:
            return false;
    }
}
}  // namespace

bool Machine::execute(const trace::Event& ev, cpu::MemoryPort& port) {
    if (!line_log_.is_open()) return execute_event(ev, port);
    const os::MmCounters& c = kernel_->mm().counters();
    uint64_t minor = c.minor_faults, major = c.major_faults;
    bool was_alive = !kernel_->process_died() && !libc_events_->aborted();
    bool handled = execute_event(ev, port);
    bool died = was_alive && (kernel_->process_died() || libc_events_->aborted());
    if (died || c.minor_faults != minor || c.major_faults != major) {
        const char* result = !died ? "faulted"
                             : libc_events_->aborted() ? "glibc abort"
                             : c.oom ? "OOM" : "SIGSEGV";
        line_log_ << ev.line << ',' << trace::op_name(ev.op) << ',' << c.minor_faults - minor << ','
                  << c.major_faults - major << ',' << kernel_->mm().rss_bytes() << ',' << result << '\n';
    }
    return handled;
}

void Machine::open_line_log(const std::string& path) {
    line_log_.open(path);
    if (!line_log_) throw InputError(SourceLocation{path}, "cannot write");
    line_log_ << "line,event,minor_faults,major_faults,rss_bytes,result\n";
}

bool Machine::execute_event(const trace::Event& ev, cpu::MemoryPort& port) {
    if (libc_events_->aborted() && is_process_event(ev.op)) {
        ++*after_death_;
        return true;
    }
    bool handled = kernel_->execute(ev);
    if (handled && !kernel_->access_allowed()) return true;
    if (cachegrind_) cachegrind_->observe(ev);
    if (!handled) {
        port_ = &port;
        handled = libc_events_->execute(ev);
        port_ = nullptr;
        if (handled) return true;
    }
    return core_->execute(ev, port) || handled;
}

void Machine::ProcessOfLibc::touch(uint64_t addr, uint64_t size, bool write) {
    if (!size) return;
    m_.kernel_->mm().access(addr, size, write);
    if (m_.port_) m_.core_->access(addr, size, write, *m_.port_);
}

void Machine::report(std::ostream& out) const {
    if (cachegrind_) out << cachegrind_->summary();
    kernel_->report(out);
    if (libc_events_->aborted())
        out << fmt::format("  process             aborted by glibc at trace line {}: {}\n", libc_events_->abort_line(),
                           libc_events_->abort_message());
    if (!libc_events_->null_returns().empty()) {
        out << fmt::format("  malloc NULL returns {}", libc_events_->null_returns().size());
        for (const auto& n : libc_events_->null_returns()) out << fmt::format("\n    line {}: {}", n.line, n.call);
        out << "\n";
    }
}

void Machine::write_views(const std::string& dir) {
    kernel_->write_views(dir);
    std::ofstream f(std::filesystem::path(dir) / "malloc_stats.txt");
    if (!f) throw InputError(SourceLocation{dir + "/malloc_stats.txt"}, "cannot write");
    libc_->malloc_stats(f);
}

uint64_t Machine::DirectPort::access(const cpu::Access& a, uint64_t issue_ps) {
    if (!m_.timed_) {
        m_.memory_->count(a.size, a.write);
        return issue_ps;
    }
    return m_.memory_->access(a.addr, a.size, a.write, issue_ps);
}

}  // namespace memsim::run
