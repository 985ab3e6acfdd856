// One cache level over a fixed-latency memory, scenario by scenario, worked by hand. The core runs
// at 1 GHz (a cycle is 1000 ps), a hit takes 4 cycles and memory answers 100 cycles after a
// request arrives, so a miss to memory completes 4 + 100 = 104 cycles after its issue.
#include <catch2/catch.hpp>

#include "tests/models/cache/cache_fixtures.h"

using namespace memsim;
using namespace memsim::cache;
using namespace memsim::cache::test;
using mem::AccessKind;
using K = mem::AccessKind;

namespace {
struct Step {
    uint64_t cycle;  // issue
    uint64_t addr;
    AccessKind kind;
    bool hit;
    uint64_t done_cycle;  // completion
    uint64_t evictions, writebacks;  // totals after the step
};

void run(Cache& c, const std::vector<Step>& steps) {
    for (const auto& s : steps) {
        INFO("cycle " << s.cycle << " address 0x" << std::hex << s.addr);
        uint64_t hits = c.stats().hits.value();
        mem::Request r{s.addr, 8, s.kind};
        CHECK(c.access(r, s.cycle * kCycle) == s.done_cycle * kCycle);
        CHECK((c.stats().hits.value() > hits) == s.hit);
        CHECK(r.served_by == (s.hit ? 1 : mem::kServedByMemory));
        CHECK(c.stats().evictions.value() == s.evictions);
        CHECK(c.stats().writebacks.value() == s.writebacks);
    }
}
}  // namespace

TEST_CASE("a direct-mapped cache: conflict misses and the write-back of a dirty victim", "[cache]") {
    // 256 B / 64 B lines = 4 sets, one way: set = (addr >> 6) & 3, so 0x000 and 0x100 collide.
    FakeMemory m;
    stats::Registry r;
    Cache c("l1d", level(256, 1), 1, kCycle, true, &m, r);
    run(c, {
               {0, 0x000, K::Read, false, 104, 0, 0},     // cold miss: 4 + 100
               {200, 0x010, K::Read, true, 204, 0, 0},    // same line: 4-cycle hit
               {300, 0x100, K::Write, false, 404, 1, 0},  // set 0 again: the clean 0x000 goes silently
               {500, 0x000, K::Read, false, 604, 2, 1},   // the dirty 0x100 is written back
               {700, 0x040, K::Read, false, 804, 2, 1},   // set 1, empty: no eviction
           });
    // The write miss fetched its line as a read (read-for-ownership); the write-back left with
    // the miss that evicted its line (looked up at 500 + 4), after it, and delayed nobody.
    REQUIRE(m.seen.size() == 5);
    CHECK(m.seen[1].addr == 0x100);
    CHECK(m.seen[1].kind == K::Read);
    CHECK(m.seen[1].at_ps == 304 * kCycle);
    CHECK(m.seen[3].addr == 0x100);
    CHECK(m.seen[3].kind == K::Writeback);
    CHECK(m.seen[3].size == 64);
    CHECK(m.seen[3].at_ps == 504 * kCycle);
    CHECK(c.stats().misses_by[unsigned(K::Write)]->value() == 1);
    CHECK(c.stats().misses_by[unsigned(K::Read)]->value() == 3);
}

TEST_CASE("a 2-way set with LRU: the least recently used line goes", "[cache]") {
    // 256 B / (2 ways x 64 B) = 2 sets: 0x000, 0x080, 0x100 are lines 0, 2, 4, all in set 0.
    FakeMemory m;
    stats::Registry r;
    Cache c("l1d", level(256, 2), 1, kCycle, true, &m, r);
    run(c, {
               {0, 0x000, K::Read, false, 104, 0, 0},     // [0]
               {200, 0x080, K::Read, false, 304, 0, 0},   // [2 0]: an invalid way first
               {400, 0x000, K::Read, true, 404, 0, 0},    // [0 2]
               {500, 0x100, K::Read, false, 604, 1, 0},   // 2 is LRU: [4 0]
               {700, 0x080, K::Read, false, 804, 2, 0},   // 0 is LRU: [2 4]
               {900, 0x100, K::Read, true, 904, 2, 0},    // [4 2]
               {1000, 0x000, K::Read, false, 1104, 3, 0}, // 2 is LRU: [0 4]
               {1200, 0x040, K::Read, false, 1304, 3, 0}, // line 1, set 1
           });
}

TEST_CASE("write-back against write-through: the traffic below", "[cache]") {
    // Three stores to one line, a load of it, then a conflicting load evicts it (direct-mapped,
    // 4 sets). Write-back: one fill and one write-back of the whole line. Write-through: the fill,
    // then every store below as it is (8 bytes), and no write-back: the line is never dirty.
    auto drive = [](const std::string& policy, FakeMemory& m, stats::Registry& r) {
        auto p = level(256, 1);
        p.write_policy = policy;
        Cache c("l1d", p, 1, kCycle, true, &m, r);
        uint64_t t = 0;
        for (auto [addr, kind] : std::vector<std::pair<uint64_t, K>>{
                 {0x00, K::Write}, {0x08, K::Write}, {0x10, K::Write}, {0x00, K::Read}, {0x100, K::Read}}) {
            mem::Request q{addr, 8, kind};
            c.access(q, t);
            t += 1000 * kCycle;
        }
        return c.stats().writebacks.value();
    };
    FakeMemory wb, wt;
    stats::Registry r1, r2;
    CHECK(drive("write_back", wb, r1) == 1);
    CHECK(wb.count(K::Read) == 2);
    CHECK(wb.count(K::Write) == 0);
    CHECK(wb.count(K::Writeback) == 1);
    CHECK(drive("write_through", wt, r2) == 0);
    CHECK(wt.count(K::Read) == 2);
    CHECK(wt.count(K::Write) == 3);
    CHECK(wt.count(K::Writeback) == 0);
    // The first store fetched its line (write-allocate) and went below right after the fill
    // request, at its lookup; each store below is 8 bytes.
    CHECK(wt.seen[1].kind == K::Write);
    CHECK(wt.seen[1].size == 8);
    CHECK(wt.seen[1].at_ps == 4 * kCycle);
}

TEST_CASE("no-write-allocate: a write miss goes below and fills nothing", "[cache]") {
    FakeMemory m;
    stats::Registry r;
    auto p = level(256, 1);
    p.write_allocate = false;
    Cache c("l1d", p, 1, kCycle, true, &m, r);
    mem::Request w{0x20, 8, K::Write};
    CHECK(c.access(w, 0) == 4 * kCycle);  // posted to the write buffer after the lookup
    CHECK_FALSE(c.contains(0x20));
    REQUIRE(m.seen.size() == 1);
    CHECK(m.seen[0].kind == K::Write);
    CHECK(m.seen[0].size == 8);
    mem::Request rd{0x20, 8, K::Read};
    CHECK(c.access(rd, 100 * kCycle) == 204 * kCycle);  // still a miss: 100 + 4 + 100
    CHECK(c.contains(0x20));
    mem::Request w2{0x28, 8, K::Write};  // now a hit: it dirties the line, nothing goes below
    CHECK(c.access(w2, 300 * kCycle) == 304 * kCycle);
    CHECK(c.dirty(0x28));
    CHECK(m.seen.size() == 2);
}

TEST_CASE("an MSHR merges a secondary miss: it completes at the primary's fill", "[cache]") {
    FakeMemory m;
    stats::Registry r;
    Cache c("l1d", level(1024, 2), 1, kCycle, true, &m, r);
    run(c, {
               {0, 0x000, K::Read, false, 104, 0, 0},  // primary: lookup 4, fill 104
               {10, 0x008, K::Read, false, 104, 0, 0}, // same line in flight: merged, no request
               {50, 0x030, K::Write, false, 104, 0, 0},
               {104, 0x010, K::Read, true, 108, 0, 0}, // filled at 104: a hit
           });
    CHECK(m.seen.size() == 1);
    CHECK(c.stats().mshr_merges.value() == 2);
    CHECK(c.stats().misses.value() == 3);  // secondary misses are misses (gem5 counts MSHR hits so)
    CHECK(c.dirty(0x000));
}

TEST_CASE("MSHRs exhausted: the extra miss waits for the first fill", "[cache]") {
    FakeMemory m;
    stats::Registry r;
    auto p = level(1024, 2);
    p.mshrs = 2;
    Cache c("l1d", p, 1, kCycle, true, &m, r);
    run(c, {
               {0, 0x000, K::Read, false, 104, 0, 0},  // MSHR 0 until 104
               {1, 0x040, K::Read, false, 105, 0, 0},  // MSHR 1 until 105
               // Looked up at 6, both busy: it goes down when MSHR 0 frees at 104 -> 204.
               {2, 0x080, K::Read, false, 204, 0, 0},
               // Looked up at 109: MSHR 1 is free again (MSHR 0 holds the third line until 204).
               {105, 0x0c0, K::Read, false, 209, 0, 0},
           });
    CHECK(m.seen[2].at_ps == 104 * kCycle);
    CHECK(c.stats().mshr_full_stalls.value() == 98);  // 104 - 6 cycles
}

TEST_CASE("functional mode keeps the state and counts but no time", "[cache]") {
    FakeMemory m;
    stats::Registry r;
    Cache c("l1d", level(256, 1), 1, kCycle, false, &m, r);
    for (uint64_t a : {0x000, 0x008, 0x100, 0x000}) {
        mem::Request q{a, 8, K::Read};
        CHECK(c.access(q, 0) == 0);
    }
    CHECK(c.stats().hits.value() == 1);
    CHECK(c.stats().misses.value() == 3);
    CHECK(c.stats().mshr_merges.value() == 0);
}

TEST_CASE("a request that straddles two lines is served line by line", "[cache]") {
    FakeMemory m;
    stats::Registry r;
    Cache c("l1d", level(1024, 2), 1, kCycle, true, &m, r);
    mem::Request q{0x3c, 8, K::Read};  // 0x3c..0x43: lines 0 and 1
    CHECK(c.access(q, 0) == 104 * kCycle);
    REQUIRE(m.seen.size() == 2);
    CHECK(m.seen[0].addr == 0x00);
    CHECK(m.seen[1].addr == 0x40);
    CHECK(c.stats().accesses.value() == 2);
}

TEST_CASE("bad levels are errors that name the key", "[cache]") {
    stats::Registry r1, r2;
    FakeMemory m;
    auto p = level(3 * 64 * 2, 2);
    CHECK_THROWS_WITH(Cache("l2", p, 2, kCycle, false, &m, r1), Catch::Contains("cache.l2.size"));
    p = level(12 * 64 * 16, 12);
    p.replacement = "tree_plru";
    CHECK_THROWS_WITH(Cache("l2", p, 2, kCycle, false, &m, r2),
                      Catch::Contains("cache.l2.replacement: tree_plru needs a power-of-two associativity"));
}

TEST_CASE("VIPT needs every way within a 4 KiB page", "[cache]") {
    stats::Registry r;
    FakeMemory m;
    // 32 KiB / 8 ways = 4 KiB a way: the index bits (6..11) are all in the page offset.
    auto p = level(32 * 1024, 8);
    p.indexing = "vipt";
    Cache ok("l1d", p, 1, kCycle, false, &m, r);
    CHECK(ok.vipt());
    // 64 KiB / 8 ways = 8 KiB a way: bit 12 indexes the set, and translation may change it.
    p.size = 64 * 1024;
    stats::Registry r2;
    CHECK_THROWS_WITH(Cache("l1d", p, 1, kCycle, false, &m, r2),
                      Catch::Contains("cache.l1d.indexing: vipt needs size / assoc <= the 4 KiB page") &&
                          Catch::Contains("8192 bytes per way") && Catch::Contains("raise cache.l1d.assoc to 16"));
}
