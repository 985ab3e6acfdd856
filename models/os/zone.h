#pragma once
// One zone of physical memory as Linux 6.1's struct zone keeps it (include/linux/mmzone.h): its
// span, the buddy free_area[] with one list per migratetype, the watermarks and lowmem_reserve,
// and the per-cpu page lists (struct per_cpu_pages). Lists are intrusive, threaded through
// Page::prev / Page::next by frame number, so adding and removing a block is O(1) and allocates
// nothing.
#include <cstdint>
#include <vector>

#include "models/os/page_alloc.h"

namespace memsim::os {

// Linux 6.1 with CONFIG_ZONE_DEVICE (Debian's build): DMA, DMA32, Normal, Movable, Device. memsim
// populates the first three; the other two exist for lowmem_reserve (the "protection:" line).
constexpr unsigned kMaxNrZones = 5;
// PAGE_ALLOC_COSTLY_ORDER: the pcp lists hold orders 0..3, plus the THP order (pageblock_order).
constexpr unsigned kCostlyOrder = 3;
constexpr unsigned kPcpTypes = 3;  // MIGRATE_PCPTYPES: unmovable, movable, reclaimable
// NR_PCP_LISTS = MIGRATE_PCPTYPES * (PAGE_ALLOC_COSTLY_ORDER + 1) + NR_PCP_THP (2 with THP).
constexpr unsigned kLowOrderPcpLists = kPcpTypes * (kCostlyOrder + 1);
constexpr unsigned kPcpLists = kLowOrderPcpLists + 2;
constexpr uint64_t kPageblockPages = uint64_t(1) << kPageblockOrder;

enum Watermark : unsigned { kWmarkMin, kWmarkLow, kWmarkHigh, kWmarkPromo, kNrWmark };

const char* zone_name(unsigned zone_idx);          // "DMA", "DMA32", "Normal", "Movable", "Device"
const char* migratetype_name(MigrateType mt);      // "Unmovable", ... as migratetype_names[]

struct PageList {
    pfn_t head = kNoPage, tail = kNoPage;
    bool empty() const { return head == kNoPage; }
};

// list_add: at the head.
inline void list_add(Page* pages, PageList& l, pfn_t pfn) {
    Page& p = pages[pfn];
    p.prev = kNoPage;
    p.next = l.head;
    if (l.head != kNoPage)
        pages[l.head].prev = pfn;
    else
        l.tail = pfn;
    l.head = pfn;
}

inline void list_add_tail(Page* pages, PageList& l, pfn_t pfn) {
    Page& p = pages[pfn];
    p.next = kNoPage;
    p.prev = l.tail;
    if (l.tail != kNoPage)
        pages[l.tail].next = pfn;
    else
        l.head = pfn;
    l.tail = pfn;
}

inline void list_del(Page* pages, PageList& l, pfn_t pfn) {
    Page& p = pages[pfn];
    if (p.prev != kNoPage)
        pages[p.prev].next = p.next;
    else
        l.head = p.next;
    if (p.next != kNoPage)
        pages[p.next].prev = p.prev;
    else
        l.tail = p.prev;
    p.prev = p.next = kNoPage;
}

struct FreeArea {
    PageList free_list[kMigrateTypes];
    uint64_t nr_free = 0;  // blocks of this order on all lists
};

// struct per_cpu_pages
struct PerCpuPages {
    int count = 0;        // pages (not blocks) on all lists
    int high = 0;
    int batch = 1;
    int free_factor = 0;  // batch scaling while freeing without allocating (nr_pcp_free)
    PageList lists[kPcpLists];
};

struct Zone {
    unsigned idx = 0;  // ZoneType as a number: DMA 0, DMA32 1, Normal 2
    pfn_t start_pfn = 0;
    uint64_t spanned = 0, present = 0, managed = 0;
    uint64_t free_pages = 0;  // NR_FREE_PAGES: buddy pages only; pages on pcp lists count as allocated
    uint64_t watermark[kNrWmark] = {};
    uint64_t lowmem_reserve[kMaxNrZones] = {};
    FreeArea free_area[kMaxOrder];
    std::vector<PerCpuPages> pcp;  // one per cpu
    int stat_threshold = 0;        // calculate_normal_threshold, shown in zoneinfo

    pfn_t end_pfn() const { return start_pfn + spanned; }
    bool spans(pfn_t pfn) const { return pfn >= start_pfn && pfn < end_pfn(); }
    bool populated() const { return present != 0; }  // populated_zone()
    bool is_managed() const { return managed != 0; }  // managed_zone(): in the zonelists
};

inline Zone& PageAllocator::zone_at(pfn_t pfn) { return zones_[unsigned(zone_of(pfn))]; }

}  // namespace memsim::os
