#include "models/os/pagetable.h"

#include <cstring>

namespace memsim::os {

// ---- entry formats ----

uint64_t PteFormat::table(pfn_t pfn) const {
    if (paging_ == Paging::X86_64) return (pfn << kPageShift) | kP | kRW | kUS | kA | kD;  // _PAGE_TABLE
    return (pfn << kPpnShift) | kV;  // a pointer to the next level: V with R=W=X=0
}

uint64_t PteFormat::leaf(pfn_t pfn, const LeafAttrs& a, bool huge) const {
    if (paging_ == Paging::X86_64) {
        // vm_page_prot of a private mapping: PAGE_COPY / PAGE_READONLY (P|US|A, NX unless exec),
        // PAGE_NONE (A|PROTNONE) for PROT_NONE; the fault adds RW, D and soft-dirty.
        uint64_t e = (pfn << kPageShift) | kA;
        e |= a.none ? kProtNone : (kP | kUS);
        if (!a.exec) e |= kNX;
        if (a.write) e |= kRW;
        if (a.dirty) e |= kD | kSoftDirty;
        if (a.special) e |= kSpecial;
        if (huge) e |= kPS;
        return e;
    }
    // RISC-V 6.1: PAGE_READ = _PAGE_BASE | _PAGE_READ, _PAGE_BASE = V|A|U; PAGE_NONE = _PAGE_PROT_NONE
    // (_PAGE_READ without V). A megapage is a leaf at level 1; the entry format is the same.
    (void)huge;
    uint64_t e = (pfn << kPpnShift) | kR;
    if (!a.none) e |= kV | kAc | kU;
    if (a.write) e |= kW;
    if (a.exec) e |= kX;
    if (a.dirty) e |= kDi;
    if (a.special) e |= kSoft;
    return e;
}

pfn_t PteFormat::pfn(uint64_t e) const {
    if (paging_ == Paging::X86_64) return (e & kPfnMask) >> kPageShift;
    return (e & kPpnMask) >> kPpnShift;
}
bool PteFormat::writable(uint64_t e) const { return paging_ == Paging::X86_64 ? (e & kRW) : (e & kW); }
bool PteFormat::dirty(uint64_t e) const { return paging_ == Paging::X86_64 ? (e & kD) : (e & kDi); }
bool PteFormat::special(uint64_t e) const { return paging_ == Paging::X86_64 ? (e & kSpecial) : (e & kSoft); }
uint64_t PteFormat::clean(uint64_t e) const {
    return paging_ == Paging::X86_64 ? (e & ~(kD | kA)) : (e & ~(kDi | kAc));
}

uint64_t PteFormat::touch(uint64_t e, bool write) const {
    if (paging_ == Paging::X86_64) return e | kA | (write ? kD : 0);
    return e | kAc | (write ? kDi : 0);
}

// ---- tables ----

PageTable::PageTable(Paging p, FrameSource& frames, unsigned cpu) : fmt_(p), frames_(frames), cpu_(cpu) {
    root_ = alloc_table();  // pgd_alloc
}

PageTable::~PageTable() {
    if (root_) free_subtree(root_, levels() - 1);
}

PtPage* PageTable::alloc_table() {
    // pte_alloc_one / pmd_alloc_one / ...: GFP_PGTABLE_USER, zeroed.
    pfn_t pfn = frames_.alloc_pages(0, Gfp{ZoneType::Normal, MigrateType::Unmovable, true}, cpu_,
                                    PageOwner::PageTable);
    if (pfn == kNoPage) return nullptr;
    std::unique_ptr<PtPage> t;
    if (!pool_.empty()) {
        t = std::move(pool_.back());
        pool_.pop_back();
    } else {
        t = std::make_unique<PtPage>();
    }
    std::memset(t->e, 0, sizeof t->e);
    std::memset(t->child, 0, sizeof t->child);
    std::memset(t->huge, 0, sizeof t->huge);
    t->pfn = pfn;
    t->used = 0;
    ++tables_;
    PtPage* raw = t.release();
    by_pfn_[pfn] = raw;
    return raw;
}

void PageTable::free_table(PtPage* t) {
    by_pfn_.erase(t->pfn);
    frames_.free_pages(t->pfn, 0, cpu_);
    --tables_;
    pool_.emplace_back(t);
}

void PageTable::free_subtree(PtPage* t, unsigned level) {
    if (level > 0)
        for (unsigned i = 0; i < kPtrsPerTable; ++i)
            if (t->child[i]) free_subtree(t->child[i], t->is_huge(i) ? 0 : level - 1);
    free_table(t);
}

uint64_t PageTable::read_phys_u64(uint64_t pa) const {
    if (pa & 7) {
        uint64_t lo = read_phys_u64(pa & ~7ull), hi = read_phys_u64((pa & ~7ull) + 8);
        unsigned sh = unsigned(pa & 7) * 8;
        return (lo >> sh) | (hi << (64 - sh));
    }
    auto it = by_pfn_.find(pa >> kPageShift);
    if (it == by_pfn_.end()) return 0;
    return it->second->e[(pa & (kPageSize - 1)) / 8];
}

bool PageTable::write_phys_u64(uint64_t pa, uint64_t v) {
    if (pa & 7) return false;
    auto it = by_pfn_.find(pa >> kPageShift);
    if (it == by_pfn_.end()) return false;
    PtPage* t = it->second;
    uint64_t& e = t->e[(pa & (kPageSize - 1)) / 8];
    if (!e && v) ++t->used;
    if (e && !v) --t->used;
    e = v;
    return true;
}

PageTable::PmdRef PageTable::pmd(uint64_t va, bool alloc) {
    PtPage* t = root_;
    if (!t) return {};
    for (unsigned level = levels() - 1; level > 1; --level) {
        unsigned i = index(va, level);
        if (!t->child[i]) {
            if (!alloc) return {};
            PtPage* c = alloc_table();
            if (!c) return {};
            t->child[i] = c;
            t->e[i] = fmt_.table(c->pfn);
            ++t->used;
        }
        t = t->child[i];
    }
    return {t, index(va, 1)};
}

PtPage* PageTable::pte_alloc(const PmdRef& pmd) {
    if (PtPage* pt = pmd.pt()) return pt;
    PtPage* c = alloc_table();
    if (!c) return nullptr;
    pmd.t->child[pmd.i] = c;
    pmd.t->e[pmd.i] = fmt_.table(c->pfn);
    ++pmd.t->used;
    return c;
}

uint64_t* PageTable::pte(uint64_t va) {
    PmdRef p = pmd(va, false);
    if (!p || p.none() || p.huge()) return nullptr;
    return &p.t->child[p.i]->e[index(va, 0)];
}

void PageTable::set_huge(const PmdRef& pmd, uint64_t entry, PtPage* deposit) {
    pmd.t->e[pmd.i] = entry;
    pmd.t->child[pmd.i] = deposit;
    pmd.t->huge[pmd.i >> 6] |= 1ull << (pmd.i & 63);
    ++pmd.t->used;
}

void PageTable::clear_huge(const PmdRef& pmd) {
    if (PtPage* dep = pmd.t->child[pmd.i]) free_table(dep);  // pgtable_trans_huge_withdraw + pte_free
    pmd.t->child[pmd.i] = nullptr;
    pmd.t->e[pmd.i] = 0;
    pmd.t->huge[pmd.i >> 6] &= ~(1ull << (pmd.i & 63));
    --pmd.t->used;
}

void PageTable::move_pt(const PmdRef& src, const PmdRef& dst) {
    dst.t->child[dst.i] = src.t->child[src.i];
    dst.t->e[dst.i] = src.t->e[src.i];
    if (src.huge()) {  // move_huge_pmd: the leaf and its deposited table
        dst.t->huge[dst.i >> 6] |= 1ull << (dst.i & 63);
        src.t->huge[src.i >> 6] &= ~(1ull << (src.i & 63));
    }
    ++dst.t->used;
    src.t->child[src.i] = nullptr;
    src.t->e[src.i] = 0;
    --src.t->used;
}

void PageTable::free_range(uint64_t addr, uint64_t end, uint64_t floor, uint64_t ceiling) {
    if (root_ && addr < end) free_level(root_, levels() - 1, 0, addr, end, floor, ceiling);
}

// Frees the children of T (at LEVEL, spanning from BASE) under [ADDR, END) whose span lies in
// [FLOOR, CEILING). free_pgd_range's rounding of floor and ceiling to each level's span comes to
// exactly that rule. Returns nothing; the caller decides about T itself.
bool PageTable::free_level(PtPage* t, unsigned level, uint64_t base, uint64_t addr, uint64_t end, uint64_t floor,
                           uint64_t ceiling) {
    uint64_t step = span(level - 1);
    unsigned first = addr > base ? unsigned((addr - base) / step) : 0;
    for (unsigned i = first; i < kPtrsPerTable; ++i) {
        uint64_t cb = base + uint64_t(i) * step;
        if (cb >= end) break;
        PtPage* c = t->child[i];
        if (!c || t->is_huge(i)) continue;
        if (level - 1 > 0) free_level(c, level - 1, cb, addr, end, floor, ceiling);
        bool inside = cb >= floor && (ceiling == 0 || cb + step <= ceiling);
        if (inside) {
            free_subtree(c, level - 1);
            t->child[i] = nullptr;
            t->e[i] = 0;
            --t->used;
        }
    }
    return true;
}

}  // namespace memsim::os
