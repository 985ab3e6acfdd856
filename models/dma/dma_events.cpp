#include "models/dma/dma_events.h"

#include <utility>

#include "sim/core/error.h"

namespace memsim::dma {

DmaEvents::DmaEvents(Engine& engine, Resolver resolve, std::string file, stats::Registry& r, Maintenance maintenance)
    : engine_(engine),
      resolve_(std::move(resolve)),
      maintenance_(std::move(maintenance)),
      file_(std::move(file)),
      events_(r.counter("dma.events", "events", "`dma` trace events run")),
      maintenance_cycles_(r.counter("dma.maintenance_cycles", "cycles",
                                    "CPU cycles of cache maintenance for streaming mappings of `dma` events "
                                    "(os.dma.coherent false)")) {}

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
    last_maintenance_ = 0;
    if (maintenance_) {
        if (!src.coherent) last_maintenance_ += maintenance_(src.addr, ev.length, true);
        if (!dst.coherent) last_maintenance_ += maintenance_(dst.addr, ev.length, false);
    }
    maintenance_cycles_ += last_maintenance_;
    last_transfer_ = engine_.submit(c, Direction::MemToMem, {{src.addr, dst.addr, ev.length}}, now_ps);
    ++events_;
    return true;
}

}  // namespace memsim::dma
