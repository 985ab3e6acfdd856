#pragma once
// Private to the ptmalloc model: the C++ side of struct malloc_state, the per-thread state, and
// malloc.c's size arithmetic for x86-64 (SIZE_SZ 8, MALLOC_ALIGNMENT 16).
#include <cstdint>
#include <string>

#include "models/libc/ptmalloc.h"

namespace memsim::libc {

namespace pm {
constexpr uint64_t SIZE_SZ = 8;
constexpr uint64_t MALLOC_ALIGNMENT = 16;
constexpr uint64_t MALLOC_ALIGN_MASK = 15;
constexpr uint64_t CHUNK_HDR_SZ = 16;
constexpr uint64_t MINSIZE = 32;
constexpr uint64_t PREV_INUSE = 1, IS_MMAPPED = 2, NON_MAIN_ARENA = 4, SIZE_BITS = 7;
constexpr unsigned NBINS = 128;
constexpr unsigned NFASTBINS = 10;
constexpr uint64_t MIN_LARGE_SIZE = 64 * 16;  // NSMALLBINS * SMALLBIN_WIDTH
constexpr uint64_t FASTBIN_CONSOLIDATION_THRESHOLD = 65536;
constexpr uint64_t DEFAULT_MXFAST = 64 * SIZE_SZ / 4;  // 128
constexpr uint64_t MAX_FAST_SIZE = 80 * SIZE_SZ / 4;   // 160
constexpr unsigned TCACHE_MAX_BINS = 64;
constexpr uint64_t TCACHE_FILL_COUNT = 7;
constexpr uint64_t MAX_TCACHE_COUNT = 65535;
constexpr uint64_t DEFAULT_MMAP_THRESHOLD_MIN = 128 * 1024;
constexpr uint64_t DEFAULT_MMAP_THRESHOLD_MAX = 4 * 1024 * 1024 * sizeof(long);  // 32 MiB
constexpr uint64_t DEFAULT_TOP_PAD = 131072;  // sysdeps/generic/malloc-machine.h wins over malloc.c's 0
constexpr uint64_t DEFAULT_TRIM_THRESHOLD = 128 * 1024;
constexpr int32_t DEFAULT_MMAP_MAX = 65536;
constexpr uint64_t MMAP_AS_MORECORE_SIZE = 1024 * 1024;
constexpr uint64_t PTRDIFF_MAX_ = 0x7fffffffffffffffull;
constexpr uint64_t HEAP_INFO_SIZE = 48;      // heap_info, padded to MALLOC_ALIGNMENT
constexpr uint64_t MALLOC_STATE_SIZE = 2200; // struct malloc_state
constexpr uint64_t TCACHE_STRUCT_SIZE = 64 * 2 + 64 * 8;

// struct malloc_state field offsets (x86-64)
constexpr uint64_t OFF_FLAGS = 4, OFF_HAVE_FASTCHUNKS = 8, OFF_FASTBINS = 16, OFF_TOP = 96,
                   OFF_LAST_REMAINDER = 104, OFF_BINS = 112, OFF_BINMAP = 2144, OFF_NEXT = 2160,
                   OFF_NEXT_FREE = 2168, OFF_ATTACHED = 2176, OFF_SYSTEM_MEM = 2184, OFF_MAX_SYSTEM_MEM = 2192;
// heap_info field offsets
constexpr uint64_t HI_AR_PTR = 0, HI_PREV = 8, HI_SIZE = 16, HI_MPROTECT_SIZE = 24, HI_PAGESIZE = 32;

inline uint64_t request2size(uint64_t req) {
    return req + SIZE_SZ + MALLOC_ALIGN_MASK < MINSIZE ? MINSIZE : (req + SIZE_SZ + MALLOC_ALIGN_MASK) & ~MALLOC_ALIGN_MASK;
}
// checked_request2size: 0 for requests above PTRDIFF_MAX
inline uint64_t checked_request2size(uint64_t req) { return req > PTRDIFF_MAX_ ? 0 : request2size(req); }
inline bool in_smallbin_range(uint64_t sz) { return sz < MIN_LARGE_SIZE; }
inline unsigned smallbin_index(uint64_t sz) { return unsigned(sz >> 4); }
inline unsigned largebin_index(uint64_t sz) {  // largebin_index_64
    if ((sz >> 6) <= 48) return unsigned(48 + (sz >> 6));
    if ((sz >> 9) <= 20) return unsigned(91 + (sz >> 9));
    if ((sz >> 12) <= 10) return unsigned(110 + (sz >> 12));
    if ((sz >> 15) <= 4) return unsigned(119 + (sz >> 15));
    if ((sz >> 18) <= 2) return unsigned(124 + (sz >> 18));
    return 126;
}
inline unsigned bin_index(uint64_t sz) { return in_smallbin_range(sz) ? smallbin_index(sz) : largebin_index(sz); }
inline unsigned fastbin_index(uint64_t sz) { return unsigned((sz >> 4) - 2); }
inline uint64_t csize2tidx(uint64_t x) { return (x - MINSIZE + MALLOC_ALIGNMENT - 1) / MALLOC_ALIGNMENT; }
inline uint64_t tidx2usize(uint64_t i) { return i * MALLOC_ALIGNMENT + MINSIZE - SIZE_SZ; }
inline uint64_t align_up(uint64_t x, uint64_t a) { return (x + a - 1) & ~(a - 1); }
inline uint64_t align_down(uint64_t x, uint64_t a) { return x & ~(a - 1); }
inline bool powerof2(uint64_t x) { return (x & (x - 1)) == 0; }
}  // namespace pm

struct Ptmalloc::Arena {
    uint64_t base = 0;   // the struct malloc_state's address
    size_t index = 0;    // 0 main_arena, then in creation order
    bool contiguous = true;  // !NONCONTIGUOUS_BIT
    bool have_fastchunks = false;
    uint32_t binmap[4] = {};
    Arena* next = nullptr;
    Arena* next_free = nullptr;
    uint64_t attached_threads = 0;
    uint64_t system_mem = 0, max_system_mem = 0;
};

struct Ptmalloc::Tcache {
    uint64_t addr = 0;  // the tcache_perthread_struct's user pointer
    uint16_t counts[pm::TCACHE_MAX_BINS] = {};
    uint64_t entries[pm::TCACHE_MAX_BINS] = {};
};

struct Ptmalloc::Thread {
    uint64_t tid = 0;
    Arena* arena = nullptr;  // thread_arena
    bool has_tcache = false;
    bool shutting_down = false;  // tcache_shutting_down
    bool exited = false;
    Tcache tcache;
};

}  // namespace memsim::libc
