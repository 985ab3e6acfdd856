#include "sim/trace/id_tracker.h"

#include "sim/core/error.h"

namespace memsim::trace {

namespace {

// Which call releases each kind, for messages that say what to use instead.
constexpr const char* kReleaser[kBlockKinds] = {"free", "munmap", "kfree", "kmem_cache_free", "free_pages",
                                                "dma_free"};

std::string id_str(uint64_t id) { return "ID " + std::to_string(id); }

// "a heap block", "an mmap region"
std::string a_kind(BlockKind k) { return (k == BlockKind::Mmap ? "an " : "a ") + std::string(block_kind_name(k)); }

}  // namespace

std::string_view block_kind_name(BlockKind k) {
    static constexpr std::string_view kNames[kBlockKinds] = {"heap block", "mmap region", "kmalloc block",
                                                             "slab object", "page block", "DMA buffer"};
    return kNames[static_cast<int>(k)];
}

const IdTracker::Block* IdTracker::find(uint64_t id) const {
    auto it = live_.find(id);
    return it == live_.end() ? nullptr : &it->second;
}

void IdTracker::add(uint64_t id, BlockKind kind, uint64_t size) {
    live_.emplace(id, Block{kind, size});
    blocks_[static_cast<int>(kind)] += 1;
    bytes_[static_cast<int>(kind)] += size;
}

void IdTracker::remove(std::unordered_map<uint64_t, Block>::iterator it) {
    blocks_[static_cast<int>(it->second.kind)] -= 1;
    bytes_[static_cast<int>(it->second.kind)] -= it->second.size;
    live_.erase(it);
}

std::string IdTracker::allocate(const Event& ev, uint64_t id, BlockKind kind, uint64_t size) {
    if (const Block* b = find(id))
        return std::string(op_name(ev.op)) + " of " + id_str(id) + ", which is already live (" +
               a_kind(b->kind) + "; IDs are reusable only after they are freed)";
    add(id, kind, size);
    return {};
}

std::string IdTracker::release(uint64_t id, BlockKind kind, const char* releaser) {
    auto it = live_.find(id);
    std::string what = std::string(releaser) + " of " + id_str(id);
    if (it == live_.end()) return what + ", which is not live";
    if (it->second.kind != kind)
        return what + ", which is " + a_kind(it->second.kind) + " (release it with " +
               kReleaser[static_cast<int>(it->second.kind)] + ")";
    remove(it);
    return {};
}

std::string IdTracker::in_bounds(const Event& ev, uint64_t id, uint64_t offset, uint64_t length,
                                 const char* role) {
    const Block* b = find(id);
    std::string what = std::string(op_name(ev.op)) + " " + role + " " + id_str(id);
    if (!b) return what + ", which is not live";
    if (offset > b->size || length > b->size - offset)
        return what + ": bytes " + std::to_string(offset) + " to " + std::to_string(offset) + " + " +
               std::to_string(length) + " are past the end of its " + std::to_string(b->size) + " bytes";
    return {};
}

std::string IdTracker::apply(const Event& ev) {
    switch (ev.op) {
        case Op::Malloc: return allocate(ev, ev.id, BlockKind::Heap, ev.size);
        case Op::Calloc: return allocate(ev, ev.id, BlockKind::Heap, ev.nmemb * ev.size);  // checked by event_problem
        case Op::Memalign: return allocate(ev, ev.id, BlockKind::Heap, ev.size);
        case Op::Realloc: {
            // glibc realloc: the old block is gone once the new one exists (it may be the same).
            auto it = live_.find(ev.id);
            if (it == live_.end()) return "realloc of " + id_str(ev.id) + ", which is not live";
            if (it->second.kind != BlockKind::Heap)
                return "realloc of " + id_str(ev.id) + ", which is " + a_kind(it->second.kind);
            if (ev.id2 != ev.id && find(ev.id2))
                return "realloc to " + id_str(ev.id2) + ", which is already live";
            remove(it);
            add(ev.id2, BlockKind::Heap, ev.size);
            return {};
        }
        case Op::Free: return release(ev.id, BlockKind::Heap, "free");
        case Op::Mmap: return allocate(ev, ev.id, BlockKind::Mmap, ev.length);
        case Op::Munmap: return release(ev.id, BlockKind::Mmap, "munmap");
        case Op::Madvise: {
            const Block* b = find(ev.id);
            if (b && b->kind != BlockKind::Mmap)
                return "madvise of " + id_str(ev.id) + ", which is " + a_kind(b->kind) + ", not an mmap region";
            return in_bounds(ev, ev.id, ev.offset, ev.length, "of");
        }
        case Op::Touch: {
            if (!ev.has_range) return find(ev.id) ? "" : "touch of " + id_str(ev.id) + ", which is not live";
            return in_bounds(ev, ev.id, ev.offset, ev.length, "of");
        }
        case Op::Kmalloc: return allocate(ev, ev.id, BlockKind::Kmalloc, ev.size);
        case Op::Kfree: return release(ev.id, BlockKind::Kmalloc, "kfree");
        case Op::KmemCacheCreate:
            if (caches_.count(ev.name)) return "kmem_cache_create of cache \"" + ev.name + "\", which already exists";
            caches_.emplace(ev.name, ev.size);
            return {};
        case Op::KmemCacheAlloc: {
            auto c = caches_.find(ev.name);
            if (c == caches_.end())
                return "kmem_cache_alloc from cache \"" + ev.name + "\", which no kmem_cache_create made";
            return allocate(ev, ev.id, BlockKind::Slab, c->second);
        }
        case Op::KmemCacheFree: return release(ev.id, BlockKind::Slab, "kmem_cache_free");
        case Op::AllocPages: return allocate(ev, ev.id, BlockKind::Pages, kPageSize << ev.order);
        case Op::FreePages: return release(ev.id, BlockKind::Pages, "free_pages");
        case Op::DmaAlloc: return allocate(ev, ev.id, BlockKind::Dma, ev.size);
        case Op::DmaFree: return release(ev.id, BlockKind::Dma, "dma_free");
        case Op::Dma: {
            std::string p = in_bounds(ev, ev.id, 0, ev.length, "from");
            return p.empty() ? in_bounds(ev, ev.id2, 0, ev.length, "to") : p;
        }
        default: return {};
    }
}

void IdTracker::apply_or_throw(const Event& ev, const std::string& file) {
    std::string p = apply(ev);
    if (!p.empty()) throw InputError(SourceLocation{file, ev.line, 0}, p);
}

}  // namespace memsim::trace
