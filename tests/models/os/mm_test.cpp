// The address-space model against Linux 6.1's rules, worked by hand from the source (functions
// named next to each expectation) and from measurements on the real kernel (scripts/linux-faults).
#include <catch2/catch.hpp>

#include <cerrno>
#include <sstream>

#include "models/os/mm.h"
#include "models/os/process_events.h"

using namespace memsim;
using namespace memsim::os;

namespace {
constexpr uint64_t K4 = 4096, M2 = 2ull << 20;
constexpr int RW = mman::kProtRead | mman::kProtWrite;
constexpr int ANON = mman::kMapPrivate | mman::kMapAnonymous;

struct Proc {
    SimpleFrameSource frames;
    stats::Registry reg;
    MmParams params;
    std::unique_ptr<AddressSpace> mm;
    explicit Proc(std::string thp = "never", std::string paging = "x86_64", uint64_t limit = ~0ull) : frames(limit) {
        params.thp = thp;
        params.paging = paging;
        mm = std::make_unique<AddressSpace>(params, frames, reg);
    }
    uint64_t map(uint64_t len, int prot = RW, int flags = ANON, uint64_t addr = 0) {
        int64_t a = mm->mmap(addr, len, prot, flags);
        REQUIRE(a > 0);
        return uint64_t(a);
    }
    uint32_t faults(uint64_t a, uint64_t n, bool w) { return mm->access(a, n, w).minor_faults; }
    size_t vmas() { return mm->vmas().count(); }
    uint64_t tables() { return mm->page_table().table_pages(); }
};
}  // namespace

TEST_CASE("layout of a process without ASLR", "[os][mm]") {
    Proc p;
    const Layout& l = p.mm->layout();
    CHECK(l.image_base == 0x555555554000);   // ELF_ET_DYN_BASE = 0x7ffffffff000 / 3 * 2 = 0x555555554aaa, aligned down
    CHECK(l.start_brk == 0x555555559000);    // 16 KiB text + 4 KiB data
    CHECK(p.mm->brk(0) == 0x555555559000);
    // mmap_base: gap = 8 MiB + stack_guard_gap 1 MiB < 128 MiB -> 128 MiB below 0x7ffffffff000
    CHECK(l.mmap_base == 0x7ffff7fff000);
    CHECK(p.map(K4) == 0x7ffff7ffe000);      // top-down: just below mmap_base
    CHECK(p.map(2 * K4) == 0x7ffff7ffc000);
    CHECK(p.vmas() == 4);                    // text, data, one merged anon VMA (vma_expand with next), stack
    CHECK(p.mm->vss_bytes() == 20 * 1024 + 132 * 1024 + 3 * K4);  // image, stack, anon
}

TEST_CASE("anonymous faults: zero page - write after read - write first", "[os][mm]") {
    Proc p;
    uint64_t a = p.map(4 * K4);
    SECTION("read then write: zero page, then do_wp_page copies it") {
        AccessResult r = p.mm->access(a, 1, false);
        CHECK(r.kind == FaultKind::ZeroPage);
        CHECK(r.minor_faults == 1);
        CHECK(p.mm->rss_bytes() == 0);  // the zero page is not counted
        CHECK(p.faults(a, 1, false) == 0);
        r = p.mm->access(a, 1, true);
        CHECK(r.kind == FaultKind::Cow);
        CHECK(r.minor_faults == 1);
        CHECK(p.mm->rss_bytes() == K4);
        CHECK(p.faults(a, 1, true) == 0);
    }
    SECTION("write first: one fault per page") {
        CHECK(p.faults(a, 4 * K4, true) == 4);
        CHECK(p.mm->counters().minor_faults == 4);
        CHECK(p.reg.value("os.faults.minor") == 4);
        CHECK(p.reg.value("os.rss_bytes") == 4 * K4);
        CHECK(p.reg.value("os.faults.major") == 0);
    }
    SECTION("an access straddling two pages touches both") {
        CHECK(p.faults(a + K4 - 4, 8, true) == 2);
    }
    SECTION("MADV_DONTNEED drops the pages: the next touch faults again; page tables stay") {
        p.faults(a, 4 * K4, true);
        uint64_t t = p.tables();
        CHECK(p.mm->madvise(a, 2 * K4, mman::kMadvDontNeed) == 0);
        CHECK(p.mm->rss_bytes() == 2 * K4);
        CHECK(p.tables() == t);
        CHECK(p.faults(a, 4 * K4, true) == 2);
        CHECK(p.mm->counters().hiwater_rss == 4);
    }
    SECTION("MADV_FREE keeps the pages mapped (no reclaim modelled)") {
        p.faults(a, 4 * K4, true);
        CHECK(p.mm->madvise(a, 4 * K4, mman::kMadvFree) == 0);
        CHECK(p.mm->rss_bytes() == 4 * K4);
        CHECK(p.faults(a, 4 * K4, true) == 0);
    }
    SECTION("munmap frees pages and tables; a later access is SIGSEGV") {
        p.faults(a, 4 * K4, true);
        CHECK(p.tables() == 4);  // PML4, PDPT, PD, PT
        CHECK(p.mm->munmap(a, 4 * K4) == 0);
        CHECK(p.mm->rss_bytes() == 0);
        // free_pgtables with floor = end of the data VMA, ceiling = the stack's start: the PT goes,
        // the PD and PDPT stay (their spans reach the stack).
        CHECK(p.tables() == 3);
        CHECK(p.frames.in_use() == 4);  // those tables and the zero page
        AccessResult r = p.mm->access(a, 1, false);
        CHECK(r.status == AccessStatus::Segv);
        CHECK(r.segv == SegvCode::MapErr);
        CHECK(p.reg.value("os.segv") == 1);
    }
}

TEST_CASE("SIGSEGV against the protection", "[os][mm]") {
    Proc p;
    uint64_t ro = p.map(K4, mman::kProtRead);
    uint64_t none = p.map(K4, 0, ANON | mman::kMapNoReserve);
    CHECK(p.mm->access(ro, 1, false).status == AccessStatus::Faulted);
    AccessResult w = p.mm->access(ro, 1, true);
    CHECK(w.status == AccessStatus::Segv);
    CHECK(w.segv == SegvCode::AccErr);
    CHECK(p.mm->access(none, 1, false).segv == SegvCode::AccErr);
    CHECK(p.mm->access(0x1000, 1, false).segv == SegvCode::MapErr);
    // x86: a fetch from a not-present page of a non-exec VMA is first handled as a read (one
    // fault), then the NX page faults again with PF_PROT: SIGSEGV.
    uint64_t data = p.map(K4);
    AccessResult x = p.mm->access(data, 1, false, true);
    CHECK(x.minor_faults == 1);
    CHECK(x.status == AccessStatus::Segv);
}

TEST_CASE("mmap arguments and MAP_FIXED", "[os][mm]") {
    Proc p;
    CHECK(p.mm->mmap(0, 0, RW, ANON) == -EINVAL);
    CHECK(p.mm->mmap(0x10000000, K4, RW, ANON | mman::kMapFixed) == 0x10000000);
    CHECK(p.mm->mmap(0x10000800, K4, RW, ANON | mman::kMapFixed) == -EINVAL);
    CHECK(p.mm->mmap(0x1000, K4, RW, ANON | mman::kMapFixed) == -EPERM);  // below mmap_min_addr
    CHECK(p.mm->mmap(0x10000000, K4, RW, ANON | mman::kMapFixedNoReplace) == -EEXIST);
    CHECK(p.mm->mmap(0, K4, RW, mman::kMapShared | mman::kMapAnonymous) == -EINVAL);  // not modelled
    // a hint that is free is taken
    CHECK(p.mm->mmap(0x20000000, K4, RW, ANON) == 0x20000000);
    // MAP_FIXED over touched memory drops its pages first
    p.faults(0x10000000, K4, true);
    CHECK(p.mm->rss_bytes() == K4);
    CHECK(p.mm->mmap(0x10000000, 2 * K4, RW, ANON | mman::kMapFixed) == 0x10000000);
    CHECK(p.mm->rss_bytes() == 0);
    CHECK(p.faults(0x10000000, 2 * K4, true) == 2);
    CHECK(p.mm->munmap(0x10000001, K4) == -EINVAL);
    CHECK(p.mm->munmap(0x10000000, 0) == -EINVAL);
    CHECK(p.mm->munmap(0x30000000, K4) == 0);  // nothing there
}

TEST_CASE("brk grows - shrinks and refuses what Linux refuses", "[os][mm]") {
    Proc p;
    const uint64_t start = p.mm->brk(0);
    CHECK(p.mm->brk(start + 100) == start + 100);
    CHECK(p.mm->vmas().lookup(start)->end == start + K4);
    CHECK(p.mm->brk(start + 3 * K4) == start + 3 * K4);
    CHECK(p.vmas() == 4);  // the heap VMA grew in place
    CHECK(p.faults(start, 3 * K4, true) == 3);
    CHECK(p.mm->brk(start - K4) == start + 3 * K4);  // below start_brk: ignored, the current break returned
    CHECK(p.mm->brk(start + K4) == start + K4);      // shrinking unmaps
    CHECK(p.mm->rss_bytes() == K4);
    CHECK(p.mm->access(start + K4, 1, false).status == AccessStatus::Segv);
    // growth into another mapping (closer than a page) fails and returns the current break
    p.map(K4, RW, ANON | mman::kMapFixed, start + 4 * K4);
    CHECK(p.mm->brk(start + 3 * K4 + 1) == start + K4);
    CHECK(p.mm->brk(start + 3 * K4) == start + 3 * K4);  // a page below it is fine
    std::ostringstream maps;
    p.mm->maps(maps);
    CHECK(maps.str().find("555555559000-55555555c000 rw-p 00000000 00:00 0") != std::string::npos);
    CHECK(maps.str().find("[heap]") != std::string::npos);
}

TEST_CASE("mprotect splits and merges VMAs", "[os][mm]") {
    Proc p;
    uint64_t a = p.map(3 * K4);
    size_t base = p.vmas();
    p.faults(a, 3 * K4, true);
    CHECK(p.mm->mprotect(a + K4, K4, mman::kProtRead) == 0);
    CHECK(p.vmas() == base + 2);
    CHECK(p.mm->access(a + K4, 1, true).status == AccessStatus::Segv);
    CHECK(p.mm->mprotect(a + K4, K4, RW) == 0);
    CHECK(p.vmas() == base);  // vma_merge: prev, middle and next agree again
    // 6.1 can_change_pte_writable: the exclusive anonymous page is writable again without a fault
    CHECK(p.faults(a + K4, 1, true) == 0);
    CHECK(p.mm->mprotect(a + 1, K4, RW) == -EINVAL);
    CHECK(p.mm->mprotect(0x40000000, K4, RW) == -ENOMEM);
    // NORESERVE PROT_NONE reservation, made writable piecewise (a glibc arena heap)
    uint64_t r = p.map(64 * K4, 0, ANON | mman::kMapNoReserve);
    CHECK(p.mm->mprotect(r, 8 * K4, RW) == 0);
    CHECK(p.vmas() == base + 2);
    CHECK(p.faults(r, 8 * K4, true) == 8);
    CHECK(p.mm->access(r + 8 * K4, 1, false).status == AccessStatus::Segv);
    CHECK(p.mm->mprotect(r + 8 * K4, 8 * K4, RW) == 0);  // grows the RW part: merged with it
    CHECK(p.vmas() == base + 2);
}

TEST_CASE("VMA merging follows vma_merge", "[os][mm]") {
    Proc p;
    uint64_t a = p.map(K4, RW, ANON | mman::kMapFixed, 0x10000000);
    uint64_t c = p.map(K4, RW, ANON | mman::kMapFixed, 0x10002000);
    size_t n = p.vmas();
    p.faults(a, K4, true);  // both get their own anon_vma
    p.faults(c, K4, true);
    p.map(K4, RW, ANON | mman::kMapFixed, 0x10001000);  // fills the hole
    // prev and next have different anon_vmas: mmap_region merges with next only
    CHECK(p.vmas() == n);
    CHECK(p.mm->vmas().lookup(0x10001000)->start == 0x10001000);
    CHECK(p.mm->vmas().lookup(0x10001000)->end == 0x10003000);
    // different flags never merge: a NORESERVE mapping (no VM_ACCOUNT) beside an accounted one
    p.map(K4, RW, ANON | mman::kMapFixed | mman::kMapNoReserve, 0x10003000);
    CHECK(p.vmas() == n + 1);
    // MADV_HUGEPAGE on part of a VMA splits it
    CHECK(p.mm->madvise(0x10001000, K4, mman::kMadvHugePage) == 0);
    CHECK(p.vmas() == n + 2);
    CHECK(p.mm->madvise(0x10001000, K4, mman::kMadvNoHugePage) == 0);
    CHECK(p.vmas() == n + 2);  // VM_NOHUGEPAGE differs from the neighbour too
    CHECK(p.mm->madvise(0x10004000, K4, mman::kMadvDontNeed) == -ENOMEM);  // a hole
    CHECK(p.mm->madvise(0x10001000, K4, 77) == -EINVAL);
}

TEST_CASE("page tables: counts - freeing and entry values", "[os][mm]") {
    Proc p;
    CHECK(p.tables() == 1);  // the PML4 (pgd_alloc)
    // Two pages 1 GiB apart in the same 512 GiB: one PML4 entry, two PDPT entries:
    // PML4 + 1 PDPT + 2 PD + 2 PT = 6 tables.
    uint64_t a = p.map(K4, RW, ANON | mman::kMapFixed, 0x100000000);
    uint64_t b = p.map(K4, RW, ANON | mman::kMapFixed, 0x140000000);
    p.faults(a, 1, true);
    p.faults(b, 1, true);
    CHECK(p.tables() == 6);
    CHECK(p.reg.value("os.pagetable_bytes") == 6 * 4096);
    // munmap b: floor = a's end, ceiling = the image: b's PT and PD lie inside, the PDPT does not.
    CHECK(p.mm->munmap(b, K4) == 0);
    CHECK(p.tables() == 4);
    CHECK(p.reg.value("os.pagetable_peak_bytes") == 6 * 4096);

    // The walk a page-table walker would do, through read_phys_u64.
    PageTable& pt = p.mm->page_table();
    auto idx = [&](unsigned level) { return (a >> (12 + 9 * level)) & 511; };
    uint64_t e = pt.root_pa();
    for (unsigned level = 3; level >= 1; --level) {
        e = pt.read_phys_u64((e & PteFormat::kPfnMask) + 8 * idx(level));
        CHECK((e & 0xfff) == 0x067);  // _PAGE_TABLE = P|RW|US|A|D
    }
    uint64_t pte = pt.read_phys_u64((e & PteFormat::kPfnMask) + 8 * idx(0));
    // PAGE_COPY_NOEXEC (P|US|A|NX) + pte_mkwrite + pte_mkdirty (D | soft-dirty)
    CHECK((pte & ~PteFormat::kPfnMask) == 0x8000000000000867ull);
    CHECK(*pt.pte(a) == pte);
    // a read maps the zero page: P|US|A|NX + _PAGE_SPECIAL, read-only
    uint64_t z = p.map(K4);
    p.faults(z, 1, false);
    CHECK(*pt.pte(z) == ((p.mm->zero_pfn() << 12) | 0x8000000000000225ull));
    // mprotect(PROT_NONE) keeps the PFN with PAGE_NONE: present clear, _PAGE_PROTNONE (bit 8)
    p.mm->mprotect(a, K4, 0);
    CHECK((*pt.pte(a) & 0x1ff) == 0x160);  // PROTNONE|D|A, present clear
}

TEST_CASE("transparent huge pages", "[os][mm]") {
    SECTION("always: a 2 MiB aligned range inside the VMA gets an order-9 page with one fault") {
        Proc p("always");
        uint64_t a = p.map(2 * M2);  // 0x7ffff7bff000..0x7ffff7fff000: one aligned 2 MiB range inside
        CHECK(a == 0x7ffff7bff000);
        uint64_t h = 0x7ffff7c00000;
        AccessResult r = p.mm->access(h + 12345, 1, true);
        CHECK(r.kind == FaultKind::Huge);
        CHECK(p.faults(h, M2, true) == 0);
        CHECK(p.mm->rss_bytes() == M2);
        CHECK(p.tables() == 4);  // PML4, PDPT, PD, and the PT deposited for a split
        CHECK(p.reg.value("os.thp.fault_alloc") == 1);
        CHECK(p.faults(a, K4, true) == 1);  // the head of the VMA: no aligned 2 MiB fits there
        CHECK(p.mm->rss_bytes() == M2 + K4);
        std::ostringstream s;
        p.mm->smaps(s);
        CHECK(s.str().find("AnonHugePages:      2048 kB") != std::string::npos);
        // DONTNEED of one 4 KiB page splits the PMD: 511 pages stay, the compound page is kept
        CHECK(p.mm->madvise(h, K4, mman::kMadvDontNeed) == 0);
        CHECK(p.mm->rss_bytes() == M2);
        CHECK(p.faults(h, K4, true) == 1);
        CHECK(p.mm->munmap(a, 2 * M2) == 0);
        CHECK(p.mm->rss_bytes() == 0);
        CHECK(p.frames.in_use() == 4);  // PML4, PDPT, PD (shared with the stack's span), the zero page
    }
    SECTION("a read maps the huge zero page; a write then copies one 4 KiB page") {
        Proc p("always");
        p.map(2 * M2);
        uint64_t h = 0x7ffff7c00000;
        CHECK(p.mm->access(h, 1, false).kind == FaultKind::HugeZero);
        CHECK(p.mm->rss_bytes() == 0);
        CHECK(p.faults(h + M2 - 1, 1, false) == 0);
        AccessResult w = p.mm->access(h + K4, 1, true);
        CHECK(w.kind == FaultKind::Cow);  // split into zero-page PTEs, do_wp_page on one
        CHECK(p.mm->rss_bytes() == K4);
        CHECK(p.faults(h, 1, false) == 0);  // still the zero page
    }
    SECTION("madvise mode needs MADV_HUGEPAGE; never and NOHUGEPAGE keep 4 KiB") {
        Proc p("madvise");
        uint64_t a = p.map(2 * M2);
        CHECK(p.mm->access(0x7ffff7c00000, 1, true).kind == FaultKind::Anon);
        CHECK(p.mm->madvise(a, 2 * M2, mman::kMadvHugePage) == 0);
        CHECK(p.mm->access(0x7ffff7c00000 + M2 - K4, 1, true).kind == FaultKind::Anon);  // PMD has a PT already
        uint64_t b = p.map(4 * M2);
        p.mm->madvise(b, 4 * M2, mman::kMadvHugePage);
        uint64_t hb = (b + M2 - 1) & ~(M2 - 1);
        CHECK(p.mm->access(hb, 1, true).kind == FaultKind::Huge);
        p.mm->set_thp_disable(true);
        CHECK(p.mm->access(hb + M2, 1, true).kind == FaultKind::Anon);
    }
    SECTION("the order-9 allocation fails: fall back to 4 KiB") {
        Proc p("always", "x86_64", 400);
        p.map(2 * M2);
        CHECK(p.mm->access(0x7ffff7c00000, 1, true).kind == FaultKind::Anon);
        CHECK(p.reg.value("os.thp.fault_fallback") == 1);
    }
}

TEST_CASE("mremap grows in place or moves", "[os][mm]") {
    Proc p;
    uint64_t a = p.map(2 * K4, RW, ANON | mman::kMapFixed, 0x10000000);
    p.faults(a, 2 * K4, true);
    CHECK(p.mm->mremap(a, 2 * K4, 4 * K4, 0) == int64_t(a));  // free above: in place
    p.map(K4, RW, ANON | mman::kMapFixed, 0x10004000);  // now blocked
    CHECK(p.mm->mremap(a, 4 * K4, 8 * K4, 0) == -ENOMEM);
    int64_t n = p.mm->mremap(a, 4 * K4, 8 * K4, mman::kMremapMayMove);
    CHECK(n == 0x7ffff7ff7000);  // top-down below mmap_base
    CHECK(p.faults(uint64_t(n), 2 * K4, true) == 0);  // the pages moved with their PTEs
    CHECK(p.mm->rss_bytes() == 2 * K4);
    CHECK(p.mm->access(a, 1, false).status == AccessStatus::Segv);
    CHECK(p.mm->mremap(uint64_t(n), 8 * K4, K4, 0) == n);  // shrink
    CHECK(p.mm->rss_bytes() == K4);
    CHECK(p.mm->mremap(0x50000000, K4, 2 * K4, mman::kMremapMayMove) == -EFAULT);
}

TEST_CASE("the stack grows down within RLIMIT_STACK", "[os][mm]") {
    Proc p;
    uint64_t top = p.mm->layout().stack_top;
    CHECK(p.faults(top - 8, 8, true) == 1);
    CHECK(p.faults(top - 1024 * 1024, 8, true) == 1);  // below the 132 KiB VMA: expand_stack
    CHECK(p.mm->vmas().lookup(top - 1)->start == top - 1024 * 1024);
    CHECK(p.mm->access(top - 9 * 1024 * 1024, 8, true).status == AccessStatus::Segv);
}

TEST_CASE("os.unmapped_access = map makes raw traces fault page by page", "[os][mm]") {
    Proc p;
    p.params.unmapped_access = "map";
    stats::Registry r2;
    AddressSpace mm(p.params, p.frames, r2);
    CHECK(mm.access(0x1ffefff000, 8, true).minor_faults == 1);
    CHECK(mm.access(0x1ffeffe000, 8, false).minor_faults == 1);
    CHECK(mm.vmas().lookup(0x1ffefff000)->start == 0x1ffeffe000);  // merged
    CHECK(mm.access(0x4000000, 4, false, true).status == AccessStatus::Faulted);  // rwx
}

TEST_CASE("os.unmapped_access = map: a read first maps a page of its own and not the zero page", "[os][mm]") {
    // A raw trace's unmapped pages are mostly the program's code and data: each is a page-cache
    // page of its own (do_read_fault), read-only, so two code pages are two frames; a write then
    // takes a private copy (a second fault, as the zero page's copy would be).
    Proc p;
    p.params.unmapped_access = "map";
    stats::Registry r2;
    AddressSpace mm(p.params, p.frames, r2);
    AccessResult a = mm.access(0x401000, 4, false, true), b = mm.access(0x402000, 4, false, true);
    CHECK(a.kind == FaultKind::File);
    CHECK(b.kind == FaultKind::File);
    const PteFormat& f = mm.page_table().format();
    const uint64_t pa = f.pfn(*mm.page_table().pte(0x401000)), pb = f.pfn(*mm.page_table().pte(0x402000));
    CHECK(pa != pb);
    CHECK(pa != mm.zero_pfn());
    CHECK(!f.writable(*mm.page_table().pte(0x401000)));
    CHECK(mm.rss_bytes() == 2 * K4);
    AccessResult w = mm.access(0x401000, 8, true);
    CHECK(w.minor_faults == 1);
    CHECK(w.kind == FaultKind::Cow);
    CHECK(f.pfn(*mm.page_table().pte(0x401000)) != pa);
    CHECK(mm.rss_bytes() == 2 * K4);
    CHECK(mm.access(0x401000, 8, true).minor_faults == 0);
}

TEST_CASE("RISC-V Sv39 shares the code with its own entries and layout", "[os][mm]") {
    Proc p("never", "sv39");
    const Layout& l = p.mm->layout();
    CHECK(l.image_base == 0x2aaaaaa000);  // (1 << 38) / 3 * 2, aligned down
    CHECK(l.mmap_base == 0x3ff8000000);   // 256 GiB - 128 MiB
    uint64_t a = p.map(K4);
    p.faults(a, 1, true);
    CHECK(p.tables() == 3);  // root, level-1, level-0
    PageTable& pt = p.mm->page_table();
    uint64_t root = pt.read_phys_u64(pt.root_pa() + 8 * ((a >> 30) & 511));
    CHECK((root & 0x3ff) == 0x001);  // V only: a pointer to the next level
    // V|R|W|U|A|D = 0xd7
    CHECK((*pt.pte(a) & 0x3ff) == 0x0d7);
    uint64_t z = p.map(K4);
    p.faults(z, 1, false);
    CHECK(*pt.pte(z) == ((p.mm->zero_pfn() << 10) | 0x153));  // V|R|U|A + _PAGE_SPECIAL (bit 8)
}

TEST_CASE("process events: mmap/touch/madvise/munmap by ID - raw accesses - SIGSEGV stops", "[os][mm]") {
    Proc p;
    ProcessEvents pe(*p.mm, p.params, p.reg);
    auto ev = [](trace::Op op) {
        trace::Event e;
        e.op = op;
        return e;
    };
    trace::Event m = ev(trace::Op::Mmap);
    m.id = 1;
    m.length = 8 * K4;
    CHECK(pe.execute(m));
    uint64_t a = pe.range(1)->start;
    trace::Event t = ev(trace::Op::Touch);
    t.id = 1;
    t.write = false;
    CHECK(pe.execute(t));
    CHECK(pe.last().access.minor_faults == 8);
    t.write = true;
    t.has_range = true;
    t.offset = K4;
    t.length = 2 * K4;
    CHECK(pe.execute(t));
    CHECK(pe.last().access.minor_faults == 2);
    trace::Event d = ev(trace::Op::Madvise);
    d.id = 1;
    d.offset = 0;
    d.length = 8 * K4;
    d.advice = mman::kMadvDontNeed;
    CHECK(pe.execute(d));
    CHECK(pe.range(1)->minor_faults == 10);
    trace::Event mal = ev(trace::Op::Malloc);
    CHECK_FALSE(pe.execute(mal));
    t.id = 99;
    CHECK_FALSE(pe.execute(t));  // not an ID of ours
    trace::Event w = ev(trace::Op::Write);
    w.addr = a + 100;
    w.size = 8;
    CHECK(pe.execute(w));
    CHECK(pe.last().access.kind == FaultKind::Anon);
    trace::Event u = ev(trace::Op::Munmap);
    u.id = 1;
    CHECK(pe.execute(u));
    CHECK(pe.execute(w));
    CHECK(pe.last().access.status == AccessStatus::Segv);
    CHECK(pe.stopped());
    CHECK(pe.execute(w));
    CHECK(pe.last().skipped);
    CHECK(p.reg.value("os.events.skipped") == 1);
}

TEST_CASE("the address space on the real page allocator", "[os][mm]") {
    stats::Registry r;
    PageAllocator pa(PageAllocParams{}, uint64_t(256) << 20, r);
    PageAllocatorFrames frames(pa);
    uint64_t free0 = pa.free_page_count();
    {
        MmParams params;
        params.thp = "always";
        AddressSpace mm(params, frames, r);
        int64_t a = mm.mmap(0, 4 * M2, RW, ANON);
        REQUIRE(a > 0);
        // 8 MiB at 0x7ffff77ff000: one 4 KiB head page, three aligned 2 MiB ranges, 511 tail pages
        CHECK(mm.access(uint64_t(a), 4 * M2, true).minor_faults == 1 + 3 + 511);
        CHECK(mm.rss_bytes() == 4 * M2);
        CHECK(pa.free_page_count() < free0 - 1024);
        uint64_t pte_pa = 0;
        mm.page_table().for_each_leaf(uint64_t(a), uint64_t(a) + K4, [&](uint64_t, unsigned, PtPage* t, unsigned i) {
            pte_pa = (t->pfn << 12) + 8 * i;
        });
        CHECK(pa.page(pte_pa >> 12).owner == PageOwner::PageTable);
        CHECK(mm.munmap(uint64_t(a), 4 * M2) == 0);
        CHECK(pa.page(pte_pa >> 12).owner == PageOwner::Free);  // free_pgtables gave the PT back
    }
}

TEST_CASE("a repeated access takes no walk but sees every change of mapping", "[os][mm]") {
    // Accesses to recently touched pages skip the page walk (AddressSpace::hot_pages_); each
    // system call that changes a mapping must make the next access see it, as Linux's TLB
    // flushes do: mprotect, MADV_DONTNEED, munmap.
    Proc p;
    uint64_t a = p.map(4 * K4);
    CHECK(p.faults(a, 8, false) == 1);  // zero page
    CHECK(p.faults(a, 8, false) == 0);
    CHECK(p.faults(a, 8, true) == 1);   // the write still takes do_wp_page after cached reads
    CHECK(p.faults(a + 8, 8, true) == 0);
    REQUIRE(p.mm->mprotect(a, K4, mman::kProtRead) == 0);
    AccessResult r = p.mm->access(a, 8, true);
    CHECK(r.status == AccessStatus::Segv);
    CHECK(r.segv == SegvCode::AccErr);
    REQUIRE(p.mm->mprotect(a, K4, RW) == 0);
    CHECK(p.faults(a, 8, true) == 0);
    REQUIRE(p.mm->madvise(a, K4, mman::kMadvDontNeed) == 0);
    CHECK(p.faults(a, 8, true) == 1);   // dropped: a fresh page
    REQUIRE(p.mm->munmap(a, 4 * K4) == 0);
    CHECK(p.mm->access(a, 8, false).segv == SegvCode::MapErr);
}
