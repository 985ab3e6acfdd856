#pragma once
// The statistics registry. A model declares each statistic once, with a dotted name, a unit and a
// description, and keeps a reference to it; dumping (stats.json, the readable table, the time
// series) is the registry's job, never the model's (as gem5's statistics framework does).
//
//   struct SimpleMemoryStats {
//       stats::Counter& reads;
//       explicit SimpleMemoryStats(stats::Registry& r)
//           : reads(r.counter("memory.reads", "requests", "read requests served")) {}
//   };
#include <cstdint>
#include <deque>
#include <functional>
#include <iosfwd>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace memsim::stats {

class Counter {
public:
    Counter& operator++() {
        ++v_;
        return *this;
    }
    Counter& operator+=(uint64_t n) {
        v_ += n;
        return *this;
    }
    void set(uint64_t v) { v_ = v; }
    uint64_t value() const { return v_; }

private:
    uint64_t v_ = 0;
};

// count, sum, min, max, mean, standard deviation, and percentiles from a log-linear histogram
// (64 sub-buckets per power of two: a percentile is within 1.6% of the exact sample value).
class Distribution {
public:
    void sample(double x, uint64_t times = 1);
    uint64_t count() const { return count_; }
    double sum() const { return sum_; }
    double mean() const { return count_ ? sum_ / double(count_) : 0; }
    double min() const { return count_ ? min_ : 0; }
    double max() const { return count_ ? max_ : 0; }
    double stddev() const;
    double percentile(double p) const;  // p in [0, 100]
    // Adds O's samples (the distribution of both sample sets, percentiles included).
    void merge(const Distribution& o);

private:
    static constexpr int kSub = 64;
    uint64_t count_ = 0;
    double sum_ = 0, sum_sq_ = 0;
    double min_ = std::numeric_limits<double>::infinity(), max_ = -std::numeric_limits<double>::infinity();
    std::vector<uint64_t> buckets_;  // index from bucket_of()
    static int bucket_of(double x);
    static double bucket_mid(int b);
};

enum class Kind { Counter, Distribution, Formula };

struct StatInfo {
    std::string name, unit, description;
    Kind kind;
    const Counter* counter = nullptr;
    const Distribution* distribution = nullptr;
    std::function<double()> formula;
    std::function<Distribution()> distribution_formula;  // a Distribution computed when read
};

class Registry {
public:
    Counter& counter(const std::string& name, const std::string& unit, const std::string& description);
    Distribution& distribution(const std::string& name, const std::string& unit, const std::string& description);
    // A value computed when read (achieved bandwidth = bytes / time).
    void formula(const std::string& name, const std::string& unit, const std::string& description,
                 std::function<double()> f);
    // A distribution computed when read (several models' samples merged).
    void distribution_formula(const std::string& name, const std::string& unit, const std::string& description,
                              std::function<Distribution()> f);

    const std::deque<StatInfo>& all() const { return stats_; }

    // Every statistic as (dotted name, value) pairs; a distribution gives NAME.count, .mean, .min,
    // .max, .stddev, .p50, .p90 and .p99.
    std::vector<std::pair<std::string, double>> flatten() const;
    // The flattened names that match a glob ('*' any run of characters, '?' one).
    std::vector<std::string> matching(const std::string& glob) const;
    double value(const std::string& flat_name) const;  // NaN if unknown

    nlohmann::json to_json() const;  // {"name": value, ...}
    void print_table(std::ostream& out) const;

private:
    std::deque<Counter> counters_;
    std::deque<Distribution> distributions_;
    std::deque<StatInfo> stats_;
    StatInfo& declare(const std::string& name, const std::string& unit, const std::string& description, Kind k);
};

bool glob_match(const std::string& pattern, const std::string& text);

}  // namespace memsim::stats
