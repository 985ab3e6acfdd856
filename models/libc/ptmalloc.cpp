// glibc 2.36 malloc/malloc.c's public entry points (__libc_malloc, __libc_free, __libc_calloc,
// __libc_realloc, _mid_memalign and its callers, __libc_mallopt, __malloc_trim), ptmalloc_init
// with the glibc.malloc.* tunables, threads (arena.c __malloc_arena_thread_freeres), parameters
// and statistics.
#include <cerrno>
#include <cstdlib>

#include "models/libc/ptmalloc_impl.h"
#include "sim/config/schema.h"
#include "sim/config/units.h"
#include "sim/core/error.h"

namespace memsim::libc {

using namespace pm;

MEMSIM_REGISTER_PARAMS(PtmallocParams, "libc", "glibc 2.36 malloc (ptmalloc2, Debian 12, x86-64): GLIBC_TUNABLES");

namespace {
// What GLIBC_TUNABLES accepts for a glibc.malloc.* size: a number (decimal or 0x hex; a leading '-'
// wraps, as strtoul does: trim_threshold -1 is "never"), or memsim's "default" for unset.
bool tunable_text_ok(const std::string& text, std::string* why) {
    uint64_t u;
    int64_t i;
    if (text == "default" || units::parse_uint(text, u) || units::parse_int(text, i)) return true;
    if (why) *why = "expected a number or default";
    return false;
}
}  // namespace

void PtmallocParams::visit(config::ParamVisitor& v) {
    auto tunable = [&](const char* key, const char* desc, std::string& field) {
        v(config::ParamSpec::string(key, "default", desc).checked(&tunable_text_ok), field);
    };
    tunable("mmap_threshold", "glibc.malloc.mmap_threshold in bytes, or default (128 KiB, dynamic); setting it fixes the thresholds", mmap_threshold);
    tunable("trim_threshold", "glibc.malloc.trim_threshold in bytes (-1: never trim), or default (128 KiB, dynamic)", trim_threshold);
    tunable("top_pad", "glibc.malloc.top_pad in bytes, or default (128 KiB: DEFAULT_TOP_PAD of malloc-machine.h)", top_pad);
    tunable("mmap_max", "glibc.malloc.mmap_max: most mmapped chunks at once, or default (65536)", mmap_max);
    tunable("arena_max", "glibc.malloc.arena_max, or default (0: 8 x ncpus once arena_test is passed)", arena_max);
    tunable("arena_test", "glibc.malloc.arena_test, or default (8)", arena_test);
    tunable("mxfast", "glibc.malloc.mxfast in bytes (0..160; 0 disables fastbins), or default (128)", mxfast);
    tunable("tcache_count", "glibc.malloc.tcache_count: chunks per tcache bin (0..65535), or default (7)", tcache_count);
    tunable("tcache_max", "glibc.malloc.tcache_max: largest request the tcache holds (0..1032), or default (1032)", tcache_max);
    tunable("perturb", "glibc.malloc.perturb: fill byte for allocated and freed memory, or default (0: off)", perturb);
    v(config::ParamSpec::count("ncpus", "2", "cpus", "what __get_nprocs () returns: the arena limit is 8 x ncpus")
          .range(1, 4096),
      ncpus);
    v(config::ParamSpec::boolean("thread_dtv_calloc", "true",
                                 "pthread_create callocs the new thread's DTV on the creating thread (allocate_dtv)"),
      thread_dtv_calloc);
    v(config::ParamSpec::count("tls_modules", "1", "modules",
                               "modules with TLS (dl_tls_max_dtv_idx): the DTV is calloc (tls_modules + 16, 16)")
          .range(0, 1024),
      tls_modules);
}

namespace {
// A tunable's value: unset ("default") or a number, as the tunables parser reads it (strtoul:
// decimal or 0x hex, a leading '-' wraps).
bool tunable_value(const std::string& text, const char* key, uint64_t& out) {
    if (text.empty() || text == "default") return false;
    const char* s = text.c_str();
    bool neg = *s == '-';
    if (neg) ++s;
    char* end = nullptr;
    errno = 0;
    uint64_t v = std::strtoull(s, &end, 0);
    if (errno || *end || end == s)
        throw SimulationError(std::string("libc.") + key + ": expected a number or \"default\", got \"" + text + "\"");
    out = neg ? uint64_t(0) - v : v;
    return true;
}
constexpr uint64_t kStaticFake = 0xffff800000000000ull;  // main_arena when libc's data is not simulated
constexpr uint64_t kMainArenaOffset = 0xc80;             // from libc_data_base (any 32-aligned spot)
}  // namespace

Ptmalloc::Stats::Stats(stats::Registry& r)
    : malloc_calls(r.counter("libc.malloc_calls", "calls", "malloc calls (the tcache's own struct not counted)")),
      free_calls(r.counter("libc.free_calls", "calls", "free calls, free(NULL) included")),
      calloc_calls(r.counter("libc.calloc_calls", "calls", "calloc calls")),
      realloc_calls(r.counter("libc.realloc_calls", "calls", "realloc calls")),
      memalign_calls(r.counter("libc.memalign_calls", "calls", "memalign, posix_memalign, aligned_alloc, valloc, pvalloc calls")),
      brk_calls(r.counter("libc.brk_calls", "syscalls", "brk system calls (sbrk's, brk(0) included)")),
      mmap_calls(r.counter("libc.mmap_calls", "syscalls", "mmap system calls (chunks, heaps, fallback)")),
      munmap_calls(r.counter("libc.munmap_calls", "syscalls", "munmap system calls")),
      mremap_calls(r.counter("libc.mremap_calls", "syscalls", "mremap system calls (realloc of mmapped chunks)")),
      mprotect_calls(r.counter("libc.mprotect_calls", "syscalls", "mprotect system calls (non-main heaps)")),
      madvise_calls(r.counter("libc.madvise_calls", "syscalls", "madvise(MADV_DONTNEED) calls (heap shrinking, malloc_trim)")),
      heap_bytes_peak(r.counter("libc.heap_bytes_peak", "bytes", "peak of the memory all arenas held from the system (system_mem summed)")),
      mmapped_bytes_peak(r.counter("libc.mmapped_bytes_peak", "bytes", "peak bytes in mmapped chunks (mp_.max_mmapped_mem)")),
      arenas(r.counter("libc.arenas", "arenas", "arenas created, main_arena included")),
      consolidations(r.counter("libc.consolidations", "calls", "malloc_consolidate runs")),
      tcache_hits(r.counter("libc.tcache_hits", "chunks", "chunks taken from a tcache")) {}

Ptmalloc::Ptmalloc(const PtmallocParams& p, Process& proc, stats::Registry& r)
    : p_(p), proc_(proc), stats_(r), reg_(r) {
    uint64_t data = proc_.libc_data_base();
    report_static_ = data != 0;
    static_base_ = data ? data : kStaticFake;
    tcache_key_ = 0x5d3e9a0b7c41f286ull;  // tcache_key_initialize: random, never an address
    mp_.trim_threshold = DEFAULT_TRIM_THRESHOLD;
    mp_.top_pad = DEFAULT_TOP_PAD;
    mp_.mmap_threshold = DEFAULT_MMAP_THRESHOLD_MIN;
    mp_.n_mmaps_max = DEFAULT_MMAP_MAX;
    mp_.arena_test = 8;  // NARENAS_FROM_NCORES (1)
    mp_.arena_max = 0;
    mp_.tcache_count = TCACHE_FILL_COUNT;
    mp_.tcache_bins = TCACHE_MAX_BINS;
    mp_.tcache_max_bytes = tidx2usize(TCACHE_MAX_BINS - 1);

    auto owned = std::make_unique<Arena>();
    main_arena_ = owned.get();
    main_arena_->base = static_base_ + kMainArenaOffset;
    main_arena_->next = main_arena_;
    main_arena_->attached_threads = 1;
    arena_at_[main_arena_->base] = main_arena_;
    arenas_.push_back(std::move(owned));
    stats_.arenas.set(1);
    declare_arena_stats(*main_arena_, 0);
    heap_start_ = proc_.brk(0);
    // Parse the tunables now, so that a bad value is a configuration error at once.
    uint64_t v;
    for (auto* s : {&p_.mmap_threshold, &p_.trim_threshold, &p_.top_pad, &p_.mmap_max, &p_.arena_max,
                    &p_.arena_test, &p_.mxfast, &p_.tcache_count, &p_.tcache_max, &p_.perturb})
        tunable_value(*s, "tunable", v);
}

Ptmalloc::~Ptmalloc() = default;

// ptmalloc_init: main_arena's bins, then each tunable that is set, through its do_set_* callback.
void Ptmalloc::ptmalloc_init() {
    if (initialized_) return;
    initialized_ = true;
    cur_->arena = main_arena_;
    malloc_init_state(*main_arena_);
    uint64_t v;
    if (tunable_value(p_.top_pad, "top_pad", v)) mp_.top_pad = v, mp_.no_dyn_threshold = 1;
    if (tunable_value(p_.perturb, "perturb", v)) perturb_byte_ = int(int32_t(v));
    if (tunable_value(p_.mmap_threshold, "mmap_threshold", v)) mp_.mmap_threshold = v, mp_.no_dyn_threshold = 1;
    if (tunable_value(p_.trim_threshold, "trim_threshold", v)) mp_.trim_threshold = v, mp_.no_dyn_threshold = 1;
    if (tunable_value(p_.mmap_max, "mmap_max", v)) mp_.n_mmaps_max = int32_t(v), mp_.no_dyn_threshold = 1;
    if (tunable_value(p_.arena_max, "arena_max", v)) mp_.arena_max = v;
    if (tunable_value(p_.arena_test, "arena_test", v)) mp_.arena_test = v;
    if (tunable_value(p_.tcache_max, "tcache_max", v) && v <= tidx2usize(TCACHE_MAX_BINS - 1)) {
        mp_.tcache_max_bytes = v;
        mp_.tcache_bins = csize2tidx(request2size(v)) + 1;
    }
    if (tunable_value(p_.tcache_count, "tcache_count", v) && v <= MAX_TCACHE_COUNT) mp_.tcache_count = v;
    if (tunable_value(p_.mxfast, "mxfast", v) && v <= MAX_FAST_SIZE)
        global_max_fast_ = v <= MALLOC_ALIGN_MASK - SIZE_SZ ? MINSIZE / 2 : (v + SIZE_SZ) & ~MALLOC_ALIGN_MASK;
}

// ---- threads ----
void Ptmalloc::set_main_thread(uint64_t tid) {
    if (!have_main_) {
        have_main_ = true;
        main_tid_ = tid;
    }
}

void Ptmalloc::enter(uint64_t tid) {
    if (cur_ && cur_tid_ == tid) return;
    auto it = threads_.find(tid);
    if (it == threads_.end()) {
        set_main_thread(tid);
        auto t = std::make_unique<Thread>();
        t->tid = tid;
        // The main thread's thread_arena is main_arena from ptmalloc_init on.
        if (tid == main_tid_ && initialized_) t->arena = main_arena_;
        if (tid != main_tid_) multi_threaded_ = true;
        it = threads_.emplace(tid, std::move(t)).first;
    }
    cur_ = it->second.get();
    cur_tid_ = tid;
}

void Ptmalloc::thread_create(uint64_t creator, uint64_t tid) {
    set_main_thread(creator);
    if (threads_.count(tid)) return;
    if (p_.thread_dtv_calloc) {
        enter(creator);
        do_calloc(p_.tls_modules + 14 + 2, 16);  // DTV_SURPLUS 14, + 2 slots
    }
    enter(tid);
}

void Ptmalloc::thread_exit(uint64_t tid) {
    enter(tid);
    tcache_thread_shutdown();
    Arena* a = cur_->arena;
    cur_->arena = nullptr;
    if (a && --a->attached_threads == 0) {
        a->next_free = free_list_;
        free_list_ = a;
    }
    // A later call by the same TID is a new thread.
    cur_ = nullptr;
    threads_.erase(tid);
}

// ---- the API ----
uint64_t Ptmalloc::malloc(uint64_t tid, uint64_t bytes) {
    enter(tid);
    ++stats_.malloc_calls;
    return do_malloc(bytes);
}

// __libc_malloc: the tcache first (created on the thread's first call), then the arena.
uint64_t Ptmalloc::do_malloc(uint64_t bytes) {
    ptmalloc_init();
    uint64_t tbytes = checked_request2size(bytes);
    if (tbytes == 0) return 0;
    uint64_t tc_idx = csize2tidx(tbytes);
    if (!cur_->has_tcache) tcache_init();  // MAYBE_INIT_TCACHE
    if (tc_idx < mp_.tcache_bins && cur_->has_tcache) {
        touch_load(cur_->tcache.addr + 2 * tc_idx, 2);
        if (cur_->tcache.counts[tc_idx] > 0) return tcache_get(unsigned(tc_idx));
    }
    Arena* ar = arena_get(bytes);
    uint64_t victim = int_malloc(ar, bytes);
    if (!victim && ar && !single_thread()) {
        ar = arena_get_retry(ar, bytes);
        victim = int_malloc(ar, bytes);
    }
    return victim;
}

void Ptmalloc::free(uint64_t tid, uint64_t mem) {
    enter(tid);
    ++stats_.free_calls;
    do_free(mem);
}

// __libc_free
void Ptmalloc::do_free(uint64_t mem) {
    if (mem == 0) return;
    uint64_t p = mem - CHUNK_HDR_SZ;
    uint64_t head = size_nomask(p);
    if (head & IS_MMAPPED) {
        // The dynamic threshold: freeing an mmapped chunk raises the mmap threshold to its size
        // (up to 32 MiB), and the trim threshold to twice that.
        if (!mp_.no_dyn_threshold && head > mp_.mmap_threshold && head <= DEFAULT_MMAP_THRESHOLD_MAX) {
            mp_.mmap_threshold = head & ~SIZE_BITS;
            mp_.trim_threshold = 2 * mp_.mmap_threshold;
        }
        munmap_chunk(p);
        return;
    }
    if (!cur_->has_tcache) tcache_init();
    int_free(arena_for_chunk(p), p, false);
}

uint64_t Ptmalloc::calloc(uint64_t tid, uint64_t n, uint64_t elem_size) {
    enter(tid);
    ++stats_.calloc_calls;
    return do_calloc(n, elem_size);
}

// __libc_calloc
uint64_t Ptmalloc::do_calloc(uint64_t n, uint64_t elem_size) {
    unsigned __int128 prod = (unsigned __int128)n * elem_size;
    if (prod > PTRDIFF_MAX_) return 0;  // __builtin_mul_overflow into ptrdiff_t
    uint64_t sz = uint64_t(prod);
    ptmalloc_init();
    if (!cur_->has_tcache) tcache_init();
    Arena* av = single_thread() ? main_arena_ : arena_get(sz);
    uint64_t oldtop = 0, oldtopsize = 0;
    if (av) {
        // What is known to be zero already: top beyond the break's high-water mark (main arena)
        // or beyond the heap's mprotect_size.
        oldtop = top(*av);
        oldtopsize = chunksize(oldtop);
        if (av == main_arena_ && oldtopsize < mp_.sbrk_base + av->max_system_mem - oldtop)
            oldtopsize = mp_.sbrk_base + av->max_system_mem - oldtop;
        if (av != main_arena_) {
            uint64_t heap = heap_for_ptr(oldtop);
            uint64_t lim = heap + rd(heap + HI_MPROTECT_SIZE) - oldtop;
            if (oldtopsize < lim) oldtopsize = lim;
        }
    }
    uint64_t mem = int_malloc(av, sz);
    if (!single_thread() && mem == 0 && av) {
        av = arena_get_retry(av, sz);
        mem = int_malloc(av, sz);
    }
    if (mem == 0) return 0;
    uint64_t p = mem - CHUNK_HDR_SZ;
    uint64_t csz = chunksize(p);
    if (size_nomask(p) & IS_MMAPPED) {
        if (perturb_byte_) proc_.fill(mem, sz);
        return mem;
    }
    if (perturb_byte_ == 0 && p == oldtop && csz > oldtopsize) csz = oldtopsize;
    proc_.fill(mem, csz - SIZE_SZ);  // the whole usable size, not n * elem_size
    return mem;
}

uint64_t Ptmalloc::realloc(uint64_t tid, uint64_t oldmem, uint64_t bytes) {
    enter(tid);
    ++stats_.realloc_calls;
    ptmalloc_init();
    if (bytes == 0 && oldmem != 0) {  // REALLOC_ZERO_BYTES_FREES
        do_free(oldmem);
        return 0;
    }
    if (oldmem == 0) return do_malloc(bytes);
    uint64_t oldp = oldmem - CHUNK_HDR_SZ;
    uint64_t oldsize = chunksize(oldp);
    bool mmapped = size_nomask(oldp) & IS_MMAPPED;
    Arena* ar = nullptr;
    if (!mmapped) {
        if (!cur_->has_tcache) tcache_init();
        ar = &arena_for_chunk(oldp);
    }
    if (oldp > uint64_t(0) - oldsize || (oldp & MALLOC_ALIGN_MASK)) printerr("realloc(): invalid pointer");
    uint64_t nb = checked_request2size(bytes);
    if (nb == 0) return 0;
    if (mmapped) {
        uint64_t newp = mremap_chunk(oldp, nb);
        if (newp) return newp + CHUNK_HDR_SZ;
        if (oldsize - SIZE_SZ >= nb) return oldmem;
        uint64_t newmem = do_malloc(bytes);
        if (newmem == 0) return 0;
        proc_.copy(newmem, oldmem, oldsize - CHUNK_HDR_SZ);
        munmap_chunk(oldp);
        return newmem;
    }
    uint64_t newp = int_realloc(*ar, oldp, oldsize, nb);
    if (single_thread()) return newp;
    if (newp == 0) {
        newp = do_malloc(bytes);
        if (newp) {
            proc_.copy(newp, oldmem, oldsize - SIZE_SZ);
            int_free(*ar, oldp, false);
        }
    }
    return newp;
}

uint64_t Ptmalloc::mid_memalign(uint64_t alignment, uint64_t bytes) {
    if (alignment <= MALLOC_ALIGNMENT) return do_malloc(bytes);
    if (alignment < MINSIZE) alignment = MINSIZE;
    if (alignment > (~uint64_t(0)) / 2 + 1) return 0;  // EINVAL
    if (!powerof2(alignment)) {
        uint64_t a = MALLOC_ALIGNMENT * 2;
        while (a < alignment) a <<= 1;
        alignment = a;
    }
    if (single_thread()) return int_memalign(main_arena_, alignment, bytes);
    Arena* ar = arena_get(bytes + alignment + MINSIZE);
    uint64_t p = int_memalign(ar, alignment, bytes);
    if (!p && ar) {
        ar = arena_get_retry(ar, bytes);
        p = int_memalign(ar, alignment, bytes);
    }
    return p;
}

uint64_t Ptmalloc::memalign(uint64_t tid, uint64_t alignment, uint64_t bytes) {
    enter(tid);
    ++stats_.memalign_calls;
    ptmalloc_init();
    return mid_memalign(alignment, bytes);
}

int Ptmalloc::posix_memalign(uint64_t tid, uint64_t* memptr, uint64_t alignment, uint64_t bytes) {
    enter(tid);
    ++stats_.memalign_calls;
    ptmalloc_init();
    if (alignment % 8 != 0 || !powerof2(alignment / 8) || alignment == 0) return EINVAL;
    uint64_t mem = mid_memalign(alignment, bytes);
    if (mem) {
        *memptr = mem;
        return 0;
    }
    return ENOMEM;
}

uint64_t Ptmalloc::valloc(uint64_t tid, uint64_t bytes) {
    enter(tid);
    ++stats_.memalign_calls;
    ptmalloc_init();
    return mid_memalign(kPageSize, bytes);
}

uint64_t Ptmalloc::pvalloc(uint64_t tid, uint64_t bytes) {
    enter(tid);
    ++stats_.memalign_calls;
    ptmalloc_init();
    uint64_t rounded;
    if (__builtin_add_overflow(bytes, kPageSize - 1, &rounded)) return 0;
    rounded &= uint64_t(0) - (kPageSize - 1);  // glibc 2.36 masks with -(pagesize - 1), as written
    return mid_memalign(kPageSize, rounded);
}

int Ptmalloc::mallopt(uint64_t tid, int param, int value) {
    enter(tid);
    ptmalloc_init();
    Arena& av = *main_arena_;
    // Every mallopt consolidates the main arena's fastbins first.
    malloc_consolidate(av);
    int res = 1;
    const uint64_t sv = uint64_t(int64_t(value));  // int to size_t, as the do_set_* calls convert it
    switch (param) {
    case 1:  // M_MXFAST
        if (sv <= MAX_FAST_SIZE)
            global_max_fast_ = sv <= MALLOC_ALIGN_MASK - SIZE_SZ ? MINSIZE / 2 : (sv + SIZE_SZ) & ~MALLOC_ALIGN_MASK;
        else
            res = 0;
        break;
    case -1: mp_.trim_threshold = sv, mp_.no_dyn_threshold = 1; break;  // M_TRIM_THRESHOLD
    case -2: mp_.top_pad = sv, mp_.no_dyn_threshold = 1; break;         // M_TOP_PAD
    case -3: mp_.mmap_threshold = sv, mp_.no_dyn_threshold = 1; break;  // M_MMAP_THRESHOLD
    case -4: mp_.n_mmaps_max = value, mp_.no_dyn_threshold = 1; break;  // M_MMAP_MAX
    case -5: break;                                                      // M_CHECK_ACTION
    case -6: perturb_byte_ = value; break;                               // M_PERTURB
    case -7: if (value > 0) mp_.arena_test = sv; break;                  // M_ARENA_TEST
    case -8: if (value > 0) mp_.arena_max = sv; break;                   // M_ARENA_MAX
    default: break;
    }
    return res;
}

int Ptmalloc::malloc_trim(uint64_t tid, uint64_t pad) {
    enter(tid);
    ptmalloc_init();
    int result = 0;
    Arena* a = main_arena_;
    do {
        result |= mtrim(*a, pad);
        a = a->next;
    } while (a != main_arena_);
    return result;
}

uint64_t Ptmalloc::malloc_usable_size(uint64_t mem) {
    if (mem == 0) return 0;
    uint64_t p = mem - CHUNK_HDR_SZ;
    uint64_t head = size_nomask(p);
    if (head & IS_MMAPPED) return chunksize(p) - CHUNK_HDR_SZ;
    if (inuse_bit_at_offset(p, head & ~SIZE_BITS)) return chunksize(p) - SIZE_SZ;
    return 0;
}

}  // namespace memsim::libc
