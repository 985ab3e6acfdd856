// The address space's layout and system calls (Linux 6.1 mm/mmap.c, mm/mprotect.c, mm/madvise.c,
// mm/mremap.c, arch/x86/mm/mmap.c). Faults and page-table teardown are in fault.cpp.
#include "models/os/mm.h"

#include <algorithm>
#include <cerrno>

#include "sim/config/schema.h"
#include "sim/core/error.h"

namespace memsim::os {

MEMSIM_REGISTER_PARAMS(MmParams, "os.mm", "process address spaces: VMAs, page tables, demand paging (Linux 6.1)");

namespace {
constexpr uint64_t kMmapMinAddr = 65536;  // vm.mmap_min_addr (Debian default)
constexpr uint64_t kSize128M = 128ull << 20;
uint64_t page_align(uint64_t x) { return (x + kPageSize - 1) & ~(kPageSize - 1); }

uint64_t prot_to_vm(int prot) {  // calc_vm_prot_bits
    return (prot & mman::kProtRead ? vm::kRead : 0) | (prot & mman::kProtWrite ? vm::kWrite : 0) |
           (prot & mman::kProtExec ? vm::kExec : 0);
}
constexpr uint64_t kMayAll = vm::kMayRead | vm::kMayWrite | vm::kMayExec;
}  // namespace

AddressSpace::Stats::Stats(stats::Registry& r)
    : minor(r.counter("os.faults.minor", "faults", "minor page faults (task min_flt: handled without I/O)")),
      major(r.counter("os.faults.major", "faults", "major page faults (none: no swap, no file I/O modelled)")),
      segv(r.counter("os.segv", "signals", "simulated SIGSEGVs: accesses outside every VMA or against its protection")),
      oom(r.counter("os.oom", "faults", "faults that found no free frame (VM_FAULT_OOM)")),
      thp_alloc(r.counter("os.thp.fault_alloc", "faults", "faults mapping a new order-9 page (vmstat thp_fault_alloc)")),
      thp_fallback(r.counter("os.thp.fault_fallback", "faults",
                             "THP faults that fell back to 4 KiB pages (vmstat thp_fault_fallback)")),
      rss(r.counter("os.rss_bytes", "bytes", "resident set size at the end (anonymous + file pages)")),
      rss_anon(r.counter("os.rss_anon_bytes", "bytes", "anonymous resident memory at the end (RssAnon)")),
      rss_file(r.counter("os.rss_file_bytes", "bytes", "file-backed resident memory at the end (RssFile: the program image, and a raw trace's read-only pages)")),
      rss_peak(r.counter("os.rss_peak_bytes", "bytes", "peak resident set size (VmHWM)")),
      vss(r.counter("os.vss_bytes", "bytes", "virtual size at the end (VmSize: every VMA)")),
      vss_peak(r.counter("os.vss_peak_bytes", "bytes", "peak virtual size (VmPeak)")),
      pagetable(r.counter("os.pagetable_bytes", "bytes", "page-table frames at the end, the root included (VmPTE + 4 KiB)")),
      pagetable_peak(r.counter("os.pagetable_peak_bytes", "bytes", "peak page-table frames")) {}

AddressSpace::AddressSpace(const MmParams& p, FrameSource& frames, stats::Registry& r, unsigned cpu)
    : p_(p),
      thp_(p.thp == "always" ? ThpMode::Always : p.thp == "madvise" ? ThpMode::Madvise : ThpMode::Never),
      unmapped_map_(p.unmapped_access == "map"),
      frames_(frames),
      cpu_(cpu),
      pt_(p.paging == "sv39" ? Paging::Sv39 : Paging::X86_64, frames, cpu),
      stats_(r) {
    forget_hot_pages();
    if (!pt_.valid()) throw SimulationError("os: no frame for the page-table root");
    // empty_zero_page: a reserved frame shared by every read-before-write of anonymous memory.
    zero_pfn_ = frames_.alloc_pages(0, Gfp::kernel(), cpu_, PageOwner::Kernel);
    if (zero_pfn_ == kNoPage) throw SimulationError("os: no frame for the zero page");
    build_layout();
    sync_stats();
}

AddressSpace::~AddressSpace() {
    // exit_mmap: unmap everything, then the tables go with pt_.
    for (auto& [start, v] : vmas_.map()) zap(v, v.start, v.end);
    if (huge_zero_pfn_ != kNoPage) frames_.free_pages(huge_zero_pfn_, kHugeOrder, cpu_);
    frames_.free_pages(zero_pfn_, 0, cpu_);
}

void AddressSpace::vm_stat_account(int64_t pages) {
    c_.total_vm += pages;
    c_.hiwater_vm = std::max(c_.hiwater_vm, c_.total_vm);
}

void AddressSpace::build_layout() {
    Layout& l = layout_;
    if (pt_.format().paging() == Paging::X86_64) {
        l.task_size = (1ull << 47) - kPageSize;  // DEFAULT_MAP_WINDOW: TASK_SIZE_LOW
    } else {
        l.task_size = 1ull << 38;  // RISC-V Sv39: TASK_SIZE = PGDIR_SIZE * PTRS_PER_PGD / 2
    }
    l.stack_top = l.task_size;  // STACK_TOP, no randomization
    // ELF_ET_DYN_BASE = TASK_SIZE / 3 * 2 for a PIE (fs/binfmt_elf.c), page aligned:
    // 0x555555554aaa -> 0x555555554000 on x86-64.
    l.image_base = (l.task_size / 3 * 2) & ~(kPageSize - 1);
    l.start_data = l.image_base + page_align(p_.image_text);
    l.end_data = l.start_data + page_align(p_.image_data);
    l.start_brk = l.end_data;  // no brk randomization: start_brk = brk = end of the data segment
    brk_ = l.start_brk;
    // arch/x86/mm/mmap.c mmap_base(): gap = RLIMIT_STACK + stack_guard_gap (no stack randomization),
    // clamped to [128 MiB, TASK_SIZE / 6 * 5]; mmap_base = PAGE_ALIGN(TASK_SIZE - gap - rnd), rnd = 0.
    uint64_t gap = p_.stack_rlimit + stack_guard_gap_;
    gap = std::clamp(gap, kSize128M, l.task_size / 6 * 5);
    l.mmap_base = page_align(l.task_size - gap);
    l.mmap_legacy_base = page_align(l.task_size / 3);  // __TASK_UNMAPPED_BASE

    Vma text{l.image_base, l.start_data, vm::kRead | vm::kExec | kMayAll, l.image_base >> kPageShift, 0,
             VmaKind::ImageText};
    Vma data{l.start_data, l.end_data, vm::kRead | vm::kWrite | kMayAll | vm::kAccount, 0, 0, VmaKind::ImageData};
    data.pgoff = text.pgoff + (text.size() >> kPageShift);
    Vma stack{l.stack_top - page_align(p_.stack_size), l.stack_top,
              vm::kRead | vm::kWrite | kMayAll | vm::kGrowsDown | vm::kAccount, 0, 0, VmaKind::Anon};
    stack.pgoff = stack.start >> kPageShift;
    for (const Vma* v : {&text, &data, &stack}) {
        vmas_.insert(*v);
        vm_stat_account(int64_t(v->size() >> kPageShift));
    }
}

uint64_t AddressSpace::vm_start_gap(const Vma& v) const {
    if (!(v.flags & vm::kGrowsDown)) return v.start;
    return v.start > stack_guard_gap_ ? v.start - stack_guard_gap_ : 0;
}

// vm_unmapped_area, VM_UNMAPPED_AREA_TOPDOWN: the highest gap of LEN below HIGH.
uint64_t AddressSpace::unmapped_area_topdown(uint64_t len, uint64_t low, uint64_t high) {
    auto& m = vmas_.map();
    auto it = m.lower_bound(high);
    uint64_t hi = high;
    if (it != m.end()) hi = std::min(hi, vm_start_gap(it->second));
    while (true) {
        uint64_t lo = low;
        if (it != m.begin()) lo = std::max(low, vm_end_gap(std::prev(it)->second));
        if (hi > lo && hi - lo >= len) return hi - len;
        if (it == m.begin()) return uint64_t(-ENOMEM);
        --it;
        hi = std::min(hi, vm_start_gap(it->second));
        if (hi <= low) return uint64_t(-ENOMEM);
    }
}

// vm_unmapped_area bottom-up (the legacy layout, and the top-down allocator's fallback).
uint64_t AddressSpace::unmapped_area(uint64_t len, uint64_t low, uint64_t high) {
    uint64_t lo = low;
    for (auto& [start, v] : vmas_.map()) {
        if (v.end <= lo) continue;
        uint64_t hi = std::min(high, vm_start_gap(v));
        if (hi > lo && hi - lo >= len) return lo;
        lo = std::max(lo, vm_end_gap(v));
        if (lo >= high) break;
    }
    if (high > lo && high - lo >= len) return lo;
    return uint64_t(-ENOMEM);
}

// get_unmapped_area + arch_get_unmapped_area_topdown (arch/x86/kernel/sys_x86_64.c).
uint64_t AddressSpace::get_unmapped_area(uint64_t addr, uint64_t len, int flags) {
    const uint64_t task = layout_.task_size;
    if (len > task) return uint64_t(-ENOMEM);
    uint64_t res;
    if (flags & mman::kMapFixed) {
        res = addr;
    } else {
        res = uint64_t(-ENOMEM);
        if (addr) {  // a hint is taken when the range is free
            addr &= ~(kPageSize - 1);
            if (addr <= task - len) {
                Vma* v = vmas_.find(addr);
                if (!v || addr + len <= vm_start_gap(*v)) res = addr;
            }
        }
        if (int64_t(res) < 0) res = unmapped_area_topdown(len, kPageSize, layout_.mmap_base);
        if (int64_t(res) < 0) res = unmapped_area(len, layout_.mmap_legacy_base, task);
        if (int64_t(res) < 0) return res;
    }
    if (res > task - len) return uint64_t(-ENOMEM);
    if (res & (kPageSize - 1)) return uint64_t(-EINVAL);
    if (res < kMmapMinAddr) return uint64_t(-EPERM);  // security_mmap_addr
    return res;
}

Vma& AddressSpace::add_vma(const Vma& v, bool prefer_next) {
    vm_stat_account(int64_t(v.size() >> kPageShift));
    return vmas_.merge(vmas_.insert(v), prefer_next);
}

// ---- brk ----

uint64_t AddressSpace::brk(uint64_t addr) {
    Syscall syscall(*this);
    const uint64_t orig = brk_;
    if (addr < layout_.start_brk) return orig;  // min_brk = start_brk (no CONFIG_COMPAT_BRK)
    uint64_t newbrk = page_align(addr), oldbrk = page_align(brk_);
    if (newbrk == oldbrk) return brk_ = addr;
    if (addr <= brk_) {  // always allow shrinking
        Vma* v = vmas_.find(newbrk);
        if (!v || v->start >= oldbrk) return orig;
        brk_ = addr;
        do_munmap(newbrk, oldbrk - newbrk);
        return brk_;
    }
    // check_brk_limits: get_unmapped_area(MAP_FIXED) for the growth
    if (newbrk > layout_.task_size || int64_t(get_unmapped_area(oldbrk, newbrk - oldbrk, mman::kMapFixed)) < 0)
        return orig;
    // The next VMA must stay a page plus its guard gap above (vm_start_gap).
    if (Vma* next = vmas_.find(oldbrk); next && newbrk + kPageSize > vm_start_gap(*next)) return orig;
    if (vmas_.count() >= p_.max_map_count) return orig;
    // do_brk_flags: extend the brk VMA or add one; flags VM_DATA_DEFAULT_FLAGS | VM_ACCOUNT.
    Vma v{oldbrk, newbrk, vm::kRead | vm::kWrite | kMayAll | vm::kAccount | vm::kSoftDirty, oldbrk >> kPageShift,
          0, VmaKind::Anon};
    add_vma(v, false);
    brk_ = addr;
    sync_stats();
    return brk_;
}

// ---- mmap / munmap ----

int64_t AddressSpace::mmap(uint64_t addr, uint64_t len, int prot, int flags) {
    Syscall syscall(*this);
    int type = flags & 0x0f;  // MAP_TYPE
    if (type != mman::kMapPrivate) return -EINVAL;  // MAP_SHARED is not modelled (nor MAP_SHARED_VALIDATE)
    if (!(flags & mman::kMapAnonymous)) return -EINVAL;  // file mappings are not modelled
    if (!len) return -EINVAL;
    if (!(flags & mman::kMapFixed) && addr && addr < kMmapMinAddr) addr = page_align(kMmapMinAddr);  // round_hint_to_min
    len = page_align(len);
    if (!len) return -ENOMEM;
    if (vmas_.count() > p_.max_map_count) return -ENOMEM;
    if (flags & mman::kMapFixedNoReplace) flags |= mman::kMapFixed;
    uint64_t a = get_unmapped_area(addr, len, flags);
    if (int64_t(a) < 0) return int64_t(a);
    if ((flags & mman::kMapFixedNoReplace) && vmas_.first_intersecting(a, a + len)) return -EEXIST;

    uint64_t vf = prot_to_vm(prot) | kMayAll;
    if (flags & mman::kMapNoReserve) vf |= vm::kNoReserve;  // overcommit mode 0 honours it
    // mmap_region: MAP_FIXED replaces what is there.
    if (vmas_.first_intersecting(a, a + len)) {
        int err = do_munmap(a, len);
        if (err) return err;
    }
    // accountable_mapping: private writable memory is charged to Committed_AS (VM_ACCOUNT).
    if ((vf & (vm::kNoReserve | vm::kShared | vm::kWrite)) == vm::kWrite) vf |= vm::kAccount;
    vf |= vm::kSoftDirty;  // a new VMA is soft-dirty as a whole
    add_vma(Vma{a, a + len, vf, a >> kPageShift, 0, VmaKind::Anon}, true);
    sync_stats();
    return int64_t(a);
}

int AddressSpace::munmap(uint64_t addr, uint64_t len) {
    Syscall syscall(*this);
    if (addr & (kPageSize - 1)) return -EINVAL;
    len = page_align(len);
    if (!len || addr > layout_.task_size || len > layout_.task_size - addr) return -EINVAL;
    int r = do_munmap(addr, len);
    sync_stats();
    return r;
}

// do_mas_munmap / do_mas_align_munmap + unmap_region.
int AddressSpace::do_munmap(uint64_t start, uint64_t len) {
    uint64_t end = start + len;
    Vma* first = vmas_.first_intersecting(start, end);
    if (!first) return 0;
    if (first->start < start && end < first->end && vmas_.count() >= p_.max_map_count) return -ENOMEM;
    vmas_.split_at(start, end);
    first = vmas_.first_intersecting(start, end);
    Vma* prev = vmas_.prev(*first);
    uint64_t floor = prev ? prev->end : 0;  // FIRST_USER_ADDRESS
    std::vector<Vma> gone;
    for (Vma* v = first; v && v->start < end;) {
        Vma* next = vmas_.next(*v);
        gone.push_back(*v);
        vmas_.erase(*v);
        v = next;
    }
    Vma* next = vmas_.find(end);
    uint64_t ceiling = next ? next->start : 0;  // USER_PGTABLES_CEILING
    std::vector<std::pair<uint64_t, uint64_t>> removed;
    for (const Vma& v : gone) {  // unmap_vmas on the detached VMAs
        zap(v, v.start, v.end);
        vm_stat_account(-int64_t(v.size() >> kPageShift));
        removed.emplace_back(v.start, v.end);
    }
    free_pgtables(removed, floor, ceiling);
    return 0;
}

// free_pgtables (mm/memory.c): VMAs closer than PMD_SIZE are freed as one range; the floor stays
// the end of the VMA below, the ceiling is the start of the next removed cluster or of the VMA above.
void AddressSpace::free_pgtables(const std::vector<std::pair<uint64_t, uint64_t>>& removed, uint64_t floor,
                                 uint64_t ceiling) {
    for (size_t i = 0; i < removed.size();) {
        uint64_t a = removed[i].first, e = removed[i].second;
        size_t j = i + 1;
        while (j < removed.size() && removed[j].first <= e + kPmdSize) e = removed[j++].second;
        uint64_t tables = pt_.table_pages();
        pt_.free_range(a, e, floor, j < removed.size() ? removed[j].first : ceiling);
        if (pt_.table_pages() != tables) tlb_gather(a, e);  // tlb->freed_tables: the walk caches go too
        i = j;
    }
    c_.pagetable_peak = std::max(c_.pagetable_peak, pt_.table_pages());
}

// ---- mprotect / madvise flags ----

// Sets and clears vm_flags over [START, END), splitting and merging VMAs as mprotect_fixup and
// madvise_update_vma do; the range must be mapped (the caller checked). Returns 0.
int AddressSpace::apply_flags(uint64_t start, uint64_t end, uint64_t set, uint64_t clear) {
    uint64_t cur = start;
    while (cur < end) {
        Vma* v = vmas_.lookup(cur);
        if (!v) break;
        uint64_t nf = (v->flags & ~clear) | set;
        // mprotect_fixup: making private memory writable charges it (VM_ACCOUNT) unless NORESERVE.
        if ((nf & vm::kWrite) && !(v->flags & (vm::kAccount | vm::kWrite)) &&
            !(nf & (vm::kShared | vm::kNoReserve)) && v->kind == VmaKind::Anon)
            nf |= vm::kAccount;
        if (nf == v->flags) {
            cur = v->end;
            continue;
        }
        uint64_t s = std::max(cur, v->start), e = std::min(end, v->end);
        if (v->start < s) v = &vmas_.split(*v, s);
        if (e < v->end) vmas_.split(*v, e);
        bool prot_changed = (v->flags ^ nf) & vm::kAccessFlags;
        v->flags = nf;
        if (prot_changed) change_protection(*v, s, e);
        Vma& m = vmas_.merge(*v);
        cur = std::max(e, std::min(m.end, end));
    }
    return 0;
}

int AddressSpace::mprotect(uint64_t start, uint64_t len, int prot) {
    Syscall syscall(*this);
    if (start & (kPageSize - 1)) return -EINVAL;
    if (!len) return 0;
    len = page_align(len);
    uint64_t end = start + len;
    if (end <= start) return -ENOMEM;
    if (prot & ~(mman::kProtRead | mman::kProtWrite | mman::kProtExec)) return -EINVAL;
    Vma* v = vmas_.find(start);
    if (!v || v->start > start) return -ENOMEM;
    // do_mprotect_pkey walks the VMAs; a hole stops it with ENOMEM after the part before it changed.
    uint64_t cur = start;
    int err = 0;
    while (cur < end) {
        Vma* w = vmas_.lookup(cur);
        if (!w) {
            err = -ENOMEM;
            break;
        }
        uint64_t nf = prot_to_vm(prot);
        if ((nf & ~(w->flags >> 4)) & vm::kAccessFlags) {  // VM_MAY* forbids it
            err = -EACCES;
            break;
        }
        uint64_t e = std::min(end, w->end);
        apply_flags(cur, e, nf, vm::kAccessFlags);
        cur = e;
    }
    sync_stats();
    return err;
}

int AddressSpace::madvise(uint64_t start, uint64_t len_in, int advice) {
    Syscall syscall(*this);
    using namespace mman;
    switch (advice) {
        case kMadvNormal: case kMadvRandom: case kMadvSequential: case kMadvWillNeed: case kMadvDontNeed:
        case kMadvFree: case kMadvRemove: case kMadvDontFork: case kMadvDoFork: case kMadvMergeable:
        case kMadvUnmergeable: case kMadvHugePage: case kMadvNoHugePage: case kMadvDontDump: case kMadvDoDump:
        case kMadvWipeOnFork: case kMadvKeepOnFork: case kMadvCold: case kMadvPageOut: case kMadvPopulateRead:
        case kMadvPopulateWrite:
            break;
        case 100: case 101:  // MADV_HWPOISON, MADV_SOFT_OFFLINE: CAP_SYS_ADMIN only
            return -EPERM;
        default:
            return -EINVAL;  // madvise_behavior_valid
    }
    if (start & (kPageSize - 1)) return -EINVAL;
    uint64_t len = page_align(len_in);
    if (len_in && !len) return -EINVAL;
    uint64_t end = start + len;
    if (end < start) return -EINVAL;
    if (end == start) return 0;

    // madvise_walk_vmas: apply to each mapped piece; a hole makes the result ENOMEM.
    int unmapped = 0;
    uint64_t cur = start;
    while (cur < end) {
        Vma* v = vmas_.find(cur);
        if (!v || v->start >= end) {
            unmapped = -ENOMEM;
            break;
        }
        if (v->start > cur) unmapped = -ENOMEM;
        uint64_t s = std::max(cur, v->start), e = std::min(end, v->end);
        const bool anon = v->kind == VmaKind::Anon;
        int err = 0;
        switch (advice) {
            case kMadvDontNeed:
                zap(*v, s, e);  // zap_page_range: page tables stay (freed only by munmap)
                break;
            case kMadvFree:
                if (!anon) return -EINVAL;
                // madvise_free_pte_range: pages stay mapped but clean and old; reclaim (not modelled)
                // would drop them, a write before that just dirties them again.
                pt_.for_each_leaf(s, e, [&](uint64_t va, unsigned level, PtPage* t, unsigned i) {
                    if (pt_.format().special(t->e[i])) return;
                    t->e[i] = pt_.format().clean(t->e[i]);
                    tlb_gather(va, va + (level ? kPmdSize : kPageSize));  // tlb_remove_tlb_entry
                });
                break;
            case kMadvRemove:
                return -EINVAL;  // needs a shared file mapping
            case kMadvNormal: err = apply_flags(s, e, 0, vm::kSeqRead | vm::kRandRead); break;
            case kMadvRandom: err = apply_flags(s, e, vm::kRandRead, vm::kSeqRead); break;
            case kMadvSequential: err = apply_flags(s, e, vm::kSeqRead, vm::kRandRead); break;
            case kMadvDontFork: err = apply_flags(s, e, vm::kDontCopy, 0); break;
            case kMadvDoFork: err = apply_flags(s, e, 0, vm::kDontCopy); break;
            case kMadvDontDump: err = apply_flags(s, e, vm::kDontDump, 0); break;
            case kMadvDoDump: err = apply_flags(s, e, 0, vm::kDontDump); break;
            case kMadvWipeOnFork:
                if (!anon) return -EINVAL;
                err = apply_flags(s, e, vm::kWipeOnFork, 0);
                break;
            case kMadvKeepOnFork: err = apply_flags(s, e, 0, vm::kWipeOnFork); break;
            case kMadvMergeable: err = apply_flags(s, e, vm::kMergeable, 0); break;  // KSM never merges here
            case kMadvUnmergeable: err = apply_flags(s, e, 0, vm::kMergeable); break;
            case kMadvHugePage: err = apply_flags(s, e, vm::kHugePage, vm::kNoHugePage); break;
            case kMadvNoHugePage: err = apply_flags(s, e, vm::kNoHugePage, vm::kHugePage); break;
            case kMadvPopulateRead:
            case kMadvPopulateWrite: {
                // madvise_populate: faultin_vma_page_range; GUP faults count in min_flt too.
                bool w = advice == kMadvPopulateWrite;
                if ((w && !(v->flags & vm::kWrite)) || !v->accessible()) return -EINVAL;
                for (uint64_t a = s; a < e; a += kPageSize) {
                    AccessResult r = access(a, 1, w);
                    if (r.status == AccessStatus::Oom) return -ENOMEM;
                    if (r.status == AccessStatus::Segv) return -EFAULT;
                }
                break;
            }
            default:  // WILLNEED, COLD, PAGEOUT: nothing to do without swap or page cache
                break;
        }
        if (err) return err;
        cur = e;
    }
    sync_stats();
    return unmapped;
}

// ---- mremap ----

int64_t AddressSpace::mremap(uint64_t addr, uint64_t old_len, uint64_t new_len, int flags) {
    Syscall syscall(*this);
    if (flags & ~(mman::kMremapMayMove | mman::kMremapFixed | 4)) return -EINVAL;
    if (flags & ~mman::kMremapMayMove) return -EINVAL;  // MREMAP_FIXED / DONTUNMAP: not modelled
    if (addr & (kPageSize - 1)) return -EINVAL;
    old_len = page_align(old_len);
    new_len = page_align(new_len);
    if (!new_len) return -EINVAL;
    if (old_len >= new_len) {  // shrinking always works in place
        if (old_len > new_len) {
            int err = do_munmap(addr + new_len, old_len - new_len);
            if (err) return err;
        }
        sync_stats();
        return int64_t(addr);
    }
    // vma_to_resize
    Vma* v = vmas_.lookup(addr);
    if (!v) return -EFAULT;
    if (old_len > v->end - addr) return -EFAULT;
    uint64_t delta = new_len - old_len;
    if (old_len == v->end - addr) {
        // vma_expandable: nothing in the way and still below TASK_SIZE; vma_adjust grows it in place
        // (no merge with a following VMA).
        uint64_t ne = v->end + delta;
        if (ne > v->end && !vmas_.first_intersecting(v->end, ne) && ne <= layout_.task_size) {
            Vma* next = vmas_.find(v->end);
            if (!next || ne <= vm_start_gap(*next)) {
                v->end = ne;
                vmas_.cache_ = nullptr;
                vm_stat_account(int64_t(delta >> kPageShift));
                sync_stats();
                return int64_t(addr);
            }
        }
    }
    if (!(flags & mman::kMremapMayMove)) return -ENOMEM;
    if (vmas_.count() >= p_.max_map_count - 3) return -ENOMEM;
    uint64_t new_addr = get_unmapped_area(0, new_len, 0);
    if (int64_t(new_addr) < 0) return int64_t(new_addr);
    // move_vma: copy_vma at the new place (vma_merge there), move the page tables, unmap the old range.
    Vma nv = *v;
    nv.start = new_addr;
    nv.end = new_addr + new_len;
    nv.pgoff = v->pgoff + ((addr - v->start) >> kPageShift);
    Vma from = *v;
    Vma& to = add_vma(nv, false);
    Vma to_copy = to;
    move_page_tables(addr, new_addr, old_len, from, to_copy);
    do_munmap(addr, old_len);
    sync_stats();
    return int64_t(new_addr);
}

}  // namespace memsim::os
