// Levels stacked: inclusion, exclusion, prefetchers, the hierarchy built from the configuration,
// and a check against cachegrind's true-LRU cache. 1 GHz core (a cycle is 1000 ps), memory 100
// cycles (cache_fixtures.h).
#include <catch2/catch.hpp>

#include "models/cache/cachegrind.h"
#include "models/cache/hierarchy.h"
#include "sim/core/error.h"
#include "tests/models/cache/cache_fixtures.h"

using namespace memsim;
using namespace memsim::cache;
using namespace memsim::cache::test;
using K = mem::AccessKind;

TEST_CASE("an inclusive L2 evicting a line removes the L1 copy and writes back its dirty data", "[cache]") {
    // L1: 256 B 2-way = 2 sets; L2: 256 B direct-mapped = 4 sets. Lines 0 (0x000) and 4 (0x100)
    // share L1 set 0 (two ways: both fit) and L2 set 0 (one way: they collide).
    FakeMemory m;
    stats::Registry r;
    auto l2p = level(256, 1, 14);
    l2p.inclusion = "inclusive";
    Cache l2("l2", l2p, 2, kCycle, false, &m, r);
    Cache l1("l1d", level(256, 2), 1, kCycle, false, &l2, r);
    l2.add_upper(&l1);

    go(l1, 0x000, K::Write);  // L1: 0 dirty; L2: 0 clean
    CHECK(l1.dirty(0x000));
    CHECK_FALSE(l2.dirty(0x000));
    go(l1, 0x100, K::Read);  // L2 fills 4 over 0 and must take 0 out of L1 too
    CHECK_FALSE(l1.contains(0x000));
    CHECK(l1.contains(0x100));
    CHECK(l2.stats().back_invalidations.value() == 1);
    CHECK(l2.stats().writebacks.value() == 1);  // the dirty L1 copy, written back on L2's behalf
    CHECK(l1.stats().writebacks.value() == 0);
    REQUIRE(m.seen.size() == 3);  // read 0, read 4, write-back 0
    CHECK(m.seen[2].addr == 0x000);
    CHECK(m.seen[2].kind == K::Writeback);
}

TEST_CASE("a non-inclusive L2 evicting a line leaves the L1 copy", "[cache]") {
    FakeMemory m;
    stats::Registry r;
    Cache l2("l2", level(256, 1, 14), 2, kCycle, false, &m, r);
    Cache l1("l1d", level(256, 2), 1, kCycle, false, &l2, r);
    l2.add_upper(&l1);
    go(l1, 0x000, K::Write);
    go(l1, 0x100, K::Read);
    CHECK(l1.contains(0x000));
    CHECK(l1.dirty(0x000));
    CHECK(m.count(K::Writeback) == 0);
    CHECK(l2.stats().back_invalidations.value() == 0);
}

TEST_CASE("an exclusive L2 is filled by L1 victims and a hit moves the line up", "[cache]") {
    // L1: 128 B direct-mapped = 2 sets, so lines 0 (0x000) and 2 (0x080) collide in it;
    // L2: 256 B direct-mapped = 4 sets, where they do not.
    FakeMemory m;
    stats::Registry r;
    auto l2p = level(256, 1, 14);
    l2p.inclusion = "exclusive";
    Cache l2("l2", l2p, 2, kCycle, true, &m, r);
    Cache l1("l1d", level(128, 1), 1, kCycle, true, &l2, r);
    l2.add_upper(&l1);

    uint8_t served = 0;
    // Cold: L1 lookup 4, L2 lookup 14, memory 100; the line goes to L1 only.
    CHECK(go(l1, 0x000, K::Write, 0, &served) == 118 * kCycle);
    CHECK(served == mem::kServedByMemory);
    CHECK(l1.contains(0x000));
    CHECK_FALSE(l2.contains(0x000));
    // Line 2 evicts line 0 from L1: the victim (dirty) fills L2.
    go(l1, 0x080, K::Read, 1000 * kCycle);
    CHECK(l2.contains(0x000));
    CHECK(l2.dirty(0x000));
    CHECK(l1.stats().writebacks.value() == 1);
    // Line 0 again: an L2 hit (4 + 14 cycles); it moves up, dirty, and leaves L2; line 2 goes down.
    CHECK(go(l1, 0x000, K::Read, 2000 * kCycle, &served) == (2000 + 18) * kCycle);
    CHECK(served == 2);
    CHECK(l1.contains(0x000));
    CHECK(l1.dirty(0x000));
    CHECK_FALSE(l2.contains(0x000));
    CHECK(l2.contains(0x080));
    CHECK(m.seen.size() == 2);  // the two cold reads: nothing was written to memory
    CHECK(m.count(K::Writeback) == 0);

    // A page walker reading L2 directly is no level above it: line 2 stays in L2.
    CHECK(go(l2, 0x080, K::PageWalk, 3000 * kCycle, &served) == 3014 * kCycle);
    CHECK(served == 2);
    CHECK(l2.contains(0x080));
}

TEST_CASE("next-line prefetching on a stream", "[cache]") {
    // 4 KiB 4-way L1, tagged next-line, degree 1. A stream of 16 lines in one page: the first
    // misses and prefetches line 1; each later line hits a prefetched line and prefetches the next,
    // so lines 1..16 are prefetched (16 issued) and lines 1..15 are used (15 useful).
    FakeMemory m;
    stats::Registry r;
    auto p = level(4096, 4);
    p.prefetcher = "next_line";
    Cache c("l1d", p, 1, kCycle, false, &m, r);
    for (uint64_t b = 0; b < 16; ++b) go(c, b * 64, K::Read);
    CHECK(c.stats().misses.value() == 1);
    CHECK(c.stats().hits.value() == 15);
    CHECK(c.stats().prefetches_issued.value() == 16);
    CHECK(c.stats().prefetches_useful.value() == 15);
    CHECK(m.count(K::Prefetch) == 16);

    SECTION("it does not cross a 4 KiB page") {
        // Lines 60..66 of the next stream: 64 starts page 1, so line 63 does not prefetch it.
        // Misses: 60 and 64; prefetched: 61 62 63 (from 60 61 62) and 65 66 67 (from 64 65 66).
        stats::Registry r2;
        Cache d("l1d", p, 1, kCycle, false, &m, r2);
        for (uint64_t b = 60; b < 67; ++b) go(d, b * 64, K::Read);
        CHECK(d.stats().misses.value() == 2);
        CHECK(d.stats().prefetches_issued.value() == 6);
        CHECK(d.stats().prefetches_useful.value() == 5);  // 61 62 63 65 66
    }
}

TEST_CASE("stride prefetching on a strided stream", "[cache]") {
    // Every second line: 0 2 4 6 8 10. Line 2 sees stride 2 once, line 4 twice: confident, it
    // prefetches 6; 6, 8 and 10 then hit and prefetch 8, 10 and 12.
    FakeMemory m;
    stats::Registry r;
    auto p = level(4096, 4);
    p.prefetcher = "stride";
    Cache c("l1d", p, 1, kCycle, false, &m, r);
    for (uint64_t b = 0; b <= 10; b += 2) go(c, b * 64, K::Read);
    CHECK(c.stats().misses.value() == 3);
    CHECK(c.stats().hits.value() == 3);
    CHECK(c.stats().prefetches_issued.value() == 4);
    CHECK(c.stats().prefetches_useful.value() == 3);
    CHECK(c.contains(12 * 64));
}

TEST_CASE("a timed prefetch that has not arrived completes a demand at its fill", "[cache]") {
    FakeMemory m;
    stats::Registry r;
    auto p = level(4096, 4);
    p.prefetcher = "next_line";
    Cache c("l1d", p, 1, kCycle, true, &m, r);
    CHECK(go(c, 0x000, K::Read, 0) == 104 * kCycle);  // prefetch of line 1 sent at 4, filled at 104
    CHECK(go(c, 0x040, K::Read, 10 * kCycle) == 104 * kCycle);  // late prefetch: waits for its fill
    CHECK(c.stats().mshr_merges.value() == 1);
    CHECK(c.stats().prefetches_useful.value() == 1);
}

TEST_CASE("the hierarchy from the configuration: four levels and their latencies", "[cache]") {
    config::Config cfg;
    stats::Registry r;
    FakeMemory m;
    Hierarchy h(cfg, r, kCycle, true, m);
    REQUIRE(h.levels().size() == 4);
    CHECK(h.level("l1i")->level() == 1);
    CHECK(h.level("l1d")->level() == 1);
    CHECK(h.level("l2")->level() == 2);
    CHECK(h.level("llc")->level() == 3);
    CHECK(h.level("l1d")->vipt());
    CHECK_FALSE(h.level("l2")->vipt());
    uint8_t served = 0;
    // Cold: L1D 4 + L2 14 + LLC 42 cycles of lookup, then memory's 100.
    CHECK(go(h.dcache(), 0x1000, K::Read, 0, &served) == 160 * kCycle);
    CHECK(served == mem::kServedByMemory);
    // The instruction side finds the line in L2 (filled on the way up): 4 + 14.
    CHECK(go(h.icache(), 0x1000, K::Ifetch, 1000 * kCycle, &served) == 1018 * kCycle);
    CHECK(served == 2);
    CHECK(go(h.dcache(), 0x1008, K::Read, 2000 * kCycle, &served) == 2004 * kCycle);
    CHECK(served == 1);
    CHECK(r.value("cache.l2.misses.read") == 1);
    CHECK(r.value("cache.l2.hits") == 1);
    CHECK(r.value("cache.llc.accesses") == 1);
}

TEST_CASE("the hierarchy without L2: L1 misses go to the LLC - level 2", "[cache]") {
    config::Config cfg;
    cfg.set("cache.l2.enabled=false");
    stats::Registry r;
    FakeMemory m;
    Hierarchy h(cfg, r, kCycle, true, m);
    CHECK(h.levels().size() == 3);
    CHECK(h.level("l2") == nullptr);
    CHECK(h.level("llc")->level() == 2);
    uint8_t served = 0;
    CHECK(go(h.dcache(), 0x0, K::Read, 0, &served) == (4 + 42 + 100) * kCycle);
    CHECK(go(h.icache(), 0x0, K::Ifetch, 1000 * kCycle, &served) == (1000 + 4 + 42) * kCycle);
    CHECK(served == 2);
}

TEST_CASE("hierarchy configuration errors name the key", "[cache]") {
    stats::Registry r1, r2;
    FakeMemory m;
    config::Config vipt;
    vipt.set("cache.l1d.size=64KiB");
    CHECK_THROWS_WITH(Hierarchy(vipt, r1, kCycle, false, m), Catch::Contains("cache.l1d.indexing"));
    config::Config excl;
    excl.set("cache.l1i.inclusion=exclusive");
    CHECK_THROWS_WITH(Hierarchy(excl, r2, kCycle, false, m), Catch::Contains("cache.l1i.inclusion"));
    config::Config c;
    CHECK_THROWS_AS(c.set("cache.l2.replacement=lfu"), InputError);
    CHECK_THROWS_WITH(c.set("cache.l2.prefetcher=markov"), Catch::Contains("expected a prefetcher (one of none, next_line, stride), got \"markov\""));
}

TEST_CASE("mpki divides demand misses by cpu.ifetches", "[cache]") {
    stats::Registry r;
    r.counter("cpu.ifetches", "instructions", "").set(2000);
    FakeMemory m;
    Cache c("l1d", level(256, 1), 1, kCycle, false, &m, r);
    for (uint64_t a : {0x000, 0x100, 0x200}) go(c, a, K::Read);
    CHECK(r.value("cache.l1d.mpki") == Approx(1.5));  // 3 misses x 1000 / 2000
}

TEST_CASE("one LRU L1D alone misses exactly where cachegrind's LruCache does", "[cache]") {
    // Both are true LRU and write-allocate: the same 32 KiB 8-way geometry must give the same
    // miss on every access. The addresses mix a random walk over 256 KiB (capacity and conflict
    // misses) with a stream; 8-byte aligned accesses, so none straddles (cachegrind counts a
    // straddling access once, the hierarchy once per line).
    config::Config cfg;
    cfg.set("cache.l2.enabled=false");
    cfg.set("cache.llc.enabled=false");
    cfg.set("cache.l1i.enabled=false");
    stats::Registry r;
    FakeMemory m;
    Hierarchy h(cfg, r, kCycle, false, m);
    Cache& l1d = *h.level("l1d");
    LruCache ref({32 * 1024, 8, 64}, "cache.l1d");
    uint64_t x = 12345, mismatches = 0, misses = 0;
    for (int i = 0; i < 200000; ++i) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;  // Knuth's MMIX LCG
        uint64_t addr = (i % 4 == 0) ? uint64_t(i) * 8 : ((x >> 20) % (256 * 1024)) & ~uint64_t(7);
        K kind = (x >> 60) & 1 ? K::Write : K::Read;
        uint64_t before = l1d.stats().misses.value();
        go(h.dcache(), addr, kind);
        bool miss = l1d.stats().misses.value() > before;
        misses += miss;
        mismatches += miss != ref.access(addr, 8);
    }
    CHECK(mismatches == 0);
    CHECK(misses > 10000);  // the walk does miss: the comparison is not vacuous
}

TEST_CASE("a write-through L1 over a write-back L2: the L2 copy takes the writes", "[cache]") {
    FakeMemory m;
    stats::Registry r;
    auto l1p = level(256, 2);
    l1p.write_policy = "write_through";
    Cache l2("l2", level(1024, 4, 14), 2, kCycle, false, &m, r);
    Cache l1("l1d", l1p, 1, kCycle, false, &l2, r);
    l2.add_upper(&l1);
    go(l1, 0x40, K::Write);  // L1 miss: the line is fetched through L2 as a read, then the store follows
    CHECK_FALSE(l1.dirty(0x40));
    CHECK(l2.dirty(0x40));
    CHECK(r.value("cache.l2.accesses.read") == 1);
    CHECK(r.value("cache.l2.accesses.write") == 1);
    CHECK(r.value("cache.l2.misses.write") == 0);  // the store found the line the read had just filled
    CHECK(m.seen.size() == 1);
}

TEST_CASE("a page walker reading through L2 counts page_walk misses there", "[cache]") {
    config::Config cfg;
    stats::Registry r;
    FakeMemory m;
    Hierarchy h(cfg, r, kCycle, true, m);
    Cache* walker_level = h.level("l2");
    REQUIRE(walker_level);
    uint8_t served = 0;
    // L2 14 + LLC 42 + memory 100 cycles.
    CHECK(go(*walker_level, 0x7000, K::PageWalk, 0, &served) == 156 * kCycle);
    CHECK(served == mem::kServedByMemory);
    CHECK(go(*walker_level, 0x7008, K::PageWalk, 200 * kCycle, &served) == 214 * kCycle);
    CHECK(served == 2);
    CHECK(r.value("cache.l2.misses.page_walk") == 1);
    CHECK(r.value("cache.llc.misses.page_walk") == 1);
    CHECK(r.value("cache.l2.accesses") == 2);
    CHECK(r.value("cache.l1d.accesses") == 0);  // the walk did not pass through L1D
}

TEST_CASE("dirty L1 victims reach L2 as write-backs and stop there", "[cache]") {
    // L1D shrunk to 1 KiB direct-mapped (16 sets): lines 0x0000 and 0x0400 collide in it.
    config::Config cfg;
    cfg.set("cache.l1d.size=1KiB");
    cfg.set("cache.l1d.assoc=1");
    stats::Registry r;
    FakeMemory m;
    Hierarchy h(cfg, r, kCycle, false, m);
    go(h.dcache(), 0x0000, K::Write);
    go(h.dcache(), 0x0400, K::Read);  // evicts the dirty 0x0000
    CHECK(r.value("cache.l1d.writebacks") == 1);
    CHECK(r.value("cache.l2.accesses.writeback") == 1);
    CHECK(r.value("cache.l2.misses.writeback") == 0);  // L2 holds the line: it was filled on the way up
    CHECK(h.level("l2")->dirty(0x0000));
    CHECK(m.count(K::Writeback) == 0);
    CHECK(r.value("cache.l2.accesses") == 2);  // the two demand misses; write-backs are not demand
}
