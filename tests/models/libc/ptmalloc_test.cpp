// The ptmalloc model's behaviour that the glibc comparison does not show: the messages of the
// errors glibc detects, the tunables, statistics and views, and the accesses it reports to the
// process. Expected values are worked from malloc.c (functions named) or measured on glibc 2.36.
#include <catch2/catch.hpp>

#include <sstream>

#include "models/libc/mm_process.h"
#include "models/libc/ptmalloc.h"
#include "models/os/mm.h"

using namespace memsim;
using namespace memsim::libc;

namespace {
struct Sim {
    os::SimpleFrameSource frames;
    stats::Registry reg;
    os::MmParams mp;
    std::unique_ptr<os::AddressSpace> as;
    std::unique_ptr<MmProcess> proc;
    std::unique_ptr<Ptmalloc> m;
    explicit Sim(PtmallocParams p = {}) {
        as = std::make_unique<os::AddressSpace>(mp, frames, reg);
        proc = std::make_unique<MmProcess>(*as);
        m = std::make_unique<Ptmalloc>(p, *proc, reg);
    }
    uint64_t off(uint64_t ptr) const { return ptr - m->heap_start(); }
    uint64_t brk() const { return m->current_brk() - m->heap_start(); }
    std::string abort_of(const std::function<void()>& f) {
        try {
            f();
        } catch (const Abort& e) {
            return e.what();
        }
        return "(no abort)";
    }
};
}  // namespace

SCENARIO("a fresh process's first malloc", "[libc]") {
    Sim s;
    uint64_t p = s.m->malloc(1, 100);
    // tcache_init's 640-byte struct is the first chunk (0x290), so the first pointer is heap+0x2a0;
    // sysmalloc sbrk'ed ALIGN_UP (0x290 + top_pad 0x20000 + MINSIZE 0x20, 4096) = 0x21000.
    CHECK(s.off(p) == 0x2a0);
    CHECK(s.brk() == 0x21000);
    CHECK(s.m->place(p).kind == ChunkPlace::MainHeap);
    CHECK(s.m->malloc_usable_size(p) == 0x70 - 8);
    CHECK(s.reg.value("libc.malloc_calls") == 1);
    CHECK(s.reg.value("libc.arenas") == 1);
    CHECK(s.reg.value("libc.heap_bytes_peak") == 0x21000);
    // The metadata accesses fault the heap's first page in, as glibc's do.
    CHECK(s.as->counters().minor_faults >= 1);
    CHECK(s.proc->segv() == 0);
}

SCENARIO("errors glibc detects stop the process with its message", "[libc]") {
    GIVEN("a chunk freed twice into the tcache") {
        Sim s;
        uint64_t p = s.m->malloc(1, 24);
        s.m->free(1, p);
        CHECK(s.abort_of([&] { s.m->free(1, p); }) == "free(): double free detected in tcache 2");
    }
    GIVEN("a fastbin chunk freed twice in a row (the tcache bin full)") {
        Sim s;
        uint64_t q[8];
        for (auto& x : q) x = s.m->malloc(1, 24);
        for (int i = 0; i < 7; ++i) s.m->free(1, q[i]);
        s.m->free(1, q[7]);  // the 8th goes to the fastbin
        // Its key says "in a tcache" was never set, so only the fastbin's head check catches it.
        CHECK(s.abort_of([&] { s.m->free(1, q[7]); }) == "double free or corruption (fasttop)");
    }
    GIVEN("a misaligned pointer") {
        Sim s;
        uint64_t p = s.m->malloc(1, 100);
        CHECK(s.abort_of([&] { s.m->free(1, p + 8); }) == "free(): invalid pointer");
    }
    GIVEN("a large chunk freed twice") {
        Sim s;
        uint64_t a = s.m->malloc(1, 2000);
        s.m->malloc(1, 100);
        s.m->free(1, a);  // 0x7e0: above the tcache, into the unsorted bin; next's PREV_INUSE cleared
        CHECK(s.abort_of([&] { s.m->free(1, a); }) == "double free or corruption (!prev)");
    }
    GIVEN("the top chunk freed") {
        Sim s;
        uint64_t a = s.m->malloc(1, 2000);
        s.m->free(1, a);  // merges into top: a is top now
        CHECK(s.abort_of([&] { s.m->free(1, a); }) == "double free or corruption (top)");
    }
}

SCENARIO("tunables behave as glibc's do_set_* callbacks", "[libc]") {
    GIVEN("glibc.malloc.mmap_threshold=65536") {
        PtmallocParams p;
        p.mmap_threshold = "65536";
        Sim s(p);
        // The threshold is looked at only in sysmalloc: the first comes from top (0x21000 bytes).
        CHECK(s.m->place(s.m->malloc(1, 70000)).kind == ChunkPlace::MainHeap);
        uint64_t a = s.m->malloc(1, 70000);
        CHECK(s.m->place(a).kind == ChunkPlace::Mmapped);
        s.m->free(1, a);
        CHECK(s.m->mmap_threshold() == 65536);  // no_dyn_threshold: freeing does not raise it
        CHECK(s.reg.value("libc.mmap_calls") == 1);
        CHECK(s.reg.value("libc.munmap_calls") == 1);
    }
    GIVEN("the default: the dynamic threshold") {
        Sim s;
        uint64_t a = s.m->malloc(1, 200000);
        s.m->free(1, a);
        // __libc_free: mmap_threshold = chunksize = ALIGN_UP (0x30d50 + 8, 4096); trim twice that.
        CHECK(s.m->mmap_threshold() == 0x31000);
        CHECK(s.m->trim_threshold() == 0x62000);
    }
    GIVEN("glibc.malloc.tcache_count=0 and mxfast=0") {
        PtmallocParams p;
        p.tcache_count = "0";
        p.mxfast = "0";
        Sim s(p);
        uint64_t a = s.m->malloc(1, 24);
        s.m->malloc(1, 24);
        s.m->free(1, a);
        // Neither tcache nor fastbin: a goes to the unsorted bin and is taken back from there.
        CHECK(s.m->malloc(1, 24) == a);
        CHECK(s.reg.value("libc.tcache_hits") == 0);
    }
    GIVEN("a value that is not a number") {
        PtmallocParams p;
        p.top_pad = "lots";
        CHECK_THROWS(Sim(p));
    }
}

SCENARIO("mallopt returns what glibc's does", "[libc]") {
    Sim s;
    CHECK(s.m->mallopt(1, 1 /*M_MXFAST*/, 160) == 1);
    CHECK(s.m->mallopt(1, 1, 161) == 0);  // above MAX_FAST_SIZE
    CHECK(s.m->mallopt(1, -1 /*M_TRIM_THRESHOLD*/, -1) == 1);
    CHECK(s.m->trim_threshold() == ~uint64_t(0));  // never trims
    CHECK(s.m->mallopt(1, -8 /*M_ARENA_MAX*/, 0) == 1);  // ignored, still 1
    CHECK(s.reg.value("libc.consolidations") == 4);  // every mallopt consolidates
}

SCENARIO("mallinfo2 and malloc_stats", "[libc]") {
    Sim s;
    uint64_t a = s.m->malloc(1, 100);
    s.m->malloc(1, 300000);  // mmapped: ALIGN_UP (0x493f0 + 8, 4096) = 0x4a000
    (void)a;
    MallInfo mi = s.m->mallinfo2(0);
    CHECK(mi.arena == 0x21000);
    // top = 0x21000 - 0x290 - 0x70 = 0x20d00 free; in use the tcache struct and the 0x70 chunk.
    CHECK(mi.fordblks == 0x20d00);
    CHECK(mi.uordblks == 0x300);
    CHECK(mi.keepcost == 0x20d00);
    CHECK(mi.hblkhd == 0x4a000);
    CHECK(s.reg.value("libc.arena0.top_bytes") == 0x20d00);
    CHECK(s.reg.value("libc.mmapped_bytes") == 0x4a000);
    std::ostringstream out;
    s.m->malloc_stats(out);
    CHECK(out.str() ==
          "Arena 0:\n"
          "system bytes     =     135168\n"
          "in use bytes     =        768\n"
          "Total (incl. mmap):\n"
          "system bytes     =     438272\n"
          "in use bytes     =     303872\n"
          "max mmap regions =          1\n"
          "max mmap bytes   =     303104\n");
}

SCENARIO("threads get arenas as arena_get2 chooses them", "[libc]") {
    PtmallocParams p;
    p.arena_max = "2";
    Sim s(p);
    s.m->malloc(1, 10);
    s.m->thread_create(1, 2);
    uint64_t a2 = s.m->malloc(2, 100);
    // A new arena's first heap: heap_info 48 + malloc_state 2200, top at heap+0x8d0; the tcache
    // (0x290) first, so the first pointer is heap+0xb70 (measured on glibc 2.36).
    CHECK(s.m->place(a2).kind == ChunkPlace::ArenaHeap);
    CHECK(s.m->place(a2).offset == 0xb70);
    s.m->thread_create(1, 3);
    uint64_t a3 = s.m->malloc(3, 100);
    // arena_max 2 reached: reused_arena round robin from main_arena.
    CHECK(s.m->place(a3).kind == ChunkPlace::MainHeap);
    CHECK(s.m->arena_count() == 2);
    s.m->thread_exit(2);
    s.m->thread_create(1, 4);
    // Thread 2's arena had no other thread: free_list hands it to thread 4.
    CHECK(s.m->place(s.m->malloc(4, 100)).arena == s.m->place(a2).arena);
}

TEST_CASE("views before the first call show the empty main arena", "[libc]") {
    // mallinfo2 and malloc_stats run ptmalloc_init first (malloc.c __libc_mallinfo2,
    // __malloc_stats): the main arena holds nothing, its top is the initial dummy chunk, which
    // int_mallinfo counts as one free block of 0 bytes.
    Sim s;
    MallInfo m = s.m->mallinfo2(0);
    CHECK(m.arena == 0);
    CHECK(m.ordblks == 1);
    CHECK(m.uordblks == 0);
    CHECK(m.keepcost == 0);
    std::ostringstream out;
    s.m->malloc_stats(out);
    CHECK(out.str().rfind("Arena 0:\nsystem bytes     =          0\nin use bytes     =          0\n", 0) == 0);
}
