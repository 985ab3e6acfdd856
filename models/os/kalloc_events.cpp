#include "models/os/kalloc_events.h"

#include <strings.h>

#include <utility>

#include "sim/core/error.h"

namespace memsim::os {

KallocEvents::KallocEvents(PageAllocator& pages, Slub& slub, unsigned cpu, std::string file, stats::Registry& r,
                           const DmaAllocParams& dma)
    : pages_(pages),
      slub_(slub),
      cpu_(cpu),
      file_(std::move(file)),
      failure_count_(r.counter("os.kalloc.failures", "allocations",
                               "kernel-allocator trace events whose allocation failed (alloc_pages, kmalloc, "
                               "kmem_cache_alloc, dma_alloc)")) {
    dma_ = std::make_unique<DmaAllocator>(dma, pages, r);
}

void KallocEvents::add(const trace::Event& ev, Live l) {
    auto [it, inserted] = live_.emplace(ev.id, l);
    if (!inserted) {
        if (it->second.kind != Kind::Failed)
            throw InputError(SourceLocation{file_, ev.line}, std::string(trace::op_name(ev.op)) + " of ID " +
                                                                 std::to_string(ev.id) + ", which is already live");
        it->second = l;
    }
}

void KallocEvents::check_not_live(const trace::Event& ev) const {
    auto it = live_.find(ev.id);
    if (it != live_.end() && it->second.kind != Kind::Failed)
        throw InputError(SourceLocation{file_, ev.line},
                         std::string(trace::op_name(ev.op)) + " of ID " + std::to_string(ev.id) + ", which is already live");
}

KallocEvents::Live KallocEvents::take(const trace::Event& ev, Kind want) {
    auto it = live_.find(ev.id);
    const std::string op(trace::op_name(ev.op));
    if (it == live_.end())
        throw InputError(SourceLocation{file_, ev.line}, op + " of ID " + std::to_string(ev.id) + ", which is not live");
    Live l = it->second;
    if (l.kind != want && l.kind != Kind::Failed) {
        static const char* const names[] = {"page block (release it with free_pages)", "kmalloc block (release it with kfree)",
                                            "slab object (release it with kmem_cache_free)",
                                            "DMA buffer (release it with dma_free)"};
        throw InputError(SourceLocation{file_, ev.line},
                         op + " of ID " + std::to_string(ev.id) + ", which is a " + names[int(l.kind)]);
    }
    live_.erase(it);
    return l;
}

void KallocEvents::fail(const trace::Event& ev, const std::string& what) {
    ++failure_count_;
    if (failures_.size() < kMaxFailuresKept) failures_.push_back({ev.line, what});
    add(ev, Live{Kind::Failed, 0, 0, 0});
}

bool KallocEvents::execute(const trace::Event& ev) {
    using trace::Op;
    switch (ev.op) {
    case Op::AllocPages: {
        check_not_live(ev);
        Gfp gfp = Gfp::kernel();
        if (!ev.name.empty()) {
            if (!strcasecmp(ev.name.c_str(), "DMA"))
                gfp.highest_zone = ZoneType::DMA;
            else if (!strcasecmp(ev.name.c_str(), "DMA32"))
                gfp.highest_zone = ZoneType::DMA32;
            else if (!strcasecmp(ev.name.c_str(), "Normal"))
                gfp.highest_zone = ZoneType::Normal;
            else
                throw InputError(SourceLocation{file_, ev.line},
                                 "alloc_pages: expected ZONE DMA, DMA32 or Normal, got \"" + ev.name + "\"");
        }
        pfn_t pfn = ev.order < kMaxOrder ? pages_.alloc_pages(unsigned(ev.order), gfp, cpu_, PageOwner::Kernel) : kNoPage;
        if (pfn == kNoPage) {
            fail(ev, "alloc_pages " + std::to_string(ev.id) + " " + std::to_string(ev.order) +
                         (ev.name.empty() ? "" : " " + ev.name) + ": no free block");
            return true;
        }
        add(ev, Live{Kind::Pages, uint8_t(ev.order), 0, pfn});
        return true;
    }
    case Op::FreePages: {
        Live l = take(ev, Kind::Pages);
        if (l.kind == Kind::Pages) pages_.free_pages(l.where, l.order, cpu_);
        return true;
    }
    case Op::Kmalloc: {
        check_not_live(ev);
        uint64_t addr = slub_.kmalloc(ev.size, cpu_);
        if (!addr) {
            fail(ev, "kmalloc " + std::to_string(ev.id) + " " + std::to_string(ev.size) + ": no memory");
            return true;
        }
        add(ev, Live{Kind::Kmalloc, 0, 0, addr, ev.size});
        return true;
    }
    case Op::Kfree: {
        Live l = take(ev, Kind::Kmalloc);
        if (l.kind == Kind::Kmalloc) slub_.kfree(l.where, cpu_);
        return true;
    }
    case Op::KmemCacheCreate: {
        if (caches_.count(ev.name))
            throw InputError(SourceLocation{file_, ev.line}, "kmem_cache_create: cache \"" + ev.name + "\" exists already");
        if (ev.size == 0 || (ev.align & (ev.align - 1)))
            throw InputError(SourceLocation{file_, ev.line}, "kmem_cache_create: SIZE must be > 0 and ALIGN 0 or a power of two");
        caches_[ev.name] = slub_.kmem_cache_create(ev.name, ev.size, ev.align);
        return true;
    }
    case Op::KmemCacheAlloc: {
        auto it = caches_.find(ev.name);
        if (it == caches_.end())
            throw InputError(SourceLocation{file_, ev.line},
                             "kmem_cache_alloc: no cache \"" + ev.name + "\" (create it with kmem_cache_create)");
        check_not_live(ev);
        uint64_t addr = slub_.kmem_cache_alloc(it->second, cpu_);
        if (!addr) {
            fail(ev, "kmem_cache_alloc " + std::to_string(ev.id) + " " + ev.name + ": no memory");
            return true;
        }
        add(ev, Live{Kind::Slab, 0, it->second, addr});
        return true;
    }
    case Op::KmemCacheFree: {
        Live l = take(ev, Kind::Slab);
        if (l.kind == Kind::Slab) slub_.kmem_cache_free(l.cache, l.where, cpu_);
        return true;
    }
    case Op::DmaAlloc: {
        check_not_live(ev);
        if (ev.size == 0) throw InputError(SourceLocation{file_, ev.line}, "dma_alloc: SIZE must be > 0");
        DmaBuffer b = dma_->alloc(ev.size, cpu_);
        if (!b) {
            fail(ev, "dma_alloc " + std::to_string(ev.id) + " " + std::to_string(ev.size) + ": no free block (order " +
                         std::to_string(b.order) + ", zone " + dma_->params().zone + ")");
            return true;
        }
        add(ev, Live{Kind::Dma, b.order, 0, b.pfn, b.size});
        dma_buffers_[ev.id] = b;
        return true;
    }
    case Op::DmaFree: {
        Live l = take(ev, Kind::Dma);
        if (l.kind == Kind::Dma) {
            auto it = dma_buffers_.find(ev.id);
            dma_->free(it->second, cpu_);
            dma_buffers_.erase(it);
        }
        return true;
    }
    default:
        return false;
    }
}

uint64_t KallocEvents::address_of(uint64_t id) const {
    auto it = live_.find(id);
    if (it == live_.end() || it->second.kind == Kind::Failed) return 0;
    return it->second.kind == Kind::Pages || it->second.kind == Kind::Dma ? it->second.where << kPageShift
                                                                           : it->second.where;
}

KallocEvents::Extent KallocEvents::extent_of(uint64_t id) const {
    auto it = live_.find(id);
    if (it == live_.end()) return {};
    const Live& l = it->second;
    switch (l.kind) {
    case Kind::Pages: return {l.where << kPageShift, kPageSize << l.order};
    case Kind::Dma: return {l.where << kPageShift, l.size, true};
    case Kind::Kmalloc: return {l.where, l.size};
    case Kind::Slab: return {l.where, slub_.info(l.cache).object_size};
    case Kind::Failed: return {};
    }
    return {};
}

}  // namespace memsim::os
