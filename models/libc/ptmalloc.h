#pragma once
// glibc 2.36's malloc (ptmalloc2) as Debian 12 ships it on x86-64, address-exact: for the same
// sequence of calls in a fresh process, every pointer it returns lies at the same offset from the
// start of the heap (or in a mapping of its own, at the same offset in it), and the break moves at
// the same calls by the same amounts. The algorithms follow malloc/malloc.c and malloc/arena.c
// function by function (each is named where it is mirrored); what is left out and how it was
// checked against the real glibc: docs/libc.md.
//
// The chunk headers, free-list links, bins and tcache entries live in a sparse image of the
// process's memory (libc::WordMemory), at the addresses glibc would use; every read and write of
// that metadata is reported to the Process, so its pages fault where glibc's would.
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "models/libc/process.h"
#include "models/libc/word_memory.h"
#include "sim/config/param.h"
#include "sim/stats/stats.h"

namespace memsim::libc {

// The GLIBC_TUNABLES glibc.malloc.* of a run. Each is "default" (unset: glibc's built-in value) or
// a number; a number behaves as glibc's tunable callback (do_set_*) makes it behave.
struct PtmallocParams {
    std::string mmap_threshold = "default";
    std::string trim_threshold = "default";
    std::string top_pad = "default";
    std::string mmap_max = "default";
    std::string arena_max = "default";
    std::string arena_test = "default";
    std::string mxfast = "default";
    std::string tcache_count = "default";
    std::string tcache_max = "default";
    std::string perturb = "default";
    uint64_t ncpus = 2;
    bool thread_dtv_calloc = true;
    uint64_t tls_modules = 1;

    void visit(config::ParamVisitor& v);
};

// malloc_printerr: glibc detected a corrupted heap or a bad pointer and aborted the process.
// message() is glibc's text exactly ("free(): double free detected in tcache 2").
class Abort : public std::runtime_error {
public:
    explicit Abort(const std::string& msg) : std::runtime_error(msg) {}
};

// struct mallinfo2 of one arena (int_mallinfo), plus the figures malloc_stats prints.
struct MallInfo {
    uint64_t arena = 0;     // system_mem: bytes the arena holds from the system
    uint64_t ordblks = 0;   // free chunks in bins (top counted, as int_mallinfo does)
    uint64_t smblks = 0;    // free chunks in fastbins
    uint64_t hblks = 0;     // mmapped chunks (process-wide)
    uint64_t hblkhd = 0;    // bytes in mmapped chunks (process-wide)
    uint64_t fsmblks = 0;   // bytes free in fastbins
    uint64_t uordblks = 0;  // bytes in use: arena - fordblks
    uint64_t fordblks = 0;  // bytes free: bins, fastbins and top
    uint64_t keepcost = 0;  // top chunk size
    uint64_t tcache_bytes = 0;  // bytes held in the tcaches of the threads attached (counted as in use)
};

// Where a pointer the allocator returned lies (for comparisons with the real process).
struct ChunkPlace {
    enum Kind : uint8_t { Null, MainHeap, Mmapped, ArenaHeap } kind = Null;
    uint64_t offset = 0;  // MainHeap: from the heap start; Mmapped: in its mapping; ArenaHeap: in its heap
    uint64_t arena = 0;   // ArenaHeap: the arena's address
    uint64_t heap = 0;    // ArenaHeap: the heap's address
    uint64_t size = 0;    // the chunk's size
};

class Ptmalloc {
public:
    Ptmalloc(const PtmallocParams& p, Process& proc, stats::Registry& r);
    ~Ptmalloc();
    Ptmalloc(const Ptmalloc&) = delete;
    Ptmalloc& operator=(const Ptmalloc&) = delete;

    // ---- the API, called by thread TID (addresses in the simulated process; 0 is NULL) ----
    uint64_t malloc(uint64_t tid, uint64_t bytes);
    void free(uint64_t tid, uint64_t mem);
    uint64_t calloc(uint64_t tid, uint64_t n, uint64_t elem_size);
    uint64_t realloc(uint64_t tid, uint64_t mem, uint64_t bytes);
    uint64_t memalign(uint64_t tid, uint64_t alignment, uint64_t bytes);  // also aligned_alloc (an alias in 2.36)
    int posix_memalign(uint64_t tid, uint64_t* memptr, uint64_t alignment, uint64_t bytes);  // 0 or EINVAL/ENOMEM
    uint64_t valloc(uint64_t tid, uint64_t bytes);
    uint64_t pvalloc(uint64_t tid, uint64_t bytes);
    int mallopt(uint64_t tid, int param, int value);  // glibc's M_* numbers; returns 1 or 0
    int malloc_trim(uint64_t tid, uint64_t pad);
    uint64_t malloc_usable_size(uint64_t mem);
    // pthread_create by CREATOR of thread TID: the new thread's DTV is calloc'ed by the creator
    // (elf/dl-tls.c allocate_dtv) when thread_dtv_calloc is on. A TID never seen before that calls
    // the API without this is a thread created without that calloc.
    void thread_create(uint64_t creator, uint64_t tid);
    // The thread ends: __malloc_arena_thread_freeres (tcache_thread_shutdown, then the arena's
    // attached count drops and it joins free_list at 0).
    void thread_exit(uint64_t tid);
    // The first TID that calls in is the main thread (thread_arena = &main_arena); or name it here first.
    void set_main_thread(uint64_t tid);

    // ---- views ----
    ChunkPlace place(uint64_t mem) const;
    uint64_t heap_start() const { return heap_start_; }  // the break before the first sbrk (0 until then)
    uint64_t current_brk() const { return curbrk_; }
    size_t arena_count() const { return arenas_.size(); }
    MallInfo mallinfo2(size_t arena_index) const;  // arena 0 is main_arena; then in creation order
    MallInfo mallinfo2_total() const;              // mallinfo2(): summed over arenas, as glibc 2.36 does
    void malloc_stats(std::ostream& out) const;    // malloc_stats()'s text, to OUT instead of stderr
    uint64_t mmap_threshold() const { return mp_.mmap_threshold; }
    uint64_t trim_threshold() const { return mp_.trim_threshold; }

private:
    struct Arena;
    struct Thread;
    struct Tcache;

    // mp_ (struct malloc_par)
    struct Par {
        uint64_t trim_threshold, top_pad, mmap_threshold, arena_test, arena_max;
        int32_t n_mmaps = 0, n_mmaps_max, max_n_mmaps = 0;
        int no_dyn_threshold = 0;
        uint64_t mmapped_mem = 0, max_mmapped_mem = 0;
        uint64_t sbrk_base = 0;
        uint64_t tcache_bins, tcache_max_bytes, tcache_count, tcache_unsorted_limit = 0;
    } mp_{};
    uint64_t global_max_fast_ = 0;
    int perturb_byte_ = 0;

    PtmallocParams p_;
    Process& proc_;
    mutable WordMemory mem_;
    uint64_t static_base_;      // where main_arena and mp_ live
    bool report_static_;        // libc's data is in the simulated address space
    uint64_t curbrk_ = 0;       // __curbrk (brk.c)
    uint64_t heap_start_ = 0;
    bool initialized_ = false;  // __malloc_initialized
    uint64_t main_tid_ = ~0ull;
    bool have_main_ = false;

    std::vector<std::unique_ptr<Arena>> arenas_;  // [0] main_arena, then in creation order
    std::unordered_map<uint64_t, Arena*> arena_at_;
    Arena* main_arena_ = nullptr;
    Arena* free_list_ = nullptr;
    Arena* next_to_use_ = nullptr;  // reused_arena's static
    uint64_t narenas_ = 1;
    uint64_t narenas_limit_ = 0;    // arena_get2's static
    uint64_t aligned_heap_area_ = 0;
    std::unordered_map<uint64_t, std::unique_ptr<Thread>> threads_;
    Thread* cur_ = nullptr;  // the calling thread
    uint64_t cur_tid_ = ~0ull;
    uint64_t tcache_key_;
    uint64_t heap_peak_ = 0;

    struct Stats {
        stats::Counter& malloc_calls;
        stats::Counter& free_calls;
        stats::Counter& calloc_calls;
        stats::Counter& realloc_calls;
        stats::Counter& memalign_calls;
        stats::Counter& brk_calls;
        stats::Counter& mmap_calls;
        stats::Counter& munmap_calls;
        stats::Counter& mremap_calls;
        stats::Counter& mprotect_calls;
        stats::Counter& madvise_calls;
        stats::Counter& heap_bytes_peak;
        stats::Counter& mmapped_bytes_peak;
        stats::Counter& arenas;
        stats::Counter& consolidations;
        stats::Counter& tcache_hits;
        explicit Stats(stats::Registry& r);
    } stats_;
    stats::Registry& reg_;

    // ---- memory and metadata accesses (ptmalloc_int.cpp) ----
    uint64_t rd(uint64_t a) {
        if (a < static_base_ || report_static_) proc_.load(a, 8);
        return mem_.get(a);
    }
    void wr(uint64_t a, uint64_t v) {
        if (a < static_base_ || report_static_) proc_.store(a, 8);
        mem_.set(a, v);
    }
    void touch_load(uint64_t a, unsigned n) {
        if (a < static_base_ || report_static_) proc_.load(a, n);
    }
    void touch_store(uint64_t a, unsigned n) {
        if (a < static_base_ || report_static_) proc_.store(a, n);
    }
    [[noreturn]] void printerr(const char* msg);

    // chunk fields (struct malloc_chunk)
    uint64_t size_nomask(uint64_t p) { return rd(p + 8); }
    uint64_t chunksize(uint64_t p) { return rd(p + 8) & ~7ull; }
    uint64_t prev_size(uint64_t p) { return rd(p); }
    uint64_t fd(uint64_t p) { return rd(p + 16); }
    uint64_t bk(uint64_t p) { return rd(p + 24); }
    uint64_t fd_nextsize(uint64_t p) { return rd(p + 32); }
    uint64_t bk_nextsize(uint64_t p) { return rd(p + 40); }
    void set_fd(uint64_t p, uint64_t v) { wr(p + 16, v); }
    void set_bk(uint64_t p, uint64_t v) { wr(p + 24, v); }
    void set_fd_nextsize(uint64_t p, uint64_t v) { wr(p + 32, v); }
    void set_bk_nextsize(uint64_t p, uint64_t v) { wr(p + 40, v); }
    void set_head(uint64_t p, uint64_t s) { wr(p + 8, s); }
    void set_head_size(uint64_t p, uint64_t s) { wr(p + 8, (rd(p + 8) & 7) | s); }
    void set_foot(uint64_t p, uint64_t s) { wr(p + s, s); }
    void set_prev_size(uint64_t p, uint64_t s) { wr(p, s); }
    bool inuse_bit_at_offset(uint64_t p, uint64_t s) { return rd(p + s + 8) & 1; }
    void set_inuse_bit_at_offset(uint64_t p, uint64_t s) { wr(p + s + 8, rd(p + s + 8) | 1); }
    void clear_inuse_bit_at_offset(uint64_t p, uint64_t s) { wr(p + s + 8, rd(p + s + 8) & ~1ull); }

    // arena fields
    uint64_t bin_at(const Arena& a, unsigned i) const;
    uint64_t fastbin_addr(const Arena& a, unsigned idx) const;
    uint64_t top(Arena& a);
    void set_top(Arena& a, uint64_t v);
    uint64_t last_remainder(Arena& a);
    void set_last_remainder(Arena& a, uint64_t v);
    void mark_bin(Arena& a, unsigned i);
    void set_have_fastchunks(Arena& a, bool v);
    bool have_fastchunks(Arena& a);
    Arena& arena_for_chunk(uint64_t p);
    uint64_t heap_for_ptr(uint64_t p) const { return p & ~(kHeapMaxSize - 1); }

    // ---- malloc.c internals (ptmalloc_int.cpp) ----
    void malloc_init_state(Arena& a);
    void ptmalloc_init();
    void unlink_chunk(Arena& a, uint64_t p);
    uint64_t int_malloc(Arena* a, uint64_t bytes);
    void int_free(Arena& a, uint64_t p, bool have_lock);
    void malloc_consolidate(Arena& a);
    uint64_t int_realloc(Arena& a, uint64_t oldp, uint64_t oldsize, uint64_t nb);
    uint64_t int_memalign(Arena* a, uint64_t alignment, uint64_t bytes);
    uint64_t mid_memalign(uint64_t alignment, uint64_t bytes);
    int mtrim(Arena& a, uint64_t pad);
    void tcache_init();
    void tcache_put(uint64_t chunk, unsigned tc_idx);
    uint64_t tcache_get(unsigned tc_idx);
    void tcache_thread_shutdown();
    void alloc_perturb(uint64_t mem, uint64_t n);
    void free_perturb(uint64_t mem, uint64_t n);

    // ---- sysmalloc, trimming, mmapped chunks, heaps and arenas (ptmalloc_sys.cpp) ----
    uint64_t sbrk(int64_t incr);  // (uint64_t)-1 on failure
    uint64_t sysmalloc(uint64_t nb, Arena* a);
    uint64_t sysmalloc_mmap(uint64_t nb, uint64_t pagesize, Arena* a);
    uint64_t sysmalloc_mmap_fallback(int64_t* s, uint64_t nb, uint64_t old_size, uint64_t minsize, uint64_t pagesize, Arena& a);
    int systrim(uint64_t pad, Arena& a);
    void munmap_chunk(uint64_t p);
    uint64_t mremap_chunk(uint64_t p, uint64_t new_size);
    uint64_t alloc_new_heap(uint64_t size, uint64_t top_pad);
    int grow_heap(uint64_t h, int64_t diff);
    int shrink_heap(uint64_t h, int64_t diff);
    int heap_trim(uint64_t heap, uint64_t pad);
    Arena* int_new_arena(uint64_t size);
    Arena* get_free_list();
    void remove_from_free_list(Arena* a);
    Arena* reused_arena(Arena* avoid);
    Arena* arena_get2(uint64_t size, Arena* avoid);
    Arena* arena_get(uint64_t size);
    Arena* arena_get_retry(Arena* a, uint64_t bytes);
    void detach_arena(Arena* a);
    Arena* arena_by_addr(uint64_t addr) const;
    void note_heap_size();
    void declare_arena_stats(Arena& a, size_t index);

    // ---- __libc_* without the call counting ----
    uint64_t do_malloc(uint64_t bytes);
    void do_free(uint64_t mem);
    uint64_t do_calloc(uint64_t n, uint64_t elem_size);

    // ---- the calling thread ----
    void enter(uint64_t tid);
    // SINGLE_THREAD_P: no thread but main has been created (it stays false once one was).
    bool single_thread() const { return !multi_threaded_; }
    bool multi_threaded_ = false;

    static constexpr uint64_t kHeapMaxSize = 64ull << 20;  // HEAP_MAX_SIZE: 2 * DEFAULT_MMAP_THRESHOLD_MAX
    static constexpr uint64_t kHeapMinSize = 32 * 1024;    // HEAP_MIN_SIZE
    static constexpr uint64_t kPageSize = 4096;

    friend struct PtmallocView;
};

}  // namespace memsim::libc
