// One pass for many caches: every point's counts equal those of its own cachegrind model.
#include <catch2/catch.hpp>

#include <random>

#include "models/cache/cachegrind.h"
#include "sim/stats/stats.h"
#include "sim/sweep/onepass.h"

using namespace memsim;
using namespace memsim::sweep;

TEST_CASE("a truncated LRU stack gives stack distances", "[sweep]") {
    // One set kept 4 deep (MRU first); a block not among the 4 reports 4, a miss at every
    // associativity up to 4.
    LruStack s(1, 6, 4);
    CHECK(s.ref(1) == 4);  // cold: deeper than any way
    CHECK(s.ref(2) == 4);
    CHECK(s.ref(3) == 4);
    CHECK(s.ref(1) == 2);  // stack was 3 2 1
    CHECK(s.ref(4) == 4);  // stack 1 3 2 -> 4 1 3 2
    CHECK(s.ref(5) == 4);  // 5 4 1 3; block 2 falls out
    CHECK(s.ref(2) == 4);
    CHECK(s.ref(1) == 3);  // 2 5 4 1
}

TEST_CASE("one pass equals a cachegrind model per point on random accesses", "[sweep]") {
    // Geometries with shared and distinct set counts, straddling accesses (size up to 16 at any
    // byte address, so some cross a line) and a mix of fetches, reads, writes and modifies.
    std::vector<CachegrindConfig> pts;
    for (uint64_t size : {1024u, 2048u, 4096u})
        for (uint64_t assoc : {1u, 2u, 4u})
            for (uint64_t ll : {8192u, 16384u})
                pts.push_back({{size, assoc, 64}, {size * 2, assoc, 32}, {ll, 4, 64}});
    MultiCachegrind multi(pts);
    std::vector<stats::Registry> regs(pts.size());
    std::vector<std::unique_ptr<cache::Cachegrind>> one;
    for (size_t i = 0; i < pts.size(); ++i)
        one.push_back(std::make_unique<cache::Cachegrind>(pts[i].i1, pts[i].d1, pts[i].ll, regs[i]));
    std::mt19937_64 rng(7);
    const trace::Op ops[] = {trace::Op::Ifetch, trace::Op::Read, trace::Op::Write, trace::Op::Modify};
    for (int n = 0; n < 200000; ++n) {
        trace::Event ev;
        ev.op = ops[rng() % 4];
        ev.addr = (rng() % 4 == 0 ? 0x100000 : 0) + rng() % 65536;  // a hot and a wider region
        ev.size = 1 + rng() % 16;
        multi.observe(ev);
        for (auto& c : one) c->observe(ev);
    }
    for (size_t i = 0; i < pts.size(); ++i) {
        INFO("point " << i);
        for (const auto& [name, v] : multi.counts(i).named()) CHECK(double(v) == regs[i].value(name));
    }
    // I1 sets = size / (ways x 64): 16 8 4, 32 16 8, 64 32 16 -> 5 distinct; D1 sets =
    // 2 x size / (ways x 32): 64 32 16, 128 64 32, 256 128 64 -> 5 distinct. 18 points, 10 stacks.
    CHECK(multi.stacks() == 10);
}
