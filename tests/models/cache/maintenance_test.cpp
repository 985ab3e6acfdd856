// Cache maintenance by address (DC CVAC / DC IVAC / DC CIVAC to the point of coherence), device
// snoops and stale lines, worked by hand. 1 GHz core (a cycle is 1000 ps), memory answers 100 cycles
// after a request arrives (cache_fixtures.h), 4-cycle hits: a miss to memory takes 4 + 100 cycles.
#include <catch2/catch.hpp>

#include "models/cache/hierarchy.h"
#include "tests/models/cache/cache_fixtures.h"

using namespace memsim;
using namespace memsim::cache;
using namespace memsim::cache::test;
using K = mem::AccessKind;

TEST_CASE("Cleaning 8 lines of which 4 are dirty writes those 4 back at the end of their operation", "[cache][maintenance]") {
    // 1 KiB 2-way: 8 sets, lines 0..7 (0x000..0x1c0) each in a set of its own.
    FakeMemory m;
    stats::Registry r;
    Cache c("l1d", level(1024, 2), 1, kCycle, true, &m, r);
    for (uint64_t k = 0; k < 4; ++k) go(c, k * 64, K::Write, k * 200 * kCycle);  // lines 0-3 dirty
    REQUIRE(m.seen.size() == 4);  // their read-for-ownership fills

    // DC CVAC over [0, 0x200): operation k issues at 1000 + 10k cycles and ends 10 cycles later;
    // a dirty line leaves then and memory completes it 100 cycles on.
    MaintenanceResult res = c.maintain(CacheOp::Clean, 0x000, 0x200, 1000 * kCycle, 10 * kCycle);
    CHECK(res.lines == 8);
    CHECK(res.present == 4);
    CHECK(res.writebacks == 4);
    CHECK(res.invalidations == 0);
    // The last operation ends at 1000 + 8 x 10 = 1080; the last write-back completes at
    // 1040 + 100 = 1140, which the DSB waits for.
    CHECK(res.done_ps == 1140 * kCycle);
    REQUIRE(m.seen.size() == 8);
    for (uint64_t k = 0; k < 4; ++k) {
        INFO("write-back " << k);
        CHECK(m.seen[4 + k].kind == K::Writeback);
        CHECK(m.seen[4 + k].addr == k * 64);
        CHECK(m.seen[4 + k].size == 64);
        CHECK(m.seen[4 + k].at_ps == (1000 + 10 * (k + 1)) * kCycle);
    }
    for (uint64_t k = 0; k < 4; ++k) {  // still there, clean
        CHECK(c.contains(k * 64));
        CHECK_FALSE(c.dirty(k * 64));
    }
    CHECK(c.stats().maintenance_lookups.value() == 8);
    CHECK(c.stats().maintenance_writebacks.value() == 4);
    CHECK(c.stats().maintenance_invalidations.value() == 0);
    CHECK(c.stats().writebacks.value() == 0);  // evictions' write-backs, not these

    // A second clean finds nothing dirty: 8 operations, no traffic, done at 1200 + 80.
    res = c.maintain(CacheOp::Clean, 0x000, 0x200, 1200 * kCycle, 10 * kCycle);
    CHECK(res.writebacks == 0);
    CHECK(res.done_ps == 1280 * kCycle);
    CHECK(m.seen.size() == 8);

    // A read of line 1 still hits (4 cycles).
    uint8_t served = 0;
    CHECK(go(c, 0x040, K::Read, 1300 * kCycle, &served) == 1304 * kCycle);
    CHECK(served == 1);
}

TEST_CASE("An invalidate drops lines: the next read misses and dirty data is discarded", "[cache][maintenance]") {
    FakeMemory m;
    stats::Registry r;
    Cache c("l1d", level(1024, 2), 1, kCycle, true, &m, r);
    go(c, 0x000, K::Read, 0);
    go(c, 0x040, K::Write, 200 * kCycle);  // dirty
    REQUIRE(m.seen.size() == 2);
    // DC IVAC over 3 lines (0x000..0x0bf) at 400, 5 cycles a line: two present, none written back.
    MaintenanceResult res = c.maintain(CacheOp::Invalidate, 0x000, 0x0c0, 400 * kCycle, 5 * kCycle);
    CHECK(res.lines == 3);
    CHECK(res.present == 2);
    CHECK(res.invalidations == 2);
    CHECK(res.writebacks == 0);
    CHECK(res.done_ps == 415 * kCycle);
    CHECK(m.seen.size() == 2);  // the dirty line's data is gone, not written
    CHECK_FALSE(c.contains(0x000));
    CHECK_FALSE(c.contains(0x040));
    CHECK(c.stats().maintenance_invalidations.value() == 2);
    // The CPU's next read misses: 4 + 100 cycles.
    uint8_t served = 0;
    CHECK(go(c, 0x000, K::Read, 500 * kCycle, &served) == 604 * kCycle);
    CHECK(served == mem::kServedByMemory);
}

TEST_CASE("A clean and invalidate writes a dirty line back and drops it", "[cache][maintenance]") {
    FakeMemory m;
    stats::Registry r;
    Cache c("l1d", level(1024, 2), 1, kCycle, false, &m, r);  // functional: no time
    go(c, 0x080, K::Write);
    // An unaligned range [0x0a0, 0x0a8) is one line: 0x080.
    MaintenanceResult res = c.maintain(CacheOp::CleanInvalidate, 0x0a0, 8, 0);
    CHECK(res.lines == 1);
    CHECK(res.writebacks == 1);
    CHECK(res.invalidations == 1);
    CHECK(res.done_ps == 0);
    CHECK_FALSE(c.contains(0x080));
    REQUIRE(m.seen.size() == 2);
    CHECK(m.seen[1].kind == K::Writeback);
    CHECK(m.seen[1].addr == 0x080);
}

TEST_CASE("Through the hierarchy a line dirty in L1D and L2 goes to memory once", "[cache][maintenance]") {
    // The declared hierarchy (L1I, L1D, L2, LLC; 4, 4, 14, 42 cycles) over the fake memory.
    FakeMemory m;
    stats::Registry r;
    config::Config cfg;
    Hierarchy h(cfg, r, kCycle, true, m);
    Cache& l1d = *h.level("l1d");
    Cache& l2 = *h.level("l2");
    Cache& llc = *h.level("llc");
    go(h.dcache(), 0x1000, K::Write, 0);  // L1D dirty; L2 and LLC filled clean
    go(h.dcache(), 0x1040, K::Read, 1000 * kCycle);
    // Put a dirty copy in L2 as well, as an L1D eviction would: a write-back from above.
    go(l2, 0x1040, K::Writeback, 2000 * kCycle);
    REQUIRE(l2.dirty(0x1040));
    const size_t before = m.seen.size();

    MaintenanceResult res = h.maintain(CacheOp::Clean, 0x1000, 0x80, 3000 * kCycle, 2 * kCycle);
    CHECK(res.lines == 2);
    CHECK(res.present == 2);
    CHECK(res.writebacks == 2);  // 0x1000 (L1D), 0x1040 (L2): one memory write each
    REQUIRE(m.seen.size() == before + 2);
    CHECK(m.seen[before].addr == 0x1000);
    CHECK(m.seen[before].at_ps == 3002 * kCycle);
    CHECK(m.seen[before + 1].addr == 0x1040);
    CHECK(m.seen[before + 1].at_ps == 3004 * kCycle);
    CHECK(res.done_ps == 3104 * kCycle);
    CHECK(l1d.stats().maintenance_writebacks.value() == 1);
    CHECK(l2.stats().maintenance_writebacks.value() == 1);
    CHECK(llc.stats().maintenance_writebacks.value() == 0);
    CHECK(l1d.stats().maintenance_lookups.value() == 2);
    CHECK(llc.stats().maintenance_lookups.value() == 2);
    CHECK(h.level("l1i")->stats().maintenance_lookups.value() == 0);  // DC operations leave the L1I
    for (Cache* c : {&l1d, &l2, &llc}) {
        CHECK(c->contains(0x1000));
        CHECK_FALSE(c->dirty(0x1000));
        CHECK_FALSE(c->dirty(0x1040));
    }

    // Clean and invalidate: every copy goes (L1D, L2, LLC of both lines: 6), nothing is dirty.
    res = h.maintain(CacheOp::CleanInvalidate, 0x1000, 0x80, 4000 * kCycle);
    CHECK(res.invalidations == 6);
    CHECK(res.writebacks == 0);
    uint8_t served = 0;
    go(h.dcache(), 0x1000, K::Read, 5000 * kCycle, &served);
    CHECK(served == mem::kServedByMemory);
}

TEST_CASE("A stale line read counts at the level that served it and its fill above stays stale", "[cache][maintenance]") {
    FakeMemory m;
    stats::Registry r;
    config::Config cfg;
    cfg.set("cache.llc.enabled=false");
    Hierarchy h(cfg, r, kCycle, false, m);
    Cache& l1d = *h.level("l1d");
    Cache& l2 = *h.level("l2");
    go(h.dcache(), 0x2000, K::Read);  // L1D and L2 hold 0x2000
    // A non-snooping device writes lines 0x2000 and 0x2040 in memory: only 0x2000 is cached, twice.
    CHECK(h.mark_stale(0x2000, 0x80) == 2);
    CHECK(l1d.stale(0x2000));
    CHECK(l2.stale(0x2000));
    go(h.dcache(), 0x2008, K::Read);  // an L1D hit on the old data
    CHECK(l1d.stats().stale_reads.value() == 1);
    // L1D drops its copy; the next read fills it from L2's stale copy: L2 served stale data, and
    // the new L1D copy is stale too.
    h.level("l1d")->maintain(CacheOp::Invalidate, 0x2000, 64, 0);
    go(h.dcache(), 0x2010, K::Read);
    CHECK(l2.stats().stale_reads.value() == 1);
    CHECK(l1d.stale(0x2000));
    go(h.dcache(), 0x2018, K::Read);
    CHECK(l1d.stats().stale_reads.value() == 2);
    CHECK(h.stale_reads() == 3);
    // The invalidate the driver forgot: the lines go, the next read gets memory's (new) data.
    h.maintain(CacheOp::Invalidate, 0x2000, 0x80, 0);
    go(h.dcache(), 0x2000, K::Read);
    CHECK(h.stale_reads() == 3);
    CHECK_FALSE(l1d.stale(0x2000));
}

TEST_CASE("Snoops count apart from maintenance", "[cache][maintenance]") {
    FakeMemory m;
    stats::Registry r;
    config::Config cfg;
    Hierarchy h(cfg, r, kCycle, false, m);
    go(h.dcache(), 0x3000, K::Write);
    MaintenanceResult res = h.snoop(CacheOp::Clean, 0x3000, 64, 0);
    CHECK(res.writebacks == 1);
    CHECK(h.level("l1d")->stats().snoop_writebacks.value() == 1);
    CHECK(h.level("l1d")->stats().snoop_lookups.value() == 1);
    CHECK(h.level("l1d")->stats().maintenance_lookups.value() == 0);
    CHECK(h.dirty_lines(0x3000, 64) == 0);
    go(h.dcache(), 0x3000, K::Write);
    CHECK(h.dirty_lines(0x2fc0, 0x100) == 1);
}
