// The MMU's timing (LT style, picoseconds) with a walk port of fixed latency, its functional mode,
// and the configuration errors it reports.
#include <catch2/catch.hpp>

#include "tests/models/mmu/machine.h"

using namespace memsim;
using namespace memsim::mmu;
using namespace memsim::mmu_test;
using Kind = mem::AccessKind;

namespace {
// No walk caches: every walk reads four entries. 4 GHz: stlb_latency 8 cycles = 2000 ps.
const std::vector<std::string> kNoPwc = {"mmu.pwc.entries_pml4=0", "mmu.pwc.entries_pdpt=0",
                                         "mmu.pwc.entries_pde=0"};
constexpr uint64_t kStlbPs = 8 * kCyclePs;   // 2000
constexpr uint64_t kReadPs = 50000;          // the fake walk port: 50 ns a request
constexpr uint64_t kWalkPs = 4 * kReadPs;    // four chained entry reads: 200 ns
}  // namespace

TEST_CASE("mmu: a second walk waits for the only walker (max_walks 1)", "[mmu]") {
    auto sets = kNoPwc;
    sets.push_back("mmu.max_walks=1");
    Machine m(sets);
    m.port.latency_ps = kReadPs;
    const uint64_t a = m.map(K4, RW, FIXED, 0x10000000), b = m.map(K4, RW, FIXED, 0x20000000);
    m.touch(a, true);
    m.touch(b, true);

    struct Row {
        uint64_t va, issue_ps, done_ps;
        Source source;
        const char* why;
    };
    const Row rows[] = {
        // STLB lookup 2000, then the walk 2000 .. 2000 + 4 x 50000
        {a, 0, kStlbPs + kWalkPs, Source::Walk, "cold: STLB miss, walk"},
        // STLB done at 12000; the walker is busy until 202000: waits 190000, the first's remaining time
        {b, 10000, (kStlbPs + kWalkPs) + kWalkPs, Source::Walk, "waits for walker 0"},
        {a, 500000, 500000, Source::L1, "DTLB hit: no time"},
    };
    for (const Row& r : rows) {
        INFO(r.why);
        Translation t = m.tr(r.va, Kind::Read, r.issue_ps);
        CHECK(t.source == r.source);
        CHECK(t.done_ps == r.done_ps);
    }
    // The walk reads are chained: each starts when the one before completed.
    REQUIRE(m.port.log.size() == 8);
    for (unsigned i = 0; i < 4; ++i) CHECK(m.port.log[i].issue_ps == kStlbPs + i * kReadPs);
    for (unsigned i = 0; i < 4; ++i) CHECK(m.port.log[4 + i].issue_ps == kStlbPs + kWalkPs + i * kReadPs);
    CHECK(m.stat("mmu.walk_queue_cycles") == (kStlbPs + kWalkPs - (10000 + kStlbPs)) / kCyclePs);  // 760
    CHECK(m.stat("mmu.walk_latency_ns.mean") == Approx(200.0));
}

TEST_CASE("mmu: two walkers overlap two walks", "[mmu]") {
    auto sets = kNoPwc;
    sets.push_back("mmu.max_walks=2");
    Machine m(sets);
    m.port.latency_ps = kReadPs;
    const uint64_t a = m.map(K4, RW, FIXED, 0x10000000), b = m.map(K4, RW, FIXED, 0x20000000);
    m.touch(a, true);
    m.touch(b, true);
    CHECK(m.tr(a, Kind::Read, 0).done_ps == kStlbPs + kWalkPs);
    CHECK(m.tr(b, Kind::Read, 10000).done_ps == 10000 + kStlbPs + kWalkPs);
    CHECK(m.stat("mmu.walk_queue_cycles") == 0);
}

TEST_CASE("mmu: STLB hits cost stlb_latency and walk-cache lookups pwc_latency", "[mmu]") {
    Machine m({"mmu.dtlb.entries_4k=4", "mmu.dtlb.assoc_4k=4"});  // default walk caches, pwc_latency 1
    m.port.latency_ps = kReadPs;
    const uint64_t base = m.map(8 * K4, RW, FIXED, 0x10000000);
    for (unsigned k = 0; k < 8; ++k) m.touch(base + k * K4, true);
    // Cold: STLB 2000, PWC lookup 250 (misses), 4 reads.
    CHECK(m.tr(base, Kind::Read, 0).done_ps == kStlbPs + kCyclePs + kWalkPs);
    // Same PT: the PDE cache hits: STLB 2000 + PWC 250 + one read.
    const uint64_t t0 = 1000000;
    CHECK(m.tr(base + K4, Kind::Read, t0).done_ps == t0 + kStlbPs + kCyclePs + kReadPs);
    // Five more pages fill the 4-entry DTLB past page 0, which stays in the STLB.
    for (unsigned k = 2; k < 7; ++k) m.tr(base + k * K4, Kind::Read, 2 * t0);
    Translation t = m.tr(base, Kind::Read, 3 * t0);
    CHECK(t.source == Source::Stlb);
    CHECK(t.done_ps == 3 * t0 + kStlbPs);
    CHECK(m.tr(base, Kind::Read, 4 * t0).source == Source::L1);  // the STLB hit refilled the DTLB
}

TEST_CASE("mmu: functional mode keeps the same state and counts without time", "[mmu]") {
    Machine m({}, "never", "x86_64", false);
    m.port.latency_ps = kReadPs;
    const uint64_t va = m.map(K4);
    m.touch(va, true);
    Translation t = m.tr(va, Kind::Read, 123456);
    CHECK(t.source == Source::Walk);
    CHECK(t.done_ps == 0);
    CHECK(t.pa == m.kernel_pa(va));
    for (const Logged& l : m.port.log) CHECK(l.issue_ps == 0);
    CHECK(m.tr(va).source == Source::L1);
    CHECK(m.stat("mmu.walks") == 1);
    CHECK(std::isnan(m.stat("mmu.walk_queue_cycles")));  // timed statistics are not declared
}

TEST_CASE("mmu: model none translates nothing", "[mmu]") {
    config::Config cfg;
    stats::Registry reg;
    Mmu mmu(cfg, reg, kCyclePs, true);
    RecordingPort port;
    CHECK_FALSE(mmu.enabled());
    Translation t = mmu.translate(0x7ffff7ffe123, Kind::Write, 777, port);
    CHECK(t.pa == 0x7ffff7ffe123);
    CHECK(t.done_ps == 777);
    CHECK(port.log.empty());
    CHECK(reg.all().empty());
}

TEST_CASE("mmu: configuration errors name the key", "[mmu]") {
    auto error_of = [](std::vector<std::string> sets) -> std::string {
        config::Config cfg;
        cfg.set("mmu.model=tlb");
        for (const auto& s : sets) cfg.set(s);
        stats::Registry reg;
        try {
            Mmu mmu(cfg, reg, kCyclePs, true);
        } catch (const InputError& e) {
            return e.what();
        }
        return "";
    };
    CHECK(error_of({}) == "");
    CHECK_THAT(error_of({"mmu.dtlb.entries_4k=64", "mmu.dtlb.assoc_4k=5"}),
               Catch::StartsWith("mmu.dtlb.entries_4k: 64 entries cannot be split into sets of mmu.dtlb.assoc_4k = 5"));
    CHECK_THAT(error_of({"mmu.itlb.assoc_4k=0"}), Catch::StartsWith("mmu.itlb.entries_4k:"));
    CHECK_THAT(error_of({"mmu.stlb.shared=4K,3M"}),
               Catch::StartsWith("mmu.stlb.shared: '3M' is not a page size (expected 4K, 2M or 1G)"));
    CHECK_THAT(error_of({"mmu.stlb.entries=0"}), Catch::StartsWith("mmu.stlb.entries:"));
    CHECK_THAT(error_of({"mmu.dtlb.replacement=mru"}), Catch::StartsWith("mmu.dtlb.replacement: unknown"));
    // tree_plru needs power-of-two ways: the STLB's 12 are not.
    CHECK_THAT(error_of({"mmu.stlb.replacement=tree_plru"}), Catch::StartsWith("mmu.stlb.replacement: tree_plru"));
    CHECK_THAT(error_of({"mmu.pwc.entries_pde=32", "mmu.pwc.assoc_pde=3"}),
               Catch::StartsWith("mmu.pwc.entries_pde:"));
}

TEST_CASE("mmu: a shared fully associative array holds every page size (Zen 2 L1 DTLB)", "[mmu]") {
    Machine m({"mmu.dtlb.shared=4K,2M,1G", "mmu.dtlb.entries=64", "mmu.dtlb.assoc=64"}, "always");
    const uint64_t huge = m.map(M2, RW, FIXED, 0x40000000);
    const uint64_t small = m.map(K4, RW, FIXED, 0x10000000);
    m.touch(huge, true);
    m.touch(small, true);
    CHECK(m.tr(huge).page_size == PageSize::Size2M);
    CHECK(m.tr(small).page_size == PageSize::Size4K);
    CHECK(m.tr(huge + 300 * K4).source == Source::L1);
    CHECK(m.tr(small + 8).source == Source::L1);
    CHECK(m.mmu->dtlb().occupancy() == 2);
}

TEST_CASE("mmu: hit rates of random loads follow the TLB reach", "[mmu]") {
    // 64 MiB = 16384 pages, all touched; 200000 uniformly random loads, functional mode. DTLB: 64 of
    // the 16384 pages -> p = 0.0039; the STLB also holds the DTLB's 64 (each walk fills both), so a
    // DTLB miss finds one of the other 1472 among 16320 pages: p = 0.0902. Binomial standard
    // deviations sqrt(p(1-p)/n): 0.00014 and 0.00064; the bounds are 5 of them.
    Machine m({}, "never", "x86_64", false);
    constexpr uint64_t kBytes = 64ull << 20;
    const uint64_t base = m.map(kBytes, RW, FIXED, 0x100000000);
    REQUIRE(m.mm->access(base, kBytes, true).status == os::AccessStatus::Faulted);
    uint64_t x = 88172645463325252ull;  // xorshift64: a fixed sequence
    unsigned faults = 0;
    for (int i = 0; i < 200000; ++i) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        faults += m.tr(base + (x % kBytes & ~uint64_t(7))).fault != Fault::None;
        m.port.log.clear();
    }
    CHECK(faults == 0);
    CHECK(m.stat("mmu.dtlb.hits") / m.stat("mmu.dtlb.accesses") == Approx(64.0 / 16384).margin(5 * 0.00014));
    CHECK(m.stat("mmu.stlb.hits") / m.stat("mmu.stlb.accesses") == Approx(1472.0 / 16320).margin(5 * 0.00064));
    // The PDE cache (32 entries, 4 sets x 8 ways) holds the 32 PD entries of 64 MiB: one read a walk
    // once the first walk of each PD entry has filled it.
    CHECK(m.stat("mmu.walk_memory_accesses") - m.stat("mmu.walks") <= 3 * 32);
}
