#pragma once
// What watches a run from outside the models: the progress line, the time series, and the events
// of the trace that no model of this configuration handles (counted and reported, never silently
// skipped). Both modes drive it the same way (replay.h).
#include <array>
#include <chrono>
#include <cstdint>
#include <iosfwd>

#include "sim/stats/stats.h"
#include "sim/stats/timeseries.h"
#include "sim/trace/event.h"
#include "sim/trace/reader.h"

namespace memsim::run {

class ProgressLine {
public:
    ProgressLine(bool enabled, const trace::Reader& reader);
    void update(uint64_t events) {
        if (enabled_ && (events & 0xfff) == 0) maybe_print(events);
    }
    void finish();

private:
    bool enabled_;
    const trace::Reader& reader_;
    std::chrono::steady_clock::time_point start_, last_;
    bool printed_ = false;
    void maybe_print(uint64_t events);
};

class RunMonitor {
public:
    RunMonitor(stats::Registry& r, stats::TimeSeries& series, ProgressLine& progress);
    void on_event(const trace::Event& ev, bool handled, uint64_t now_ps) {
        ++events_;
        if (!handled) {
            ++unmodelled_;
            ++unmodelled_by_op_[static_cast<int>(ev.op)];
        }
        series_.advance(events_, now_ps);
        progress_.update(events_);
    }
    void finish(uint64_t now_ps);
    uint64_t events() const { return events_; }
    // One line per kind of event that no model handled, for stderr.
    void report_unmodelled(std::ostream& err) const;

private:
    stats::TimeSeries& series_;
    ProgressLine& progress_;
    uint64_t events_ = 0;
    stats::Counter& unmodelled_;
    std::array<uint64_t, trace::kOpCount> unmodelled_by_op_{};
};

}  // namespace memsim::run
