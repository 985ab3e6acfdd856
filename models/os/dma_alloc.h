#pragma once
// Kernel DMA buffers as dma_alloc_coherent gets them from the page allocator (no IOMMU, no CMA):
//
//   x86, Linux 6.1 kernel/dma/direct.c: dma_direct_alloc -> __dma_direct_alloc_pages ->
//     alloc_pages_node(node, gfp, get_order(size)); the whole 2^order block is kept and freed with
//     __free_pages(page, get_order(size)) (__dma_direct_free_pages -> dma_free_contiguous).
//   32-bit ARM (arch/arm/mm/dma-mapping.c __dma_alloc_buffer, 6.1 as in 3.x; the simple and remap
//     allocators a device without a CMA area gets): alloc_pages(gfp, order), split_page(page, order),
//     then __free_page() on every page past PAGE_ALIGN(size); the buffer is later freed page by page
//     (__dma_free_buffer). os.dma.free_excess selects this behaviour.
//
// The zone follows the device's coherent mask as dma_direct_optimal_gfp_mask picks it: a 32-bit mask
// gets GFP_DMA32 (zonelist DMA32, DMA), a 24-bit ISA mask GFP_DMA, a 64-bit mask no zone flag.
// A failed allocation is a result (os.dma.alloc_failures), as dma_alloc_coherent returning NULL.
//
// Streaming mappings (dma_map_single / dma_unmap_single) on a non-coherent device clean or
// invalidate the CPU caches over the buffer by line (arch_sync_dma_for_device / _for_cpu; ARMv7
// v7_dma_map_area / v7_dma_unmap_area): maintenance_cycles() gives that cost.
#include <cstdint>
#include <string>
#include <vector>

#include "models/os/page_alloc.h"
#include "sim/config/param.h"
#include "sim/stats/stats.h"

namespace memsim::os {

// Section "os.dma".
struct DmaAllocParams {
    std::string zone = "DMA32";
    bool free_excess = false;
    bool coherent = true;
    uint64_t cache_line = 64;
    uint64_t cycles_per_line = 0;

    void visit(config::ParamVisitor& v) {
        v(config::ParamSpec::choice("zone", "DMA32", {"DMA", "DMA32", "Normal"},
                                    "highest zone of dma_alloc buffers, from the device's coherent mask: DMA (24-bit "
                                    "ISA), DMA32 (32-bit), Normal (64-bit)"),
          zone);
        v(config::ParamSpec::boolean("free_excess", "false",
                                     "give back the pages of the 2^order block past PAGE_ALIGN(SIZE), as 32-bit ARM's "
                                     "__dma_alloc_buffer does (split_page + __free_page); false: keep the whole block "
                                     "as x86's dma_direct_alloc does"),
          free_excess);
        v(config::ParamSpec::boolean("coherent", "true",
                                     "the kernel treats the device as coherent (dev_is_dma_coherent: x86, "
                                     "ACE-Lite/IO-coherent Arm ports): streaming mappings do no cache maintenance; "
                                     "false: they clean and invalidate the caches (arm64 arch_sync_dma_*). The "
                                     "hardware snoops as this says unless dma.coherence.snoop sets it apart"),
          coherent);
        v(config::ParamSpec::size("cache_line", "64B", "line size of the cache maintenance by virtual address "
                                                       "(ARMv7/ARMv8 CTR_EL0 DminLine)")
              .range(16, 4096)
              .pow2(),
          cache_line);
        v(config::ParamSpec::count("cycles_per_line", "0", "cycles",
                                   "CPU cycles to clean or invalidate one line (DC CVAC / DC IVAC) on a non-coherent "
                                   "device's streaming mapping; a call lasts at least until its write-backs complete")
              .range(0, 1000000),
          cycles_per_line);
    }
};

// include/asm-generic/getorder.h get_order: the smallest order with 4096 << order >= SIZE.
unsigned get_order(uint64_t size);

// mm/page_alloc.c split_page: an allocated non-compound block of 2^ORDER frames becomes 2^ORDER
// order-0 pages, each with its own reference, so that each can be freed with __free_page.
void split_page(PageAllocator& pages, pfn_t pfn, unsigned order);

// One buffer held by a device: frames [pfn, pfn + pages).
struct DmaBuffer {
    pfn_t pfn = kNoPage;
    uint64_t size = 0;   // what the caller asked for
    uint8_t order = 0;   // get_order(size)
    uint64_t pages = 0;  // frames held: 2^order, or PAGE_ALIGN(size) / 4096 after giving back the excess
    bool split = false;  // held as order-0 pages (free_excess)
    uint64_t phys() const { return pfn << kPageShift; }
    explicit operator bool() const { return pfn != kNoPage; }
};

// Streaming-mapping directions (include/linux/dma-direction.h).
enum class DmaDirection : uint8_t { Bidirectional, ToDevice, FromDevice };

// One pass of cache maintenance by address over [addr, addr + size) to the point of coherence
// (arch/arm64/mm/cache.S: dcache_clean_poc runs DC CVAC on every line, dcache_inval_poc DC IVAC,
// dcache_clean_inval_poc DC CIVAC).
struct MaintenancePass {
    enum class Op : uint8_t { Clean, Invalidate, CleanInvalidate } op;
    uint64_t addr, size;
};

class DmaAllocator {
public:
    DmaAllocator(const DmaAllocParams& p, PageAllocator& pages, stats::Registry& r);

    // dma_alloc_coherent(dev, SIZE): a buffer, or one whose pfn is kNoPage (counted) when no block of
    // get_order(SIZE) is free in the zones the mask allows. SIZE > 0.
    DmaBuffer alloc(uint64_t size, unsigned cpu);
    // dma_free_coherent: frees exactly the frames the buffer holds.
    void free(const DmaBuffer& b, unsigned cpu);

    // Cache maintenance of a streaming mapping on a non-coherent device, by line over every line that
    // [ADDR, ADDR + SIZE) touches (dcache_by_line_op); 0 when the device is coherent
    // (dev_is_dma_coherent: dma_direct_map_page / unmap_page skip arch_sync_dma_*).
    //   dma_map_single:   arm64 6.1 arch_sync_dma_for_device cleans (dcache_clean_poc) whatever DIR is;
    //                     ARMv7 v7_dma_map_area invalidates for FROM_DEVICE, else cleans: one pass.
    //   dma_unmap_single: arch_sync_dma_for_cpu returns for TO_DEVICE, else invalidates
    //                     (dcache_inval_poc / v7_dma_inv_range): one pass or none.
    uint64_t maintenance_lines(uint64_t addr, uint64_t size) const;
    uint64_t map_cycles(uint64_t addr, uint64_t size, DmaDirection dir) const;
    uint64_t unmap_cycles(uint64_t addr, uint64_t size, DmaDirection dir) const;
    // The passes themselves, as arm64 6.1 runs them (empty when coherent):
    //   map:   arch_sync_dma_for_device -> dcache_clean_poc over the buffer, whatever DIR is;
    //   unmap: arch_sync_dma_for_cpu returns for TO_DEVICE, else dcache_inval_poc, which cleans and
    //          invalidates a partial line at either end (DC CIVAC: the CPU's bytes beside the buffer
    //          survive) and invalidates the lines between (DC IVAC).
    // ARMv7's v7_dma_map_area invalidates instead of cleaning for FROM_DEVICE (v7_dma_inv_range,
    // with the same partial-line rule): not modelled; it differs only when the CPU holds the buffer
    // dirty at map time (arm64 writes that data back, ARMv7 drops it).
    std::vector<MaintenancePass> map_passes(uint64_t addr, uint64_t size, DmaDirection dir) const;
    std::vector<MaintenancePass> unmap_passes(uint64_t addr, uint64_t size, DmaDirection dir) const;
    // dma_alloc_coherent on a non-coherent arm64 device (6.1 dma_direct_alloc, remap path):
    // arch_dma_prep_coherent cleans and invalidates PAGE_ALIGN(SIZE) through the linear map
    // (dcache_clean_inval_poc: no dirty line of the cacheable alias may be written back over the
    // device's data later, and no clean one read instead of it; 6.1-rc1 had dropped the invalidate,
    // which was restored before 6.1 for Qualcomm's secure-world buffers), then the buffer is
    // remapped uncached and zeroed through that mapping. One pass; 0 when coherent.
    uint64_t prep_coherent_cycles(const DmaBuffer& b) const;
    // The pass over a buffer at ADDR of SIZE bytes (what the caller asked for); empty when coherent.
    std::vector<MaintenancePass> prep_coherent_passes(uint64_t addr, uint64_t size) const;

    uint64_t pages_held() const { return pages_held_; }
    const DmaAllocParams& params() const { return p_; }

private:
    DmaAllocParams p_;
    PageAllocator& pages_;
    Gfp gfp_;
    uint64_t pages_held_ = 0;
    struct Stats {
        stats::Counter& allocs;
        stats::Counter& frees;
        stats::Counter& failures;
        stats::Counter& excess_pages_freed;
        explicit Stats(stats::Registry& r, const DmaAllocator& a);
    } stats_;
};

}  // namespace memsim::os
