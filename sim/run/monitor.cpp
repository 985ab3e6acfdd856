#include "sim/run/monitor.h"

#include <unistd.h>

#include <cstdio>
#include <ostream>

#include <fmt/format.h>

namespace memsim::run {

ProgressLine::ProgressLine(bool enabled, const trace::Reader& reader)
    : enabled_(enabled && isatty(STDERR_FILENO)),
      reader_(reader),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

void ProgressLine::maybe_print(uint64_t events) {
    auto now = std::chrono::steady_clock::now();
    double elapsed = std::chrono::duration<double>(now - start_).count();
    // Nothing for runs shorter than about a second; then four updates a second.
    if (elapsed < 1.0 || std::chrono::duration<double>(now - last_).count() < 0.25) return;
    last_ = now;
    double rate = double(events) / elapsed;
    std::string line = fmt::format("\r{:.3g}M events  {:.3g}M events/s", double(events) / 1e6, rate / 1e6);
    uint64_t total = reader_.bytes_total(), done = reader_.bytes_read();
    if (total > 0 && done > 0 && done <= total) {
        double frac = double(done) / double(total);
        line += fmt::format("  {:.0f}%  ETA {:.0f}s", 100 * frac, elapsed * (1 - frac) / frac);
    }
    std::fprintf(stderr, "%s\033[K", line.c_str());
    printed_ = true;
}

void ProgressLine::finish() {
    if (printed_) std::fprintf(stderr, "\r\033[K");
}

RunMonitor::RunMonitor(stats::Registry& r, stats::TimeSeries& series, ProgressLine& progress)
    : series_(series),
      progress_(progress),
      unmodelled_(r.counter("sim.events_unmodelled", "events",
                            "trace events that no model of this configuration handles")) {}

void RunMonitor::finish(uint64_t now_ps) {
    series_.finish(events_, now_ps);
    progress_.finish();
}

void RunMonitor::report_unmodelled(std::ostream& err) const {
    for (int op = 0; op < trace::kOpCount; ++op) {
        if (unmodelled_by_op_[op] == 0) continue;
        err << fmt::format("memsim: warning: {} `{}` event(s) have no model in this configuration and were counted "
                           "in sim.events_unmodelled\n",
                           unmodelled_by_op_[op], trace::op_name(static_cast<trace::Op>(op)));
    }
}

}  // namespace memsim::run
