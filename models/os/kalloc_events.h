#pragma once
// Runs the kernel-allocator events of a trace (docs/trace-format.md) on a PageAllocator and SLUB:
// alloc_pages / free_pages, kmalloc / kfree, kmem_cache_create / kmem_cache_alloc / kmem_cache_free,
// dma_alloc / dma_free (models/os/dma_alloc.h).
// Trace IDs map to what was allocated. An allocation that fails is a result: counted, and the first
// few are kept with their trace lines for the run's report; the ID is then "failed", and its release
// is a no-op, as freeing NULL is. Releasing an ID that was never allocated, allocating a live ID,
// or a cache name that does not exist is the trace's error: InputError at FILE:LINE.
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "models/os/dma_alloc.h"
#include "models/os/page_alloc.h"
#include "models/os/slub.h"
#include "sim/stats/stats.h"
#include "sim/trace/event.h"

namespace memsim::os {

class KallocEvents {
public:
    // CPU: the cpu the trace's thread runs on (os.cpu). FILE names the trace in error messages.
    // DMA: section os.dma (dma_alloc buffers).
    KallocEvents(PageAllocator& pages, Slub& slub, unsigned cpu, std::string file, stats::Registry& r,
                 const DmaAllocParams& dma = {});

    // Executes EV if it is a kernel-allocator event; false for events other models own.
    bool execute(const trace::Event& ev);

    struct Failure {
        uint64_t line;
        std::string what;  // "alloc_pages 7 9 DMA: no free block (order 9, zone DMA)"
    };
    static constexpr size_t kMaxFailuresKept = 10;
    const std::vector<Failure>& failures() const { return failures_; }
    uint64_t failure_count() const { return failure_count_.value(); }

    // Where ID lives now (for tests and the report): page frame or object address; 0 if not live.
    uint64_t address_of(uint64_t id) const;
    // Physical memory ID names, for a device: [addr, addr + size) when ID is a live kernel block
    // (DMA buffer, page block, kmalloc block, slab object); size 0 if ID names nothing live here.
    struct Extent {
        uint64_t addr = 0;
        uint64_t size = 0;
        bool dma_buffer = false;  // from dma_alloc: coherent; the others are streaming mappings for a device
    };
    Extent extent_of(uint64_t id) const;
    const DmaAllocator& dma() const { return *dma_; }

private:
    enum class Kind : uint8_t { Pages, Kmalloc, Slab, Dma, Failed };
    struct Live {
        Kind kind;
        uint8_t order;             // Pages
        Slub::cache_id cache = 0;  // Slab
        uint64_t where = 0;        // Pages, Dma: pfn; Kmalloc/Slab: address
        uint64_t size = 0;         // Kmalloc, Dma: the trace's SIZE
    };

    PageAllocator& pages_;
    Slub& slub_;
    unsigned cpu_;
    std::string file_;
    std::unordered_map<uint64_t, Live> live_;
    std::unordered_map<std::string, Slub::cache_id> caches_;
    std::unique_ptr<DmaAllocator> dma_;
    std::unordered_map<uint64_t, DmaBuffer> dma_buffers_;
    std::vector<Failure> failures_;
    stats::Counter& failure_count_;

    void add(const trace::Event& ev, Live l);
    void check_not_live(const trace::Event& ev) const;
    Live take(const trace::Event& ev, Kind want);
    void fail(const trace::Event& ev, const std::string& what);
};

}  // namespace memsim::os
