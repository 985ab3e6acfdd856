#pragma once
// Which trace IDs are live, and what each one names (docs/trace-format.md, "IDs"). An ID names one
// block from its allocation to its release and may be reused only after that; the kind of release
// must match the kind of allocation (free for malloc, munmap for mmap, ...). `memsim trace stats`
// checks traces with it, and the simulator's runner uses it to map IDs to simulated blocks.
#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>

#include "sim/trace/event.h"

namespace memsim::trace {

enum class BlockKind : uint8_t {
    Heap,     // malloc, calloc, realloc, memalign -> free
    Mmap,     // mmap -> munmap
    Kmalloc,  // kmalloc -> kfree
    Slab,     // kmem_cache_alloc -> kmem_cache_free
    Pages,    // alloc_pages -> free_pages
    Dma,      // dma_alloc -> dma_free
};
constexpr int kBlockKinds = 6;
std::string_view block_kind_name(BlockKind k);  // "heap block", "mmap region", ...

class IdTracker {
public:
    struct Block {
        BlockKind kind;
        uint64_t size;  // bytes: calloc NMEMB * SIZE, pages 4096 << ORDER, slab the cache's SIZE
    };

    // Applies ev to the live set. Returns "" or the problem, e.g. "free of ID 7, which is not
    // live"; on a problem nothing changes. Events that name no ID are accepted as they are.
    std::string apply(const Event& ev);
    // apply(), throwing InputError at FILE:ev.line on a problem.
    void apply_or_throw(const Event& ev, const std::string& file);

    const Block* find(uint64_t id) const;
    uint64_t live_blocks(BlockKind k) const { return blocks_[static_cast<int>(k)]; }
    uint64_t live_bytes(BlockKind k) const { return bytes_[static_cast<int>(k)]; }
    uint64_t live_blocks() const { return live_.size(); }

    static constexpr uint64_t kPageSize = 4096;  // x86_64 base page (alloc_pages order 0)

private:
    std::string allocate(const Event& ev, uint64_t id, BlockKind kind, uint64_t size);
    std::string release(uint64_t id, BlockKind kind, const char* releaser);
    std::string in_bounds(const Event& ev, uint64_t id, uint64_t offset, uint64_t length, const char* role);
    void add(uint64_t id, BlockKind kind, uint64_t size);
    void remove(std::unordered_map<uint64_t, Block>::iterator it);

    std::unordered_map<uint64_t, Block> live_;
    std::unordered_map<std::string, uint64_t> caches_;  // kmem_cache name -> object size
    std::array<uint64_t, kBlockKinds> blocks_{}, bytes_{};
};

}  // namespace memsim::trace
