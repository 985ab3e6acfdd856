// Demand paging of anonymous memory (Linux 6.1 mm/memory.c handle_mm_fault -> do_anonymous_page /
// do_wp_page, mm/huge_memory.c do_huge_pmd_anonymous_page), the x86 fault entry's checks
// (arch/x86/mm/fault.c do_user_addr_fault: find_vma, expand_stack, access_error), and the teardown
// of mappings (zap_page_range, change_protection, move_page_tables).
#include <algorithm>

#include "models/os/mm.h"

namespace memsim::os {

namespace {
constexpr uint64_t kPageMask = ~(kPageSize - 1);
constexpr uint64_t kHugeMask = ~(kPmdSize - 1);
unsigned pte_index(uint64_t va) { return (va >> kPageShift) & 511; }
}  // namespace

LeafAttrs AddressSpace::leaf_attrs(const Vma& v) const {
    LeafAttrs a;
    a.exec = v.flags & vm::kExec;
    a.none = !v.accessible();
    return a;
}

// hugepage_vma_check(in_pf, enforce_sysfs) + transhuge_vma_suitable.
bool AddressSpace::thp_allowed(const Vma& v, uint64_t addr) const {
    if (thp_ == ThpMode::Never || thp_disabled_ || (v.flags & vm::kNoHugePage)) return false;
    if (thp_ == ThpMode::Madvise && !(v.flags & vm::kHugePage)) return false;
    if (v.kind != VmaKind::Anon) return false;
    uint64_t haddr = addr & kHugeMask;
    return haddr >= v.start && haddr + kPmdSize <= v.end;
}

// expand_downwards: the stack VMA grows to cover ADDR, within RLIMIT_STACK and keeping
// stack_guard_gap above the VMA below.
Vma* AddressSpace::expand_stack(Vma* v, uint64_t addr) {
    uint64_t ns = addr & kPageMask;
    if (v->end - ns > p_.stack_rlimit || ns < 65536) return nullptr;
    if (Vma* prev = vmas_.prev(*v); prev && !(prev->flags & vm::kGrowsDown) && prev->accessible() &&
                                    ns - prev->end < stack_guard_gap_)
        return nullptr;
    Vma grown = *v;
    uint64_t pages = (v->start - ns) >> kPageShift;
    grown.start = ns;
    grown.pgoff -= pages;
    vmas_.erase(*v);
    vm_stat_account(int64_t(pages));
    return &vmas_.insert(grown);
}

// os.unmapped_access = map: the page becomes rwx memory (VmaKind::Raw), merged with such neighbours.
Vma* AddressSpace::map_on_access(uint64_t addr) {
    uint64_t a = addr & kPageMask;
    if (a < 65536 || a >= layout_.task_size) return nullptr;
    Vma v{a, a + kPageSize,
          vm::kRead | vm::kWrite | vm::kExec | vm::kMayRead | vm::kMayWrite | vm::kMayExec | vm::kAccount |
              vm::kSoftDirty,
          a >> kPageShift, 0, VmaKind::Raw};
    Vma& m = add_vma(v, true);
    return &m;
}

AccessResult AddressSpace::access(uint64_t vaddr, uint64_t size, bool write, bool exec) {
    AccessResult res;
    uint64_t first = vaddr & kPageMask;
    uint64_t last = (vaddr + (size ? size - 1 : 0)) & kPageMask;
    if (last < first) last = first;  // wraps: the first page only
    // Instruction fetches always take the walk: the NX check lives there.
    const bool one_page = first == last && !exec;
    uint64_t& hot = hot_pages_[(first >> kPageShift) % kHotPages];
    if (one_page && (hot & ~uint64_t(1)) == first && ((hot & 1) || !write)) return res;
    for (uint64_t a = first;; a += kPageSize) {
        AccessResult r = fault_page(a == first ? vaddr : a, write, exec);
        if (r.minor_faults) {
            if (res.kind == FaultKind::None) {
                res.kind = r.kind;
                res.copied_from = r.copied_from;
            }
            res.minor_faults += r.minor_faults;
        }
        if (r.status == AccessStatus::Segv || r.status == AccessStatus::Oom) {
            res.status = r.status;
            res.segv = r.segv;
            res.fault_addr = r.fault_addr;
            break;
        }
        if (a == last) break;
    }
    if (res.status == AccessStatus::Ok && res.minor_faults) res.status = AccessStatus::Faulted;
    if (one_page && res.status != AccessStatus::Segv && res.status != AccessStatus::Oom) hot = first | uint64_t(write);
    tlb_finish();
    sync_stats();
    return res;
}

AccessResult AddressSpace::fault_page(uint64_t addr, bool write, bool exec) {
    AccessResult r;
    auto segv = [&](SegvCode code) {
        r.status = AccessStatus::Segv;
        r.segv = code;
        r.fault_addr = addr;
        ++c_.segv;
        ++stats_.segv;
        return r;
    };
    auto oom = [&]() {
        r.status = AccessStatus::Oom;
        r.fault_addr = addr;
        ++c_.oom;
        ++stats_.oom;
        return r;
    };
    const bool sv39 = pt_.format().paging() == Paging::Sv39;
    Vma* v = vmas_.lookup(addr);
    if (!v) {
        Vma* n = vmas_.find(addr);
        if (n && (n->flags & vm::kGrowsDown)) v = expand_stack(n, addr);
        if (!v && unmapped_map_) v = map_on_access(addr);
        if (!v) return segv(SegvCode::MapErr);
    }
    // access_error: a write needs VM_WRITE, a read any access right. x86 has no execute check here
    // (an NX page faults again with PF_PROT); RISC-V checks VM_EXEC on instruction page faults.
    if (write ? !(v->flags & vm::kWrite) : !v->accessible()) return segv(SegvCode::AccErr);
    if (exec && sv39 && !(v->flags & vm::kExec)) return segv(SegvCode::AccErr);

    const PteFormat& f = pt_.format();
    PageTable::PmdRef pmd = pt_.pmd(addr, true);  // p4d/pud/pmd_alloc
    if (!pmd) return oom();
    FaultKind kind = FaultKind::None;
    if (pmd.none() && thp_allowed(*v, addr)) {
        bool no_mem = false;
        kind = huge_fault(*v, pmd, addr, write, no_mem);
        if (no_mem) return oom();
    }
    if (kind == FaultKind::None && pmd.huge()) {
        uint64_t& e = pmd.entry();
        if (!write || f.writable(e)) {
            e = f.touch(e, write);
        } else {
            // do_huge_pmd_wp_page on the huge zero page: split the PMD into 512 zero-page PTEs and
            // let do_wp_page copy the one written (VM_FAULT_FALLBACK).
            split_huge_pmd(*v, pmd, addr);
        }
    }
    if (kind == FaultKind::None && !pmd.huge()) {
        PtPage* pt = pt_.pte_alloc(pmd);
        if (!pt) return oom();
        unsigned i = pte_index(addr);
        uint64_t e = pt->e[i];
        LeafAttrs a = leaf_attrs(*v);
        const bool image = v->kind != VmaKind::Anon;
        if (e == 0) {
            if (!write && !image) {
                // do_anonymous_page: "Use the zero-page for reads" (mm_forbids_zeropage is 0 on x86).
                a.special = true;
                pt_.set_pte(pt, i, f.leaf(zero_pfn_, a, false));
                kind = FaultKind::ZeroPage;
            } else {
                pfn_t pfn = frames_.alloc_pages(0, Gfp::user_movable(), cpu_, PageOwner::User);
                if (pfn == kNoPage) return oom();
                if (!v->anon_vma) v->anon_vma = vmas_.next_anon_vma_++;  // anon_vma_prepare
                if (write) a.write = a.dirty = true;  // pte_mkwrite(pte_mkdirty()) for a VM_WRITE VMA
                pt_.set_pte(pt, i, f.leaf(pfn, a, false));
                // do_read_fault maps the page-cache page (filled by the file system, not cleared);
                // do_cow_fault a private copy.
                if (image && !write) ++c_.file_pages;
                else ++c_.anon_pages;
                kind = image && !write ? FaultKind::File : FaultKind::Anon;
            }
        } else if (write && !f.writable(e)) {
            if (f.special(e) || image) {
                // do_wp_page -> wp_page_copy: a fresh page replaces the zero page (or the image's
                // page-cache page, which stays in the page cache: not modelled, so it is released).
                pfn_t pfn = frames_.alloc_pages(0, Gfp::user_movable(), cpu_, PageOwner::User);
                if (pfn == kNoPage) return oom();
                if (!v->anon_vma) v->anon_vma = vmas_.next_anon_vma_++;
                if (!f.special(e)) {
                    r.copied_from = f.pfn(e);
                    release_page(f.pfn(e), true);
                }
                a.write = a.dirty = true;
                pt->e[i] = f.leaf(pfn, a, false);
                tlb_gather(addr & kPageMask, (addr & kPageMask) + kPageSize);  // ptep_clear_flush
                ++c_.anon_pages;
                kind = FaultKind::Cow;
            } else {
                // wp_page_reuse: the page is exclusively ours; make the PTE writable.
                a.write = a.dirty = true;
                pt->e[i] = f.leaf(f.pfn(e), a, false);
                kind = FaultKind::Reuse;
            }
        } else {
            pt->e[i] = f.touch(e, write);
        }
    }
    if (kind != FaultKind::None) {
        r.kind = kind;
        r.minor_faults = 1;
        ++c_.minor_faults;
        ++stats_.minor;
    }
    // x86: an instruction fetch from an NX page faults again with PF_PROT: SIGSEGV.
    if (exec && !(v->flags & vm::kExec)) {
        AccessResult s = segv(SegvCode::AccErr);
        s.kind = r.kind;
        s.minor_faults = r.minor_faults;
        return s;
    }
    return r;
}

FaultKind AddressSpace::huge_fault(Vma& v, const PageTable::PmdRef& pmd, uint64_t, bool write, bool& oom) {
    const PteFormat& f = pt_.format();
    if (!v.anon_vma) v.anon_vma = vmas_.next_anon_vma_++;  // anon_vma_prepare
    LeafAttrs a = leaf_attrs(v);
    if (!write && p_.thp_use_zero_page) {
        PtPage* dep = pt_.alloc_table();  // pte_alloc_one, deposited for a later split
        if (!dep) {
            oom = true;
            return FaultKind::None;
        }
        if (huge_zero_pfn_ == kNoPage)  // get_huge_zero_page: allocated on first use
            huge_zero_pfn_ = frames_.alloc_pages(kHugeOrder, Gfp::user_movable(), cpu_, PageOwner::Kernel);
        if (huge_zero_pfn_ == kNoPage) {
            pt_.free_table(dep);
            ++c_.thp_fault_fallback;
            ++stats_.thp_fallback;
            return FaultKind::None;
        }
        pt_.set_huge(pmd, f.leaf(huge_zero_pfn_, a, true), dep);
        return FaultKind::HugeZero;
    }
    pfn_t pfn = frames_.alloc_pages(kHugeOrder, Gfp::user_movable(), cpu_, PageOwner::User);
    if (pfn == kNoPage) {  // THP_FAULT_FALLBACK: the 4 KiB path handles the fault
        ++c_.thp_fault_fallback;
        ++stats_.thp_fallback;
        return FaultKind::None;
    }
    PtPage* dep = pt_.alloc_table();
    if (!dep) {
        frames_.free_pages(pfn, kHugeOrder, cpu_);
        oom = true;
        return FaultKind::None;
    }
    // __do_huge_pmd_anonymous_page: maybe_pmd_mkwrite(pmd_mkdirty(mk_huge_pmd(page, vm_page_prot)))
    a.write = v.flags & vm::kWrite;
    a.dirty = true;
    pt_.set_huge(pmd, f.leaf(pfn, a, true), dep);
    thp_mapped_[pfn] = kPtrsPerTable;
    c_.anon_pages += kPtrsPerTable;
    ++c_.thp_fault_alloc;
    ++stats_.thp_alloc;
    return FaultKind::Huge;
}

// __split_huge_pmd_locked: the deposited table takes 512 PTEs for the subpages (or for the 4 KiB
// zero page when the PMD mapped the huge zero page), with the huge entry's protection and dirtiness.
void AddressSpace::split_huge_pmd(const Vma& v, const PageTable::PmdRef& pmd, uint64_t addr) {
    const PteFormat& f = pt_.format();
    uint64_t e = pmd.entry();
    uint64_t base = addr & kHugeMask;
    tlb_gather(base, base + kPmdSize);  // pmdp_invalidate flushes the huge entry
    pfn_t pfn = f.pfn(e);
    LeafAttrs a = leaf_attrs(v);
    if (pfn == huge_zero_pfn_) {
        a.special = true;
        uint64_t z = f.leaf(zero_pfn_, a, false);
        pt_.split_huge(pmd, [&](unsigned) { return z; });
    } else {
        a.write = f.writable(e);
        a.dirty = f.dirty(e);
        pt_.split_huge(pmd, [&](unsigned k) { return f.leaf(pfn + k, a, false); });
    }
    ++c_.thp_split_pmd;
}

void AddressSpace::release_page(pfn_t pfn, bool file) {
    if (!thp_mapped_.empty()) {
        // A subpage of a THP whose PMD was split: the compound page is freed with its last
        // mapping (the deferred split that would free subpages early runs under memory pressure only).
        auto it = thp_mapped_.find(pfn & ~pfn_t(kPtrsPerTable - 1));
        if (it != thp_mapped_.end()) {
            --c_.anon_pages;
            if (--it->second == 0) {
                frames_.free_pages(it->first, kHugeOrder, cpu_);
                thp_mapped_.erase(it);
            }
            return;
        }
    }
    if (file) --c_.file_pages;
    else --c_.anon_pages;
    frames_.free_pages(pfn, 0, cpu_);
}

void AddressSpace::zap(const Vma& v, uint64_t start, uint64_t end) {
    c_.hiwater_rss = std::max(c_.hiwater_rss, c_.anon_pages + c_.file_pages);  // update_hiwater_rss
    c_.pagetable_peak = std::max(c_.pagetable_peak, pt_.table_pages());
    const PteFormat& f = pt_.format();
    // zap_pmd_range: a huge PMD the range covers only partly is split first.
    for (uint64_t b : {start, end}) {
        if (!(b & (kPmdSize - 1))) continue;
        PageTable::PmdRef pmd = pt_.pmd(b, false);
        if (pmd && pmd.huge()) {
            uint64_t h = b & kHugeMask;
            if (h < end && h + kPmdSize > start) split_huge_pmd(v, pmd, h);
        }
    }
    pt_.for_each_leaf(start, end, [&](uint64_t va, unsigned level, PtPage* t, unsigned i) {
        uint64_t e = t->e[i];
        pfn_t pfn = f.pfn(e);
        tlb_gather(va, va + (level ? kPmdSize : kPageSize));  // tlb_remove_tlb_entry
        if (level == 1) {
            if (pfn != huge_zero_pfn_) {
                c_.anon_pages -= kPtrsPerTable;
                thp_mapped_.erase(pfn);
                frames_.free_pages(pfn, kHugeOrder, cpu_);
            }
            pt_.clear_huge(PageTable::PmdRef{t, i});
            return;
        }
        if (!f.special(e)) {
            release_page(pfn, file_page(v.kind, f.writable(e)));
        }
        pt_.clear_pte(t, i);
    });
}

// change_protection: present entries take the VMA's new protection. A private writable VMA makes
// exclusive anonymous pages writable at once (6.1 can_change_pte_writable); the zero page and the
// image's page-cache pages stay read-only.
void AddressSpace::change_protection(const Vma& v, uint64_t start, uint64_t end) {
    const PteFormat& f = pt_.format();
    for (uint64_t b : {start, end}) {
        if (!(b & (kPmdSize - 1))) continue;
        PageTable::PmdRef pmd = pt_.pmd(b, false);
        if (pmd && pmd.huge()) {
            uint64_t h = b & kHugeMask;
            if (h < end && h + kPmdSize > start) split_huge_pmd(v, pmd, h);
        }
    }
    const bool vw = v.flags & vm::kWrite;
    pt_.for_each_leaf(start, end, [&](uint64_t va, unsigned level, PtPage* t, unsigned i) {
        uint64_t e = t->e[i];
        LeafAttrs a = leaf_attrs(v);
        a.dirty = f.dirty(e);
        a.special = f.special(e);
        pfn_t pfn = f.pfn(e);
        bool normal_anon = !a.special && pfn != huge_zero_pfn_ &&
                           (v.kind == VmaKind::Anon || f.writable(e));
        a.write = vw && normal_anon;
        uint64_t n = f.leaf(pfn, a, level == 1);
        if (n != e) tlb_gather(va, va + (level ? kPmdSize : kPageSize));  // change_pte_range: flush_tlb_range
        t->e[i] = n;
    });
}

// move_page_tables (mm/mremap.c): whole PTs and huge PMDs move when both ends are PMD aligned and
// the step covers a full PMD (move_normal_pmd / move_huge_pmd); otherwise PTE by PTE.
void AddressSpace::move_page_tables(uint64_t old_addr, uint64_t new_addr, uint64_t len, const Vma& from,
                                    const Vma&) {
    for (uint64_t off = 0; off < len;) {
        uint64_t o = old_addr + off, n = new_addr + off;
        uint64_t extent = std::min({((o & kHugeMask) + kPmdSize) - o, ((n & kHugeMask) + kPmdSize) - n, len - off});
        off += extent;
        PageTable::PmdRef src = pt_.pmd(o, false);
        if (!src || src.none()) continue;
        PageTable::PmdRef dst = pt_.pmd(n, true);
        if (!dst) break;
        tlb_gather(o, o + extent);  // move_ptes / move_normal_pmd: flush_tlb_range of the old range
        if (src.huge()) {
            if (extent == kPmdSize && dst.none()) {
                pt_.move_pt(src, dst);
                continue;
            }
            split_huge_pmd(from, src, o);
        } else if (extent == kPmdSize && dst.none()) {
            pt_.move_pt(src, dst);
            continue;
        }
        PtPage* dpt = pt_.pte_alloc(dst);
        if (!dpt) break;
        PtPage* spt = src.pt();
        for (uint64_t k = 0; k < extent; k += kPageSize) {
            unsigned si = pte_index(o + k), di = pte_index(n + k);
            if (!spt->e[si]) continue;
            pt_.set_pte(dpt, di, spt->e[si]);
            pt_.clear_pte(spt, si);
        }
    }
    c_.pagetable_peak = std::max(c_.pagetable_peak, pt_.table_pages());
}

void AddressSpace::tlb_finish() {
    if (tlb_start_ >= tlb_end_) return;
    // x86 flush_tlb_mm_range: more than tlb_single_page_flush_ceiling (33) pages flush everything.
    // RISC-V 6.1 __sbi_tlb_flush_range: sfence.vma per page only for a single page.
    const uint64_t ceiling = pt_.format().paging() == Paging::Sv39 ? 1 : 33;
    if (tlb_) {
        if ((tlb_end_ - tlb_start_) >> kPageShift > ceiling) tlb_->flush_tlb_mm();
        else tlb_->flush_tlb_range(tlb_start_, tlb_end_);
    }
    tlb_start_ = ~uint64_t(0);
    tlb_end_ = 0;
}

void AddressSpace::sync_stats() {
    uint64_t rss = c_.anon_pages + c_.file_pages;
    c_.hiwater_rss = std::max(c_.hiwater_rss, rss);
    c_.hiwater_vm = std::max(c_.hiwater_vm, c_.total_vm);
    c_.pagetable_peak = std::max(c_.pagetable_peak, pt_.table_pages());
    stats_.rss.set(rss << kPageShift);
    stats_.rss_anon.set(c_.anon_pages << kPageShift);
    stats_.rss_file.set(c_.file_pages << kPageShift);
    stats_.rss_peak.set(c_.hiwater_rss << kPageShift);
    stats_.vss.set(c_.total_vm << kPageShift);
    stats_.vss_peak.set(c_.hiwater_vm << kPageShift);
    stats_.pagetable.set(pt_.table_pages() << kPageShift);
    stats_.pagetable_peak.set(c_.pagetable_peak << kPageShift);
}

}  // namespace memsim::os
