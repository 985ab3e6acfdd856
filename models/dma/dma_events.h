#pragma once
// Runs the trace's `dma DEVICE SRC_ID DST_ID LENGTH` events (docs/trace-format.md) on a dma::Engine:
// the IDs name kernel memory (what the resolver finds: dma_alloc buffers, alloc_pages blocks, kmalloc
// blocks, slab objects, all physically contiguous), DEVICE names a channel declared in dma.channels,
// and the copy is one memory-to-memory transfer of LENGTH bytes from the start of SRC_ID to the
// start of DST_ID, submitted when the event is reached.
//
// A buffer that is not a coherent dma_alloc buffer is a streaming mapping: the kernel maps SRC with
// dma_map_single(DMA_TO_DEVICE) and DST with DMA_FROM_DEVICE around the transfer; their cache
// maintenance cycles (models/os/dma_alloc.h) are counted in dma.maintenance_cycles.
//
// Heap blocks and mmap regions are process virtual memory, scattered over frames: naming one is an
// error until the engine learns to walk page tables (issue #8).
#include <cstdint>
#include <functional>
#include <string>

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

class DmaEvents {
public:
    using Resolver = std::function<Extent(uint64_t id)>;
    // Cache maintenance cycles of dma_map_single + dma_unmap_single over [addr, addr + size) in the
    // direction given (true: to the device); may be empty (no cost).
    using Maintenance = std::function<uint64_t(uint64_t addr, uint64_t size, bool to_device)>;

    // FILE names the trace in error messages.
    DmaEvents(Engine& engine, Resolver resolve, std::string file, stats::Registry& r, Maintenance maintenance = {});

    // Executes EV at NOW_PS if it is a `dma` event (returns true); false for other events.
    bool execute(const trace::Event& ev, uint64_t now_ps);
    uint64_t last_transfer() const { return last_transfer_; }
    uint64_t last_maintenance_cycles() const { return last_maintenance_; }

private:
    Engine& engine_;
    Resolver resolve_;
    Maintenance maintenance_;
    std::string file_;
    uint64_t last_transfer_ = 0;
    uint64_t last_maintenance_ = 0;
    stats::Counter& events_;
    stats::Counter& maintenance_cycles_;

    Extent block(const trace::Event& ev, uint64_t id, const char* which) const;
};

}  // namespace memsim::dma
