// The trace core's issue rule, worked by hand with a memory of fixed 10 ns latency.
#include <catch2/catch.hpp>

#include <vector>

#include "models/cpu/trace_core.h"

using namespace memsim;

namespace {

struct FixedLatency : cpu::MemoryPort {
    uint64_t latency_ps;
    std::vector<std::pair<uint64_t, cpu::Access>> seen;  // issue time, access
    explicit FixedLatency(uint64_t l) : latency_ps(l) {}
    uint64_t access(const cpu::Access& a, uint64_t issue_ps) override {
        seen.emplace_back(issue_ps, a);
        return issue_ps + latency_ps;
    }
};

trace::Event ev(trace::Op op, uint64_t addr, uint64_t size) {
    trace::Event e;
    e.op = op;
    e.addr = addr;
    e.size = size;
    return e;
}

}  // namespace

TEST_CASE("at most max_outstanding accesses are in flight", "[cpu]") {
    stats::Registry r;
    // 1 GHz: one cycle is 1000 ps; two accesses in flight.
    cpu::TraceCore core({1e9, 2, 64}, r, true);
    FixedLatency mem(10000);
    for (int i = 0; i < 4; ++i) CHECK(core.execute(ev(trace::Op::Read, 64 * i, 8), mem));
    // issue at 0 and 1000; the third waits for the first (done 10000), the fourth finds the second
    // done at 11000 exactly when it is ready to issue.
    REQUIRE(mem.seen.size() == 4);
    CHECK(mem.seen[0].first == 0);
    CHECK(mem.seen[1].first == 1000);
    CHECK(mem.seen[2].first == 10000);
    CHECK(mem.seen[3].first == 11000);
    core.drain();
    CHECK(core.now_ps() == 21000);  // the fourth completes at 11000 + 10000
    CHECK(r.value("cpu.cycles") == 21);
    CHECK(r.value("cpu.stall_cycles") == 8);  // 2000 -> 10000
    CHECK(r.value("cpu.access_latency_ns.mean") == 10);
}

TEST_CASE("compute advances time - large accesses are split", "[cpu]") {
    stats::Registry r;
    cpu::TraceCore core({1e9, 4, 64}, r, true);
    FixedLatency mem(5000);
    trace::Event c;
    c.op = trace::Op::Compute;
    c.cycles = 100;
    core.execute(c, mem);
    core.execute(ev(trace::Op::Write, 0x1000, 200), mem);  // 64 + 64 + 64 + 8
    REQUIRE(mem.seen.size() == 4);
    CHECK(mem.seen[0].first == 100000);
    CHECK(mem.seen[3].second.addr == 0x1000 + 192);
    CHECK(mem.seen[3].second.size == 8);
    CHECK(mem.seen[3].second.write);
    CHECK(r.value("cpu.bytes_written") == 200);
    CHECK(r.value("cpu.accesses") == 4);
    CHECK(r.value("cpu.compute_cycles") == 100);
}

TEST_CASE("a modify is a read then a write - an ifetch is a read", "[cpu]") {
    stats::Registry r;
    cpu::TraceCore core({3e9, 10, 64}, r, false);
    FixedLatency mem(0);
    core.execute(ev(trace::Op::Modify, 0x2000, 4), mem);
    core.execute(ev(trace::Op::Ifetch, 0x400000, 3), mem);
    REQUIRE(mem.seen.size() == 3);
    CHECK_FALSE(mem.seen[0].second.write);
    CHECK(mem.seen[1].second.write);
    CHECK(mem.seen[2].second.ifetch);
    CHECK(r.value("cpu.reads") == 1);
    CHECK(r.value("cpu.writes") == 1);
    CHECK(r.value("cpu.ifetches") == 1);
    CHECK(r.value("cpu.bytes_read") == 7);
    CHECK(core.cycle_ps() == 333);  // 3 GHz rounded to whole ps, as gem5 ticks
}

TEST_CASE("events of other models are left to them", "[cpu]") {
    stats::Registry r;
    cpu::TraceCore core({3e9, 10, 64}, r, false);
    FixedLatency mem(0);
    trace::Event m;
    m.op = trace::Op::Malloc;
    CHECK_FALSE(core.execute(m, mem));
    CHECK(r.value("cpu.events") == 0);
}
