#include "sim/stats/stats.h"

#include <algorithm>
#include <cmath>
#include <ostream>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace memsim::stats {

// Bucket 0 holds values <= 0; then kSub buckets per power of two for exponents -63..64.
int Distribution::bucket_of(double x) {
    if (!(x > 0)) return 0;
    int e = 0;
    double m = std::frexp(x, &e);  // x = m * 2^e, m in [0.5, 1)
    e = std::clamp(e, -63, 64);
    int sub = std::clamp(int((m - 0.5) * 2 * kSub), 0, kSub - 1);
    return 1 + (e + 63) * kSub + sub;
}

double Distribution::bucket_mid(int b) {
    if (b == 0) return 0;
    int e = (b - 1) / kSub - 63, sub = (b - 1) % kSub;
    return std::ldexp(0.5 + (sub + 0.5) / (2.0 * kSub), e);
}

void Distribution::sample(double x, uint64_t times) {
    if (times == 0) return;
    count_ += times;
    sum_ += x * double(times);
    sum_sq_ += x * x * double(times);
    min_ = std::min(min_, x);
    max_ = std::max(max_, x);
    size_t b = size_t(bucket_of(x));
    if (b >= buckets_.size()) buckets_.resize(b + 1, 0);
    buckets_[b] += times;
}

void Distribution::merge(const Distribution& o) {
    if (o.count_ == 0) return;
    count_ += o.count_;
    sum_ += o.sum_;
    sum_sq_ += o.sum_sq_;
    min_ = std::min(min_, o.min_);
    max_ = std::max(max_, o.max_);
    if (o.buckets_.size() > buckets_.size()) buckets_.resize(o.buckets_.size(), 0);
    for (size_t b = 0; b < o.buckets_.size(); ++b) buckets_[b] += o.buckets_[b];
}

double Distribution::stddev() const {
    if (count_ < 2) return 0;
    double m = mean();
    return std::sqrt(std::max(0.0, sum_sq_ / double(count_) - m * m));
}

double Distribution::percentile(double p) const {
    if (count_ == 0) return 0;
    if (p <= 0) return min_;
    if (p >= 100) return max_;
    uint64_t rank = uint64_t(std::ceil(p / 100.0 * double(count_)));
    uint64_t seen = 0;
    for (size_t b = 0; b < buckets_.size(); ++b) {
        seen += buckets_[b];
        if (seen >= rank) return std::clamp(bucket_mid(int(b)), min_, max_);
    }
    return max_;
}

StatInfo& Registry::declare(const std::string& name, const std::string& unit, const std::string& description,
                            Kind k) {
    for (const auto& s : stats_)
        if (s.name == name) throw std::logic_error("statistic declared twice: " + name);
    stats_.push_back(StatInfo{name, unit, description, k, nullptr, nullptr, {}, {}});
    return stats_.back();
}

Counter& Registry::counter(const std::string& name, const std::string& unit, const std::string& description) {
    counters_.emplace_back();
    declare(name, unit, description, Kind::Counter).counter = &counters_.back();
    return counters_.back();
}

Distribution& Registry::distribution(const std::string& name, const std::string& unit,
                                     const std::string& description) {
    distributions_.emplace_back();
    declare(name, unit, description, Kind::Distribution).distribution = &distributions_.back();
    return distributions_.back();
}

void Registry::formula(const std::string& name, const std::string& unit, const std::string& description,
                       std::function<double()> f) {
    declare(name, unit, description, Kind::Formula).formula = std::move(f);
}

void Registry::distribution_formula(const std::string& name, const std::string& unit,
                                    const std::string& description, std::function<Distribution()> f) {
    declare(name, unit, description, Kind::Distribution).distribution_formula = std::move(f);
}

std::vector<std::pair<std::string, double>> Registry::flatten() const {
    std::vector<std::pair<std::string, double>> out;
    for (const auto& s : stats_) {
        switch (s.kind) {
            case Kind::Counter: out.emplace_back(s.name, double(s.counter->value())); break;
            case Kind::Formula: out.emplace_back(s.name, s.formula()); break;
            case Kind::Distribution: {
                Distribution computed;
                const Distribution& d = s.distribution ? *s.distribution : (computed = s.distribution_formula());
                out.emplace_back(s.name + ".count", double(d.count()));
                out.emplace_back(s.name + ".mean", d.mean());
                out.emplace_back(s.name + ".min", d.min());
                out.emplace_back(s.name + ".max", d.max());
                out.emplace_back(s.name + ".stddev", d.stddev());
                out.emplace_back(s.name + ".p50", d.percentile(50));
                out.emplace_back(s.name + ".p90", d.percentile(90));
                out.emplace_back(s.name + ".p99", d.percentile(99));
                break;
            }
        }
    }
    return out;
}

std::vector<std::string> Registry::matching(const std::string& glob) const {
    std::vector<std::string> out;
    for (const auto& [name, v] : flatten())
        if (glob_match(glob, name)) out.push_back(name);
    return out;
}

double Registry::value(const std::string& flat_name) const {
    for (const auto& s : stats_) {
        if (s.name == flat_name) {
            if (s.kind == Kind::Counter) return double(s.counter->value());
            if (s.kind == Kind::Formula) return s.formula();
        }
    }
    for (const auto& [name, v] : flatten())
        if (name == flat_name) return v;
    return std::nan("");
}

nlohmann::json Registry::to_json() const {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& s : stats_) {
        if (s.kind == Kind::Counter) j[s.name] = s.counter->value();  // exact, not via double
    }
    for (const auto& [name, v] : flatten()) {
        if (j.contains(name)) continue;
        if (std::isfinite(v)) j[name] = v;
        else j[name] = nullptr;  // JSON has no NaN: a formula over nothing (0/0) is null
    }
    return j;
}

void Registry::print_table(std::ostream& out) const {
    size_t width = 0;
    for (const auto& s : stats_) width = std::max(width, s.name.size() + (s.kind == Kind::Distribution ? 7 : 0));
    auto num = [](double v) {
        if (!std::isfinite(v)) return std::string("-");
        if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{:.0f}", v);
        return fmt::format("{:.4g}", v);
    };
    for (const auto& s : stats_) {
        if (s.kind == Kind::Distribution) {
            Distribution computed;
            const Distribution& d = s.distribution ? *s.distribution : (computed = s.distribution_formula());
            out << fmt::format("{:<{}}  {:>16}  {:<10}  # {}\n", s.name + ".mean", width, num(d.mean()), s.unit,
                               s.description);
            out << fmt::format("{:<{}}  {:>16}  {:<10}  # count {} min {} p50 {} p99 {} max {}\n", s.name + ".p99",
                               width, num(d.percentile(99)), s.unit, d.count(), num(d.min()), num(d.percentile(50)),
                               num(d.percentile(99)), num(d.max()));
        } else {
            double v = s.kind == Kind::Counter ? double(s.counter->value()) : s.formula();
            out << fmt::format("{:<{}}  {:>16}  {:<10}  # {}\n", s.name, width, num(v), s.unit, s.description);
        }
    }
}

bool glob_match(const std::string& pattern, const std::string& text) {
    size_t p = 0, t = 0, star = std::string::npos, mark = 0;
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
            ++p, ++t;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            mark = t;
        } else if (star != std::string::npos) {
            p = star + 1;
            t = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

}  // namespace memsim::stats
