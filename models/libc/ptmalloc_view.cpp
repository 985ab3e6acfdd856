// Views of the ptmalloc model: where a pointer lies, mallinfo2 (malloc.c int_mallinfo),
// malloc_stats (__malloc_stats) and the per-arena statistics as formulas. Views read the memory
// image directly: they are not the program's accesses and are not reported.
#include <cstdio>
#include <ostream>

#include "models/libc/ptmalloc_impl.h"

namespace memsim::libc {

using namespace pm;

ChunkPlace Ptmalloc::place(uint64_t mem) const {
    ChunkPlace c;
    if (mem == 0) return c;
    uint64_t p = mem - CHUNK_HDR_SZ;
    uint64_t head = mem_.get(p + 8);
    c.size = head & ~SIZE_BITS;
    if (head & IS_MMAPPED) {
        c.kind = ChunkPlace::Mmapped;
        c.offset = mem_.get(p) + CHUNK_HDR_SZ;
    } else if (head & NON_MAIN_ARENA) {
        c.kind = ChunkPlace::ArenaHeap;
        c.heap = p & ~(kHeapMaxSize - 1);
        c.offset = mem - c.heap;
        c.arena = mem_.get(c.heap + HI_AR_PTR);
    } else {
        c.kind = ChunkPlace::MainHeap;
        c.offset = mem - heap_start_;
    }
    return c;
}

// int_mallinfo for one arena.
MallInfo Ptmalloc::mallinfo2(size_t arena_index) const {
    MallInfo m;
    if (arena_index >= arenas_.size()) return m;
    // Before the first call glibc's mallinfo2 would run ptmalloc_init: the main arena is then
    // empty, its top the initial dummy (one block of 0 bytes), and its bins not yet linked here.
    if (!initialized_) {
        m.ordblks = 1;
        return m;
    }
    const Arena& a = *arenas_[arena_index];
    uint64_t t = mem_.get(a.base + OFF_TOP);
    uint64_t avail = (t == bin_at(a, 1)) ? 0 : mem_.get(t + 8) & ~SIZE_BITS;
    uint64_t nblocks = 1;
    for (unsigned i = 0; i < NFASTBINS; ++i)
        for (uint64_t p = mem_.get(fastbin_addr(a, i)); p; p = mem_.get(p + 16)) {
            ++m.smblks;
            m.fsmblks += mem_.get(p + 8) & ~SIZE_BITS;
        }
    avail += m.fsmblks;
    for (unsigned i = 1; i < NBINS; ++i) {
        uint64_t b = bin_at(a, i);
        for (uint64_t p = mem_.get(b + 24); p != b; p = mem_.get(p + 24)) {
            ++nblocks;
            avail += mem_.get(p + 8) & ~SIZE_BITS;
        }
    }
    m.ordblks = nblocks;
    m.fordblks = avail;
    m.uordblks = a.system_mem - avail;
    m.arena = a.system_mem;
    m.hblks = uint64_t(mp_.n_mmaps);
    m.hblkhd = mp_.mmapped_mem;
    m.keepcost = (t == bin_at(a, 1)) ? 0 : mem_.get(t + 8) & ~SIZE_BITS;
    for (auto& [tid, th] : threads_)
        if (th->arena == &a && th->has_tcache)
            for (unsigned i = 0; i < TCACHE_MAX_BINS; ++i)
                m.tcache_bytes += uint64_t(th->tcache.counts[i]) * (i * MALLOC_ALIGNMENT + MINSIZE);
    return m;
}

// glibc 2.36's mallinfo2 (): every arena's figures summed; hblks, hblkhd and keepcost once.
MallInfo Ptmalloc::mallinfo2_total() const {
    MallInfo total;
    for (size_t i = 0; i < arenas_.size(); ++i) {
        MallInfo m = mallinfo2(i);
        total.arena += m.arena;
        total.ordblks += m.ordblks;
        total.smblks += m.smblks;
        total.fsmblks += m.fsmblks;
        total.uordblks += m.uordblks;
        total.fordblks += m.fordblks;
        total.tcache_bytes += m.tcache_bytes;
        if (i == 0) {
            total.hblks = m.hblks;
            total.hblkhd = m.hblkhd;
            total.keepcost = m.keepcost;
        }
    }
    return total;
}

// __malloc_stats, arenas in main_arena's list order (main, then the newest first).
void Ptmalloc::malloc_stats(std::ostream& out) const {
    char line[96];
    uint64_t system_b = mp_.mmapped_mem, in_use_b = mp_.mmapped_mem;
    const Arena* a = main_arena_;
    for (int i = 0;; ++i) {
        MallInfo m = mallinfo2(a->index);
        out << "Arena " << i << ":\n";
        std::snprintf(line, sizeof line, "system bytes     = %10u\n", unsigned(m.arena));
        out << line;
        std::snprintf(line, sizeof line, "in use bytes     = %10u\n", unsigned(m.uordblks));
        out << line;
        system_b += m.arena;
        in_use_b += m.uordblks;
        a = a->next;
        if (a == main_arena_) break;
    }
    out << "Total (incl. mmap):\n";
    std::snprintf(line, sizeof line, "system bytes     = %10u\n", unsigned(system_b));
    out << line;
    std::snprintf(line, sizeof line, "in use bytes     = %10u\n", unsigned(in_use_b));
    out << line;
    std::snprintf(line, sizeof line, "max mmap regions = %10u\n", unsigned(mp_.max_n_mmaps));
    out << line;
    std::snprintf(line, sizeof line, "max mmap bytes   = %10lu\n", (unsigned long)mp_.max_mmapped_mem);
    out << line;
}

void Ptmalloc::declare_arena_stats(Arena& a, size_t index) {
    const std::string n = "libc.arena" + std::to_string(index) + ".";
    reg_.formula(n + "system_bytes", "bytes", "memory the arena holds from the system (mallinfo2 arena)",
                 [this, index] { return double(mallinfo2(index).arena); });
    reg_.formula(n + "in_use_bytes", "bytes", "bytes in chunks in use, tcached chunks included (mallinfo2 uordblks)",
                 [this, index] { return double(mallinfo2(index).uordblks); });
    reg_.formula(n + "free_bin_bytes", "bytes", "bytes in free chunks in bins and fastbins (fordblks without top)",
                 [this, index] {
                     MallInfo m = mallinfo2(index);
                     return double(m.fordblks - m.keepcost);
                 });
    reg_.formula(n + "top_bytes", "bytes", "size of the top chunk (mallinfo2 keepcost)",
                 [this, index] { return double(mallinfo2(index).keepcost); });
    if (index == 0)
        reg_.formula("libc.mmapped_bytes", "bytes", "bytes in mmapped chunks now (mallinfo2 hblkhd)",
                     [this] { return double(mp_.mmapped_mem); });
    (void)a;
}

}  // namespace memsim::libc
