#include "sim/stats/timeseries.h"

#include <cmath>

#include <fmt/format.h>

#include "sim/core/error.h"

namespace memsim::stats {

TimeSeries::TimeSeries(const Registry& registry, const std::vector<std::string>& globs, uint64_t every_events,
                       uint64_t every_ps)
    : registry_(registry), globs_(globs), every_events_(every_events), every_ps_(every_ps) {}

void TimeSeries::open(const std::string& path) {
    out_.open(path);
    if (!out_) throw InputError(SourceLocation{path}, "cannot write the time series");
    for (const auto& [name, v] : registry_.flatten()) {
        bool want = globs_.empty();
        for (const auto& g : globs_) want = want || glob_match(g, name);
        if (want) columns_.push_back(name);
    }
    out_ << "events,time_ps";
    for (const auto& c : columns_) out_ << "," << c;
    out_ << "\n";
    next_events_ = every_events_ ? every_events_ : UINT64_MAX;
    next_ps_ = every_ps_ ? every_ps_ : UINT64_MAX;
}

void TimeSeries::sample_due(uint64_t events, uint64_t now_ps) {
    if (!out_.is_open()) return;
    write_row(events, now_ps);
    if (every_events_)
        while (next_events_ <= events) next_events_ += every_events_;
    if (every_ps_)
        while (next_ps_ <= now_ps) next_ps_ += every_ps_;
}

void TimeSeries::finish(uint64_t events, uint64_t now_ps) {
    if (out_.is_open() && events != last_events_) write_row(events, now_ps);
    if (out_.is_open()) out_.flush();
}

void TimeSeries::write_row(uint64_t events, uint64_t now_ps) {
    auto flat = registry_.flatten();
    out_ << events << "," << now_ps;
    size_t j = 0;
    for (const auto& c : columns_) {
        while (j < flat.size() && flat[j].first != c) ++j;  // columns keep registry order
        double v = j < flat.size() ? flat[j].second : std::nan("");
        if (std::isfinite(v)) out_ << "," << fmt::format("{}", v);
        else out_ << ",";
    }
    out_ << "\n";
    ++rows_;
    last_events_ = events;
}

}  // namespace memsim::stats
