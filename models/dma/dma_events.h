#pragma once
// Runs the trace's `dma DEVICE SRC_ID DST_ID LENGTH` events (docs/trace-format.md) on a dma::Engine:
// the IDs name kernel memory (what the resolver finds: dma_alloc buffers, alloc_pages blocks, kmalloc
// blocks, slab objects, all physically contiguous), DEVICE names a channel declared in dma.channels,
// and the copy is one memory-to-memory transfer of LENGTH bytes from the start of SRC_ID to the
// start of DST_ID, submitted when the event is reached.
//
// A buffer that is not a coherent dma_alloc buffer is a streaming mapping: the kernel maps SRC with
// dma_map_single(DMA_TO_DEVICE) and DST with DMA_FROM_DEVICE before it starts the transfer, and
// unmaps both once the transfer has completed (at the first event the core runs at or after the
// completion: the completion interrupt's handler). Mapping performs the cache maintenance each
// call does on a non-coherent device (models/os/dma_alloc.h) and returns its CPU cycles, counted in
// dma.maintenance_cycles; the transfer starts when the maps are done.
//
// Heap blocks and mmap regions are process virtual memory, scattered over frames: naming one is an
// error until the engine learns to walk page tables (issue #8).
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "models/dma/engine.h"
#include "sim/stats/stats.h"
#include "sim/trace/event.h"

namespace memsim::dma {

// Physical memory an ID names; size 0 when it names none.
struct Extent {
    uint64_t addr = 0;
    uint64_t size = 0;
    bool coherent = true;  // a dma_alloc (coherent) buffer; false: a streaming mapping
};

// dma_map_single / dma_unmap_single of [addr, addr + size) in the direction given (true: to the
// device) at AT_PS: the cache maintenance done, the CPU cycles it took returned. Either may be
// empty (nothing to do, no cost).
struct StreamingMapping {
    std::function<uint64_t(uint64_t addr, uint64_t size, bool to_device, uint64_t at_ps)> map, unmap;
    uint64_t cycle_ps = 0;  // the CPU's clock period: the maps take their cycles before the transfer
};

class DmaEvents {
public:
    using Resolver = std::function<Extent(uint64_t id)>;
    using Mapping = StreamingMapping;

    // FILE names the trace in error messages.
    DmaEvents(Engine& engine, Resolver resolve, std::string file, stats::Registry& r, Mapping mapping = {});

    // Executes EV at NOW_PS if it is a `dma` event (returns true); false for other events. The
    // streaming buffers are mapped at NOW_PS; the transfer is submitted when the maps are done.
    bool execute(const trace::Event& ev, uint64_t now_ps);
    // Unmaps the streaming buffers of the transfers completed by NOW_PS (the core's time), at
    // NOW_PS; returns the CPU cycles that took (for the core to spend).
    uint64_t unmap_completed(uint64_t now_ps) { return unmaps_.empty() ? 0 : run_unmaps(now_ps, now_ps); }
    // After the trace (the engine drained): the remaining unmaps, each at its transfer's completion;
    // returns their cycles (for the core to spend).
    uint64_t finish();

    uint64_t last_transfer() const { return last_transfer_; }
    // CPU cycles of the last `dma` event's maps.
    uint64_t last_maintenance_cycles() const { return last_maintenance_; }

private:
    Engine& engine_;
    Resolver resolve_;
    Mapping mapping_;
    std::string file_;
    uint64_t last_transfer_ = 0;
    uint64_t last_maintenance_ = 0;
    stats::Counter& events_;
    stats::Counter& maintenance_cycles_;
    // Streaming buffers to unmap when their transfer completes.
    struct Unmap {
        uint64_t transfer;
        uint64_t addr, size;
        bool to_device;
    };
    std::vector<Unmap> unmaps_;
    std::unordered_map<uint64_t, uint64_t> done_ps_;  // transfers of unmaps_ that completed: when

    Extent block(const trace::Event& ev, uint64_t id, const char* which) const;
    // Runs the unmaps whose transfer completed by UNTIL_PS, at AT_PS (or, with AT_PS ~0, each at
    // its completion); returns their cycles.
    uint64_t run_unmaps(uint64_t until_ps, uint64_t at_ps);
};

}  // namespace memsim::dma
