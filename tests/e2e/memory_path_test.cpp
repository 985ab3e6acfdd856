// End-to-end: the whole path of an access (core -> MMU -> page faults -> caches -> memory) on
// machines whose numbers are worked out by hand, and the MMU's page faults against the kernel
// model's own accounting (which tests/e2e/os_test.cpp and the examples check against Linux).
#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "tests/e2e/e2e.h"

namespace fs = std::filesystem;
using namespace e2e;

namespace {
std::string source(const std::string& rel) { return std::string(MEMSIM_SOURCE_DIR) + "/" + rel; }

// The time column of timeseries.csv, one row per event.
std::vector<uint64_t> times(const fs::path& dir) {
    std::istringstream in(slurp(dir / "timeseries.csv"));
    std::string line;
    std::getline(in, line);  // header
    std::vector<uint64_t> t;
    while (std::getline(in, line)) t.push_back(std::stoull(line.substr(line.find(',') + 1)));
    return t;
}
}  // namespace

TEST_CASE("the memory path of a hand-worked scenario", "[e2e][path]") {
    // tests/data/e2e/path-machine.yaml: 1 GHz core (1000 ps) with one access in flight; DTLB of 4
    // entries (fully associative, LRU), no STLB, no walk caches, walks read memory; L1D 1 KiB
    // 2-way 64 B lines (8 sets) of 2 cycles, write-back, write-allocate; memory 50 ns, 64 GB/s
    // (64 B busy 1000 ps, 8 B 125 ps); a fault's handler costs 100 cycles plus its accesses.
    fs::path out = scratch("path");
    auto r = memsim("run -q " + data("path-machine.yaml") + " --trace " + data("path-scenario.txt") + " --out " +
                    out.string());
    REQUIRE(r.code == 0);
    auto s = stats_of(out)["stats"];

    // Phase 1 writes pages P0..P4 (0x10000000 + k x 4 KiB) once each. Each write walks, meets a
    // non-present entry, faults (the kernel maps a fresh page: clear_page as 64 line writes, then
    // the PTE write), and walks again: 5 faults, 10 walks, 5 x 65 handler accesses.
    CHECK(s["os.faults.minor"] == 5);
    CHECK(s["cpu.mmu_faults"] == 5);
    CHECK(s["mmu.faults.not_present"] == 5);
    CHECK(s["cpu.fault_handler_accesses"] == 5 * (64 + 1));
    // The walks' entry reads: P0's first walk stops at the empty PML4 entry (1 read), its retry
    // reads 4; P1..P4 find the tables and walk 4 + 4 each; phase 2 walks once more (4).
    CHECK(s["mmu.walk_memory_accesses"] == 1 + 4 + 4 * 8 + 4);
    CHECK(s["mmu.walks"] == 10 + 1);
    CHECK(s["mmu.ad_updates"] == 0);  // the kernel writes A (and D on a write fault) itself
    // DTLB: every phase-1 walk is a miss; phase 2 hits twice (P4), then misses P0 (evicted: LRU
    // of 4 entries after P1..P4).
    CHECK(s["mmu.dtlb.hits"] == 2);
    CHECK(s["mmu.dtlb.misses"] == 11);
    // L1D: every handler write and every phase-1 write misses (16 lines cannot keep a page that
    // is cleared after them); phase 2: one hit, two misses.
    CHECK(s["cache.l1d.hits"] == 1);
    CHECK(s["cache.l1d.misses"] == 5 * (64 + 1 + 1) + 2);

    // Phase 2, after `compute 1000000` lets everything drain (T0 = the core's time then). The core
    // issues an access when the one in flight has completed, and moves on one cycle:
    //   read P4+0x000  DTLB hit, L1D hit (the line phase 1 wrote last)     issue T0         done T0 + 2000
    //   read P4+0x200  DTLB hit, L1D miss: 2 cycles of lookup + 50 ns       issue T0 + 2000  done T0 + 54000
    //                  memory serves it from T0 + 4000 to 5000, then the posted write-back of the dirty
    //                  cleared line it evicts, 5000 to 6000 (the write-back leaves with the miss)
    //   read P0+0x0c0  DTLB miss: 4 entry reads from an idle memory, 50 ns each:
    //                  104000, 154000, 204000, 254000; L1D miss: +2000, +50000
    //                                                                       issue T0 + 54000 done T0 + 306000
    // The time series row of an event is the core's time after it: issue + 1 cycle.
    auto t = times(out);
    REQUIRE(t.size() == 9);
    uint64_t T0 = t[5];  // after the compute event
    CHECK(t[6] == T0 + 1000);
    CHECK(t[7] == T0 + 2000 + 1000);
    CHECK(t[8] == T0 + 54000 + 1000);
    CHECK(s["sim.time_ps"] == double(T0 + 306000));

    // The same L1D physically indexed: an access that hits the DTLB waits one cycle for it before
    // the set lookup (VIPT overlaps the two). e1 completes at T0 + 3000; e2 issues then and starts
    // its lookup at T0 + 4000: fill at T0 + 56000; e3 (a DTLB miss: the walk gives the address, no
    // extra cycle) issues at T0 + 56000, its walk's reads complete at 106000 .. 256000, its miss
    // at T0 + 308000.
    fs::path pipt = scratch("path-pipt");
    REQUIRE(memsim("run -q " + data("path-machine.yaml") + " --trace " + data("path-scenario.txt") + " --out " +
                   pipt.string() + " --set cache.l1d.indexing=pipt")
                .code == 0);
    auto p = times(pipt);
    REQUIRE(p.size() == 9);
    uint64_t P0 = p[5];
    CHECK(p[6] == P0 + 1000);
    CHECK(p[7] == P0 + 3000 + 1000);
    CHECK(p[8] == P0 + 56000 + 1000);
    CHECK(stats_of(pipt)["stats"]["sim.time_ps"] == double(P0 + 308000));
}

TEST_CASE("page faults raised by the MMU are the kernel's own on real traces", "[e2e][path]") {
    // The same faults, line by line, whether the kernel faults each access in advance (no MMU
    // model) or the MMU raises them as the core issues the accesses: a lackey log of `ls /`, and
    // two recorded malloc traces whose allocator metadata accesses fault too.
    for (std::string trace : {"traces/default.lackey.zst", "traces/cc1-hello.trace.zst", "traces/python3-threads.trace.zst"}) {
        for (std::string preset : {"configs/default.yaml", "configs/cva6.yaml"}) {
            INFO(trace << " on " << preset);
            fs::path a = scratch("kernel"), b = scratch("mmu");
            std::string run = "run -q --mode functional " + source(preset) + " --trace " + source(trace);
            REQUIRE(memsim(run + " --set mmu.model=none --out " + a.string()).code == 0);
            REQUIRE(memsim(run + " --out " + b.string()).code == 0);
            auto sa = stats_of(a)["stats"], sb = stats_of(b)["stats"];
            CHECK(sb["mmu.faults.not_present"].get<double>() + sb["mmu.faults.protection"].get<double>() +
                      sb["mmu.faults.access_dirty"].get<double>() ==
                  sb["cpu.mmu_faults"]);
            CHECK(sa["os.faults.minor"] == sb["os.faults.minor"]);
            CHECK(sa["os.rss_peak_bytes"] == sb["os.rss_peak_bytes"]);
            CHECK(slurp(a / "faults_by_line.csv") == slurp(b / "faults_by_line.csv"));
        }
    }
}

TEST_CASE("a munmap flushes the TLB and the next access faults", "[e2e][path]") {
    // mmap 1 page (the first mmap of a process without ASLR: mmap_base - 4 KiB = 0x7ffff7ffe000),
    // touch it (a fault; the DTLB holds the page), write it again (a DTLB hit, no fault), munmap
    // it (flush_tlb_range of the page), write it once more: the DTLB no longer holds it, the walk
    // finds no entry, the kernel finds no VMA: SIGSEGV (unmapped_access: segv).
    fs::path d = scratch("flush");
    std::ofstream(d / "t.txt") << "mmap 1 4096 rw\ntouch 1 0 8 w\nwrite 0x7ffff7ffe010 8\nmunmap 1\n"
                                  "write 0x7ffff7ffe010 8\n";
    auto r = memsim("run -q " + data("path-machine.yaml") + " --trace " + (d / "t.txt").string() +
                    " --set os.mm.unmapped_access=segv --out " + d.string());
    REQUIRE(r.code == 0);
    auto s = stats_of(d)["stats"];
    CHECK(s["os.faults.minor"] == 1);
    CHECK(s["mmu.dtlb.hits"] == 1);
    CHECK(s["mmu.flushes"] == 1);
    CHECK(s["mmu.dtlb.misses"] == 2 + 1);  // the touch's walk and its retry; the last write
    CHECK(s["os.segv"] == 1);
    CHECK(r.out.find("SIGSEGV (SEGV_MAPERR) at trace line 5: write of 0x7ffff7ffe010") != std::string::npos);
}

TEST_CASE("accessed and dirty bits - set by the x86 walker - page faults on CVA6", "[e2e][path]") {
    // Two pages written (2 faults), then MADV_FREE: madvise_free_pte_range makes both entries old
    // and clean (and flushes them). Then page 0 is read and written again.
    //   x86-64: the walker sets A on the read's walk and D on the write (a re-walk through the
    //           DTLB entry whose D was clear): 2 A/D writes, no fault.
    //   CVA6 (ptw.sv): A clear on the read, then D clear on the write, each a page fault that
    //           Linux's handle_pte_fault fixes (pte_mkyoung, pte_mkdirty) and mm_account_fault
    //           counts: 2 more minor faults.
    fs::path d = scratch("ad");
    std::ofstream(d / "t.txt") << "mmap 1 8192 rw\ntouch 1 0 8192 w\nmadvise 1 0 8192 MADV_FREE\n"
                                  "touch 1 0 8 r\ntouch 1 0 8 w\n";
    struct Case {
        const char* preset;
        double faults, ad_updates, access_dirty_faults;
    };
    for (Case c : {Case{"configs/x86-64.yaml", 2, 2, 0}, Case{"configs/cva6.yaml", 4, 0, 2}}) {
        INFO(c.preset);
        fs::path out = scratch("ad-out");
        auto r = memsim("run -q " + source(c.preset) + " --trace " + (d / "t.txt").string() + " --out " + out.string());
        REQUIRE(r.code == 0);
        auto s = stats_of(out)["stats"];
        CHECK(s["os.faults.minor"] == c.faults);
        CHECK(s["mmu.ad_updates"] == c.ad_updates);
        CHECK(s["mmu.faults.access_dirty"] == c.access_dirty_faults);
    }
}

TEST_CASE("the CVA6 DTLB replaces by tree pseudo-LRU", "[e2e][path]") {
    // configs/cva6.yaml: a 16-entry fully associative DTLB with tree-PLRU, no STLB. Pages p0..p15
    // are written (each: a walk that faults, the kernel's handler, a walk that fills way k), p0 is
    // read again (a hit), then p16 is written and p8, p1, p4 read. The tree after fills 0..15 and the
    // hit on 0 points away from 0 at the root (to 8-15), then away from 15 down to way 8: p16 takes
    // way 8. Its fill points the root back to 0-7, away from 0 to 4-7, away from 7 to 4-5, away
    // from 5: p8's refill takes way 4 (p4), so p1 hits and p4 misses. True LRU instead evicts p1
    // (the oldest after p0's hit) for p16, p2 for p1: p8 and p4 hit.
    fs::path d = scratch("plru");
    {
        std::ofstream t(d / "t.txt");
        for (int k = 0; k <= 15; ++k) t << "write " << 0x10000000 + k * 4096 << " 8\n";
        t << "read 0x10000000 8\n";
        t << "write " << 0x10000000 + 16 * 4096 << " 8\n";
        for (int k : {8, 1, 4}) t << "read " << 0x10000000 + k * 4096 << " 8\n";
    }
    struct Case {
        const char* replacement;
        double hits, misses;
    };
    // Misses: 2 per written page (the faulting walk and the retry), 17 pages; then the reads that miss.
    for (Case c : {Case{"tree_plru", 2, 17 * 2 + 2}, Case{"lru", 3, 17 * 2 + 1}}) {
        INFO(c.replacement);
        fs::path out = scratch(std::string("plru-") + c.replacement);
        auto r = memsim("run -q " + source("configs/cva6.yaml") + " --trace " + (d / "t.txt").string() +
                        " --set mmu.dtlb.replacement=" + c.replacement + " --out " + out.string());
        REQUIRE(r.code == 0);
        auto s = stats_of(out)["stats"];
        CHECK(s["os.faults.minor"] == 17);
        CHECK(s["mmu.dtlb.hits"] == c.hits);
        CHECK(s["mmu.dtlb.misses"] == c.misses);
        CHECK(s["mmu.walks"] == c.misses);  // no STLB: every miss walks
    }
}

TEST_CASE("code pages of a raw trace each have a frame of their own in the caches", "[e2e][path]") {
    // 512 instruction fetches, each to its own page and to line i % 64 of it, twice, on the default
    // machine (os.mm.unmapped_access: map) without the L1I prefetcher. The L1I (32 KiB, 8 ways, 64
    // sets of 64-byte lines) holds them all: set i % 64 gets exactly 8 lines, so the first pass
    // misses 512 times and the second never, as cachegrind counts the same fetches. Before, every
    // read-first page mapped the zero page and the 512 lines were 64: 64 misses.
    fs::path d = scratch("raw-code-pages");
    {
        std::ofstream t(d / "code.trace");
        t << "# memsim-trace v1\n";
        for (int pass = 0; pass < 2; ++pass)
            for (int i = 0; i < 512; ++i)
                t << "ifetch 0x" << std::hex << (0x400000 + i * 4096 + 0x40 * (i % 64)) << std::dec << " 4\n";
    }
    auto r = memsim("run -q --set sim.mode=functional --set cache.l1i.prefetcher=none --trace " +
                    (d / "code.trace").string() + " --out " + d.string());
    REQUIRE(r.code == 0);
    auto s = stats_of(d)["stats"];
    CHECK(s["cache.l1i.misses"] == 512);
    CHECK(s["os.faults.minor"] == 512);
}

TEST_CASE("a write to a raw page read before copies its page-cache page", "[e2e][path]") {
    // A raw trace's page read first maps a page of its own (no clearing: only the PTE write); the
    // write after it is wp_page_copy of that page: copy_page loads and stores its 64 lines (64-byte
    // L1D lines), then the PTE. A page written first is cleared: 64 stores and the PTE.
    fs::path d = scratch("raw-cow");
    std::ofstream(d / "t.trace") << "# memsim-trace v1\nread 0x500000 8\nwrite 0x500000 8\nwrite 0x600000 8\n";
    auto r = memsim("run -q --trace " + (d / "t.trace").string() + " --out " + d.string());
    REQUIRE(r.code == 0);
    auto s = stats_of(d)["stats"];
    CHECK(s["os.faults.minor"] == 3);
    CHECK(s["cpu.fault_handler_accesses"] == (0 + 1) + (64 + 64 + 1) + (64 + 1));
}
