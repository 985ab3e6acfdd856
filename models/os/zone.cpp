// The buddy allocator of one zone, as Linux 6.1's mm/page_alloc.c runs it: __rmqueue_smallest and
// expand(), __rmqueue_fallback with pageblock stealing, and __free_one_page with its merging and
// head-or-tail placement. Zone free-page accounting (NR_FREE_PAGES) is the callers' business, as in
// Linux, except that __free_one_page adds what it frees.
#include "models/os/page_alloc.h"
#include "models/os/zone.h"

namespace memsim::os {

namespace {

// fallbacks[] of 6.1: the lists a migratetype falls back to, in order (HighAtomic has none).
constexpr int kFallbacks[kMigrateTypes][2] = {
    {int(MigrateType::Reclaimable), int(MigrateType::Movable)},    // Unmovable
    {int(MigrateType::Reclaimable), int(MigrateType::Unmovable)},  // Movable
    {int(MigrateType::Unmovable), int(MigrateType::Movable)},      // Reclaimable
    {-1, -1},                                                      // HighAtomic
};

bool mergeable(MigrateType mt) { return unsigned(mt) < kPcpTypes; }  // migratetype_is_mergeable

// can_steal_fallback (page_group_by_mobility_disabled is false for any memory memsim accepts).
bool can_steal_fallback(unsigned order, MigrateType start_mt) {
    if (order >= kPageblockOrder) return true;
    return order >= kPageblockOrder / 2 || start_mt == MigrateType::Reclaimable || start_mt == MigrateType::Unmovable;
}

}  // namespace

void PageAllocator::add_to_free_list(Zone& z, pfn_t pfn, unsigned order, MigrateType mt, bool tail) {
    Page& p = pages_[pfn];
    p.order = uint8_t(order);  // set_buddy_order
    p.flags |= pg::kBuddy;
    p.migratetype = mt;  // memsim keeps which list holds the block, for O(1) removal
    FreeArea& area = z.free_area[order];
    if (tail)
        list_add_tail(pages_.data(), area.free_list[unsigned(mt)], pfn);
    else
        list_add(pages_.data(), area.free_list[unsigned(mt)], pfn);
    ++area.nr_free;
}

void PageAllocator::del_page_from_free_list(Zone& z, pfn_t pfn, unsigned order) {
    Page& p = pages_[pfn];
    FreeArea& area = z.free_area[order];
    list_del(pages_.data(), area.free_list[unsigned(p.migratetype)], pfn);
    p.flags &= ~pg::kBuddy;
    --area.nr_free;
}

// move_to_free_list: to the tail of MT's list, "so the moved pages won't immediately be considered
// for allocation again".
void PageAllocator::move_to_free_list(Zone& z, pfn_t pfn, unsigned order, MigrateType mt) {
    Page& p = pages_[pfn];
    FreeArea& area = z.free_area[order];
    list_del(pages_.data(), area.free_list[unsigned(p.migratetype)], pfn);
    p.migratetype = mt;
    list_add_tail(pages_.data(), area.free_list[unsigned(mt)], pfn);
}

// expand: the upper half of each split goes to the head of the next lower order's list; the lowest
// block is the one returned.
void PageAllocator::expand(Zone& z, pfn_t pfn, unsigned low, unsigned high, MigrateType mt) {
    uint64_t size = uint64_t(1) << high;
    while (high > low) {
        --high;
        size >>= 1;
        add_to_free_list(z, pfn + size, high, mt, false);
    }
}

// __rmqueue_smallest: the head of the smallest non-empty list of MT at ORDER or above.
pfn_t PageAllocator::rmqueue_smallest(Zone& z, unsigned order, MigrateType mt) {
    for (unsigned current = order; current < kMaxOrder; ++current) {
        PageList& list = z.free_area[current].free_list[unsigned(mt)];
        if (list.empty()) continue;
        pfn_t pfn = list.head;
        del_page_from_free_list(z, pfn, current);
        expand(z, pfn, order, current, mt);
        pages_[pfn].migratetype = mt;  // set_pcppage_migratetype
        return pfn;
    }
    return kNoPage;
}

// __rmqueue (no CMA): the requested list, else steal from a fallback list and try again.
pfn_t PageAllocator::rmqueue(Zone& z, unsigned order, MigrateType mt, bool nofragment) {
    for (;;) {
        pfn_t pfn = rmqueue_smallest(z, order, mt);
        if (pfn != kNoPage || !rmqueue_fallback(z, order, mt, nofragment)) return pfn;
    }
}

// find_suitable_fallback with only_stealable = false (the only way __rmqueue_fallback calls it).
int PageAllocator::find_suitable_fallback(const Zone& z, unsigned order, MigrateType mt, bool& can_steal) const {
    const FreeArea& area = z.free_area[order];
    if (area.nr_free == 0) return -1;
    can_steal = false;
    for (int fallback_mt : kFallbacks[unsigned(mt)]) {
        if (fallback_mt < 0) break;
        if (area.free_list[fallback_mt].empty()) continue;
        if (can_steal_fallback(order, mt)) can_steal = true;
        return fallback_mt;
    }
    return -1;
}

// __rmqueue_fallback: the largest block on a fallback list (at pageblock order or above under
// ALLOC_NOFRAGMENT), except that a movable request that cannot steal the whole pageblock takes the
// smallest suitable block instead.
bool PageAllocator::rmqueue_fallback(Zone& z, unsigned order, MigrateType start_mt, bool nofragment) {
    unsigned min_order = order;
    if (order < kPageblockOrder && nofragment) min_order = kPageblockOrder;
    bool can_steal = false;
    int fallback_mt = -1;
    int current = int(kMaxOrder) - 1;
    for (; current >= int(min_order); --current) {
        fallback_mt = find_suitable_fallback(z, unsigned(current), start_mt, can_steal);
        if (fallback_mt == -1) continue;
        if (!can_steal && start_mt == MigrateType::Movable && unsigned(current) > order) {
            // find_smallest
            for (current = int(order); current < int(kMaxOrder); ++current) {
                fallback_mt = find_suitable_fallback(z, unsigned(current), start_mt, can_steal);
                if (fallback_mt != -1) break;
            }
        }
        break;
    }
    if (fallback_mt == -1 || current < int(min_order) || current >= int(kMaxOrder)) return false;
    pfn_t pfn = z.free_area[current].free_list[fallback_mt].head;
    ++stats_.fallbacks;
    steal_suitable_fallback(z, pfn, start_mt, can_steal);
    return true;
}

// steal_suitable_fallback. Watermark boosting (boost_watermark) is left out: it only matters to
// kswapd, which memsim does not model.
void PageAllocator::steal_suitable_fallback(Zone& z, pfn_t pfn, MigrateType start_type, bool whole_block) {
    const unsigned current_order = pages_[pfn].order;
    const MigrateType old_block_type = pageblock_migratetype(pfn);
    if (old_block_type != MigrateType::HighAtomic) {
        if (current_order >= kPageblockOrder) {
            // change_pageblock_range: take ownership of every pageblock in the block.
            for (pfn_t b = pfn; b < pfn + (pfn_t(1) << current_order); b += kPageblockPages)
                pageblock_mt_[b >> kPageblockOrder] = uint8_t(start_type);
            ++stats_.steals;
        } else if (whole_block) {
            uint64_t movable_pages = 0;
            uint64_t free_pages = move_freepages_block(z, pfn, start_type, &movable_pages);
            uint64_t alike_pages;
            if (start_type == MigrateType::Movable)
                alike_pages = movable_pages;
            else if (old_block_type == MigrateType::Movable)
                alike_pages = kPageblockPages - (free_pages + movable_pages);
            else
                alike_pages = 0;
            if (free_pages) {
                if (free_pages + alike_pages >= (kPageblockPages >> 1)) {
                    pageblock_mt_[pfn >> kPageblockOrder] = uint8_t(start_type);
                    ++stats_.steals;
                }
                return;
            }
        }
    }
    move_to_free_list(z, pfn, current_order, start_type);  // single_page
}

// move_freepages_block: every free block of PFN's pageblock to the tail of MT's lists; the allocated
// pages that are movable (PageLRU: memsim counts user pages of movable allocations) are counted.
uint64_t PageAllocator::move_freepages_block(Zone& z, pfn_t pfn, MigrateType mt, uint64_t* num_movable) {
    if (num_movable) *num_movable = 0;
    pfn_t start = pfn & ~(kPageblockPages - 1);
    pfn_t end = start + kPageblockPages - 1;
    if (!z.spans(start)) start = pfn;
    if (!z.spans(end)) return 0;
    uint64_t moved = 0;
    for (pfn_t p = start; p <= end;) {
        const Page& page = pages_[p];
        if (!(page.flags & pg::kBuddy)) {
            if (num_movable && page.owner == PageOwner::User && page.migratetype == MigrateType::Movable) ++*num_movable;
            ++p;
            continue;
        }
        unsigned order = page.order;
        move_to_free_list(z, p, order, mt);
        p += pfn_t(1) << order;
        moved += uint64_t(1) << order;
    }
    return moved;
}

// page_is_buddy: a free block of exactly ORDER, in the same zone.
bool PageAllocator::page_is_buddy(const Zone& z, pfn_t buddy, unsigned order) const {
    if (buddy >= pages_.size()) return false;
    const Page& b = pages_[buddy];
    return (b.flags & pg::kBuddy) && b.order == order && unsigned(zone_of(buddy)) == z.idx;
}

// __free_one_page: merge with the buddy pfn ^ (1 << order) while it is free, then put the block at
// the tail of its list if asked to (FPI_TO_TAIL) or if buddy_merge_likely says the next order's
// buddy is free (it may merge soon), else at the head. Page shuffling is off (the 6.1 default).
void PageAllocator::free_one_page(Zone& z, pfn_t pfn, unsigned order, MigrateType mt, bool to_tail) {
    z.free_pages += uint64_t(1) << order;
    pfn_t buddy_pfn = 0;
    while (order < kMaxOrder - 1) {
        buddy_pfn = pfn ^ (pfn_t(1) << order);
        if (!page_is_buddy(z, buddy_pfn, order)) break;
        if (order >= kPageblockOrder) {
            MigrateType buddy_mt = pageblock_migratetype(buddy_pfn);
            if (mt != buddy_mt && (!mergeable(mt) || !mergeable(buddy_mt))) break;
        }
        del_page_from_free_list(z, buddy_pfn, order);
        pfn &= buddy_pfn;
        ++order;
    }
    if (!to_tail && order < kMaxOrder - 2) {
        // buddy_merge_likely
        pfn_t higher = buddy_pfn & pfn;
        to_tail = page_is_buddy(z, higher ^ (pfn_t(1) << (order + 1)), order + 1);
    }
    add_to_free_list(z, pfn, order, mt, to_tail);
}

}  // namespace memsim::os
