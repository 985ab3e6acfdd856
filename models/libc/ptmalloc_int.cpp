// glibc 2.36 malloc/malloc.c: the chunk-level internals (_int_malloc, _int_free,
// malloc_consolidate, _int_realloc, _int_memalign, mtrim) and the tcache. Each function follows
// its namesake step by step; the comments name the checks and the orders that decide addresses.
#include "models/libc/ptmalloc_impl.h"

namespace memsim::libc {

using namespace pm;

void Ptmalloc::printerr(const char* msg) { throw Abort(msg); }

// ---- arena fields: pointer fields live in memory (bins are fake chunks glibc links through),
// the rest on the C++ side with their accesses reported ----
uint64_t Ptmalloc::bin_at(const Arena& a, unsigned i) const { return a.base + OFF_BINS + (i - 1) * 16 - 16; }
uint64_t Ptmalloc::fastbin_addr(const Arena& a, unsigned idx) const { return a.base + OFF_FASTBINS + 8 * idx; }
uint64_t Ptmalloc::top(Arena& a) { return rd(a.base + OFF_TOP); }
void Ptmalloc::set_top(Arena& a, uint64_t v) { wr(a.base + OFF_TOP, v); }
uint64_t Ptmalloc::last_remainder(Arena& a) { return rd(a.base + OFF_LAST_REMAINDER); }
void Ptmalloc::set_last_remainder(Arena& a, uint64_t v) { wr(a.base + OFF_LAST_REMAINDER, v); }
void Ptmalloc::mark_bin(Arena& a, unsigned i) {
    touch_store(a.base + OFF_BINMAP + 4 * (i >> 5), 4);
    a.binmap[i >> 5] |= 1u << (i & 31);
}
void Ptmalloc::set_have_fastchunks(Arena& a, bool v) {
    touch_store(a.base + OFF_HAVE_FASTCHUNKS, 4);
    a.have_fastchunks = v;
}
bool Ptmalloc::have_fastchunks(Arena& a) {
    touch_load(a.base + OFF_HAVE_FASTCHUNKS, 4);
    return a.have_fastchunks;
}

Ptmalloc::Arena& Ptmalloc::arena_for_chunk(uint64_t p) {
    if (!(size_nomask(p) & NON_MAIN_ARENA)) return *main_arena_;
    uint64_t ar = rd(heap_for_ptr(p) + HI_AR_PTR);
    Arena* a = arena_by_addr(ar);
    if (!a) printerr("free(): invalid pointer");
    return *a;
}

// malloc_init_state: every bin empty (linked to itself), top the initial fake chunk.
void Ptmalloc::malloc_init_state(Arena& a) {
    for (unsigned i = 1; i < NBINS; ++i) {
        uint64_t bin = bin_at(a, i);
        set_fd(bin, bin);
        set_bk(bin, bin);
    }
    if (&a != main_arena_) {
        a.contiguous = false;
        touch_store(a.base + OFF_FLAGS, 4);
    }
    if (&a == main_arena_) global_max_fast_ = DEFAULT_MXFAST;
    set_have_fastchunks(a, false);
    set_top(a, bin_at(a, 1));  // initial_top
}

void Ptmalloc::alloc_perturb(uint64_t mem, uint64_t n) {
    if (perturb_byte_) proc_.fill(mem, n);
}
void Ptmalloc::free_perturb(uint64_t mem, uint64_t n) {
    if (perturb_byte_) proc_.fill(mem, n);
}

// unlink_chunk, with its checks.
void Ptmalloc::unlink_chunk(Arena&, uint64_t p) {
    uint64_t size = chunksize(p);
    if (size != prev_size(p + size)) printerr("corrupted size vs. prev_size");
    uint64_t f = fd(p), b = bk(p);
    if (bk(f) != p || fd(b) != p) printerr("corrupted double-linked list");
    set_bk(f, b);
    set_fd(b, f);
    if (!in_smallbin_range(size) && fd_nextsize(p) != 0) {
        if (bk_nextsize(fd_nextsize(p)) != p || fd_nextsize(bk_nextsize(p)) != p)
            printerr("corrupted double-linked list (not small)");
        if (fd_nextsize(f) == 0) {
            if (fd_nextsize(p) == p) {
                set_fd_nextsize(f, f);
                set_bk_nextsize(f, f);
            } else {
                set_fd_nextsize(f, fd_nextsize(p));
                set_bk_nextsize(f, bk_nextsize(p));
                set_bk_nextsize(fd_nextsize(p), f);
                set_fd_nextsize(bk_nextsize(p), f);
            }
        } else {
            set_bk_nextsize(fd_nextsize(p), bk_nextsize(p));
            set_fd_nextsize(bk_nextsize(p), fd_nextsize(p));
        }
    }
}

// ---- tcache (tcache_put, tcache_get, tcache_init, tcache_thread_shutdown) ----
void Ptmalloc::tcache_put(uint64_t chunk, unsigned tc_idx) {
    Tcache& tc = cur_->tcache;
    uint64_t e = chunk + CHUNK_HDR_SZ;
    wr(e + 8, tcache_key_);  // e->key: marks the chunk as in a tcache, for the double-free check
    touch_load(tc.addr + 128 + 8 * tc_idx, 8);
    wr(e, tc.entries[tc_idx]);  // e->next (safe-linking's mangling does not change addresses)
    touch_store(tc.addr + 128 + 8 * tc_idx, 8);
    tc.entries[tc_idx] = e;
    touch_store(tc.addr + 2 * tc_idx, 2);
    ++tc.counts[tc_idx];
}

uint64_t Ptmalloc::tcache_get(unsigned tc_idx) {
    Tcache& tc = cur_->tcache;
    touch_load(tc.addr + 128 + 8 * tc_idx, 8);
    uint64_t e = tc.entries[tc_idx];
    if (e & MALLOC_ALIGN_MASK) printerr("malloc(): unaligned tcache chunk detected");
    tc.entries[tc_idx] = rd(e);
    touch_store(tc.addr + 128 + 8 * tc_idx, 8);
    touch_store(tc.addr + 2 * tc_idx, 2);
    --tc.counts[tc_idx];
    wr(e + 8, 0);
    ++stats_.tcache_hits;
    return e;
}

void Ptmalloc::tcache_init() {
    if (cur_->shutting_down) return;
    Arena* ar = arena_get(TCACHE_STRUCT_SIZE);
    uint64_t victim = int_malloc(ar, TCACHE_STRUCT_SIZE);
    if (!victim && ar) {
        ar = arena_get_retry(ar, TCACHE_STRUCT_SIZE);
        victim = int_malloc(ar, TCACHE_STRUCT_SIZE);
    }
    if (victim) {
        cur_->has_tcache = true;
        cur_->tcache = Tcache{};
        cur_->tcache.addr = victim;
        proc_.fill(victim, TCACHE_STRUCT_SIZE);  // memset (tcache, 0, sizeof)
    }
}

void Ptmalloc::tcache_thread_shutdown() {
    cur_->shutting_down = true;
    if (!cur_->has_tcache) return;
    Tcache tc = cur_->tcache;
    cur_->has_tcache = false;  // tcache = NULL: the frees below bypass it
    // Free every cached chunk back to its arena, so they coalesce, then the struct itself.
    for (unsigned i = 0; i < TCACHE_MAX_BINS; ++i) {
        while (tc.entries[i]) {
            uint64_t e = tc.entries[i];
            if (e & MALLOC_ALIGN_MASK) printerr("tcache_thread_shutdown(): unaligned tcache chunk detected");
            touch_load(tc.addr + 128 + 8 * i, 8);
            tc.entries[i] = rd(e);
            touch_store(tc.addr + 128 + 8 * i, 8);
            do_free(e);
        }
    }
    do_free(tc.addr);
}

// ---- _int_malloc ----
uint64_t Ptmalloc::int_malloc(Arena* av, uint64_t bytes) {
    uint64_t nb = checked_request2size(bytes);
    if (nb == 0) return 0;  // ENOMEM

    // No usable arena: fall back to sysmalloc to get a chunk from mmap.
    if (!av) {
        uint64_t p = sysmalloc(nb, nullptr);
        if (p) alloc_perturb(p, bytes);
        return p;
    }
    Arena& a = *av;
    const bool main = (&a == main_arena_);
    const uint64_t nma = main ? 0 : NON_MAIN_ARENA;
    const bool tc_on = cur_ && cur_->has_tcache;
    unsigned idx;

    // Fastbin: LIFO; the rest of the same bin goes to the tcache.
    if (nb <= global_max_fast_) {
        idx = fastbin_index(nb);
        uint64_t fb = fastbin_addr(a, idx);
        uint64_t victim = rd(fb);
        if (victim) {
            if (victim & MALLOC_ALIGN_MASK) printerr("malloc(): unaligned fastbin chunk detected 2");
            wr(fb, fd(victim));
            if (fastbin_index(chunksize(victim)) != idx) printerr("malloc(): memory corruption (fast)");
            uint64_t tc_idx = csize2tidx(nb);
            if (tc_on && tc_idx < mp_.tcache_bins) {
                uint64_t tcv;
                while (cur_->tcache.counts[tc_idx] < mp_.tcache_count && (tcv = rd(fb)) != 0) {
                    if (tcv & MALLOC_ALIGN_MASK) printerr("malloc(): unaligned fastbin chunk detected 3");
                    wr(fb, fd(tcv));
                    tcache_put(tcv, unsigned(tc_idx));
                }
            }
            uint64_t p = victim + CHUNK_HDR_SZ;
            alloc_perturb(p, bytes);
            return p;
        }
    }

    // Small bin: exact size, taken from the tail (FIFO); the rest of the bin goes to the tcache.
    if (in_smallbin_range(nb)) {
        idx = smallbin_index(nb);
        uint64_t bin = bin_at(a, idx);
        uint64_t victim = bk(bin);
        if (victim != bin) {
            uint64_t bck = bk(victim);
            if (fd(bck) != victim) printerr("malloc(): smallbin double linked list corrupted");
            set_inuse_bit_at_offset(victim, nb);
            set_bk(bin, bck);
            set_fd(bck, bin);
            if (!main) wr(victim + 8, rd(victim + 8) | NON_MAIN_ARENA);
            uint64_t tc_idx = csize2tidx(nb);
            if (tc_on && tc_idx < mp_.tcache_bins) {
                uint64_t tcv;
                while (cur_->tcache.counts[tc_idx] < mp_.tcache_count && (tcv = bk(bin)) != bin) {
                    if (tcv != 0) {
                        bck = bk(tcv);
                        set_inuse_bit_at_offset(tcv, nb);
                        if (!main) wr(tcv + 8, rd(tcv + 8) | NON_MAIN_ARENA);
                        set_bk(bin, bck);
                        set_fd(bck, bin);
                        tcache_put(tcv, unsigned(tc_idx));
                    }
                }
            }
            uint64_t p = victim + CHUNK_HDR_SZ;
            alloc_perturb(p, bytes);
            return p;
        }
    } else {
        // A large request consolidates the fastbins first.
        idx = largebin_index(nb);
        if (have_fastchunks(a)) malloc_consolidate(a);
    }

    uint64_t tcache_nb = 0;
    uint64_t tc_idx = csize2tidx(nb);
    if (tc_on && tc_idx < mp_.tcache_bins) tcache_nb = nb;
    bool return_cached = false;
    uint64_t tcache_unsorted_count = 0;

    for (;;) {
        int iters = 0;
        const uint64_t unsorted = bin_at(a, 1);
        uint64_t victim;
        // The unsorted scan, from the tail: exact fits are taken (into the tcache first), the
        // rest sorted into their bins.
        while ((victim = bk(unsorted)) != unsorted) {
            uint64_t bck = bk(victim);
            uint64_t size = chunksize(victim);
            uint64_t next = victim + size;
            if (size <= CHUNK_HDR_SZ || size > a.system_mem) printerr("malloc(): invalid size (unsorted)");
            uint64_t nsz = size_nomask(next);
            if (nsz < CHUNK_HDR_SZ || nsz > a.system_mem) printerr("malloc(): invalid next size (unsorted)");
            if ((prev_size(next) & ~SIZE_BITS) != size) printerr("malloc(): mismatching next->prev_size (unsorted)");
            if (fd(bck) != victim || fd(victim) != unsorted) printerr("malloc(): unsorted double linked list corrupted");
            if (nsz & PREV_INUSE) printerr("malloc(): invalid next->prev_inuse (unsorted)");

            // last_remainder: a small request splits the remainder of the last split when it is
            // the only unsorted chunk.
            if (in_smallbin_range(nb) && bck == unsorted && victim == last_remainder(a) && size > nb + MINSIZE) {
                uint64_t remainder_size = size - nb;
                uint64_t remainder = victim + nb;
                set_bk(unsorted, remainder);
                set_fd(unsorted, remainder);
                set_last_remainder(a, remainder);
                set_bk(remainder, unsorted);
                set_fd(remainder, unsorted);
                if (!in_smallbin_range(remainder_size)) {
                    set_fd_nextsize(remainder, 0);
                    set_bk_nextsize(remainder, 0);
                }
                set_head(victim, nb | PREV_INUSE | nma);
                set_head(remainder, remainder_size | PREV_INUSE);
                set_foot(remainder, remainder_size);
                uint64_t p = victim + CHUNK_HDR_SZ;
                alloc_perturb(p, bytes);
                return p;
            }

            if (fd(bck) != victim) printerr("malloc(): corrupted unsorted chunks 3");
            set_bk(unsorted, bck);
            set_fd(bck, unsorted);

            if (size == nb) {
                set_inuse_bit_at_offset(victim, size);
                if (!main) wr(victim + 8, rd(victim + 8) | NON_MAIN_ARENA);
                if (tcache_nb && cur_->tcache.counts[tc_idx] < mp_.tcache_count) {
                    tcache_put(victim, unsigned(tc_idx));
                    return_cached = true;
                    continue;
                }
                uint64_t p = victim + CHUNK_HDR_SZ;
                alloc_perturb(p, bytes);
                return p;
            }

            unsigned victim_index;
            uint64_t fwd;
            if (in_smallbin_range(size)) {
                victim_index = smallbin_index(size);
                bck = bin_at(a, victim_index);
                fwd = fd(bck);
            } else {
                // Large bins are sorted by decreasing size, with a nextsize skip list over the
                // distinct sizes; a chunk equal to one there goes second among its size.
                victim_index = largebin_index(size);
                bck = bin_at(a, victim_index);
                fwd = fd(bck);
                if (fwd != bck) {
                    size |= PREV_INUSE;
                    if (size < size_nomask(bk(bck))) {
                        fwd = bck;
                        bck = bk(bck);
                        set_fd_nextsize(victim, fd(fwd));
                        set_bk_nextsize(victim, bk_nextsize(fd(fwd)));
                        uint64_t first = fd(fwd);
                        set_bk_nextsize(first, victim);
                        set_fd_nextsize(bk_nextsize(victim), victim);
                    } else {
                        while (size < size_nomask(fwd)) fwd = fd_nextsize(fwd);
                        if (size == size_nomask(fwd)) {
                            fwd = fd(fwd);
                        } else {
                            set_fd_nextsize(victim, fwd);
                            set_bk_nextsize(victim, bk_nextsize(fwd));
                            if (fd_nextsize(bk_nextsize(fwd)) != fwd)
                                printerr("malloc(): largebin double linked list corrupted (nextsize)");
                            set_bk_nextsize(fwd, victim);
                            set_fd_nextsize(bk_nextsize(victim), victim);
                        }
                        bck = bk(fwd);
                        if (fd(bck) != fwd) printerr("malloc(): largebin double linked list corrupted (bk)");
                    }
                } else {
                    set_fd_nextsize(victim, victim);
                    set_bk_nextsize(victim, victim);
                }
            }
            mark_bin(a, victim_index);
            set_bk(victim, bck);
            set_fd(victim, fwd);
            set_bk(fwd, victim);
            set_fd(bck, victim);

            ++tcache_unsorted_count;
            if (return_cached && mp_.tcache_unsorted_limit > 0 && tcache_unsorted_count > mp_.tcache_unsorted_limit)
                return tcache_get(unsigned(tc_idx));
            if (++iters >= 10000) break;  // MAX_ITERS
        }
        if (return_cached) return tcache_get(unsigned(tc_idx));

        // Large request: best fit in its own bin, through the nextsize list from the smallest.
        if (!in_smallbin_range(nb)) {
            uint64_t bin = bin_at(a, idx);
            victim = fd(bin);
            if (victim != bin && size_nomask(victim) >= nb) {
                victim = bk_nextsize(victim);
                uint64_t size;
                while ((size = chunksize(victim)) < nb) victim = bk_nextsize(victim);
                // Take the second of equal sizes so the nextsize list need not be relinked.
                if (victim != bk(bin) && size_nomask(victim) == size_nomask(fd(victim))) victim = fd(victim);
                uint64_t remainder_size = size - nb;
                unlink_chunk(a, victim);
                if (remainder_size < MINSIZE) {
                    set_inuse_bit_at_offset(victim, size);
                    if (!main) wr(victim + 8, rd(victim + 8) | NON_MAIN_ARENA);
                } else {
                    uint64_t remainder = victim + nb;
                    uint64_t bck = bin_at(a, 1);
                    uint64_t fwd = fd(bck);
                    if (bk(fwd) != bck) printerr("malloc(): corrupted unsorted chunks");
                    set_bk(remainder, bck);
                    set_fd(remainder, fwd);
                    set_fd(bck, remainder);
                    set_bk(fwd, remainder);
                    if (!in_smallbin_range(remainder_size)) {
                        set_fd_nextsize(remainder, 0);
                        set_bk_nextsize(remainder, 0);
                    }
                    set_head(victim, nb | PREV_INUSE | nma);
                    set_head(remainder, remainder_size | PREV_INUSE);
                    set_foot(remainder, remainder_size);
                }
                uint64_t p = victim + CHUNK_HDR_SZ;
                alloc_perturb(p, bytes);
                return p;
            }
        }

        // The binmap scan of larger bins: the smallest chunk (last) of the first non-empty bin.
        ++idx;
        uint64_t bin = bin_at(a, idx);
        unsigned block = idx >> 5;
        touch_load(a.base + OFF_BINMAP + 4 * block, 4);
        uint32_t map = a.binmap[block];
        uint32_t bit = 1u << (idx & 31);
        bool use_top = false;
        for (;;) {
            if (bit > map || bit == 0) {
                do {
                    if (++block >= 4) {
                        use_top = true;
                        break;
                    }
                    touch_load(a.base + OFF_BINMAP + 4 * block, 4);
                } while ((map = a.binmap[block]) == 0);
                if (use_top) break;
                bin = bin_at(a, block << 5);
                bit = 1;
            }
            while ((bit & map) == 0) {
                bin += 16;  // next_bin
                bit <<= 1;
            }
            victim = bk(bin);
            if (victim == bin) {
                // A stale bit: clear it and go on.
                touch_store(a.base + OFF_BINMAP + 4 * block, 4);
                a.binmap[block] = map &= ~bit;
                bin += 16;
                bit <<= 1;
            } else {
                uint64_t size = chunksize(victim);
                uint64_t remainder_size = size - nb;
                unlink_chunk(a, victim);
                if (remainder_size < MINSIZE) {
                    set_inuse_bit_at_offset(victim, size);
                    if (!main) wr(victim + 8, rd(victim + 8) | NON_MAIN_ARENA);
                } else {
                    uint64_t remainder = victim + nb;
                    uint64_t bck = bin_at(a, 1);
                    uint64_t fwd = fd(bck);
                    if (bk(fwd) != bck) printerr("malloc(): corrupted unsorted chunks 2");
                    set_bk(remainder, bck);
                    set_fd(remainder, fwd);
                    set_fd(bck, remainder);
                    set_bk(fwd, remainder);
                    if (in_smallbin_range(nb)) set_last_remainder(a, remainder);
                    if (!in_smallbin_range(remainder_size)) {
                        set_fd_nextsize(remainder, 0);
                        set_bk_nextsize(remainder, 0);
                    }
                    set_head(victim, nb | PREV_INUSE | nma);
                    set_head(remainder, remainder_size | PREV_INUSE);
                    set_foot(remainder, remainder_size);
                }
                uint64_t p = victim + CHUNK_HDR_SZ;
                alloc_perturb(p, bytes);
                return p;
            }
        }

        // use_top: split the top chunk, keeping MINSIZE for sysmalloc's fenceposts.
        victim = top(a);
        uint64_t size = chunksize(victim);
        if (size > a.system_mem) printerr("malloc(): corrupted top size");
        if (size >= nb + MINSIZE) {
            uint64_t remainder_size = size - nb;
            uint64_t remainder = victim + nb;
            set_top(a, remainder);
            set_head(victim, nb | PREV_INUSE | nma);
            set_head(remainder, remainder_size | PREV_INUSE);
            uint64_t p = victim + CHUNK_HDR_SZ;
            alloc_perturb(p, bytes);
            return p;
        } else if (have_fastchunks(a)) {
            // Fastbins may border top: consolidate and retry, for any size.
            malloc_consolidate(a);
            idx = in_smallbin_range(nb) ? smallbin_index(nb) : largebin_index(nb);
        } else {
            uint64_t p = sysmalloc(nb, &a);
            if (p) alloc_perturb(p, bytes);
            return p;
        }
    }
}

// ---- _int_free ----
void Ptmalloc::int_free(Arena& a, uint64_t p, bool have_lock) {
    uint64_t size = chunksize(p);
    if (p > uint64_t(0) - size || (p & MALLOC_ALIGN_MASK)) printerr("free(): invalid pointer");
    if (size < MINSIZE || (size & MALLOC_ALIGN_MASK)) printerr("free(): invalid size");

    // tcache first.
    {
        uint64_t tc_idx = csize2tidx(size);
        if (cur_ && cur_->has_tcache && tc_idx < mp_.tcache_bins) {
            uint64_t e = p + CHUNK_HDR_SZ;
            if (rd(e + 8) == tcache_key_) {
                // The key matches (or the payload happens to hold it): look for e in the bin.
                Tcache& tc = cur_->tcache;
                uint64_t cnt = 0;
                touch_load(tc.addr + 128 + 8 * tc_idx, 8);
                for (uint64_t tmp = tc.entries[tc_idx]; tmp; tmp = rd(tmp), ++cnt) {
                    if (cnt >= mp_.tcache_count) printerr("free(): too many chunks detected in tcache");
                    if (tmp & MALLOC_ALIGN_MASK) printerr("free(): unaligned chunk detected in tcache 2");
                    if (tmp == e) printerr("free(): double free detected in tcache 2");
                }
            }
            touch_load(cur_->tcache.addr + 2 * tc_idx, 2);
            if (cur_->tcache.counts[tc_idx] < mp_.tcache_count) {
                tcache_put(p, unsigned(tc_idx));
                return;
            }
        }
    }

    if (size <= global_max_fast_) {
        uint64_t next = p + size;
        if (size_nomask(next) <= CHUNK_HDR_SZ || chunksize(next) >= a.system_mem)
            printerr("free(): invalid next size (fast)");
        free_perturb(p + CHUNK_HDR_SZ, size - CHUNK_HDR_SZ);
        set_have_fastchunks(a, true);
        unsigned idx = fastbin_index(size);
        uint64_t fb = fastbin_addr(a, idx);
        uint64_t old = rd(fb);
        // Only the head is checked: freeing it again is "fasttop".
        if (old == p) printerr("double free or corruption (fasttop)");
        set_fd(p, old);
        wr(fb, p);
        if (have_lock && old != 0 && fastbin_index(chunksize(old)) != idx) printerr("invalid fastbin entry (free)");
    } else if (!(size_nomask(p) & IS_MMAPPED)) {
        uint64_t nextchunk = p + size;
        uint64_t t = top(a);
        if (p == t) printerr("double free or corruption (top)");
        if (a.contiguous && nextchunk >= t + chunksize(t)) printerr("double free or corruption (out)");
        if (!(size_nomask(nextchunk) & PREV_INUSE)) printerr("double free or corruption (!prev)");
        uint64_t nextsize = chunksize(nextchunk);
        if (size_nomask(nextchunk) <= CHUNK_HDR_SZ || nextsize >= a.system_mem)
            printerr("free(): invalid next size (normal)");
        free_perturb(p + CHUNK_HDR_SZ, size - CHUNK_HDR_SZ);

        if (!(size_nomask(p) & PREV_INUSE)) {  // consolidate backward
            uint64_t prevsize = prev_size(p);
            size += prevsize;
            p -= prevsize;
            if (chunksize(p) != prevsize) printerr("corrupted size vs. prev_size while consolidating");
            unlink_chunk(a, p);
        }
        if (nextchunk != t) {
            bool nextinuse = inuse_bit_at_offset(nextchunk, nextsize);
            if (!nextinuse) {  // consolidate forward
                unlink_chunk(a, nextchunk);
                size += nextsize;
            } else {
                clear_inuse_bit_at_offset(nextchunk, 0);
            }
            // Into the unsorted bin, at its head.
            uint64_t bck = bin_at(a, 1);
            uint64_t fwd = fd(bck);
            if (bk(fwd) != bck) printerr("free(): corrupted unsorted chunks");
            set_fd(p, fwd);
            set_bk(p, bck);
            if (!in_smallbin_range(size)) {
                set_fd_nextsize(p, 0);
                set_bk_nextsize(p, 0);
            }
            set_fd(bck, p);
            set_bk(fwd, p);
            set_head(p, size | PREV_INUSE);
            set_foot(p, size);
        } else {  // into top
            size += nextsize;
            set_head(p, size | PREV_INUSE);
            set_top(a, p);
        }

        // A large coalesced chunk: consolidate the fastbins, then trim the top.
        if (size >= FASTBIN_CONSOLIDATION_THRESHOLD) {
            if (have_fastchunks(a)) malloc_consolidate(a);
            if (&a == main_arena_) {
                if (chunksize(top(a)) >= mp_.trim_threshold) systrim(mp_.top_pad, a);
            } else {
                heap_trim(heap_for_ptr(top(a)), mp_.top_pad);
            }
        }
    } else {
        munmap_chunk(p);
    }
}

// ---- malloc_consolidate: every fastbin, from bin 0, each LIFO, into the unsorted head ----
void Ptmalloc::malloc_consolidate(Arena& a) {
    ++stats_.consolidations;
    set_have_fastchunks(a, false);
    const uint64_t unsorted_bin = bin_at(a, 1);
    for (unsigned i = 0; i < NFASTBINS; ++i) {
        uint64_t fb = fastbin_addr(a, i);
        uint64_t p = rd(fb);
        wr(fb, 0);
        while (p) {
            if (p & MALLOC_ALIGN_MASK) printerr("malloc_consolidate(): unaligned fastbin chunk detected");
            if (fastbin_index(chunksize(p)) != i) printerr("malloc_consolidate(): invalid chunk size");
            uint64_t nextp = fd(p);
            uint64_t size = chunksize(p);
            uint64_t nextchunk = p + size;
            uint64_t nextsize = chunksize(nextchunk);
            if (!(size_nomask(p) & PREV_INUSE)) {
                uint64_t prevsize = prev_size(p);
                size += prevsize;
                p -= prevsize;
                if (chunksize(p) != prevsize) printerr("corrupted size vs. prev_size in fastbins");
                unlink_chunk(a, p);
            }
            if (nextchunk != top(a)) {
                bool nextinuse = inuse_bit_at_offset(nextchunk, nextsize);
                if (!nextinuse) {
                    size += nextsize;
                    unlink_chunk(a, nextchunk);
                } else {
                    clear_inuse_bit_at_offset(nextchunk, 0);
                }
                uint64_t first_unsorted = fd(unsorted_bin);
                set_fd(unsorted_bin, p);
                set_bk(first_unsorted, p);
                if (!in_smallbin_range(size)) {
                    set_fd_nextsize(p, 0);
                    set_bk_nextsize(p, 0);
                }
                set_head(p, size | PREV_INUSE);
                set_bk(p, unsorted_bin);
                set_fd(p, first_unsorted);
                set_foot(p, size);
            } else {
                size += nextsize;
                set_head(p, size | PREV_INUSE);
                set_top(a, p);
            }
            p = nextp;
        }
    }
}

// ---- _int_realloc: in place, into top, into a free next chunk, or malloc-copy-free ----
uint64_t Ptmalloc::int_realloc(Arena& a, uint64_t oldp, uint64_t oldsize, uint64_t nb) {
    const uint64_t nma = (&a != main_arena_) ? NON_MAIN_ARENA : 0;
    if (size_nomask(oldp) <= CHUNK_HDR_SZ || oldsize >= a.system_mem) printerr("realloc(): invalid old size");
    uint64_t next = oldp + oldsize;
    uint64_t nextsize = chunksize(next);
    if (size_nomask(next) <= CHUNK_HDR_SZ || nextsize >= a.system_mem) printerr("realloc(): invalid next size");

    uint64_t newp, newsize;
    if (oldsize >= nb) {
        newp = oldp;
        newsize = oldsize;
    } else {
        uint64_t t = top(a);
        if (next == t && (newsize = oldsize + nextsize) >= nb + MINSIZE) {
            set_head_size(oldp, nb | nma);
            set_top(a, oldp + nb);
            set_head(oldp + nb, (newsize - nb) | PREV_INUSE);
            return oldp + CHUNK_HDR_SZ;
        } else if (next != t && !inuse_bit_at_offset(next, nextsize) && (newsize = oldsize + nextsize) >= nb) {
            newp = oldp;
            unlink_chunk(a, next);
        } else {
            uint64_t newmem = int_malloc(&a, nb - MALLOC_ALIGN_MASK);
            if (newmem == 0) return 0;
            newp = newmem - CHUNK_HDR_SZ;
            newsize = chunksize(newp);
            if (newp == next) {  // the next chunk: no copy needed
                newsize += oldsize;
                newp = oldp;
            } else {
                proc_.copy(newmem, oldp + CHUNK_HDR_SZ, oldsize - SIZE_SZ);  // memsize (oldp)
                int_free(a, oldp, true);
                return newmem;
            }
        }
    }
    uint64_t remainder_size = newsize - nb;
    if (remainder_size < MINSIZE) {
        set_head_size(newp, newsize | nma);
        set_inuse_bit_at_offset(newp, newsize);
    } else {
        uint64_t remainder = newp + nb;
        set_head_size(newp, nb | nma);
        set_head(remainder, remainder_size | PREV_INUSE | nma);
        set_inuse_bit_at_offset(remainder, remainder_size);
        int_free(a, remainder, true);
    }
    return newp + CHUNK_HDR_SZ;
}

// ---- _int_memalign: over-allocate, then give back the leading and trailing space ----
uint64_t Ptmalloc::int_memalign(Arena* av, uint64_t alignment, uint64_t bytes) {
    uint64_t nb = checked_request2size(bytes);
    if (nb == 0) return 0;
    if (alignment > PTRDIFF_MAX_) return 0;  // Debian's backport: alignment > PTRDIFF_MAX -> ENOMEM
    uint64_t m = int_malloc(av, nb + alignment + MINSIZE);
    if (m == 0) return 0;
    uint64_t p = m - CHUNK_HDR_SZ;
    const uint64_t nma = (av && av != main_arena_) ? NON_MAIN_ARENA : 0;
    if (m % alignment != 0) {
        uint64_t brk = ((m + alignment - 1) & (0 - alignment)) - CHUNK_HDR_SZ;
        if (brk - p < MINSIZE) brk += alignment;
        uint64_t newp = brk;
        uint64_t leadsize = brk - p;
        uint64_t newsize = chunksize(p) - leadsize;
        if (size_nomask(p) & IS_MMAPPED) {
            set_prev_size(newp, prev_size(p) + leadsize);
            set_head(newp, newsize | IS_MMAPPED);
            return newp + CHUNK_HDR_SZ;
        }
        set_head(newp, newsize | PREV_INUSE | nma);
        set_inuse_bit_at_offset(newp, newsize);
        set_head_size(p, leadsize | nma);
        int_free(*av, p, true);
        p = newp;
    }
    if (!(size_nomask(p) & IS_MMAPPED)) {
        uint64_t size = chunksize(p);
        if (size > nb + MINSIZE) {
            uint64_t remainder_size = size - nb;
            uint64_t remainder = p + nb;
            set_head(remainder, remainder_size | PREV_INUSE | nma);
            set_head_size(p, nb);
            int_free(*av, remainder, true);
        }
    }
    return p + CHUNK_HDR_SZ;
}

// ---- mtrim: consolidate, MADV_DONTNEED the whole pages inside free chunks, then systrim ----
int Ptmalloc::mtrim(Arena& a, uint64_t pad) {
    malloc_consolidate(a);
    const uint64_t ps = kPageSize, psm1 = ps - 1;
    const unsigned psindex = bin_index(ps);
    int result = 0;
    for (unsigned i = 1; i < NBINS; ++i) {
        if (i != 1 && i < psindex) continue;
        uint64_t bin = bin_at(a, i);
        for (uint64_t p = bk(bin); p != bin; p = bk(p)) {
            uint64_t size = chunksize(p);
            if (size > psm1 + 48) {  // sizeof (struct malloc_chunk)
                uint64_t paligned_mem = (p + 48 + psm1) & ~psm1;
                size -= paligned_mem - p;
                if (size > psm1) {
                    ++stats_.madvise_calls;
                    proc_.madvise(paligned_mem, size & ~psm1, 4 /* MADV_DONTNEED */);
                    result = 1;
                }
            }
        }
    }
    return result | (&a == main_arena_ ? systrim(pad, a) : 0);
}

}  // namespace memsim::libc
