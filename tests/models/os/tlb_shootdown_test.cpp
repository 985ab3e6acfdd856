// The kernel's TLB shootdowns (mm/mmu_gather.c, arch/x86/mm/tlb.c flush_tlb_mm_range): which
// system calls and faults flush which ranges, worked out from where Linux 6.1 flushes.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "models/os/mm.h"

using namespace memsim;
using namespace memsim::os;

namespace {
constexpr uint64_t K4 = 4096;
constexpr int RW = mman::kProtRead | mman::kProtWrite;
constexpr int ANON = mman::kMapPrivate | mman::kMapAnonymous;

struct Recorder final : TlbFlusher {
    std::vector<std::string> log;
    uint64_t base = 0;
    void flush_tlb_range(uint64_t s, uint64_t e) override {
        log.push_back("range +" + std::to_string((s - base) / K4) + " pages " + std::to_string((e - s) / K4));
    }
    void flush_tlb_mm() override { log.push_back("mm"); }
};

struct Proc {
    SimpleFrameSource frames{~0ull};
    stats::Registry reg;
    MmParams params;
    std::unique_ptr<AddressSpace> mm;
    Recorder tlb;
    Proc() {
        params.thp = "never";
        mm = std::make_unique<AddressSpace>(params, frames, reg);
        mm->set_tlb(&tlb);
    }
    uint64_t map(uint64_t pages) {
        int64_t a = mm->mmap(0, pages * K4, RW, ANON);
        REQUIRE(a > 0);
        tlb.base = uint64_t(a);
        return uint64_t(a);
    }
    void write(uint64_t a, uint64_t pages) { mm->access(a, pages * K4, true); }
};
}  // namespace

TEST_CASE("tlb shootdown: munmap flushes the present pages it removed", "[os][tlb]") {
    Proc p;
    uint64_t a = p.map(4);
    CHECK(p.tlb.log.empty());  // mmap of a fresh range changes no present entry
    p.write(a + K4, 2);        // pages 1 and 2 present
    CHECK(p.tlb.log.empty());  // faults on not-present entries need no flush (x86 caches none)
    REQUIRE(p.mm->munmap(a, 4 * K4) == 0);
    // zap_pte_range gathers pages 1..2; free_pgtables frees the PT (the only mapping): freed_tables
    // widens the flush to the whole unmapped range so the paging-structure caches go too.
    REQUIRE(p.tlb.log.size() == 1);
    CHECK(p.tlb.log[0] == "range +0 pages 4");
}

TEST_CASE("tlb shootdown: a never-touched mapping is unmapped without a flush", "[os][tlb]") {
    Proc p;
    uint64_t keep = p.map(1);
    p.write(keep, 1);  // keeps a PT around: munmap of the next mapping frees no table
    p.tlb.log.clear();
    int64_t b = p.mm->mmap(0, 2 * K4, RW, ANON);
    REQUIRE(b > 0);
    REQUIRE(p.mm->munmap(uint64_t(b), 2 * K4) == 0);
    CHECK(p.tlb.log.empty());
}

TEST_CASE("tlb shootdown: more than 33 pages flush the whole address space", "[os][tlb]") {
    Proc p;
    uint64_t a = p.map(64);
    p.write(a, 34);  // tlb_single_page_flush_ceiling = 33
    REQUIRE(p.mm->madvise(a, 64 * K4, mman::kMadvDontNeed) == 0);
    CHECK(p.tlb.log == std::vector<std::string>{"mm"});
    p.tlb.log.clear();
    p.write(a, 33);
    REQUIRE(p.mm->madvise(a, 64 * K4, mman::kMadvDontNeed) == 0);
    CHECK(p.tlb.log == std::vector<std::string>{"range +0 pages 33"});
}

TEST_CASE("tlb shootdown: mprotect flushes only the entries it changed", "[os][tlb]") {
    Proc p;
    uint64_t a = p.map(8);
    p.write(a + 2 * K4, 3);  // pages 2..4 writable and present
    REQUIRE(p.mm->mprotect(a, 8 * K4, mman::kProtRead) == 0);
    CHECK(p.tlb.log == std::vector<std::string>{"range +2 pages 3"});
    p.tlb.log.clear();
    REQUIRE(p.mm->mprotect(a, 8 * K4, mman::kProtRead) == 0);  // nothing changes: no flush
    CHECK(p.tlb.log.empty());
}

TEST_CASE("tlb shootdown: a write to the zero page replaces a present entry", "[os][tlb]") {
    Proc p;
    uint64_t a = p.map(2);
    p.mm->access(a + K4, 8, false);  // read fault: the zero page, read-only
    CHECK(p.tlb.log.empty());
    p.mm->access(a + K4, 8, true);   // do_wp_page -> wp_page_copy -> ptep_clear_flush
    CHECK(p.tlb.log == std::vector<std::string>{"range +1 pages 1"});
}
