#include "models/dma/dma_events.h"

#include <iterator>
#include <utility>

#include "sim/core/error.h"

namespace memsim::dma {

DmaEvents::DmaEvents(Engine& engine, Resolver resolve, std::string file, stats::Registry& r, Mapping mapping)
    : engine_(engine),
      resolve_(std::move(resolve)),
      mapping_(std::move(mapping)),
      file_(std::move(file)),
      events_(r.counter("dma.events", "events", "`dma` trace events run")),
      maintenance_cycles_(r.counter("dma.maintenance_cycles", "cycles",
                                    "CPU cycles of cache maintenance for streaming mappings of `dma` events "
                                    "(os.dma.coherent false): dma_map_single's and dma_unmap_single's")) {
    engine_.on_complete([this](const Completion& c) {
        for (const Unmap& u : unmaps_)
            if (u.transfer == c.transfer) {
                done_ps_[c.transfer] = c.done_ps;
                return;
            }
    });
}

Extent DmaEvents::block(const trace::Event& ev, uint64_t id, const char* which) const {
    Extent x = resolve_(id);
    if (x.size == 0)
        throw InputError(SourceLocation{file_, ev.line},
                         std::string("dma: ") + which + " " + std::to_string(id) +
                             " is not live kernel memory (expected an ID from dma_alloc, alloc_pages, kmalloc or "
                             "kmem_cache_alloc)");
    if (ev.length > x.size)
        throw InputError(SourceLocation{file_, ev.line},
                         std::string("dma: LENGTH ") + std::to_string(ev.length) + " is beyond " + which + " " +
                             std::to_string(id) + " (" + std::to_string(x.size) + " bytes)");
    return x;
}

bool DmaEvents::execute(const trace::Event& ev, uint64_t now_ps) {
    if (ev.op != trace::Op::Dma) return false;
    unsigned c = engine_.channel(ev.name);
    if (c == Engine::kNoChannel) {
        std::string names;
        for (unsigned i = 0; i < engine_.channel_count(); ++i) names += (i ? ", " : "") + engine_.channel_name(i);
        throw InputError(SourceLocation{file_, ev.line},
                         "dma: no channel \"" + ev.name + "\" (expected one of dma.channels: " + names + ")");
    }
    if (ev.length == 0) throw InputError(SourceLocation{file_, ev.line}, "dma: LENGTH must be > 0");
    Extent src = block(ev, ev.id, "SRC_ID");
    Extent dst = block(ev, ev.id2, "DST_ID");
    // The driver maps the buffers, then starts the device (dma_map_single before the doorbell).
    last_maintenance_ = 0;
    if (mapping_.map) {
        if (!src.coherent)
            last_maintenance_ += mapping_.map(src.addr, ev.length, true, now_ps + last_maintenance_ * mapping_.cycle_ps);
        if (!dst.coherent)
            last_maintenance_ += mapping_.map(dst.addr, ev.length, false, now_ps + last_maintenance_ * mapping_.cycle_ps);
    }
    maintenance_cycles_ += last_maintenance_;
    last_transfer_ = engine_.submit(c, Direction::MemToMem, {{src.addr, dst.addr, ev.length}},
                                    now_ps + last_maintenance_ * mapping_.cycle_ps);
    if (mapping_.unmap) {
        if (!src.coherent) unmaps_.push_back({last_transfer_, src.addr, ev.length, true});
        if (!dst.coherent) unmaps_.push_back({last_transfer_, dst.addr, ev.length, false});
    }
    ++events_;
    return true;
}

uint64_t DmaEvents::run_unmaps(uint64_t until_ps, uint64_t at_ps) {
    uint64_t cycles = 0;
    size_t kept = 0;
    for (size_t i = 0; i < unmaps_.size(); ++i) {
        const Unmap u = unmaps_[i];
        auto done = done_ps_.find(u.transfer);
        if (done == done_ps_.end() || done->second > until_ps) {
            unmaps_[kept++] = u;
            continue;
        }
        // The CPU unmaps one buffer after the other, in the order they were mapped.
        const uint64_t t = at_ps == ~uint64_t(0) ? done->second : at_ps;
        cycles += mapping_.unmap(u.addr, u.size, u.to_device, t + cycles * mapping_.cycle_ps);
    }
    unmaps_.resize(kept);
    for (auto it = done_ps_.begin(); it != done_ps_.end();) {
        bool waiting = false;
        for (const Unmap& u : unmaps_) waiting |= u.transfer == it->first;
        it = waiting ? std::next(it) : done_ps_.erase(it);
    }
    maintenance_cycles_ += cycles;
    return cycles;
}

uint64_t DmaEvents::finish() { return unmaps_.empty() ? 0 : run_unmaps(~uint64_t(0), ~uint64_t(0)); }

}  // namespace memsim::dma
