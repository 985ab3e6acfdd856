#pragma once
// Linux 6.1's page allocator (mm/page_alloc.c): physical memory in 4 KiB frames with a
// `struct page`-like record each, zones DMA / DMA32 / Normal with watermarks and lowmem_reserve,
// buddy free lists per order and migratetype, and per-cpu page lists.
//
// INTERFACE CONTRACT (other models code against this; keep it stable):
//   - PageAllocator::alloc_pages / free_pages are the only ways frames change hands;
//   - page(pfn) gives the record of any frame;
//   - failures are results (kNoPage), never exceptions.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/config/param.h"
#include "sim/stats/stats.h"

namespace memsim::os {

using pfn_t = uint64_t;
constexpr pfn_t kNoPage = ~pfn_t(0);
constexpr uint64_t kPageShift = 12;
constexpr uint64_t kPageSize = uint64_t(1) << kPageShift;
// Linux 6.1: MAX_ORDER = 11, exclusive: orders 0..10 (include/linux/mmzone.h).
constexpr unsigned kMaxOrder = 11;
constexpr unsigned kPageblockOrder = 9;

enum class ZoneType : uint8_t { DMA, DMA32, Normal };
constexpr unsigned kZoneCount = 3;

// include/linux/mmzone.h enum migratetype (CMA and ISOLATE are not modelled).
enum class MigrateType : uint8_t { Unmovable, Movable, Reclaimable, HighAtomic };
constexpr unsigned kMigrateTypes = 4;

// What a caller asks for, as gfp_t flags say it: the highest zone it may use (GFP_DMA, GFP_DMA32,
// or Normal by default) and the migratetype (GFP_MOVABLE / GFP_RECLAIMABLE, else unmovable).
struct Gfp {
    ZoneType highest_zone = ZoneType::Normal;
    MigrateType migratetype = MigrateType::Unmovable;
    bool zero = false;  // __GFP_ZERO: the frames are cleared (a cost the hardware models may charge)

    static Gfp kernel() { return {}; }                                                      // GFP_KERNEL
    static Gfp user_movable() { return {ZoneType::Normal, MigrateType::Movable, true}; }  // GFP_HIGHUSER_MOVABLE|__GFP_ZERO
    static Gfp dma() { return {ZoneType::DMA, MigrateType::Unmovable, false}; }            // GFP_DMA
    static Gfp dma32() { return {ZoneType::DMA32, MigrateType::Unmovable, false}; }        // GFP_DMA32
};

// Who holds a frame, for the views and for the checks that catch a model freeing what it does not own.
enum class PageOwner : uint8_t { Free, Reserved, Kernel, Slab, PageTable, User, Dma };

// Page::flags bits (the PG_* memsim needs).
namespace pg {
constexpr uint32_t kBuddy = 1u << 0;     // PageBuddy: first frame of a free block on a buddy list; order = its order
constexpr uint32_t kHead = 1u << 1;      // PG_head: first frame of an allocated block of order > 0
constexpr uint32_t kTail = 1u << 2;      // PageTail: the other frames of that block
constexpr uint32_t kReserved = 1u << 3;  // PG_reserved: never given to the buddy allocator (memblock, holes)
constexpr uint32_t kPcp = 1u << 4;       // on a per-cpu list (Linux: neither buddy nor allocated)
constexpr uint32_t kSlab = 1u << 5;      // PG_slab: head of a slab (models/os/slub.h)
}  // namespace pg

// The part of struct page memsim keeps.
struct Page {
    uint32_t flags = 0;     // PG_* bits as needed (PG_buddy, PG_head, ...)
    int32_t refcount = 0;   // page_count
    int32_t mapcount = 0;   // page_mapcount: number of PTEs mapping it
    PageOwner owner = PageOwner::Free;
    uint8_t order = 0;      // buddy order while free (page_private), compound order while allocated
    MigrateType migratetype = MigrateType::Unmovable;
    pfn_t prev = kNoPage, next = kNoPage;  // list links (free lists, pcp lists)
};

// Section "os": the simulated kernel's machine-wide settings and its page allocator.
struct PageAllocParams {
    uint64_t ncpus = 2;
    uint64_t cpu = 0;
    uint64_t min_free_kbytes = 0;
    uint64_t watermark_scale_factor = 10;
    bool transparent_hugepage = true;  // set from os.mm.thp (not never): khugepaged raises min_free_kbytes
    uint64_t low_reserved = uint64_t(1) << 20;
    uint64_t kernel_start = uint64_t(16) << 20;
    uint64_t kernel_size = uint64_t(32) << 20;
    bool reserve_memmap = true;

    void visit(config::ParamVisitor& v) {
        v(config::ParamSpec::count("ncpus", "2", "cpus", "online cpus: one set of per-cpu page lists and slabs each")
              .range(1, 256),
          ncpus);
        v(config::ParamSpec::count("cpu", "0", "cpu", "the cpu the trace's thread runs on (below ncpus)").range(0, 255),
          cpu);
        v(config::ParamSpec::count("min_free_kbytes", "0", "KiB",
                                   "vm.min_free_kbytes after boot; 0: as 6.1 computes it (init_per_zone_wmark_min, "
                                   "then khugepaged's raise unless os.mm.thp is never)")
              .range(0, 67108864),
          min_free_kbytes);
        v(config::ParamSpec::count("watermark_scale_factor", "10", "1/10000 of a zone",
                                   "vm.watermark_scale_factor: distance min->low->high as a fraction of the zone")
              .range(1, 3000),
          watermark_scale_factor);
        // x86 6.1 memblock-reserves the whole first 1 MiB (BIOS data, real-mode trampoline).
        v(config::ParamSpec::size("low_reserved", "1MiB", "memory from address 0 reserved at boot")
              .range(0, 16 << 20),
          low_reserved);
        // CONFIG_PHYSICAL_START = 16 MiB without KASLR; a distribution kernel's _text.._end is ~30-36 MiB.
        v(config::ParamSpec::size("kernel_start", "16MiB", "physical address of the kernel image")
              .range(0, 1ull << 40),
          kernel_start);
        v(config::ParamSpec::size("kernel_size", "32MiB", "size of the kernel image reserved at boot (0: none)")
              .range(0, 1ull << 30),
          kernel_size);
        v(config::ParamSpec::boolean("reserve_memmap", "true",
                                     "reserve the struct page array (64 bytes per frame) at the top of memory, "
                                     "as memblock allocates it top-down"),
          reserve_memmap);
    }
};

struct Zone;
struct PageList;
struct PerCpuPages;

// Linux 6.1's page allocator: zones with watermarks, buddy lists, per-cpu lists. Every choice that
// is deterministic in Linux (which frame, which list, which end of it) is the same here; see
// docs/os-allocators.md for the functions each part follows and what is left out.
class PageAllocator {
public:
    PageAllocator(const PageAllocParams& p, uint64_t memory_bytes, stats::Registry& r);
    ~PageAllocator();
    PageAllocator(const PageAllocator&) = delete;
    PageAllocator& operator=(const PageAllocator&) = delete;

    // __alloc_pages: the first frame of a naturally aligned block of 2^ORDER frames, or kNoPage
    // (counted in os.buddy.alloc_failures). CPU selects the per-cpu lists.
    pfn_t alloc_pages(unsigned order, Gfp gfp, unsigned cpu, PageOwner owner);
    // __free_pages. Throws SimulationError when PFN is not an allocated block of ORDER.
    void free_pages(pfn_t pfn, unsigned order, unsigned cpu);

    Page& page(pfn_t pfn) { return pages_[pfn]; }
    const Page& page(pfn_t pfn) const { return pages_[pfn]; }
    uint64_t total_pages() const { return pages_.size(); }  // frames 0 .. end of memory, holes included
    uint64_t free_page_count() const;  // NR_FREE_PAGES of all zones (MemFree): buddy pages, not pcp
    uint64_t pcp_page_count() const;   // pages parked on per-cpu lists
    uint64_t managed_page_count() const;

    // /proc/buddyinfo, /proc/pagetypeinfo, /proc/zoneinfo as 6.1's mm/vmstat.c prints them.
    std::string buddyinfo() const;
    std::string pagetypeinfo() const;
    std::string zoneinfo() const;
    // free_area[order].nr_free of ZONE, for sampling.
    uint64_t nr_free(ZoneType zone, unsigned order) const;

    // Inspection for tests and views.
    const Zone& zone(ZoneType z) const;
    ZoneType zone_of(pfn_t pfn) const { return pfn < kDma32StartPfn ? ZoneType::DMA : pfn < kNormalStartPfn ? ZoneType::DMA32 : ZoneType::Normal; }
    MigrateType pageblock_migratetype(pfn_t pfn) const { return MigrateType(pageblock_mt_[pfn >> kPageblockOrder]); }
    std::vector<pfn_t> free_list(ZoneType zone, unsigned order, MigrateType mt) const;  // head first
    std::vector<pfn_t> pcp_list(ZoneType zone, unsigned cpu, unsigned order, MigrateType mt) const;
    int pcp_count(ZoneType zone, unsigned cpu) const;
    unsigned ncpus() const { return unsigned(p_.ncpus); }
    uint64_t min_free_kbytes() const { return min_free_kbytes_; }

    static constexpr pfn_t kDma32StartPfn = (uint64_t(16) << 20) >> kPageShift;   // MAX_DMA_PFN
    static constexpr pfn_t kNormalStartPfn = (uint64_t(4) << 30) >> kPageShift;  // MAX_DMA32_PFN

private:
    PageAllocParams p_;
    std::vector<Page> pages_;
    std::vector<uint8_t> pageblock_mt_;
    std::unique_ptr<Zone[]> zones_;  // DMA, DMA32, Normal
    // zonelists_[highest zone]: managed zones at or below it, highest first (build_zonerefs_node).
    struct ZoneList {
        unsigned n = 0;
        unsigned zones[kZoneCount] = {};
    } zonelists_[kZoneCount];
    uint64_t min_free_kbytes_ = 0;

    struct Stats {
        stats::Counter& alloc_failures;
        stats::Counter* allocs[kMaxOrder];
        stats::Counter* frees[kMaxOrder];
        stats::Counter& pcp_hits;
        stats::Counter& pcp_refills;
        stats::Counter& pcp_drains;
        stats::Counter& pcp_drained_pages;
        stats::Counter& fallbacks;
        stats::Counter& steals;
        explicit Stats(stats::Registry& r);
    } stats_;

    Zone& zone_at(pfn_t pfn);  // zone.h
    void boot(uint64_t memory_bytes);
    void setup_watermarks(uint64_t min_free_kbytes);
    void setup_lowmem_reserve();
    void setup_pagesets();
    void check_cpu(unsigned cpu) const;

    // page_alloc.cpp: get_page_from_freelist and its watermark test
    pfn_t get_page_from_freelist(unsigned order, MigrateType mt, unsigned highest_zoneidx, unsigned wmark,
                                 bool nofragment, unsigned cpu);
    bool zone_watermark_ok(const Zone& z, unsigned order, uint64_t mark, unsigned highest_zoneidx) const;
    void prep_new_page(pfn_t pfn, unsigned order, PageOwner owner, MigrateType mt);

    // zone.cpp: the buddy allocator
    pfn_t rmqueue_smallest(Zone& z, unsigned order, MigrateType mt);
    void expand(Zone& z, pfn_t pfn, unsigned low, unsigned high, MigrateType mt);
    pfn_t rmqueue(Zone& z, unsigned order, MigrateType mt, bool nofragment);  // __rmqueue
    bool rmqueue_fallback(Zone& z, unsigned order, MigrateType start_mt, bool nofragment);
    int find_suitable_fallback(const Zone& z, unsigned order, MigrateType mt, bool& can_steal) const;
    void steal_suitable_fallback(Zone& z, pfn_t pfn, MigrateType start_type, bool whole_block);
    uint64_t move_freepages_block(Zone& z, pfn_t pfn, MigrateType mt, uint64_t* num_movable);
    void free_one_page(Zone& z, pfn_t pfn, unsigned order, MigrateType mt, bool to_tail);  // __free_one_page
    bool page_is_buddy(const Zone& z, pfn_t buddy, unsigned order) const;
    void add_to_free_list(Zone& z, pfn_t pfn, unsigned order, MigrateType mt, bool tail);
    void del_page_from_free_list(Zone& z, pfn_t pfn, unsigned order);
    void move_to_free_list(Zone& z, pfn_t pfn, unsigned order, MigrateType mt);

    // pcp.cpp: per-cpu lists
    pfn_t rmqueue_pcplist(Zone& z, unsigned order, MigrateType mt, bool nofragment, unsigned cpu);
    int rmqueue_bulk(Zone& z, unsigned order, int count, PageList& list, MigrateType mt, bool nofragment);
    void free_unref_page(pfn_t pfn, unsigned order, unsigned cpu);
    void free_pcppages_bulk(Zone& z, int count, PerCpuPages& pcp, unsigned pindex);
};

}  // namespace memsim::os
