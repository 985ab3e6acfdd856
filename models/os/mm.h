#pragma once
// A process address space as Linux 6.1 keeps it (struct mm_struct): the VMAs, the page tables,
// the layout of an x86-64 (or RISC-V Sv39) process started without ASLR, the system calls a
// user-space allocator makes (brk, mmap, munmap, mprotect, madvise, mremap) with Linux's error
// numbers, and demand paging of anonymous memory (mm/memory.c handle_mm_fault). What is left out
// and how it was checked: docs/os-address-space.md.
#include <array>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <unordered_map>
#include <vector>

#include "models/os/frame_source.h"
#include "models/os/pagetable.h"
#include "models/os/vma.h"
#include "sim/config/param.h"
#include "sim/stats/stats.h"

namespace memsim::os {

struct MmParams {
    std::string paging = "x86_64";
    std::string thp = "madvise";
    bool thp_use_zero_page = true;
    std::string unmapped_access = "segv";
    std::string on_segv = "stop";
    uint64_t image_text = 16 * 1024;
    uint64_t image_data = 4 * 1024;
    uint64_t stack_size = 132 * 1024;
    uint64_t stack_rlimit = 8 * 1024 * 1024;
    uint64_t max_map_count = 65530;
    uint64_t fault_cycles = 1000;

    void visit(config::ParamVisitor& v) {
        v(config::ParamSpec::choice("paging", "x86_64", {"x86_64", "sv39"},
                                    "page-table format: x86-64 4-level or RISC-V Sv39"),
          paging);
        // /sys/kernel/mm/transparent_hugepage/enabled; madvise is Debian's and this machine's setting.
        v(config::ParamSpec::choice("thp", "madvise", {"never", "madvise", "always"},
                                    "transparent huge pages for anonymous faults (sysfs enabled)"),
          thp);
        // 6.1 mm/huge_memory.c: transparent_hugepage_flags starts with USE_ZERO_PAGE set.
        v(config::ParamSpec::boolean("thp_use_zero_page", "true",
                                     "a read fault in a THP-eligible range maps the huge zero page"),
          thp_use_zero_page);
        v(config::ParamSpec::choice("unmapped_access", "segv", {"segv", "map"},
                                    "an access outside every VMA: SIGSEGV, or map its pages as rwx memory on "
                                    "the fly that faults as a private file mapping, as a program's code and data "
                                    "do (raw traces without mmap events)"),
          unmapped_access);
        v(config::ParamSpec::choice("on_segv", "stop", {"stop", "continue"},
                                    "after a simulated SIGSEGV: the process stops (later events are counted, "
                                    "not executed), or the faulting access is skipped and the trace goes on"),
          on_segv);
        v(config::ParamSpec::size("image_text", "16KiB", "size of the program's text VMA (r-x) at 0x555555554000")
              .range(4096, 1ull << 32),
          image_text);
        v(config::ParamSpec::size("image_data", "4KiB", "size of the program's data VMA (rw-); brk starts at its end")
              .range(4096, 1ull << 32),
          image_data);
        v(config::ParamSpec::size("stack_size", "132KiB", "initial size of the stack VMA below the stack top")
              .range(4096, 1ull << 30),
          stack_size);
        v(config::ParamSpec::size("stack_rlimit", "8MiB", "RLIMIT_STACK: how far the stack may grow; sets mmap_base")
              .range(4096, 1ull << 40),
          stack_rlimit);
        v(config::ParamSpec::count("max_map_count", "65530", "VMAs", "vm.max_map_count: mmap fails with ENOMEM beyond it")
              .range(16, 1e9),
          max_map_count);
        // The exception entry, handle_mm_fault's own work and the return, without its memory
        // accesses (clear_page of the new page and the PTE write go through the caches on top).
        // 1000 cycles = 333 ns at 3 GHz: a zero-page read fault, which allocates and clears
        // nothing, took 2.0-2.4 us here under a hypervisor (scripts/linux-faults/fault_cost.c);
        // bare-metal cores take a few hundred ns. Measure yours and set it.
        v(config::ParamSpec::count("fault_cycles", "1000", "cycles",
                                   "core cycles of one page fault's handler, charged when an MMU model raises it")
              .range(0, 1e9),
          fault_cycles);
    }
};

// Linux <sys/mman.h> values.
namespace mman {
constexpr int kProtRead = 1, kProtWrite = 2, kProtExec = 4;
constexpr int kMapShared = 0x01, kMapPrivate = 0x02, kMapFixed = 0x10, kMapAnonymous = 0x20,
              kMapNoReserve = 0x4000, kMapFixedNoReplace = 0x100000;
constexpr int kMremapMayMove = 1, kMremapFixed = 2;
constexpr int kMadvNormal = 0, kMadvRandom = 1, kMadvSequential = 2, kMadvWillNeed = 3, kMadvDontNeed = 4,
              kMadvFree = 8, kMadvRemove = 9, kMadvDontFork = 10, kMadvDoFork = 11, kMadvMergeable = 12,
              kMadvUnmergeable = 13, kMadvHugePage = 14, kMadvNoHugePage = 15, kMadvDontDump = 16,
              kMadvDoDump = 17, kMadvWipeOnFork = 18, kMadvKeepOnFork = 19, kMadvCold = 20, kMadvPageOut = 21,
              kMadvPopulateRead = 22, kMadvPopulateWrite = 23;
}  // namespace mman

enum class ThpMode : uint8_t { Never, Madvise, Always };

// What one access (or one page of it) did.
enum class FaultKind : uint8_t {
    None,       // the translation was there
    ZeroPage,   // read of a never-touched page: the shared zero page mapped read-only
    Anon,       // write (or read with the zero page unusable): a fresh zeroed page
    File,       // read of a file-backed page (the image, raw memory): its page-cache page, read-only
    Cow,        // write to the zero page: do_wp_page -> wp_page_copy
    Reuse,      // write to a read-only PTE of an exclusive anonymous page: wp_page_reuse
    HugeZero,   // read with THP: the huge zero page mapped by the PMD
    Huge,       // THP: an order-9 page mapped by the PMD
};
enum class AccessStatus : uint8_t { Ok, Faulted, Segv, Oom };
enum class SegvCode : uint8_t { None, MapErr, AccErr };  // si_code SEGV_MAPERR / SEGV_ACCERR

struct AccessResult {
    AccessStatus status = AccessStatus::Ok;
    FaultKind kind = FaultKind::None;  // of the first fault
    uint32_t minor_faults = 0;
    uint32_t major_faults = 0;  // always 0: no swap, no file I/O
    SegvCode segv = SegvCode::None;
    uint64_t fault_addr = 0;    // the address that raised SIGSEGV / OOM
    // A Cow fault that copied a page-cache page (the image's, raw memory's) rather than the zero
    // page: the page it copied (wp_page_copy's __wp_page_copy_user), kNoPage otherwise.
    uint64_t copied_from = ~uint64_t(0);
};

// Per-process counters (mm->rss_stat, hiwater_*, pgtables_bytes, task min_flt/maj_flt).
struct MmCounters {
    uint64_t minor_faults = 0, major_faults = 0, segv = 0, oom = 0;
    uint64_t thp_fault_alloc = 0, thp_fault_fallback = 0, thp_split_pmd = 0;
    uint64_t anon_pages = 0, file_pages = 0;  // MM_ANONPAGES, MM_FILEPAGES
    uint64_t total_vm = 0;                    // pages
    uint64_t hiwater_rss = 0, hiwater_vm = 0; // pages
    uint64_t pagetable_peak = 0;              // table frames
};

struct Layout {
    uint64_t task_size;     // TASK_SIZE (x86: DEFAULT_MAP_WINDOW)
    uint64_t image_base;    // ELF_ET_DYN_BASE, page aligned
    uint64_t start_data, end_data;
    uint64_t start_brk;
    uint64_t mmap_base;     // arch/x86/mm/mmap.c mmap_base()
    uint64_t mmap_legacy_base;
    uint64_t stack_top;     // STACK_TOP
};

// The hardware's translation caches (TLBs, paging-structure caches), which the kernel must flush
// when it changes or removes a present entry (flush_tlb_range / flush_tlb_mm, arch/x86/mm/tlb.c).
// The machine installs one when an MMU model runs; without one nothing is cached.
class TlbFlusher {
public:
    virtual ~TlbFlusher() = default;
    // The entries for [START, END) (INVLPG each page; also drops paging-structure caches).
    virtual void flush_tlb_range(uint64_t start, uint64_t end) = 0;
    // Every entry of this address space (a CR3 write / a PCID flush).
    virtual void flush_tlb_mm() = 0;
    // A system call that may change mappings begins. The approximately-timed machine waits here
    // for the accesses in flight, whose page walks read the tables the call may change.
    virtual void syscall_entry() {}
};

class AddressSpace {
public:
    AddressSpace(const MmParams& p, FrameSource& frames, stats::Registry& r, unsigned cpu = 0);
    ~AddressSpace();
    AddressSpace(const AddressSpace&) = delete;
    AddressSpace& operator=(const AddressSpace&) = delete;

    // ---- system calls (return values as the syscall's: an address, 0, or -errno) ----
    uint64_t brk(uint64_t addr);  // the new break, or the current one on failure (brk(0) asks)
    int64_t mmap(uint64_t addr, uint64_t len, int prot, int flags);
    int munmap(uint64_t addr, uint64_t len);
    int mprotect(uint64_t addr, uint64_t len, int prot);
    int madvise(uint64_t addr, uint64_t len, int advice);
    int64_t mremap(uint64_t old_addr, uint64_t old_len, uint64_t new_len, int flags);
    void set_thp_disable(bool on) {  // prctl(PR_SET_THP_DISABLE): MMF_DISABLE_THP
        thp_disabled_ = on;
        forget_hot_pages();
    }
    void set_tlb(TlbFlusher* tlb) { tlb_ = tlb; }

    // ---- memory accesses ----
    // SIZE bytes at VADDR (every page they cover), as the CPU would touch them: faults as needed.
    // Stops at the first page that raises SIGSEGV or cannot get a frame.
    AccessResult access(uint64_t vaddr, uint64_t size, bool write, bool exec = false);
    // A page fault the hardware raised although the entry allowed the access once the handler
    // looked (an accessed/dirty fault of a core without hardware A/D updates, a stale TLB entry):
    // handle_mm_fault fixes up or finds nothing to do, and mm_account_fault still counts it.
    void account_spurious_fault() {
        ++c_.minor_faults;
        ++stats_.minor;
    }

    // ---- views ----
    const Layout& layout() const { return layout_; }
    uint64_t current_brk() const { return brk_; }
    VmaTree& vmas() { return vmas_; }
    PageTable& page_table() { return pt_; }
    const MmCounters& counters() const { return c_; }
    uint64_t rss_bytes() const { return (c_.anon_pages + c_.file_pages) << kPageShift; }
    uint64_t vss_bytes() const { return c_.total_vm << kPageShift; }
    uint64_t pagetable_bytes() const { return pt_.table_pages() << kPageShift; }
    pfn_t zero_pfn() const { return zero_pfn_; }
    ThpMode thp_mode() const { return thp_; }
    // /proc/PID/smaps (the fields modelled) and /proc/PID/maps.
    void smaps(std::ostream& out);
    void maps(std::ostream& out);
    struct VmaUsage {
        uint64_t rss = 0, anon = 0, file = 0, anon_huge = 0;  // bytes
    };
    VmaUsage usage(const Vma& v);  // smaps_pte_range's walk over V

private:
    MmParams p_;
    ThpMode thp_;
    bool unmapped_map_;
    bool thp_disabled_ = false;
    FrameSource& frames_;
    unsigned cpu_;
    PageTable pt_;
    VmaTree vmas_;
    Layout layout_{};
    uint64_t brk_ = 0;
    uint64_t stack_guard_gap_ = 256 * kPageSize;  // mm/mmap.c stack_guard_gap
    pfn_t zero_pfn_ = kNoPage;
    pfn_t huge_zero_pfn_ = kNoPage;
    std::unordered_map<pfn_t, uint32_t> thp_mapped_;  // THP head -> subpages still mapped
    MmCounters c_;

    struct Stats {
        stats::Counter& minor;
        stats::Counter& major;
        stats::Counter& segv;
        stats::Counter& oom;
        stats::Counter& thp_alloc;
        stats::Counter& thp_fallback;
        stats::Counter& rss;
        stats::Counter& rss_anon;
        stats::Counter& rss_file;
        stats::Counter& rss_peak;
        stats::Counter& vss;
        stats::Counter& vss_peak;
        stats::Counter& pagetable;
        stats::Counter& pagetable_peak;
        explicit Stats(stats::Registry& r);
    } stats_;

    // fault.cpp
    friend class FaultHandler;
    AccessResult fault_page(uint64_t addr, bool write, bool exec);
    FaultKind huge_fault(Vma& v, const PageTable::PmdRef& pmd, uint64_t addr, bool write, bool& oom);
    bool thp_allowed(const Vma& v, uint64_t addr) const;
    LeafAttrs leaf_attrs(const Vma& v) const;
    Vma* expand_stack(Vma* v, uint64_t addr);
    Vma* map_on_access(uint64_t addr);
    void split_huge_pmd(const Vma& v, const PageTable::PmdRef& pmd, uint64_t addr);  // ADDR: in the huge page
    // Zaps the leaves in [START, END) of V (zap_page_range): frees their pages, splits huge PMDs
    // that the range covers partly.
    void zap(const Vma& v, uint64_t start, uint64_t end);
    void release_page(pfn_t pfn, bool file);
    void sync_stats();
    // Pages recently accessed with their mapping in place, direct-mapped by page number, each
    // with bit 0 set if an access wrote it: a repeated access needs no walk (its accessed/dirty
    // bits are already set, as a TLB hit needs none). Every system call that changes mappings
    // forgets them all.
    static constexpr size_t kHotPages = 64;
    std::array<uint64_t, kHotPages> hot_pages_;
    void forget_hot_pages() { hot_pages_.fill(~uint64_t(0)); }

    // TLB shootdown as mmu_gather does it (mm/mmu_gather.c, arch/x86/mm/tlb.c): the range of the
    // present entries a system call or fault changed grows while it runs and is flushed once at its
    // end, page by page up to the architecture's ceiling (x86 tlb_single_page_flush_ceiling: 33
    // pages; RISC-V: 1), else as a whole.
    TlbFlusher* tlb_ = nullptr;
    uint64_t tlb_start_ = ~uint64_t(0), tlb_end_ = 0;
    void tlb_gather(uint64_t start, uint64_t end) {
        tlb_start_ = std::min(tlb_start_, start);
        tlb_end_ = std::max(tlb_end_, end);
    }
    void tlb_finish();
    // Opens a system call: forgets the hot pages; flushes what it changed when it returns.
    struct Syscall {
        AddressSpace& mm;
        explicit Syscall(AddressSpace& m) : mm(m) {
            if (mm.tlb_) mm.tlb_->syscall_entry();
            mm.forget_hot_pages();
        }
        ~Syscall() { mm.tlb_finish(); }
        Syscall(const Syscall&) = delete;
        Syscall& operator=(const Syscall&) = delete;
    };

    // mm.cpp
    void build_layout();
    uint64_t get_unmapped_area(uint64_t addr, uint64_t len, int flags);
    uint64_t unmapped_area_topdown(uint64_t len, uint64_t low, uint64_t high);
    uint64_t unmapped_area(uint64_t len, uint64_t low, uint64_t high);
    uint64_t vm_start_gap(const Vma& v) const;
    uint64_t vm_end_gap(const Vma& v) const { return v.end; }
    int do_munmap(uint64_t start, uint64_t len);
    void free_pgtables(const std::vector<std::pair<uint64_t, uint64_t>>& removed, uint64_t floor, uint64_t ceiling);
    Vma& add_vma(const Vma& v, bool prefer_next);
    void change_protection(const Vma& v, uint64_t start, uint64_t end);
    int apply_flags(uint64_t start, uint64_t end, uint64_t set, uint64_t clear);
    void move_page_tables(uint64_t old_addr, uint64_t new_addr, uint64_t len, const Vma& from, const Vma& to);
    void vm_stat_account(int64_t pages);
};

}  // namespace memsim::os
