#pragma once
// One event of a memsim trace, whatever format it was read from (docs/trace-format.md).
// The field each operation uses is listed next to it; unused fields stay zero/empty.
#include <cstdint>
#include <string>
#include <string_view>

namespace memsim::trace {

enum class Op : uint8_t {
    // user-space allocator (models/libc)
    Malloc,      // id, size
    Calloc,      // id, nmemb, size
    Realloc,     // id = OLD_ID, id2 = NEW_ID, size
    Memalign,    // id, align, size
    Free,        // id
    Mallopt,     // param (glibc's M_* value, e.g. M_MMAP_MAX = -4), value (signed)
    ThreadExit,  // tid
    // process address space (models/os)
    Mmap,        // id, length, prot (Prot bits; default read|write)
    Munmap,      // id
    Madvise,     // id, offset, length, advice (Linux MADV_* value)
    Touch,       // id, offset, length (whole block when !has_range), write
    // raw accesses and time (models/cpu)
    Read,        // addr, size
    Write,       // addr, size
    Modify,      // addr, size: a read-modify-write of one location (lackey `M`)
    Ifetch,      // addr, size: an instruction fetch (lackey `I`)
    Compute,     // cycles
    Thread,      // tid: the events that follow belong to thread tid
    // kernel allocators (models/os)
    Kmalloc,          // id, size
    Kfree,            // id
    KmemCacheCreate,  // name, size, align (0 = default)
    KmemCacheAlloc,   // id, name
    KmemCacheFree,    // id
    AllocPages,       // id, order, zone (empty = any)
    FreePages,        // id
    // DMA (models/dma)
    DmaAlloc,  // id, size
    DmaFree,   // id
    Dma,       // name = DEVICE, id = SRC_ID, id2 = DST_ID, length
    // added after the first release: new operations go at the end (binary opcodes are op + 1)
    MallocTrim,  // size = PAD: malloc_trim(PAD) (models/libc)
};
constexpr int kOpCount = static_cast<int>(Op::MallocTrim) + 1;

// The keyword that starts the event's line in the text format ("malloc", "kmem_cache_create").
std::string_view op_name(Op op);
// The inverse of op_name; false when the word is no event.
bool op_from_name(std::string_view word, Op& op);

namespace prot {
constexpr uint8_t kNone = 0, kRead = 1, kWrite = 2, kExec = 4;  // as PROT_* in <sys/mman.h>
}

struct Event {
    Op op = Op::Compute;
    bool has_range = false;  // Touch: OFFSET LENGTH were given
    bool write = true;       // Touch: w (default) or r
    uint8_t prot = prot::kRead | prot::kWrite;  // Mmap
    uint64_t id = 0;
    uint64_t id2 = 0;
    uint64_t addr = 0;
    uint64_t size = 0;    // Malloc, Calloc (element size), Realloc, Memalign, Read/Write/Modify/Ifetch,
                          // Kmalloc, KmemCacheCreate, DmaAlloc, MallocTrim (PAD)
    uint64_t nmemb = 0;   // Calloc
    uint64_t align = 0;   // Memalign, KmemCacheCreate
    uint64_t offset = 0;  // Madvise, Touch
    uint64_t length = 0;  // Mmap, Madvise, Touch, Dma
    uint64_t cycles = 0;  // Compute
    uint64_t tid = 0;     // Thread, ThreadExit
    uint64_t order = 0;   // AllocPages
    int64_t param = 0;    // Mallopt
    int64_t value = 0;    // Mallopt
    int64_t advice = 0;   // Madvise
    std::string name;     // KmemCacheCreate, KmemCacheAlloc (cache), AllocPages (zone), Dma (device)

    uint64_t line = 0;    // where it came from in its file (text formats; 0 in binary)

    bool operator==(const Event& o) const;  // every field but line
};

}  // namespace memsim::trace
