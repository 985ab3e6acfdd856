#include "models/os/dma_alloc.h"

#include <algorithm>

#include "sim/config/schema.h"
#include "sim/core/error.h"

namespace memsim::os {

MEMSIM_REGISTER_PARAMS(DmaAllocParams, "os.dma",
                       "kernel DMA buffers (dma_alloc_coherent) and the cache maintenance of streaming mappings");

unsigned get_order(uint64_t size) {
    unsigned order = 0;
    while ((kPageSize << order) < size && order < 63 - kPageShift) ++order;
    return order;
}

void split_page(PageAllocator& pages, pfn_t pfn, unsigned order) {
    // Linux: set_page_refcounted() on each tail page; the block was not compound (no __GFP_COMP), so
    // there is no compound order to undo. memsim marks the block's frames as head/tail: clear that.
    for (pfn_t p = pfn; p < pfn + (pfn_t(1) << order); ++p) {
        Page& pg = pages.page(p);
        pg.flags &= ~(pg::kHead | pg::kTail);
        pg.order = 0;
        pg.refcount = 1;
    }
}

DmaAllocator::Stats::Stats(stats::Registry& r, const DmaAllocator& a)
    : allocs(r.counter("os.dma.allocs", "buffers", "dma_alloc buffers allocated")),
      frees(r.counter("os.dma.frees", "buffers", "dma_alloc buffers freed")),
      failures(r.counter("os.dma.alloc_failures", "buffers",
                         "dma_alloc requests that found no free block of their order in the allowed zones")),
      excess_pages_freed(r.counter("os.dma.excess_pages_freed", "pages",
                                   "pages past PAGE_ALIGN(SIZE) given back at allocation (os.dma.free_excess)")) {
    r.formula("os.dma.pages_held", "pages", "frames held by live dma_alloc buffers",
              [&a] { return double(a.pages_held()); });
}

namespace {
Gfp gfp_for(const std::string& zone) {
    // dma_direct_optimal_gfp_mask; GFP_KERNEL otherwise: unmovable.
    if (zone == "DMA") return Gfp::dma();
    if (zone == "DMA32") return Gfp::dma32();
    if (zone == "Normal") return Gfp::kernel();
    throw InputError(SourceLocation{"os.dma.zone"}, "expected DMA, DMA32 or Normal, got \"" + zone + "\"");
}
}  // namespace

DmaAllocator::DmaAllocator(const DmaAllocParams& p, PageAllocator& pages, stats::Registry& r)
    : p_(p), pages_(pages), gfp_(gfp_for(p.zone)), stats_(r, *this) {}

DmaBuffer DmaAllocator::alloc(uint64_t size, unsigned cpu) {
    DmaBuffer b;
    b.size = size;
    unsigned order = get_order(size);
    b.order = uint8_t(order);
    // alloc_pages warns and fails for order >= MAX_ORDER (no CMA area to fall back on).
    b.pfn = order < kMaxOrder ? pages_.alloc_pages(order, gfp_, cpu, PageOwner::Dma) : kNoPage;
    if (b.pfn == kNoPage) {
        ++stats_.failures;
        return b;
    }
    ++stats_.allocs;
    b.pages = uint64_t(1) << order;
    if (p_.free_excess && order > 0) {
        // __dma_alloc_buffer: size = PAGE_ALIGN(size) in __dma_alloc, then split_page and __free_page
        // of page + (size >> PAGE_SHIFT) .. page + (1 << order). __free_page is an order-0 free: it
        // goes to this cpu's pcp list first, reaching the buddy lists when the list is drained.
        uint64_t used = (size + kPageSize - 1) >> kPageShift;
        split_page(pages_, b.pfn, order);
        for (pfn_t p = b.pfn + used; p < b.pfn + b.pages; ++p) pages_.free_pages(p, 0, cpu);
        stats_.excess_pages_freed += b.pages - used;
        b.pages = used;
        b.split = true;
    }
    pages_held_ += b.pages;
    return b;
}

void DmaAllocator::free(const DmaBuffer& b, unsigned cpu) {
    if (!b) return;
    if (b.split) {
        // __dma_free_buffer: __free_page on each page of the buffer, lowest first.
        for (pfn_t p = b.pfn; p < b.pfn + b.pages; ++p) pages_.free_pages(p, 0, cpu);
    } else {
        pages_.free_pages(b.pfn, b.order, cpu);
    }
    pages_held_ -= b.pages;
    ++stats_.frees;
}

uint64_t DmaAllocator::maintenance_lines(uint64_t addr, uint64_t size) const {
    if (size == 0) return 0;
    // v7_dma_clean_range / dcache_by_line_op: from addr rounded down to a line to addr + size.
    uint64_t first = addr / p_.cache_line;
    uint64_t last = (addr + size - 1) / p_.cache_line;
    return last - first + 1;
}

uint64_t DmaAllocator::map_cycles(uint64_t addr, uint64_t size, DmaDirection) const {
    if (p_.coherent) return 0;
    return maintenance_lines(addr, size) * p_.cycles_per_line;
}

uint64_t DmaAllocator::unmap_cycles(uint64_t addr, uint64_t size, DmaDirection dir) const {
    if (p_.coherent || dir == DmaDirection::ToDevice) return 0;
    return maintenance_lines(addr, size) * p_.cycles_per_line;
}

std::vector<MaintenancePass> DmaAllocator::map_passes(uint64_t addr, uint64_t size, DmaDirection) const {
    if (p_.coherent || size == 0) return {};
    return {{MaintenancePass::Op::Clean, addr, size}};
}

std::vector<MaintenancePass> DmaAllocator::unmap_passes(uint64_t addr, uint64_t size, DmaDirection dir) const {
    if (p_.coherent || size == 0 || dir == DmaDirection::ToDevice) return {};
    // __pi_dcache_inval_poc: DC CIVAC on the end's line if END is not line-aligned, on the start's
    // line if START is not, DC IVAC on the lines between.
    using Op = MaintenancePass::Op;
    const uint64_t line = p_.cache_line, end = addr + size;
    const uint64_t head = std::min(end, (addr + line - 1) & ~(line - 1));
    const uint64_t tail = std::max(head, end & ~(line - 1));
    std::vector<MaintenancePass> passes;
    if (head > addr) passes.push_back({Op::CleanInvalidate, addr, head - addr});
    if (tail > head) passes.push_back({Op::Invalidate, head, tail - head});
    if (end > tail) passes.push_back({Op::CleanInvalidate, tail, end - tail});
    return passes;
}

std::vector<MaintenancePass> DmaAllocator::prep_coherent_passes(uint64_t addr, uint64_t size) const {
    if (p_.coherent || size == 0) return {};
    return {{MaintenancePass::Op::CleanInvalidate, addr, (size + kPageSize - 1) & ~(kPageSize - 1)}};
}

uint64_t DmaAllocator::prep_coherent_cycles(const DmaBuffer& b) const {
    if (p_.coherent || !b) return 0;
    const uint64_t aligned = (b.size + kPageSize - 1) & ~(kPageSize - 1);  // dma_direct_alloc: PAGE_ALIGN
    return maintenance_lines(b.phys(), aligned) * p_.cycles_per_line;
}

}  // namespace memsim::os
