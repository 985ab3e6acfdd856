// Per-cpu page lists (struct per_cpu_pages) as Linux 6.1's mm/page_alloc.c runs them: one list per
// migratetype for orders 0..PAGE_ALLOC_COSTLY_ORDER and two for the THP order; allocation takes the
// head, an empty list is refilled with batch >> order blocks from the buddy lists (rmqueue_bulk, at
// the tail, in the order __rmqueue returns them); a free goes to the head, and once the cpu's count
// reaches high, free_pcppages_bulk returns blocks from the lists' tails round-robin.
//
// This is the hot path of a page fault: no allocation, no map, a handful of branches.
#include <algorithm>

#include "models/os/page_alloc.h"
#include "models/os/zone.h"

namespace memsim::os {

namespace {

constexpr int kPcpBatchScaleMax = 5;  // CONFIG_PCP_BATCH_SCALE_MAX default

// order_to_pindex: order * MIGRATE_PCPTYPES + migratetype; the THP order has one list for movable and
// one for the rest.
inline unsigned order_to_pindex(MigrateType mt, unsigned order) {
    if (order > kCostlyOrder) return kLowOrderPcpLists + (mt == MigrateType::Movable ? 1 : 0);
    return kPcpTypes * order + unsigned(mt);
}

inline unsigned pindex_to_order(unsigned pindex) {
    return pindex >= kLowOrderPcpLists ? kPageblockOrder : pindex / kPcpTypes;
}

// nr_pcp_free: how many pages a drain returns. Consecutive frees without an allocation double it
// (free_factor), between batch and high - batch.
int nr_pcp_free(PerCpuPages& pcp, int high, int batch, bool free_high) {
    if (free_high) return pcp.count;
    if (high < batch) return 1;
    int min_nr_free = batch;
    int max_nr_free = high - batch;
    batch <<= pcp.free_factor;
    if (batch < max_nr_free && pcp.free_factor < kPcpBatchScaleMax) ++pcp.free_factor;
    // clamp(batch, min, max) = min(max(batch, min), max)
    return std::min(std::max(batch, min_nr_free), max_nr_free);
}

}  // namespace

// rmqueue_pcplist / __rmqueue_pcplist
pfn_t PageAllocator::rmqueue_pcplist(Zone& z, unsigned order, MigrateType mt, bool nofragment, unsigned cpu) {
    PerCpuPages& pcp = z.pcp[cpu];
    pcp.free_factor >>= 1;  // an allocation halves the batch scaling of later frees
    PageList& list = pcp.lists[order_to_pindex(mt, order)];
    if (list.empty()) {
        int batch = pcp.batch;
        if (batch > 1) batch = std::max(batch >> order, 2);
        int alloced = rmqueue_bulk(z, order, batch, list, mt, nofragment);
        pcp.count += alloced << order;
        ++stats_.pcp_refills;
        if (list.empty()) return kNoPage;
    }
    pfn_t pfn = list.head;
    list_del(pages_.data(), list, pfn);
    pages_[pfn].flags &= ~pg::kPcp;
    pcp.count -= 1 << order;
    ++stats_.pcp_hits;
    return pfn;
}

// rmqueue_bulk: COUNT blocks from __rmqueue, each added at the list's tail, so that split blocks
// come out in physical order.
int PageAllocator::rmqueue_bulk(Zone& z, unsigned order, int count, PageList& list, MigrateType mt, bool nofragment) {
    int i = 0;
    for (; i < count; ++i) {
        pfn_t pfn = rmqueue(z, order, mt, nofragment);
        if (pfn == kNoPage) break;
        pages_[pfn].flags |= pg::kPcp;
        pages_[pfn].order = uint8_t(order);
        list_add_tail(pages_.data(), list, pfn);
    }
    z.free_pages -= uint64_t(i) << order;
    return i;
}

// free_unref_page -> free_unref_page_commit: the block carries its pageblock's migratetype
// (free_unref_page_prepare), goes to the head of its list, and a list that reaches high is drained.
void PageAllocator::free_unref_page(pfn_t pfn, unsigned order, unsigned cpu) {
    Page& page = pages_[pfn];
    MigrateType mt = pageblock_migratetype(pfn);
    page.migratetype = mt;
    page.order = uint8_t(order);
    page.flags |= pg::kPcp;
    // HighAtomic (and CMA) blocks are kept on the movable list.
    MigrateType pcp_mt = unsigned(mt) >= kPcpTypes ? MigrateType::Movable : mt;
    Zone& z = zone_at(pfn);
    PerCpuPages& pcp = z.pcp[cpu];
    unsigned pindex = order_to_pindex(pcp_mt, order);
    list_add(pages_.data(), pcp.lists[pindex], pfn);
    pcp.count += 1 << order;

    // High-order pages other than THP are all freed when the cpu keeps freeing without allocating.
    bool free_high = pcp.free_factor && order && order <= kCostlyOrder;
    int high = (!pcp.high || free_high) ? 0 : pcp.high;  // nr_pcp_high (no reclaim is ever active)
    if (pcp.count >= high) free_pcppages_bulk(z, nr_pcp_free(pcp, high, pcp.batch, free_high), pcp, pindex);
}

// free_pcppages_bulk: starting with the list just freed to, take blocks from each list's tail until
// COUNT pages are gone or the list is empty, then move to the next non-empty list round-robin.
void PageAllocator::free_pcppages_bulk(Zone& z, int count, PerCpuPages& pcp, unsigned pindex_in) {
    int min_pindex = 0, max_pindex = int(kPcpLists) - 1;
    count = std::min(pcp.count, count);
    int pindex = int(pindex_in) - 1;  // "Ensure requested pindex is drained first"
    ++stats_.pcp_drains;
    while (count > 0) {
        PageList* list;
        for (;;) {
            if (++pindex > max_pindex) pindex = min_pindex;
            list = &pcp.lists[pindex];
            if (!list->empty()) break;
            if (pindex == max_pindex) --max_pindex;
            if (pindex == min_pindex) ++min_pindex;
        }
        unsigned order = pindex_to_order(unsigned(pindex));
        int nr_pages = 1 << order;
        do {
            pfn_t pfn = list->tail;
            list_del(pages_.data(), *list, pfn);
            count -= nr_pages;
            pcp.count -= nr_pages;
            pages_[pfn].flags &= ~pg::kPcp;
            stats_.pcp_drained_pages += uint64_t(nr_pages);
            free_one_page(z, pfn, order, pages_[pfn].migratetype, false);
        } while (count > 0 && !list->empty());
    }
}

std::vector<pfn_t> PageAllocator::pcp_list(ZoneType z, unsigned cpu, unsigned order, MigrateType mt) const {
    std::vector<pfn_t> out;
    const PerCpuPages& pcp = zones_[unsigned(z)].pcp.at(cpu);
    for (pfn_t p = pcp.lists[order_to_pindex(mt, order)].head; p != kNoPage; p = pages_[p].next) out.push_back(p);
    return out;
}

}  // namespace memsim::os
