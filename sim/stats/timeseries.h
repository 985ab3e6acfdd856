#pragma once
// Samples chosen statistics into a CSV time series (timeseries.csv): one row every N events and/or
// every T of simulated time, plus one at the end. Columns: events, time_ps, then the statistics
// matched by the configured globs, in registry order.
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "sim/stats/stats.h"

namespace memsim::stats {

class TimeSeries {
public:
    // GLOBS name the statistics ("os.faults.*"); an empty list samples all of them.
    TimeSeries(const Registry& registry, const std::vector<std::string>& globs, uint64_t every_events,
               uint64_t every_ps);
    bool enabled() const { return every_events_ || every_ps_; }
    // Opens PATH and writes the header; the columns are fixed from here on.
    void open(const std::string& path);
    // Called as the simulation advances: writes the rows that fall due.
    void advance(uint64_t events, uint64_t now_ps) {
        if (events >= next_events_ || now_ps >= next_ps_) sample_due(events, now_ps);
    }
    void finish(uint64_t events, uint64_t now_ps);  // the last row
    uint64_t rows() const { return rows_; }

private:
    const Registry& registry_;
    std::vector<std::string> globs_;
    uint64_t every_events_, every_ps_;
    uint64_t next_events_ = UINT64_MAX, next_ps_ = UINT64_MAX;
    uint64_t rows_ = 0, last_events_ = UINT64_MAX;
    std::vector<std::string> columns_;
    std::ofstream out_;
    void sample_due(uint64_t events, uint64_t now_ps);
    void write_row(uint64_t events, uint64_t now_ps);
};

}  // namespace memsim::stats
