// The MMU over the kernel model's real page tables: the walker reads the entries the kernel wrote,
// at the addresses the x86-64 (Intel SDM vol. 3 4.5) and Sv39 (RISC-V privileged spec 4.3.2)
// formats say, and the physical address it gives is the kernel's leaf PFN << 12 | offset.
#include <catch2/catch.hpp>

#include "tests/models/mmu/machine.h"

using namespace memsim;
using namespace memsim::mmu;
using namespace memsim::mmu_test;
using os::PteFormat;
using Kind = mem::AccessKind;

namespace {
uint64_t next_table_x86(os::PageTable& pt, uint64_t entry_pa) {
    return pt.read_phys_u64(entry_pa) & PteFormat::kPfnMask;  // bits 51:12 of a non-leaf entry
}
uint64_t next_table_sv39(os::PageTable& pt, uint64_t entry_pa) {
    return (pt.read_phys_u64(entry_pa) >> 10) << 12;  // PPN in bits 53:10
}
}  // namespace

TEST_CASE("mmu: a cold walk reads the four x86-64 entries the kernel wrote", "[mmu]") {
    Machine m;
    const uint64_t va = m.map(K4);
    REQUIRE(va == 0x7ffff7ffe000);  // the first mmap: just below mmap_base (tests/models/os/mm_test.cpp)
    m.touch(va, true);

    Translation t = m.tr(va + 0x123);
    CHECK(t.fault == Fault::None);
    CHECK(t.source == Source::Walk);
    CHECK(t.page_size == PageSize::Size4K);
    CHECK(t.pa == m.kernel_pa(va + 0x123));

    // 0x7ffff7ffe000: VA[47:39] = 0xff, [38:30] = 0x1ff, [29:21] = 0x1bf, [20:12] = 0x1fe.
    const uint64_t pml4e = m.pt().root_pa() + 8 * 0xff;
    const uint64_t pdpte = next_table_x86(m.pt(), pml4e) + 8 * 0x1ff;
    const uint64_t pde = next_table_x86(m.pt(), pdpte) + 8 * 0x1bf;
    const uint64_t pte = next_table_x86(m.pt(), pde) + 8 * 0x1fe;
    CHECK(m.port.addrs() == std::vector<uint64_t>{pml4e, pdpte, pde, pte});
    CHECK(m.pt().read_phys_u64(pte) == m.pte(va));  // the walker read the kernel's own entry
    for (const Logged& l : m.port.log) CHECK(l.size == 8);
    CHECK(m.port.log.size() == 4);  // A and D were set by the write fault: no PteUpdate

    CHECK(m.stat("mmu.dtlb.accesses") == 1);
    CHECK(m.stat("mmu.dtlb.misses") == 1);
    CHECK(m.stat("mmu.stlb.misses") == 1);
    CHECK(m.stat("mmu.walks") == 1);
    CHECK(m.stat("mmu.walk_memory_accesses") == 4);
    CHECK(m.stat("mmu.pwc.pde.misses") == 1);
    CHECK(m.stat("mmu.pwc.pdpt.misses") == 1);
    CHECK(m.stat("mmu.pwc.pml4.misses") == 1);

    // Again: a DTLB hit, no memory access, no time.
    t = m.tr(va + 8, Kind::Write, 1000000);
    CHECK(t.source == Source::L1);
    CHECK(t.done_ps == 1000000);
    CHECK(t.pa == m.kernel_pa(va + 8));
    CHECK(m.port.log.size() == 4);
    CHECK(m.stat("mmu.dtlb.hits") == 1);
}

TEST_CASE("mmu: the walk caches skip the upper levels", "[mmu]") {
    Machine m;
    const uint64_t va = m.map(2 * K4);
    REQUIRE(va == 0x7ffff7ffd000);
    m.touch(va, true);
    m.touch(va + K4, true);
    m.tr(va);
    REQUIRE(m.port.log.size() == 4);
    const uint64_t pde = m.port.log[2].addr;
    const uint64_t pt = next_table_x86(m.pt(), pde);

    // The next page shares the PD entry (VA[47:21]): the PDE cache gives the PT, one read.
    Translation t = m.tr(va + K4);
    CHECK(t.pa == m.kernel_pa(va + K4));
    REQUIRE(m.port.log.size() == 5);
    CHECK(m.port.log[4].addr == pt + 8 * 0x1fe);  // 0x7ffff7ffe000: VA[20:12] = 0x1fe
    CHECK(m.stat("mmu.pwc.pde.hits") == 1);
    CHECK(m.stat("mmu.walk_memory_accesses") == 5);

    // 2 MiB lower: another PD entry (VA[29:21] = 0x1be) of the same PD: the PDPTE cache hits, two reads.
    const uint64_t far = m.map(K4, RW, FIXED, va - M2);
    m.touch(far, true);
    t = m.tr(far);
    CHECK(t.pa == m.kernel_pa(far));
    REQUIRE(m.port.log.size() == 7);
    const uint64_t pd = pde - 8 * 0x1bf;
    CHECK(m.port.log[5].addr == pd + 8 * 0x1be);
    CHECK(m.port.log[6].addr == next_table_x86(m.pt(), pd + 8 * 0x1be) + 8 * 0x1fd);
    CHECK(m.stat("mmu.pwc.pde.misses") == 2);
    CHECK(m.stat("mmu.pwc.pdpt.hits") == 1);
}

TEST_CASE("mmu: a 2 MiB THP is one TLB entry and its walk stops at the PD", "[mmu]") {
    Machine m({}, "always");
    const uint64_t va = m.map(M2, RW, FIXED, 0x40000000);  // 2 MiB aligned: a THP at the first write
    m.touch(va, true);
    os::PageTable::PmdRef pmd = m.pt().pmd(va, false);
    REQUIRE(pmd);
    REQUIRE(pmd.huge());
    const uint64_t base = m.pt().format().pfn(pmd.entry()) << 12;

    Translation t = m.tr(va + 0x10);
    CHECK(t.fault == Fault::None);
    CHECK(t.page_size == PageSize::Size2M);
    CHECK(t.pa == base + 0x10);
    // 0x40000000: VA[47:39] = 0, [38:30] = 1, [29:21] = 0; the PD entry has PS = 1: three reads.
    const uint64_t pml4e = m.pt().root_pa();
    const uint64_t pdpte = next_table_x86(m.pt(), pml4e) + 8 * 1;
    const uint64_t pde = next_table_x86(m.pt(), pdpte) + 0;
    CHECK(m.port.addrs() == std::vector<uint64_t>{pml4e, pdpte, pde});
    CHECK((m.pt().read_phys_u64(pde) & PteFormat::kPS) != 0);

    // Every other 4 KiB page of the 512 hits the same DTLB entry.
    for (uint64_t k : {1, 2, 255, 511}) {
        t = m.tr(va + k * K4 + 0x18);
        CHECK(t.source == Source::L1);
        CHECK(t.pa == base + k * K4 + 0x18);
    }
    CHECK(m.stat("mmu.walks") == 1);
    CHECK(m.stat("mmu.dtlb.hits") == 4);
    CHECK(m.mmu->dtlb().occupancy() == 1);
    CHECK(m.mmu->stlb().occupancy() == 1);
}

TEST_CASE("mmu: DTLB hits and LRU evictions in a 4-entry 2-way DTLB", "[mmu]") {
    // 2 sets; set = VPN mod 2. Pages at 0x10000000 + k * 4 KiB: VPN 0x10000 + k, set k mod 2.
    Machine m({"mmu.dtlb.entries_4k=4", "mmu.dtlb.assoc_4k=2", "mmu.dtlb.entries_2m=0", "mmu.dtlb.entries_1g=0",
               "mmu.stlb.enabled=false"});
    const uint64_t base = m.map(8 * K4, RW, FIXED, 0x10000000);
    for (unsigned k = 0; k < 8; ++k) m.touch(base + k * K4, true);
    struct Step {
        unsigned page;
        bool hit;
        const char* why;
    };
    const Step steps[] = {
        {0, false, "cold"},
        {2, false, "cold; set 0 = {0, 2}"},
        {0, true, "0 is now most recent"},
        {4, false, "evicts 2, the LRU way: set 0 = {0, 4}"},
        {2, false, "evicts 0: set 0 = {4, 2}"},
        {0, false, "evicts 4: set 0 = {2, 0}"},
        {1, false, "cold, set 1"},
        {2, true, "set 0 untouched by page 1"},
        {0, true, ""},
        {4, false, "evicts 2 (0 was used last)"},
        {0, true, ""},
        {1, true, "set 1 = {1}"},
    };
    unsigned walks = 0;
    for (const Step& s : steps) {
        INFO("page " << s.page << ": " << s.why);
        Translation t = m.tr(base + s.page * K4);
        CHECK(t.pa == m.kernel_pa(base + s.page * K4));
        CHECK((t.source == Source::L1) == s.hit);
        walks += !s.hit;
    }
    CHECK(m.stat("mmu.dtlb.hits") == 5);
    CHECK(m.stat("mmu.dtlb.misses") == 7);
    CHECK(m.stat("mmu.walks") == walks);
    CHECK(m.stat("mmu.stlb.accesses") == 0);  // disabled: misses walk straight away
}

TEST_CASE("mmu: not-present and protection faults and the retry after the kernel's handler", "[mmu]") {
    Machine m;
    SECTION("never touched, then the zero page, then copy-on-write") {
        const uint64_t va = m.map(K4);
        Translation t = m.tr(va);
        CHECK(t.fault == Fault::NotPresent);
        CHECK(t.source == Source::None);
        CHECK(m.stat("mmu.faults.not_present") == 1);
        m.touch(va, false);  // do_anonymous_page: the zero page, read-only
        t = m.tr(va);
        CHECK(t.fault == Fault::None);
        CHECK(t.pa == m.mm->zero_pfn() << 12);
        // A store through the read-only DTLB entry: #PF, and the entry is dropped (SDM 4.10.4.1).
        t = m.tr(va, Kind::Write);
        CHECK(t.fault == Fault::Protection);
        CHECK(m.stat("mmu.faults.protection") == 1);
        m.touch(va, true);  // do_wp_page -> wp_page_copy
        t = m.tr(va, Kind::Write);
        CHECK(t.fault == Fault::None);
        CHECK(t.source == Source::Walk);
        CHECK(t.pa == m.kernel_pa(va));
        CHECK(t.pa != m.mm->zero_pfn() << 12);
    }
    SECTION("PROT_READ: loads pass, stores fault") {
        const uint64_t va = m.map(K4, RO);
        m.touch(va, false);
        CHECK(m.tr(va).fault == Fault::None);
        CHECK(m.tr(va, Kind::Write).fault == Fault::Protection);
    }
    SECTION("an instruction fetch from a data page (NX) faults") {
        const uint64_t va = m.map(K4);
        m.touch(va, true);
        CHECK((m.pte(va) & PteFormat::kNX) != 0);
        CHECK(m.tr(va, Kind::Ifetch).fault == Fault::Protection);
        CHECK(m.stat("mmu.itlb.misses") == 1);
    }
    SECTION("a non-canonical address faults without a walk") {
        CHECK(m.tr(0x0000800000000000).fault == Fault::NotPresent);  // bit 47 set, 63:48 clear
        CHECK(m.port.log.empty());
    }
    SECTION("a supervisor-only leaf refuses user accesses") {
        const uint64_t va = m.map(K4);
        m.touch(va, true);
        *m.pt().pte(va) &= ~PteFormat::kUS;
        CHECK(m.tr(va).fault == Fault::Protection);
    }
}

TEST_CASE("mmu: the walker sets the accessed and dirty bits in the kernel's PTE", "[mmu]") {
    Machine m;
    const uint64_t va = m.map(K4);
    m.touch(va, true);
    REQUIRE(m.mm->madvise(va, K4, os::mman::kMadvFree) == 0);  // pte_mkclean + pte_mkold
    REQUIRE((m.pte(va) & (PteFormat::kA | PteFormat::kD)) == 0);

    Translation t = m.tr(va);
    CHECK(t.fault == Fault::None);
    REQUIRE(m.port.log.size() == 5);
    const uint64_t pte_pa = m.port.log[3].addr;
    CHECK(m.port.log[4].kind == Kind::PteUpdate);
    CHECK(m.port.log[4].addr == pte_pa);
    uint64_t e = m.pt().read_phys_u64(pte_pa);
    CHECK((e & PteFormat::kA) != 0);
    CHECK((e & PteFormat::kD) == 0);  // a load sets A only

    // A store through the clean DTLB entry walks again to set D (one read: the PDE cache hits).
    t = m.tr(va, Kind::Write);
    CHECK(t.fault == Fault::None);
    CHECK(t.source == Source::Walk);
    REQUIRE(m.port.log.size() == 7);
    CHECK(m.port.log[5].addr == pte_pa);
    CHECK(m.port.log[5].kind == Kind::PageWalk);
    CHECK(m.port.log[6].kind == Kind::PteUpdate);
    e = m.pt().read_phys_u64(pte_pa);
    CHECK((e & PteFormat::kD) != 0);
    CHECK(m.stat("mmu.ad_updates") == 2);
    CHECK(m.stat("mmu.walks") == 2);

    // Now the entry is dirty: stores hit.
    CHECK(m.tr(va, Kind::Write).source == Source::L1);
    CHECK(m.port.log.size() == 7);
}

TEST_CASE("mmu: flush_range after munmap makes the next translation walk and fault", "[mmu]") {
    Machine m;
    const uint64_t va = m.map(K4);
    m.touch(va, true);
    const uint64_t pa = m.tr(va).pa;
    REQUIRE(m.mm->munmap(va, K4) == 0);
    // Until the kernel flushes, the hardware still uses the stale translation.
    Translation t = m.tr(va);
    CHECK(t.source == Source::L1);
    CHECK(t.pa == pa);
    m.mmu->flush_range(1, va, va + K4);
    t = m.tr(va);
    CHECK(t.fault == Fault::NotPresent);
    CHECK(m.stat("mmu.walks") == 2);
    CHECK(m.stat("mmu.flushes") == 1);
}

TEST_CASE("mmu: flush_range drops only the pages of its range and flush_asid drops all", "[mmu]") {
    // The kernel chooses between the two (tlb_single_page_flush_ceiling: tests/models/os/tlb_shootdown_test.cpp).
    Machine m;
    const uint64_t a = m.map(K4), b = m.map(K4, RW, FIXED, 0x10000000);
    m.touch(a, true);
    m.touch(b, true);
    m.tr(a);
    m.tr(b);
    m.mmu->flush_range(1, 0x20000000, 0x20000000 + 34 * K4);  // 34 pages elsewhere: INVLPG each
    CHECK(m.tr(a).source == Source::L1);
    CHECK(m.tr(b).source == Source::L1);
    m.mmu->flush_asid(1);  // flush_tlb_local of the ASID
    CHECK(m.tr(a).source == Source::Walk);
    CHECK(m.tr(b).source == Source::Walk);
}

TEST_CASE("mmu: ASIDs keep two address spaces apart and a global entry matches any ASID", "[mmu]") {
    Machine m;
    stats::Registry reg2;
    os::AddressSpace mm2(m.params, m.frames, reg2);
    const uint64_t va = m.map(K4);
    REQUIRE(mm2.mmap(0, K4, RW, ANON) == int64_t(va));  // the same layout: the same address
    m.touch(va, true);
    REQUIRE(mm2.access(va, 1, true).status == os::AccessStatus::Faulted);
    const uint64_t pa1 = m.kernel_pa(va);
    const uint64_t pa2 = mm2.page_table().format().pfn(*mm2.page_table().pte(va)) << 12;
    REQUIRE(pa1 != pa2);

    SECTION("PCIDs: no flush on a switch, each ASID finds its own entry") {
        m.mmu->set_context(&m.pt(), 1);
        CHECK(m.tr(va).pa == pa1);
        m.mmu->set_context(&mm2.page_table(), 2);
        Translation t = m.tr(va);
        CHECK(t.source == Source::Walk);
        CHECK(t.pa == pa2);
        m.mmu->set_context(&m.pt(), 1);
        t = m.tr(va);
        CHECK(t.source == Source::L1);
        CHECK(t.pa == pa1);
        m.mmu->flush_asid(1);  // ASID 2's entry stays
        m.mmu->set_context(&mm2.page_table(), 2);
        CHECK(m.tr(va).source == Source::L1);
    }
    SECTION("a global entry matches any ASID until a flush that includes global entries") {
        *m.pt().pte(va) |= PteFormat::kG;
        m.mmu->set_context(&m.pt(), 1);
        CHECK(m.tr(va).pa == pa1);
        m.mmu->set_context(&mm2.page_table(), 2);
        Translation t = m.tr(va);
        CHECK(t.source == Source::L1);
        CHECK(t.pa == pa1);  // what the hardware does with a global kernel mapping
        m.mmu->flush_asid(2);  // INVPCID single-context spares global entries
        CHECK(m.tr(va).pa == pa1);
        m.mmu->flush_all();
        t = m.tr(va);
        CHECK(t.source == Source::Walk);
        CHECK(t.pa == pa2);
    }
}

TEST_CASE("mmu: without ASIDs a context switch flushes the non-global entries", "[mmu]") {
    Machine m({"mmu.asid_bits=0"});
    stats::Registry reg2;
    os::AddressSpace mm2(m.params, m.frames, reg2);
    const uint64_t va = m.map(K4);
    REQUIRE(mm2.mmap(0, K4, RW, ANON) == int64_t(va));
    m.touch(va, true);
    mm2.access(va, 1, true);
    CHECK(m.tr(va).source == Source::Walk);
    CHECK(m.tr(va).source == Source::L1);
    m.mmu->set_context(&mm2.page_table(), 2);  // MOV to CR3 without PCID
    CHECK(m.tr(va).source == Source::Walk);
    m.mmu->set_context(&m.pt(), 1);
    CHECK(m.tr(va).source == Source::Walk);
    CHECK(m.stat("mmu.flushes") == 2);
}

TEST_CASE("mmu: Sv39 walks three levels and CVA6 faults on clear A or D", "[mmu]") {
    Machine m({"mmu.hardware_ad=false"}, "never", "sv39");
    const uint64_t va = m.map(K4, RW, FIXED, 0x12345000);
    m.touch(va, true);
    Translation t = m.tr(va + 0x40);
    CHECK(t.fault == Fault::None);
    CHECK(t.pa == m.kernel_pa(va + 0x40));
    // 0x12345000: VPN[2] = VA[38:30] = 0, VPN[1] = VA[29:21] = 145, VPN[0] = VA[20:12] = 325.
    const uint64_t l2 = m.pt().root_pa() + 8 * 0;
    const uint64_t l1 = next_table_sv39(m.pt(), l2) + 8 * 145;
    const uint64_t l0 = next_table_sv39(m.pt(), l1) + 8 * 325;
    CHECK(m.port.addrs() == std::vector<uint64_t>{l2, l1, l0});
    CHECK(m.stat("mmu.pwc.pml4.misses") == 0);  // Sv39 has no level above the root's

    // MADV_FREE clears A and D; CVA6's ptw.sv raises a page fault instead of setting them.
    REQUIRE(m.mm->madvise(va, K4, os::mman::kMadvFree) == 0);
    m.mmu->flush_range(1, va, va + K4);
    t = m.tr(va);
    CHECK(t.fault == Fault::AccessDirty);
    CHECK(m.stat("mmu.faults.access_dirty") == 1);
    CHECK(m.port.addrs(Kind::PteUpdate).empty());
    m.touch(va, false);  // the kernel's handler: pte_mkyoung
    CHECK(m.tr(va).fault == Fault::None);
    // A store through the clean entry: store page fault (mmu.sv checks the TLB entry's D bit).
    CHECK(m.tr(va, Kind::Write).fault == Fault::AccessDirty);
    m.touch(va, true);  // pte_mkdirty
    t = m.tr(va, Kind::Write);
    CHECK(t.fault == Fault::None);
    CHECK(t.pa == m.kernel_pa(va));
    CHECK((m.pte(va) & (PteFormat::kAc | PteFormat::kDi)) == (PteFormat::kAc | PteFormat::kDi));
}

TEST_CASE("mmu: a 1 GiB leaf (PS in a PDPT entry) stops the walk at level 2", "[mmu]") {
    // The kernel model maps no 1 GiB pages (Linux gives anonymous memory none either: only hugetlbfs
    // and DAX do); the entry is written by hand as such a mapping would be.
    Machine m;
    const uint64_t va = m.map(K4, RW, FIXED, 0x40000000);
    m.touch(va, true);  // allocates the PDPT under PML4 entry 0
    const uint64_t pdpte = next_table_x86(m.pt(), m.pt().root_pa()) + 8 * 1;  // VA[38:30] = 1
    const uint64_t frame = 0x80000000;  // 1 GiB aligned
    const uint64_t saved = m.pt().read_phys_u64(pdpte);
    REQUIRE(m.pt().write_phys_u64(pdpte, frame | PteFormat::kP | PteFormat::kRW | PteFormat::kUS | PteFormat::kA |
                                             PteFormat::kD | PteFormat::kPS));
    Translation t = m.tr(va + 0x3456789);
    CHECK(t.fault == Fault::None);
    CHECK(t.page_size == PageSize::Size1G);
    CHECK(t.pa == frame + 0x3456789);
    CHECK(m.port.log.size() == 2);  // PML4E, PDPTE
    CHECK(m.tr(va + 0x3fffffff).source == Source::L1);  // Skylake's DTLB holds 1 GiB entries
    REQUIRE(m.pt().write_phys_u64(pdpte, saved));  // the table below is the kernel's to free
}

TEST_CASE("mmu: Sv39 megapages stop the walk at level 1", "[mmu]") {
    Machine m({}, "always", "sv39");
    const uint64_t va = m.map(M2, RW, FIXED, 0x40000000);
    m.touch(va, true);
    os::PageTable::PmdRef pmd = m.pt().pmd(va, false);
    REQUIRE(pmd.huge());
    Translation t = m.tr(va + 0x1abcde);
    CHECK(t.page_size == PageSize::Size2M);
    CHECK(t.pa == (m.pt().format().pfn(pmd.entry()) << 12) + 0x1abcde);
    // 0x40000000: VPN[2] = 1, VPN[1] = 0; the level-1 entry has R/W set: a leaf, two reads.
    const uint64_t l2 = m.pt().root_pa() + 8 * 1;
    CHECK(m.port.addrs() == std::vector<uint64_t>{l2, next_table_sv39(m.pt(), l2)});
}

TEST_CASE("mmu: fetches use the ITLB and loads the DTLB and both share the STLB", "[mmu]") {
    Machine m;
    const uint64_t va = m.map(K4, os::mman::kProtRead | os::mman::kProtExec);
    m.touch(va, false);
    CHECK((m.pte(va) & PteFormat::kNX) == 0);
    Translation t = m.tr(va, Kind::Ifetch);
    CHECK(t.source == Source::Walk);
    CHECK(m.tr(va + 4, Kind::Ifetch).source == Source::L1);
    CHECK(m.stat("mmu.itlb.hits") == 1);
    CHECK(m.stat("mmu.dtlb.accesses") == 0);
    t = m.tr(va + 8, Kind::Read);
    CHECK(t.source == Source::Stlb);  // the walk for the fetch filled the STLB
    CHECK(t.pa == m.kernel_pa(va + 8));
    CHECK(m.stat("mmu.walks") == 1);
}
