// One pass for many TLB geometries: the stack with holes against LRU arrays worked by hand, and
// every point's counts against the Tlb class itself on random streams with flushes.
#include <catch2/catch.hpp>

#include <random>

#include "models/mmu/tlb.h"
#include "sim/core/error.h"
#include "sim/sweep/onepass_run.h"
#include "sim/sweep/spec.h"
#include "sim/sweep/tlb_onepass.h"

using namespace memsim;
using namespace memsim::sweep;
using mmu::PageSize;
using mmu::TlbLevel;
using mmu::TlbLogRecord;
using mmu::TlbLogType;

TEST_CASE("a TLB stack leaves holes where entries were invalidated", "[sweep][tlb-onepass]") {
    // One set, 4 deep. After A B C the stack is C B A _ (a 2-way LRU set holds C B, a 3-way C B A).
    TlbStack s(1, 4);
    const uint64_t A = 1, B = 2, C = 3, D = 4;
    CHECK(s.ref(0, A) == 4);
    CHECK(s.ref(0, B) == 4);
    CHECK(s.ref(0, C) == 4);
    // Invalidate B: C _ A _. 2-way: C and a free way. 3-way: C, A and a free way.
    s.invalidate_if([&](uint64_t k) { return k == B; });
    // A at distance 2: a 2-way misses and fills its free way (holds A C, nothing evicted); a 3-way
    // hits (A C, one way still free). Stack: A C _ _.
    CHECK(s.ref(0, A) == 2);
    CHECK(s.find(0, [&](uint64_t k) { return k == C; }) == 1);
    // D: both 2-way and 3-way miss; the 3-way fills its free way (D A C), the 2-way evicts C (D A).
    CHECK(s.ref(0, D) == 4);
    CHECK(s.find(0, [&](uint64_t k) { return k == C; }) == 2);  // in a 3-way, not in a 2-way
    // Without holes a reference drops the deepest entry: E F push C out of all 4 positions.
    CHECK(s.ref(0, 5) == 4);
    CHECK(s.ref(0, 6) == 4);
    CHECK(s.find(0, [&](uint64_t k) { return k == C; }) == 4);
}

namespace {

mmu::TlbParams split(uint64_t e4k, uint64_t a4k, uint64_t e2m, uint64_t a2m) {
    mmu::TlbParams p;
    p.enabled = true;
    p.entries = p.assoc = 0;
    p.entries_4k = e4k;
    p.assoc_4k = a4k;
    p.entries_2m = e2m;
    p.assoc_2m = a2m;
    p.entries_1g = p.assoc_1g = 0;
    p.replacement = "lru";
    return p;
}

mmu::TlbParams shared(uint64_t entries, uint64_t assoc) {
    mmu::TlbParams p = split(0, 0, 0, 0);
    p.shared = {"4K", "2M"};
    p.entries = entries;
    p.assoc = assoc;
    return p;
}

// A consistent address space: pages below 1 GiB are 4 KiB (every 11th global), the GiB above holds
// 2 MiB pages; an entry is what a walk would return for VA in ASID.
mmu::TlbEntry entry_for(uint64_t va, uint16_t asid) {
    mmu::TlbEntry e;
    e.size = va < (uint64_t(1) << 30) ? PageSize::Size4K : PageSize::Size2M;
    e.vpn = va >> mmu::page_shift(e.size);
    e.global = e.size == PageSize::Size4K && e.vpn % 11 == 0;
    e.asid = asid;
    e.pa = e.vpn << mmu::page_shift(e.size);
    e.dirty = true;
    return e;
}

struct Direct {
    mmu::Tlb tlb;
    TlbCounts c;
};

}  // namespace

TEST_CASE("one pass equals a Tlb per geometry on random streams with flushes", "[sweep][tlb-onepass]") {
    // Split and shared arrays, power-of-two and other set counts (24/4 = 6, 48/8 = 6), fully
    // associative, no 2 MiB array, and a level that holds nothing (never looked up).
    std::vector<mmu::TlbParams> pts = {split(64, 4, 32, 4), split(16, 4, 8, 4),  split(32, 4, 8, 8),
                                       split(64, 8, 0, 0),  split(16, 16, 4, 4), split(24, 4, 4, 2),
                                       split(128, 4, 32, 4), shared(48, 8),      shared(96, 12),
                                       shared(24, 4),       split(0, 0, 0, 0)};
    std::vector<Direct> direct;
    for (const auto& p : pts) direct.push_back({mmu::Tlb(p, "mmu.dtlb"), {}});
    // The representative (point 0) writes the log as Mmu does (lookup_log.h).
    std::vector<TlbLogRecord> log;
    auto ref_record = [](TlbLogType t, const mmu::TlbEntry& e, uint64_t va) {
        TlbLogRecord r;
        r.type = t;
        r.level = TlbLevel::Dtlb;
        r.size = e.size;
        r.global = e.global;
        r.asid = e.asid;
        r.a = va;
        return r;
    };
    auto flush_record = [](TlbLogType t, uint16_t asid, uint64_t a, uint64_t b) {
        TlbLogRecord r;
        r.type = t;
        r.asid = asid;
        r.a = a;
        r.b = b;
        return r;
    };

    std::mt19937_64 rng(11);
    uint16_t asid = 0;
    for (int n = 0; n < 300000; ++n) {
        unsigned op = unsigned(rng() % 1000);
        if (op < 3) asid ^= 1;  // a context switch (PCIDs: nothing flushed)
        uint64_t va;
        if (rng() % 8 == 0) va = (uint64_t(1) << 30) + (rng() % 24) * (uint64_t(2) << 20) + rng() % 4096;
        else va = (rng() % 4 ? rng() % 48 : rng() % 400) * 4096 + rng() % 4096;  // a hot set and a wider one
        const uint64_t page = va & ~uint64_t(0xfff);
        if (op < 950) {
            // A translation that succeeds: looked up, then held (a hit, or filled after a walk).
            for (size_t i = 0; i < direct.size(); ++i) {
                Direct& d = direct[i];
                if (!d.tlb.present()) continue;
                ++d.c.accesses;
                mmu::TlbEntry* e = d.tlb.lookup(va, asid);
                if (e) ++d.c.hits;
                else ++d.c.misses;
                mmu::TlbEntry held = e ? *e : entry_for(va, asid);
                if (!e) d.tlb.insert(held);
                if (i == 0) log.push_back(ref_record(TlbLogType::Ref, held, va));
            }
        } else if (op < 965) {
            // A translation that faults: looked up, nothing filled, the page flushed.
            for (size_t i = 0; i < direct.size(); ++i) {
                Direct& d = direct[i];
                if (!d.tlb.present()) continue;
                ++d.c.accesses;
                if (d.tlb.lookup(va, asid)) ++d.c.hits;
                else ++d.c.misses;
                d.tlb.flush_range(asid, page, page + 1);
            }
            TlbLogRecord p = flush_record(TlbLogType::Probe, asid, va, 0);
            p.level = TlbLevel::Dtlb;
            log.push_back(p);
            log.push_back(flush_record(TlbLogType::FlushRange, asid, page, page + 1));
        } else if (op < 975) {
            // A fill without a lookup (the STLB after a dirty-bit re-walk).
            mmu::TlbEntry e = entry_for(va, asid);
            for (auto& d : direct) d.tlb.insert(e);
            log.push_back(ref_record(TlbLogType::Touch, e, va));
        } else if (op < 995) {
            // munmap / mprotect of a few pages, or of a whole 2 MiB range.
            uint64_t len = rng() % 2 ? (1 + rng() % 40) * 4096 : uint64_t(2) << 20;
            for (auto& d : direct) d.tlb.flush_range(asid, page, page + len);
            log.push_back(flush_record(TlbLogType::FlushRange, asid, page, page + len));
        } else if (op < 998) {
            for (auto& d : direct) d.tlb.flush_asid(asid);
            log.push_back(flush_record(TlbLogType::FlushAsid, asid, 0, 0));
        } else if (op < 999) {
            for (auto& d : direct) d.tlb.flush_non_global();
            log.push_back(flush_record(TlbLogType::FlushNonGlobal, 0, 0, 0));
        } else {
            for (auto& d : direct) d.tlb.flush_all();
            log.push_back(flush_record(TlbLogType::FlushAll, 0, 0, 0));
        }
    }
    MultiTlb multi(TlbLevel::Dtlb, pts, "mmu.dtlb");
    for (const auto& r : log) multi.observe(r);
    for (size_t i = 0; i < pts.size(); ++i) {
        INFO("point " << i);
        CHECK(multi.counts(i).accesses == direct[i].c.accesses);
        CHECK(multi.counts(i).hits == direct[i].c.hits);
        CHECK(multi.counts(i).misses == direct[i].c.misses);
    }
    CHECK(direct.back().c.accesses == 0);
    // Stacks by (page sizes, sets): 4K {16, 4, 8, 1, 6, 32}, 2M {8, 2, 1, 2 (4/2)} -> {8, 2, 1},
    // shared {6, 8} (48/8 = 6, 96/12 = 8, 24/4 = 6): 6 + 3 + 2 = 11.
    CHECK(multi.stacks() == 11);
}

TEST_CASE("identical consecutive references count as hits after the first", "[sweep][tlb-onepass]") {
    // A record standing for 5 references of one page: the first misses (cold), 4 hit; a level
    // without a 2 MiB array misses all 5 of a 2 MiB page.
    std::vector<mmu::TlbParams> pts = {split(16, 4, 8, 4), split(16, 4, 0, 0)};
    MultiTlb multi(TlbLevel::Dtlb, pts, "mmu.dtlb");
    TlbLogRecord r;
    r.level = TlbLevel::Dtlb;
    r.a = 0x1000;
    r.count = 5;
    multi.observe(r);
    CHECK(multi.counts(0).hits == 4);
    CHECK(multi.counts(0).misses == 1);
    r.size = PageSize::Size2M;
    r.a = uint64_t(1) << 30;
    multi.observe(r);
    CHECK(multi.counts(0).misses == 2);
    CHECK(multi.counts(1).misses == 1 + 5);
    // Other levels' records are not this level's.
    r.level = TlbLevel::Itlb;
    multi.observe(r);
    CHECK(multi.counts(0).accesses == 10);
}

TEST_CASE("a geometry a run refuses is refused the same way", "[sweep][tlb-onepass]") {
    std::vector<mmu::TlbParams> pts = {split(64, 4, 32, 4), split(48, 5, 32, 4)};
    CHECK_THROWS_WITH(MultiTlb(TlbLevel::Dtlb, pts, "mmu.dtlb"), Catch::Contains("mmu.dtlb.entries_4k"));
}

TEST_CASE("the bundled sweeps load and the one-pass ones are eligible", "[sweep][tlb-onepass]") {
    // docs/sweeps.md's table: which bundled sweeps run in one pass and why the others do not.
    const std::string dir = std::string(MEMSIM_SOURCE_DIR) + "/configs/sweeps/";
    std::string why;
    CHECK(one_pass_eligible(load_sweep(dir + "l1d-size-assoc.yaml"), &why));
    CHECK(one_pass_eligible(load_sweep(dir + "dtlb-geometry.yaml"), &why));
    CHECK_FALSE(one_pass_eligible(load_sweep(dir + "tlb-entries-thp.yaml"), &why));
    CHECK_THAT(why, Catch::Contains("stats: selects") || Catch::Contains("selects every statistic") ||
                        Catch::Contains("walks, caches"));
    CHECK_FALSE(one_pass_eligible(load_sweep(dir + "mmap-trim-thresholds.yaml"), &why));
    CHECK_FALSE(one_pass_candidate(load_sweep(dir + "mmap-trim-thresholds.yaml")));
}
