#pragma once
// A process's page tables as the hardware sees them: table frames from the frame source (owner
// PageTable), 512 eight-byte entries each, holding real entry values at real physical addresses,
// so that a page-table walker can read any entry with read_phys_u64.
//
// Two formats share the code: x86-64 4-level paging (PML4 -> PDPT -> PD -> PT, Intel SDM vol. 3
// 4.5) and RISC-V Sv39 (3 levels, privileged spec 4.4). Levels are numbered from the leaf:
// level 0 is the PT (4 KiB leaves), level 1 the PD / Sv39 megapage level (2 MiB leaves, what Linux
// calls the PMD), the root is level levels()-1. Linux names: pgd = root, pud, pmd, pte.
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "models/os/frame_source.h"

namespace memsim::os {

enum class Paging : uint8_t { X86_64, Sv39 };

constexpr unsigned kPtrsPerTable = 512;
constexpr uint64_t kPmdShift = 21;
constexpr uint64_t kPmdSize = uint64_t(1) << kPmdShift;  // HPAGE_PMD_SIZE
constexpr unsigned kHugeOrder = 9;                        // HPAGE_PMD_ORDER

// What the kernel puts in a leaf: vm_page_prot of the VMA plus what the fault adds.
struct LeafAttrs {
    bool write = false;    // pte_mkwrite
    bool exec = false;     // no NX / X set
    bool dirty = false;    // pte_mkdirty (x86 also sets _PAGE_SOFT_DIRTY)
    bool special = false;  // pte_mkspecial: the zero page
    bool none = false;     // PROT_NONE (x86 PAGE_NONE: present bit clear, _PAGE_PROTNONE set)
};

// Entry encodings (Linux 6.1 arch/x86/include/asm/pgtable_types.h; RISC-V: pgtable-bits.h).
class PteFormat {
public:
    explicit PteFormat(Paging p) : paging_(p) {}
    Paging paging() const { return paging_; }
    unsigned levels() const { return paging_ == Paging::X86_64 ? 4 : 3; }
    unsigned va_bits() const { return paging_ == Paging::X86_64 ? 48 : 39; }
    // An entry pointing at a next-level table (x86 _PAGE_TABLE = P|RW|US|A|D = 0x67; RISC-V: V only).
    uint64_t table(pfn_t pfn) const;
    // A leaf at level 0 (HUGE false) or level 1 (HUGE true: x86 sets PS; RISC-V leaves are leaves by R/W/X).
    uint64_t leaf(pfn_t pfn, const LeafAttrs& a, bool huge) const;
    pfn_t pfn(uint64_t e) const;
    bool writable(uint64_t e) const;
    bool dirty(uint64_t e) const;
    bool special(uint64_t e) const;
    // pte_mkclean + pte_mkold (MADV_FREE)
    uint64_t clean(uint64_t e) const;
    // What the MMU does to a present entry it uses: sets A, and D on a write.
    uint64_t touch(uint64_t e, bool write) const;

    // Decoding, as a page-table walker reads an entry (Intel SDM vol. 3 4.5 tables 4-14..4-20;
    // RISC-V privileged spec 4.3.2 and 4.4.1).
    bool present(uint64_t e) const { return paging_ == Paging::X86_64 ? (e & kP) : (e & kV); }
    // A present entry at LEVEL maps a page (x86: every PT entry, PS=1 in a PD or PDPT entry;
    // RISC-V: R, W or X set) rather than pointing at the next table.
    bool is_leaf(uint64_t e, unsigned level) const {
        if (paging_ == Paging::X86_64) return level == 0 || ((level == 1 || level == 2) && (e & kPS));
        return e & (kR | kW | kX);
    }
    bool accessed(uint64_t e) const { return paging_ == Paging::X86_64 ? (e & kA) : (e & kAc); }
    bool user(uint64_t e) const { return paging_ == Paging::X86_64 ? (e & kUS) : (e & kU); }
    // Instruction fetches allowed (x86: NX clear; RISC-V: X set).
    bool executable(uint64_t e) const { return paging_ == Paging::X86_64 ? !(e & kNX) : (e & kX); }
    // Loads allowed (x86: any present entry; RISC-V: R set).
    bool readable(uint64_t e) const { return paging_ == Paging::X86_64 ? (e & kP) : (e & kR); }
    bool global(uint64_t e) const { return paging_ == Paging::X86_64 ? (e & kG) : (e & kGl); }
    // Physical address of the next table (non-leaf) or of the first byte of the page (leaf).
    uint64_t address(uint64_t e) const { return pfn(e) << kPageShift; }

    // x86-64 bits
    static constexpr uint64_t kP = 1ull << 0, kRW = 1ull << 1, kUS = 1ull << 2, kA = 1ull << 5,
                              kD = 1ull << 6, kPS = 1ull << 7, kG = 1ull << 8,
                              kSpecial = 1ull << 9,     // _PAGE_BIT_SOFTW1
                              kSoftDirty = 1ull << 11,  // _PAGE_BIT_SOFTW3
                              kNX = 1ull << 63, kPfnMask = 0x000ffffffffff000ull;
    static constexpr uint64_t kProtNone = kG;  // _PAGE_BIT_PROTNONE = _PAGE_BIT_GLOBAL
    // RISC-V bits
    static constexpr uint64_t kV = 1ull << 0, kR = 1ull << 1, kW = 1ull << 2, kX = 1ull << 3,
                              kU = 1ull << 4, kGl = 1ull << 5, kAc = 1ull << 6, kDi = 1ull << 7,
                              kSoft = 1ull << 8,  // _PAGE_SPECIAL = _PAGE_SOFT (RSW bit 8)
                              kPpnShift = 10, kPpnMask = ((1ull << 44) - 1) << 10;

private:
    Paging paging_;
};

// One table frame. `child` holds the next-level table behind each table entry, or the page table
// deposited for a huge leaf (pgtable_trans_huge_deposit); `huge` marks the level-1 huge leaves.
struct PtPage {
    uint64_t e[kPtrsPerTable];
    PtPage* child[kPtrsPerTable];
    uint64_t huge[kPtrsPerTable / 64];
    pfn_t pfn;
    unsigned used;  // non-zero entries
    bool is_huge(unsigned i) const { return (huge[i >> 6] >> (i & 63)) & 1; }
};

class PageTable {
public:
    PageTable(Paging p, FrameSource& frames, unsigned cpu = 0);
    ~PageTable();
    PageTable(const PageTable&) = delete;
    PageTable& operator=(const PageTable&) = delete;

    const PteFormat& format() const { return fmt_; }
    unsigned levels() const { return fmt_.levels(); }
    bool valid() const { return root_ != nullptr; }  // false when the root frame could not be had
    uint64_t root_pa() const { return root_ ? root_->pfn << kPageShift : 0; }  // CR3 / satp.PPN << 12
    // The eight bytes at physical address PA if it lies in a table frame, else 0 (user pages hold no
    // modelled data). PA need not be aligned.
    uint64_t read_phys_u64(uint64_t pa) const;
    // Stores V at the 8-byte-aligned physical address PA if it lies in a table frame (false
    // otherwise): the page-table walker's locked write of the accessed/dirty bits. It changes an
    // entry's value only, not which slots hold tables or huge leaves.
    bool write_phys_u64(uint64_t pa, uint64_t v);
    uint64_t table_pages() const { return tables_; }  // every table frame, root and deposited ones included

    // The level-1 slot (PMD) covering VA. With ALLOC, missing upper tables are allocated first
    // (p4d/pud/pmd_alloc); a null table means they are missing (or could not be allocated).
    struct PmdRef {
        PtPage* t = nullptr;
        unsigned i = 0;
        explicit operator bool() const { return t != nullptr; }
        uint64_t& entry() const { return t->e[i]; }
        bool none() const { return t->e[i] == 0; }
        bool huge() const { return t->is_huge(i); }
        PtPage* pt() const { return huge() ? nullptr : t->child[i]; }
    };
    PmdRef pmd(uint64_t va, bool alloc);
    // The PT under PMD, allocated when missing (__pte_alloc); nullptr when no frame.
    PtPage* pte_alloc(const PmdRef& pmd);
    // The level-0 slot of VA if its PT exists (and no huge leaf covers it), else nullptr.
    uint64_t* pte(uint64_t va);

    // Installs a huge leaf in an empty PMD slot with DEPOSIT (an empty table frame from
    // alloc_table()) kept for a later split.
    void set_huge(const PmdRef& pmd, uint64_t entry, PtPage* deposit);
    // Replaces a huge leaf by its deposited table filled with SUB(k) for k = 0..511
    // (__split_huge_pmd_locked).
    template <class F>
    void split_huge(const PmdRef& pmd, F&& sub) {
        PtPage* pt = pmd.t->child[pmd.i];
        for (unsigned k = 0; k < kPtrsPerTable; ++k) pt->e[k] = sub(k);
        pt->used = kPtrsPerTable;
        pmd.t->huge[pmd.i >> 6] &= ~(1ull << (pmd.i & 63));
        pmd.t->e[pmd.i] = fmt_.table(pt->pfn);
    }
    // Clears a huge leaf and frees its deposited table (zap_huge_pmd).
    void clear_huge(const PmdRef& pmd);
    // Clears a level-0 entry of PT.
    void clear_pte(PtPage* pt, unsigned i) {
        if (pt->e[i]) --pt->used;
        pt->e[i] = 0;
    }
    void set_pte(PtPage* pt, unsigned i, uint64_t v) {
        if (!pt->e[i]) ++pt->used;
        pt->e[i] = v;
    }

    PtPage* alloc_table();  // a zeroed table frame (pte_alloc_one), or nullptr
    void free_table(PtPage* t);

    // free_pgd_range (mm/memory.c): frees the tables under [ADDR, END) whose whole span lies in
    // [FLOOR, CEILING) (CEILING 0: the top of the address space). Their leaves must be gone.
    void free_range(uint64_t addr, uint64_t end, uint64_t floor, uint64_t ceiling);

    // Visits the populated leaves in [START, END): F(va, level, PtPage* table, unsigned index).
    // Level 1 is a huge leaf (visited when it intersects the range). F may clear the entry.
    template <class F>
    void for_each_leaf(uint64_t start, uint64_t end, F&& f) {
        if (root_ && start < end) walk(root_, levels() - 1, 0, start, end, f);
    }

    // Moves the PT (move_normal_pmd) or huge leaf (move_huge_pmd) of SRC's PMD slot to DST's empty one.
    void move_pt(const PmdRef& src, const PmdRef& dst);

private:
    PteFormat fmt_;
    FrameSource& frames_;
    unsigned cpu_;
    PtPage* root_ = nullptr;
    uint64_t tables_ = 0;
    std::unordered_map<pfn_t, PtPage*> by_pfn_;  // one insert per table frame, never per page
    std::vector<std::unique_ptr<PtPage>> pool_;   // recycled PtPage records

    static uint64_t span(unsigned level) { return uint64_t(1) << (kPageShift + 9 * (level + 1)); }
    static unsigned index(uint64_t va, unsigned level) { return (va >> (kPageShift + 9 * level)) & 511; }
    void free_subtree(PtPage* t, unsigned level);
    bool free_level(PtPage* t, unsigned level, uint64_t base, uint64_t addr, uint64_t end, uint64_t floor,
                    uint64_t ceiling);

    template <class F>
    void walk(PtPage* t, unsigned level, uint64_t base, uint64_t start, uint64_t end, F& f) {
        uint64_t step = level == 0 ? kPageSize : span(level - 1);
        unsigned first = start > base ? unsigned((start - base) / step) : 0;
        for (unsigned i = first; i < kPtrsPerTable; ++i) {
            uint64_t va = base + uint64_t(i) * step;
            if (va >= end) break;
            if (!t->e[i]) continue;
            if (level == 0 || (level == 1 && t->is_huge(i))) {
                f(va, level, t, i);
            } else if (t->child[i]) {
                walk(t->child[i], level - 1, va, start, end, f);
            }
        }
    }
};

}  // namespace memsim::os
