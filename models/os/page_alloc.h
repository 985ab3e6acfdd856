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
#include <string>

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

}  // namespace memsim::os
