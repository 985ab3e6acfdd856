// The statistics registry: declared once, dumped by the registry.
#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>

#include <nlohmann/json.hpp>

#include "sim/stats/stats.h"

using namespace memsim::stats;

TEST_CASE("counters and formulas flatten to dotted names", "[stats]") {
    Registry r;
    Counter& reads = r.counter("memory.reads", "requests", "reads");
    Counter& bytes = r.counter("memory.bytes", "bytes", "bytes");
    r.formula("memory.bytes_per_read", "bytes", "average", [&] { return double(bytes.value()) / reads.value(); });
    ++reads;
    ++reads;
    bytes += 128;
    auto j = r.to_json();
    CHECK(j["memory.reads"] == 2);
    CHECK(j["memory.bytes"] == 128);
    CHECK(j["memory.bytes_per_read"] == 64.0);
    CHECK(r.value("memory.bytes_per_read") == 64.0);
    CHECK(r.matching("memory.*") == std::vector<std::string>{"memory.reads", "memory.bytes", "memory.bytes_per_read"});
    CHECK_THROWS(r.counter("memory.reads", "x", "declared twice"));
}

TEST_CASE("a distribution gives count - mean - extremes and percentiles", "[stats]") {
    Registry r;
    Distribution& d = r.distribution("dram.latency_ns", "ns", "latency");
    for (int i = 1; i <= 100; ++i) d.sample(i);
    CHECK(d.count() == 100);
    CHECK(d.mean() == Approx(50.5));
    CHECK(d.min() == 1);
    CHECK(d.max() == 100);
    // The nearest-rank percentile of 1..100 is p itself; buckets keep it within 1/64 relative.
    CHECK(d.percentile(50) == Approx(50).epsilon(1.0 / 64));
    CHECK(d.percentile(99) == Approx(99).epsilon(1.0 / 64));
    CHECK(d.stddev() == Approx(std::sqrt((100.0 * 100 - 1) / 12)));  // population sd of 1..n
    auto j = r.to_json();
    CHECK(j["dram.latency_ns.count"] == 100.0);
    CHECK(j.contains("dram.latency_ns.p99"));
}

TEST_CASE("merged distributions are the distribution of both sample sets", "[stats]") {
    // 1..40 and 41..100 sampled apart and merged: the statistics of 1..100 above.
    Distribution low, high;
    for (int i = 1; i <= 40; ++i) low.sample(i);
    for (int i = 41; i <= 100; ++i) high.sample(i);
    Registry r;
    r.distribution_formula("dram.latency_ns", "ns", "both", [&] {
        Distribution d;
        d.merge(low);
        d.merge(high);
        return d;
    });
    CHECK(r.value("dram.latency_ns.count") == 100);
    CHECK(r.value("dram.latency_ns.mean") == Approx(50.5));
    CHECK(r.value("dram.latency_ns.min") == 1);
    CHECK(r.value("dram.latency_ns.max") == 100);
    CHECK(r.value("dram.latency_ns.p50") == Approx(50).epsilon(1.0 / 64));
    CHECK(r.value("dram.latency_ns.stddev") == Approx(std::sqrt((100.0 * 100 - 1) / 12)));
    std::ostringstream table;
    r.print_table(table);
    CHECK(table.str().find("dram.latency_ns.p99") != std::string::npos);
}

TEST_CASE("glob matching", "[stats]") {
    CHECK(glob_match("os.faults.*", "os.faults.minor"));
    CHECK(glob_match("*.misses", "cache.l1d.misses"));
    CHECK(glob_match("cache.l?d.*", "cache.l1d.hits"));
    CHECK_FALSE(glob_match("os.*", "cpu.cycles"));
    CHECK(glob_match("*", ""));
}

TEST_CASE("the table lists every statistic with its unit and description", "[stats]") {
    Registry r;
    r.counter("cpu.cycles", "cycles", "cycles simulated") += 42;
    std::ostringstream out;
    r.print_table(out);
    CHECK(out.str().find("cpu.cycles") != std::string::npos);
    CHECK(out.str().find("42  cycles") != std::string::npos);
    CHECK(out.str().find("# cycles simulated") != std::string::npos);
}
