// The page allocator's boot, its zone selection and its public entry points (Linux 6.1
// mm/page_alloc.c, mm/memblock.c, mm/khugepaged.c). The buddy lists are in zone.cpp, the per-cpu
// lists in pcp.cpp, the /proc views in zone_views.cpp.
#include "models/os/page_alloc.h"

#include <algorithm>
#include <cmath>

#include "models/os/zone.h"
#include "sim/config/schema.h"
#include "sim/core/error.h"

namespace memsim::os {

MEMSIM_REGISTER_PARAMS(PageAllocParams, "os", "the simulated Linux 6.1 kernel: cpus, physical memory layout, page allocator");

namespace {

uint64_t int_sqrt(uint64_t x) {
    auto r = uint64_t(std::sqrt(double(x)));
    while (r * r > x) --r;
    while ((r + 1) * (r + 1) <= x) ++r;
    return r;
}

unsigned fls(uint64_t x) { return x ? 64 - unsigned(__builtin_clzll(x)) : 0; }

uint64_t rounddown_pow_of_two(uint64_t x) { return x ? uint64_t(1) << (fls(x) - 1) : 0; }

// mult_frac(x, n, d) as include/linux/math.h computes it (no intermediate overflow).
uint64_t mult_frac(uint64_t x, uint64_t n, uint64_t d) { return (x / d) * n + ((x % d) * n) / d; }

struct Range {
    pfn_t start, end;
};

// RANGES minus HOLES (both sorted or not), as sorted disjoint ranges.
std::vector<Range> subtract(const std::vector<Range>& ranges, std::vector<Range> holes) {
    std::sort(holes.begin(), holes.end(), [](const Range& a, const Range& b) { return a.start < b.start; });
    std::vector<Range> out;
    for (Range r : ranges) {
        pfn_t cur = r.start;
        for (const Range& h : holes) {
            if (h.end <= cur || h.start >= r.end) continue;
            if (h.start > cur) out.push_back({cur, h.start});
            cur = std::max(cur, h.end);
        }
        if (cur < r.end) out.push_back({cur, r.end});
    }
    return out;
}

}  // namespace

const char* zone_name(unsigned idx) {
    static const char* const names[kMaxNrZones] = {"DMA", "DMA32", "Normal", "Movable", "Device"};
    return idx < kMaxNrZones ? names[idx] : "?";
}

const char* migratetype_name(MigrateType mt) {
    static const char* const names[] = {"Unmovable", "Movable", "Reclaimable", "HighAtomic"};
    return names[unsigned(mt)];
}

PageAllocator::Stats::Stats(stats::Registry& r)
    : alloc_failures(r.counter("os.buddy.alloc_failures", "allocations",
                               "alloc_pages requests that found no block at or above the min watermark")),
      pcp_hits(r.counter("os.pcp.allocs", "allocations", "allocations served from a per-cpu list")),
      pcp_refills(r.counter("os.pcp.refills", "refills", "empty per-cpu lists refilled from the buddy lists (rmqueue_bulk)")),
      pcp_drains(r.counter("os.pcp.drains", "drains", "per-cpu lists that reached high and were drained (free_pcppages_bulk)")),
      pcp_drained_pages(r.counter("os.pcp.drained_pages", "pages", "pages returned to the buddy lists by drains")),
      fallbacks(r.counter("os.buddy.fallbacks", "events", "blocks taken from another migratetype's list (__rmqueue_fallback)")),
      steals(r.counter("os.buddy.steals", "pageblocks", "pageblocks whose migratetype a fallback claimed")) {
    for (unsigned o = 0; o < kMaxOrder; ++o) {
        allocs[o] = &r.counter("os.buddy.allocs.order" + std::to_string(o), "allocations",
                               "successful alloc_pages of order " + std::to_string(o));
        frees[o] = &r.counter("os.buddy.frees.order" + std::to_string(o), "frees", "free_pages of order " + std::to_string(o));
    }
}

PageAllocator::PageAllocator(const PageAllocParams& p, uint64_t memory_bytes, stats::Registry& r)
    : p_(p), zones_(new Zone[kZoneCount]), stats_(r) {
    if (p_.ncpus < 1 || p_.ncpus > 256) throw InputError("os.ncpus: " + std::to_string(p_.ncpus) + " is outside 1 .. 256");
    if (p_.cpu >= p_.ncpus)
        throw InputError("os.cpu: " + std::to_string(p_.cpu) + " is not below os.ncpus (" + std::to_string(p_.ncpus) + ")");
    if (memory_bytes < (uint64_t(16) << 20))
        throw InputError("memory.size: " + std::to_string(memory_bytes) + " bytes is below the minimum 16MiB");
    boot(memory_bytes);
    r.formula("os.buddy.free_pages", "pages", "free pages on the buddy lists of all zones (NR_FREE_PAGES, MemFree)",
              [this] { return double(free_page_count()); });
    r.formula("os.pcp.pages", "pages", "free pages parked on per-cpu lists", [this] { return double(pcp_page_count()); });
}

PageAllocator::~PageAllocator() = default;

// What x86 Linux 6.1 does between the e820 map and the first allocation, reduced to its outcome:
// - RAM (memblock.memory) is [4 KiB, 636 KiB) and [1 MiB, end): pfn 0 is trimmed (trim_bios_range) and
//   the e820 map reports 0x9fc00..0xfffff reserved (this host's dmesg: "DMA: 1 pages" and "97 pages in
//   unavailable ranges"); memsim has no PCI hole, RAM continues to the end;
// - memmap_init sets MIGRATE_MOVABLE on every pageblock whose first pfn is RAM, so pageblock 0 keeps
//   MIGRATE_UNMOVABLE (live /proc/pagetypeinfo: DMA has 1 Unmovable and 7 Movable blocks);
// - memblock reservations (low memory, kernel image, struct pages) stay PageReserved;
// - memblock_free_all -> free_low_memory_core_early frees the rest range by range in increasing address,
//   __free_pages_memory cutting each into the largest aligned blocks (order min(10, __ffs(pfn))), each
//   through __free_pages_core -> __free_one_page with FPI_TO_TAIL;
// - init_per_zone_wmark_min computes min_free_kbytes, then khugepaged (subsys_initcall) raises it.
void PageAllocator::boot(uint64_t memory_bytes) {
    const pfn_t end = memory_bytes >> kPageShift;
    Page reserved;
    reserved.owner = PageOwner::Reserved;
    reserved.flags = pg::kReserved;
    reserved.refcount = 1;  // __init_single_page: "allocated"
    pages_.assign(end, reserved);
    pageblock_mt_.assign((end + kPageblockPages - 1) >> kPageblockOrder, uint8_t(MigrateType::Unmovable));

    const std::vector<Range> ram = {{1, 0x9f}, {0x100, end}};
    const pfn_t zone_lo[kZoneCount] = {0, kDma32StartPfn, kNormalStartPfn};
    const pfn_t zone_hi[kZoneCount] = {kDma32StartPfn, kNormalStartPfn, ~pfn_t(0)};
    const pfn_t node_start = ram.front().start;
    for (unsigned i = 0; i < kZoneCount; ++i) {
        Zone& z = zones_[i];
        z.idx = i;
        z.pcp.resize(p_.ncpus);
        pfn_t s = std::max(zone_lo[i], node_start), e = std::min(zone_hi[i], end);
        if (s >= e) continue;
        z.start_pfn = s;
        z.spanned = e - s;
        for (const Range& r : ram) {
            pfn_t a = std::max(r.start, s), b = std::min(r.end, e);
            if (a < b) z.present += b - a;
        }
    }
    for (const Range& r : ram)
        for (pfn_t pfn = (r.start + kPageblockPages - 1) & ~(kPageblockPages - 1); pfn < r.end; pfn += kPageblockPages)
            pageblock_mt_[pfn >> kPageblockOrder] = uint8_t(MigrateType::Movable);

    std::vector<Range> holds = {{0, (p_.low_reserved + kPageSize - 1) >> kPageShift}};
    if (p_.kernel_size)
        holds.push_back({p_.kernel_start >> kPageShift, (p_.kernel_start + p_.kernel_size + kPageSize - 1) >> kPageShift});
    if (p_.reserve_memmap) {
        pfn_t memmap_pages = (end * 64 + kPageSize - 1) >> kPageShift;  // sizeof(struct page) = 64
        holds.push_back({end - std::min(end, memmap_pages), end});
    }
    for (const Range& r : subtract(ram, holds)) {
        // __free_pages_memory
        for (pfn_t start = r.start; start < r.end;) {
            unsigned order = start ? std::min(kMaxOrder - 1, unsigned(__builtin_ctzll(start))) : kMaxOrder - 1;
            while (start + (pfn_t(1) << order) > r.end) --order;
            // __free_pages_core
            for (pfn_t pfn = start; pfn < start + (pfn_t(1) << order); ++pfn) pages_[pfn] = Page{};
            Zone& z = zone_at(start);
            z.managed += uint64_t(1) << order;
            free_one_page(z, start, order, pageblock_migratetype(start), /*to_tail=*/true);
            start += pfn_t(1) << order;
        }
    }

    // build_zonerefs_node: managed zones, highest first.
    for (unsigned h = 0; h < kZoneCount; ++h)
        for (int i = int(h); i >= 0; --i)
            if (zones_[i].is_managed()) zonelists_[h].zones[zonelists_[h].n++] = unsigned(i);

    uint64_t lowmem = managed_page_count();
    if (p_.min_free_kbytes) {
        setup_watermarks(p_.min_free_kbytes);
    } else {
        // calculate_min_free_kbytes: nr_free_buffer_pages() while the watermarks are still 0.
        uint64_t mfk = std::clamp<uint64_t>(int_sqrt(lowmem * (kPageSize >> 10) * 16), 128, 262144);
        setup_watermarks(mfk);
        if (p_.transparent_hugepage) {
            // set_recommended_min_free_kbytes
            uint64_t nr_zones = 0, nr_free_buffer = 0;
            for (unsigned i = 0; i < kZoneCount; ++i) {
                const Zone& z = zones_[i];
                if (z.populated()) ++nr_zones;
                if (z.managed > z.watermark[kWmarkHigh]) nr_free_buffer += z.managed - z.watermark[kWmarkHigh];
            }
            uint64_t recommended = kPageblockPages * nr_zones * 2 + kPageblockPages * nr_zones * kPcpTypes * kPcpTypes;
            recommended = std::min(recommended, nr_free_buffer / 20) << (kPageShift - 10);
            if (recommended > mfk) mfk = recommended;
            setup_watermarks(mfk);
        }
    }
    setup_lowmem_reserve();
    setup_pagesets();
}

// __setup_per_zone_wmarks
void PageAllocator::setup_watermarks(uint64_t min_free_kbytes) {
    min_free_kbytes_ = min_free_kbytes;
    const uint64_t pages_min = min_free_kbytes >> (kPageShift - 10);
    const uint64_t lowmem_pages = managed_page_count();
    for (unsigned i = 0; i < kZoneCount; ++i) {
        Zone& z = zones_[i];
        uint64_t tmp = lowmem_pages ? pages_min * z.managed / lowmem_pages : 0;
        z.watermark[kWmarkMin] = tmp;
        tmp = std::max(tmp >> 2, mult_frac(z.managed, p_.watermark_scale_factor, 10000));
        z.watermark[kWmarkLow] = z.watermark[kWmarkMin] + tmp;
        z.watermark[kWmarkHigh] = z.watermark[kWmarkLow] + tmp;
        z.watermark[kWmarkPromo] = z.watermark[kWmarkHigh] + tmp;
    }
}

// setup_per_zone_lowmem_reserve with sysctl_lowmem_reserve_ratio = {256, 256, 32, 0, 0}.
void PageAllocator::setup_lowmem_reserve() {
    static const uint64_t ratio[kMaxNrZones] = {256, 256, 32, 0, 0};
    for (unsigned i = 0; i < kZoneCount; ++i) {
        Zone& z = zones_[i];
        bool clear = !ratio[i] || !z.managed;
        uint64_t managed = 0;
        for (unsigned j = i + 1; j < kMaxNrZones; ++j) {
            managed += j < kZoneCount ? zones_[j].managed : 0;  // Movable and Device manage nothing
            z.lowmem_reserve[j] = clear ? 0 : managed / ratio[i];
        }
    }
}

// zone_set_pageset_high_and_batch(zone, 0) with zone_batchsize / zone_highsize, and the vmstat
// threshold of calculate_normal_threshold.
void PageAllocator::setup_pagesets() {
    for (unsigned i = 0; i < kZoneCount; ++i) {
        Zone& z = zones_[i];
        int64_t batch = int64_t(std::min<uint64_t>(z.managed >> 10, (1 << 20) / kPageSize));
        batch /= 4;  // "We effectively *= 4 below"
        if (batch < 1) batch = 1;
        batch = int64_t(rounddown_pow_of_two(uint64_t(batch + batch / 2))) - 1;
        batch = std::max<int64_t>(1, batch);
        // zone_highsize: the low watermark split over the node's cpus, at least batch * 4.
        int64_t high = int64_t(z.watermark[kWmarkLow] / p_.ncpus);
        high = std::max(high, batch << 2);
        for (PerCpuPages& pcp : z.pcp) {
            pcp.batch = int(batch);
            pcp.high = int(high);
        }
        int threshold = int(2 * fls(p_.ncpus) * (1 + fls(z.managed >> (27 - kPageShift))));
        z.stat_threshold = std::min(threshold, 125);
    }
}

void PageAllocator::check_cpu(unsigned cpu) const {
    if (cpu >= p_.ncpus)
        throw SimulationError("page allocator: cpu " + std::to_string(cpu) + " is not below os.ncpus (" +
                              std::to_string(p_.ncpus) + ")");
}

// __alloc_pages: the fast attempt at the low watermark (ALLOC_NOFRAGMENT when the preferred zone is
// Normal, alloc_flags_nofragment), then the slow path's attempt at the min watermark. Reclaim,
// compaction and the OOM killer are not modelled: what remains is a failure.
pfn_t PageAllocator::alloc_pages(unsigned order, Gfp gfp, unsigned cpu, PageOwner owner) {
    check_cpu(cpu);
    const unsigned highest = unsigned(gfp.highest_zone);
    const ZoneList& zl = zonelists_[highest];
    if (order >= kMaxOrder || zl.n == 0) {
        ++stats_.alloc_failures;
        return kNoPage;
    }
    // gfp_migratetype never yields MIGRATE_HIGHATOMIC; memsim has no highatomic reserves.
    MigrateType mt = gfp.migratetype == MigrateType::HighAtomic ? MigrateType::Unmovable : gfp.migratetype;
    bool nofragment = zl.zones[0] == unsigned(ZoneType::Normal);
    pfn_t pfn = get_page_from_freelist(order, mt, highest, kWmarkLow, nofragment, cpu);
    if (pfn == kNoPage) pfn = get_page_from_freelist(order, mt, highest, kWmarkMin, false, cpu);
    if (pfn == kNoPage) {
        ++stats_.alloc_failures;
        return kNoPage;
    }
    prep_new_page(pfn, order, owner, mt);
    ++*stats_.allocs[order];
    return pfn;
}

pfn_t PageAllocator::get_page_from_freelist(unsigned order, MigrateType mt, unsigned highest, unsigned wmark,
                                            bool nofragment, unsigned cpu) {
    const ZoneList& zl = zonelists_[highest];
    for (;;) {
        for (unsigned i = 0; i < zl.n; ++i) {
            Zone& z = zones_[zl.zones[i]];
            if (!zone_watermark_ok(z, order, z.watermark[wmark], highest)) continue;  // node_reclaim is off
            // rmqueue: the pcp lists for orders 0..3 and the THP order, else the buddy lists directly.
            pfn_t pfn = kNoPage;
            if (order <= kCostlyOrder || order == kPageblockOrder) pfn = rmqueue_pcplist(z, order, mt, nofragment, cpu);
            if (pfn == kNoPage) {
                pfn = rmqueue(z, order, mt, nofragment);  // rmqueue_buddy
                if (pfn != kNoPage) z.free_pages -= uint64_t(1) << order;
            }
            if (pfn != kNoPage) return pfn;
        }
        if (!nofragment) return kNoPage;
        nofragment = false;  // "reset and try again"
    }
}

// zone_watermark_fast / __zone_watermark_ok for an allocation with no access to reserves: the free
// pages, less the pages a block of ORDER cannot use, must exceed the mark plus lowmem_reserve for the
// request's highest zone; a high-order request also needs a free block of at least ORDER on one of
// the unmovable, movable or reclaimable lists.
bool PageAllocator::zone_watermark_ok(const Zone& z, unsigned order, uint64_t mark, unsigned highest) const {
    int64_t free_pages = int64_t(z.free_pages) - ((int64_t(1) << order) - 1);
    if (free_pages <= int64_t(mark + z.lowmem_reserve[highest])) return false;
    if (!order) return true;
    for (unsigned o = order; o < kMaxOrder; ++o) {
        const FreeArea& area = z.free_area[o];
        if (!area.nr_free) continue;
        for (unsigned mt = 0; mt < kPcpTypes; ++mt)
            if (!area.free_list[mt].empty()) return true;
    }
    return false;
}

void PageAllocator::prep_new_page(pfn_t pfn, unsigned order, PageOwner owner, MigrateType mt) {
    Page& head = pages_[pfn];
    head.owner = owner;
    head.refcount = 1;
    head.mapcount = 0;
    head.order = uint8_t(order);
    head.migratetype = mt;
    head.flags = order ? pg::kHead : 0;
    for (pfn_t t = pfn + 1; t < pfn + (pfn_t(1) << order); ++t) {
        Page& tail = pages_[t];
        tail.owner = owner;
        tail.refcount = 0;
        tail.mapcount = 0;
        tail.order = 0;
        tail.flags = pg::kTail;
    }
}

// __free_pages -> free_the_page: orders the pcp lists hold go to this cpu's list, others straight to
// the buddy lists (__free_pages_ok, FPI_NONE).
void PageAllocator::free_pages(pfn_t pfn, unsigned order, unsigned cpu) {
    check_cpu(cpu);
    auto where = [&] { return "free_pages(pfn " + std::to_string(pfn) + ", order " + std::to_string(order) + "): "; };
    if (pfn >= pages_.size()) throw SimulationError(where() + "beyond the end of memory");
    Page& head = pages_[pfn];
    if (head.owner == PageOwner::Free || head.owner == PageOwner::Reserved)
        throw SimulationError(where() + (head.owner == PageOwner::Free ? "the frame is free" : "the frame is reserved"));
    if (head.flags & pg::kTail) throw SimulationError(where() + "the frame is inside an allocated block, not its first frame");
    if (head.order != order)
        throw SimulationError(where() + "the block was allocated with order " + std::to_string(head.order));
    for (pfn_t t = pfn; t < pfn + (pfn_t(1) << order); ++t) {
        Page& pg = pages_[t];
        pg.owner = PageOwner::Free;
        pg.refcount = 0;
        pg.mapcount = 0;
        pg.flags = 0;
    }
    ++*stats_.frees[order];
    if (order <= kCostlyOrder || order == kPageblockOrder)
        free_unref_page(pfn, order, cpu);
    else
        free_one_page(zone_at(pfn), pfn, order, pageblock_migratetype(pfn), false);
}

uint64_t PageAllocator::free_page_count() const {
    uint64_t n = 0;
    for (unsigned i = 0; i < kZoneCount; ++i) n += zones_[i].free_pages;
    return n;
}

uint64_t PageAllocator::pcp_page_count() const {
    uint64_t n = 0;
    for (unsigned i = 0; i < kZoneCount; ++i)
        for (const PerCpuPages& pcp : zones_[i].pcp) n += uint64_t(pcp.count);
    return n;
}

uint64_t PageAllocator::managed_page_count() const {
    uint64_t n = 0;
    for (unsigned i = 0; i < kZoneCount; ++i) n += zones_[i].managed;
    return n;
}

const Zone& PageAllocator::zone(ZoneType z) const { return zones_[unsigned(z)]; }

uint64_t PageAllocator::nr_free(ZoneType z, unsigned order) const { return zones_[unsigned(z)].free_area[order].nr_free; }

std::vector<pfn_t> PageAllocator::free_list(ZoneType z, unsigned order, MigrateType mt) const {
    std::vector<pfn_t> out;
    for (pfn_t p = zones_[unsigned(z)].free_area[order].free_list[unsigned(mt)].head; p != kNoPage; p = pages_[p].next)
        out.push_back(p);
    return out;
}

int PageAllocator::pcp_count(ZoneType z, unsigned cpu) const { return zones_[unsigned(z)].pcp.at(cpu).count; }

}  // namespace memsim::os
