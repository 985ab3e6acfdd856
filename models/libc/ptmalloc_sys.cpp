// glibc 2.36: getting memory from the kernel and giving it back (malloc.c sysmalloc,
// sysmalloc_mmap, sysmalloc_mmap_fallback, systrim, munmap_chunk, mremap_chunk; misc/sbrk.c) and
// the non-main arenas (arena.c alloc_new_heap, grow_heap, shrink_heap, heap_trim, _int_new_arena,
// get_free_list, reused_arena, arena_get2, arena_get_retry).
#include <algorithm>

#include "models/libc/ptmalloc_impl.h"

namespace memsim::libc {

using namespace pm;

namespace {
constexpr int kProtNone = 0, kProtRW = 3;
constexpr int kMapPrivate = 0x02, kMapAnonymous = 0x20, kMapNoReserve = 0x4000;
constexpr int kMremapMayMove = 1;
constexpr uint64_t kFail = ~uint64_t(0);  // MORECORE_FAILURE / MAP_FAILED
bool mmap_failed(int64_t r) { return r < 0; }
}  // namespace

// misc/sbrk.c __sbrk over brk.c __brk: the break is read once (brk(0)), then moved; a break that
// did not reach the request is ENOMEM.
uint64_t Ptmalloc::sbrk(int64_t incr) {
    if (curbrk_ == 0) {
        ++stats_.brk_calls;
        curbrk_ = proc_.brk(0);
    }
    if (incr == 0) return curbrk_;
    uint64_t oldbrk = curbrk_;
    if (incr > 0 ? oldbrk + uint64_t(incr) < oldbrk : oldbrk < uint64_t(-incr)) return kFail;
    uint64_t want = oldbrk + uint64_t(incr);
    ++stats_.brk_calls;
    curbrk_ = proc_.brk(want);
    if (curbrk_ < want) return kFail;
    return oldbrk;
}

// sysmalloc_mmap: a chunk of its own, ALIGN_UP (nb + SIZE_SZ, page), pointer at mapping + 16.
uint64_t Ptmalloc::sysmalloc_mmap(uint64_t nb, uint64_t pagesize, Arena*) {
    uint64_t size = align_up(nb + SIZE_SZ, pagesize);
    if (size <= nb) return kFail;
    ++stats_.mmap_calls;
    int64_t mm = proc_.mmap(0, size, kProtRW, kMapPrivate | kMapAnonymous);
    if (mmap_failed(mm)) return kFail;
    uint64_t p = uint64_t(mm);
    set_prev_size(p, 0);
    set_head(p, size | IS_MMAPPED);
    ++mp_.n_mmaps;
    mp_.max_n_mmaps = std::max(mp_.max_n_mmaps, mp_.n_mmaps);
    mp_.mmapped_mem += size;
    mp_.max_mmapped_mem = std::max(mp_.max_mmapped_mem, mp_.mmapped_mem);
    stats_.mmapped_bytes_peak.set(mp_.max_mmapped_mem);
    return p + CHUNK_HDR_SZ;
}

// sysmalloc_mmap_fallback. 2.36 calls it with MINSIZE and PAGESIZE transposed (fixed in 2.38):
// pagesize is MMAP_AS_MORECORE_SIZE there, so the mapping rounds to 1 MiB, and minsize is 4096.
uint64_t Ptmalloc::sysmalloc_mmap_fallback(int64_t* s, uint64_t nb, uint64_t old_size, uint64_t minsize,
                                           uint64_t pagesize, Arena& a) {
    int64_t size = *s;
    if (a.contiguous) size = int64_t(align_up(uint64_t(size) + old_size, pagesize));
    if (uint64_t(size) < minsize) size = int64_t(minsize);
    if (uint64_t(size) <= nb) return kFail;
    ++stats_.mmap_calls;
    int64_t mbrk = proc_.mmap(0, uint64_t(size), kProtRW, kMapPrivate | kMapAnonymous);
    if (mmap_failed(mbrk)) return kFail;
    // From now on the arena never relies on contiguous space.
    a.contiguous = false;
    touch_store(a.base + OFF_FLAGS, 4);
    *s = size;
    return uint64_t(mbrk);
}

uint64_t Ptmalloc::sysmalloc(uint64_t nb, Arena* av) {
    const uint64_t pagesize = kPageSize;
    bool tried_mmap = false;

    // The mmap threshold is looked at only here, once bins and top have failed.
    if (!av || (nb >= mp_.mmap_threshold && mp_.n_mmaps < mp_.n_mmaps_max)) {
        uint64_t mm = sysmalloc_mmap(nb, pagesize, av);
        if (mm != kFail) return mm;
        tried_mmap = true;
    }
    if (!av) return 0;
    Arena& a = *av;

    uint64_t old_top = top(a);
    uint64_t old_size = chunksize(old_top);
    uint64_t old_end = old_top + old_size;
    uint64_t brk = kFail, snd_brk = kFail;

    if (&a != main_arena_) {
        // First try to extend the current heap, then a new heap, then mmap.
        uint64_t old_heap = heap_for_ptr(old_top);
        uint64_t old_heap_size = rd(old_heap + HI_SIZE);
        uint64_t heap;
        if (int64_t(MINSIZE + nb - old_size) > 0 && grow_heap(old_heap, int64_t(MINSIZE + nb - old_size)) == 0) {
            uint64_t hs = rd(old_heap + HI_SIZE);
            a.system_mem += hs - old_heap_size;
            touch_store(a.base + OFF_SYSTEM_MEM, 8);
            set_head(old_top, (old_heap + hs - old_top) | PREV_INUSE);
        } else if ((heap = alloc_new_heap(nb + (MINSIZE + HEAP_INFO_SIZE), mp_.top_pad)) != 0) {
            wr(heap + HI_AR_PTR, a.base);
            wr(heap + HI_PREV, old_heap);
            uint64_t hs = rd(heap + HI_SIZE);
            a.system_mem += hs;
            touch_store(a.base + OFF_SYSTEM_MEM, 8);
            set_top(a, heap + HEAP_INFO_SIZE);
            set_head(heap + HEAP_INFO_SIZE, (hs - HEAP_INFO_SIZE) | PREV_INUSE);
            // Fenceposts at the end of the old heap; the old top, if big enough, is freed.
            old_size = (old_size - MINSIZE) & ~MALLOC_ALIGN_MASK;
            set_head(old_top + old_size + CHUNK_HDR_SZ, 0 | PREV_INUSE);
            if (old_size >= MINSIZE) {
                set_head(old_top + old_size, CHUNK_HDR_SZ | PREV_INUSE);
                set_foot(old_top + old_size, CHUNK_HDR_SZ);
                set_head(old_top, old_size | PREV_INUSE | NON_MAIN_ARENA);
                int_free(a, old_top, true);
            } else {
                set_head(old_top, (old_size + CHUNK_HDR_SZ) | PREV_INUSE);
                set_foot(old_top, old_size + CHUNK_HDR_SZ);
            }
        } else if (!tried_mmap) {
            uint64_t mm = sysmalloc_mmap(nb, pagesize, av);
            if (mm != kFail) return mm;
        }
    } else {
        // Main arena: sbrk (nb + top_pad + MINSIZE - old top), page rounded.
        int64_t size = int64_t(nb + mp_.top_pad + MINSIZE);
        if (a.contiguous) size -= int64_t(old_size);
        size = int64_t(align_up(uint64_t(size), pagesize));
        if (size > 0) brk = sbrk(size);
        if (brk == kFail) {
            // brk failed: mmap as MORECORE (1 MiB rounded, see sysmalloc_mmap_fallback).
            uint64_t mbrk = sysmalloc_mmap_fallback(&size, nb, old_size, pagesize, MMAP_AS_MORECORE_SIZE, a);
            if (mbrk != kFail) {
                brk = mbrk;
                snd_brk = brk + uint64_t(size);
            }
        }
        if (brk != kFail) {
            if (mp_.sbrk_base == 0) mp_.sbrk_base = brk;
            a.system_mem += uint64_t(size);
            touch_store(a.base + OFF_SYSTEM_MEM, 8);
            if (brk == old_end && snd_brk == kFail) {
                // Contiguous: top grows in place.
                set_head(old_top, (uint64_t(size) + old_size) | PREV_INUSE);
            } else if (a.contiguous && old_size && brk < old_end) {
                printerr("break adjusted to free malloc space");
            } else {
                uint64_t front_misalign = 0, end_misalign = 0;
                int64_t correction = 0;
                uint64_t aligned_brk = brk;
                if (a.contiguous) {
                    // The first time (or after a foreign sbrk): align the chunk start to 16 and
                    // the end of the new space to a page with a second sbrk.
                    if (old_size) a.system_mem += brk - old_end;
                    front_misalign = (brk + CHUNK_HDR_SZ) & MALLOC_ALIGN_MASK;
                    if (front_misalign > 0) {
                        correction = int64_t(MALLOC_ALIGNMENT - front_misalign);
                        aligned_brk += uint64_t(correction);
                    }
                    correction += int64_t(old_size);
                    end_misalign = brk + uint64_t(size) + uint64_t(correction);
                    correction += int64_t(align_up(end_misalign, pagesize) - end_misalign);
                    snd_brk = sbrk(correction);
                    if (snd_brk == kFail) {
                        correction = 0;
                        snd_brk = sbrk(0);
                    }
                } else {
                    if (snd_brk == kFail) snd_brk = sbrk(0);
                }
                if (snd_brk != kFail) {
                    set_top(a, aligned_brk);
                    set_head(aligned_brk, (snd_brk - aligned_brk + uint64_t(correction)) | PREV_INUSE);
                    a.system_mem += uint64_t(correction);
                    if (old_size != 0) {
                        // Double fencepost at the old top; the rest of it is freed.
                        old_size = (old_size - 2 * CHUNK_HDR_SZ) & ~MALLOC_ALIGN_MASK;
                        set_head(old_top, old_size | PREV_INUSE);
                        set_head(old_top + old_size, CHUNK_HDR_SZ | PREV_INUSE);
                        set_head(old_top + old_size + CHUNK_HDR_SZ, CHUNK_HDR_SZ | PREV_INUSE);
                        if (old_size >= MINSIZE) int_free(a, old_top, true);
                    }
                }
            }
        }
    }
    if (a.system_mem > a.max_system_mem) a.max_system_mem = a.system_mem;
    note_heap_size();

    // Finally, split top.
    uint64_t p = top(a);
    uint64_t size = chunksize(p);
    if (size >= nb + MINSIZE) {
        uint64_t remainder_size = size - nb;
        uint64_t remainder = p + nb;
        set_top(a, remainder);
        set_head(p, nb | PREV_INUSE | (&a != main_arena_ ? NON_MAIN_ARENA : 0));
        set_head(remainder, remainder_size | PREV_INUSE);
        return p + CHUNK_HDR_SZ;
    }
    return 0;  // ENOMEM
}

// systrim: give back whole pages of top above top_pad, if the break is still where malloc left it.
int Ptmalloc::systrim(uint64_t pad, Arena& a) {
    uint64_t t = top(a);
    int64_t top_size = int64_t(chunksize(t));
    int64_t top_area = top_size - int64_t(MINSIZE) - 1;
    if (top_area <= int64_t(pad)) return 0;
    int64_t extra = int64_t(align_down(uint64_t(top_area - int64_t(pad)), kPageSize));
    if (extra == 0) return 0;
    uint64_t current_brk = sbrk(0);
    if (current_brk == t + uint64_t(top_size)) {
        sbrk(-extra);
        uint64_t new_brk = sbrk(0);
        if (new_brk != kFail) {
            int64_t released = int64_t(current_brk - new_brk);
            if (released != 0) {
                a.system_mem -= uint64_t(released);
                touch_store(a.base + OFF_SYSTEM_MEM, 8);
                set_head(t, uint64_t(top_size - released) | PREV_INUSE);
                mem_.discard(new_brk, uint64_t(released));
                return 1;
            }
        }
    }
    return 0;
}

void Ptmalloc::munmap_chunk(uint64_t p) {
    uint64_t size = chunksize(p);
    uint64_t mem = p + CHUNK_HDR_SZ;
    uint64_t block = p - prev_size(p);
    uint64_t total_size = prev_size(p) + size;
    if (((block | total_size) & (kPageSize - 1)) != 0 || !powerof2(mem & (kPageSize - 1)))
        printerr("munmap_chunk(): invalid pointer");
    --mp_.n_mmaps;
    mp_.mmapped_mem -= total_size;
    ++stats_.munmap_calls;
    proc_.munmap(block, total_size);
    mem_.discard(block, total_size);
}

// mremap_chunk: 0 when mremap fails (the caller falls back to malloc-copy-free).
uint64_t Ptmalloc::mremap_chunk(uint64_t p, uint64_t new_size) {
    uint64_t offset = prev_size(p);
    uint64_t size = chunksize(p);
    uint64_t block = p - offset;
    uint64_t mem = p + CHUNK_HDR_SZ;
    uint64_t total_size = offset + size;
    if (((block | total_size) & (kPageSize - 1)) != 0 || !powerof2(mem & (kPageSize - 1)))
        printerr("mremap_chunk(): invalid pointer");
    new_size = align_up(new_size + offset + SIZE_SZ, kPageSize);
    if (total_size == new_size) return p;
    ++stats_.mremap_calls;
    int64_t cp = proc_.mremap(block, total_size, new_size, kMremapMayMove);
    if (mmap_failed(cp)) return 0;
    uint64_t w0 = mem_.get(block + offset);  // the header moves with the pages
    if (uint64_t(cp) != block) mem_.discard(block, total_size);
    p = uint64_t(cp) + offset;
    mem_.set(p, w0);
    set_head(p, (new_size - offset) | IS_MMAPPED);
    mp_.mmapped_mem += new_size - size - offset;
    mp_.max_mmapped_mem = std::max(mp_.max_mmapped_mem, mp_.mmapped_mem);
    stats_.mmapped_bytes_peak.set(mp_.max_mmapped_mem);
    return p;
}

// ---- heaps of non-main arenas (arena.c) ----

// alloc_new_heap: a HEAP_MAX_SIZE-aligned reservation (PROT_NONE, MAP_NORESERVE), carved from a
// mapping twice that size, with SIZE (+ top_pad) made read-write.
uint64_t Ptmalloc::alloc_new_heap(uint64_t size, uint64_t top_pad) {
    const uint64_t max_size = kHeapMaxSize;
    const int flags = kMapPrivate | kMapAnonymous | kMapNoReserve;
    if (size + top_pad < kHeapMinSize) size = kHeapMinSize;
    else if (size + top_pad <= max_size) size += top_pad;
    else if (size > max_size) return 0;
    else size = max_size;
    size = align_up(size, kPageSize);

    int64_t p2 = -1;
    if (aligned_heap_area_) {
        ++stats_.mmap_calls;
        p2 = proc_.mmap(aligned_heap_area_, max_size, kProtNone, flags);
        aligned_heap_area_ = 0;
        if (!mmap_failed(p2) && (uint64_t(p2) & (max_size - 1))) {
            ++stats_.munmap_calls;
            proc_.munmap(uint64_t(p2), max_size);
            p2 = -1;
        }
    }
    if (mmap_failed(p2)) {
        ++stats_.mmap_calls;
        int64_t p1 = proc_.mmap(0, max_size << 1, kProtNone, flags);
        if (!mmap_failed(p1)) {
            uint64_t a2 = (uint64_t(p1) + (max_size - 1)) & ~(max_size - 1);
            uint64_t ul = a2 - uint64_t(p1);
            if (ul) {
                ++stats_.munmap_calls;
                proc_.munmap(uint64_t(p1), ul);
            } else {
                aligned_heap_area_ = a2 + max_size;
            }
            ++stats_.munmap_calls;
            proc_.munmap(a2 + max_size, max_size - ul);
            p2 = int64_t(a2);
        } else {
            ++stats_.mmap_calls;
            p2 = proc_.mmap(0, max_size, kProtNone, flags);
            if (mmap_failed(p2)) return 0;
            if (uint64_t(p2) & (max_size - 1)) {
                ++stats_.munmap_calls;
                proc_.munmap(uint64_t(p2), max_size);
                return 0;
            }
        }
    }
    uint64_t h = uint64_t(p2);
    ++stats_.mprotect_calls;
    if (proc_.mprotect(h, size, kProtRW) != 0) {
        ++stats_.munmap_calls;
        proc_.munmap(h, max_size);
        return 0;
    }
    mem_.discard(h, max_size);
    wr(h + HI_SIZE, size);
    wr(h + HI_MPROTECT_SIZE, size);
    wr(h + HI_PAGESIZE, kPageSize);
    return h;
}

int Ptmalloc::grow_heap(uint64_t h, int64_t diff) {
    diff = int64_t(align_up(uint64_t(diff), kPageSize));
    int64_t new_size = int64_t(rd(h + HI_SIZE)) + diff;
    if (uint64_t(new_size) > kHeapMaxSize) return -1;
    uint64_t mprotect_size = rd(h + HI_MPROTECT_SIZE);
    if (uint64_t(new_size) > mprotect_size) {
        ++stats_.mprotect_calls;
        if (proc_.mprotect(h + mprotect_size, uint64_t(new_size) - mprotect_size, kProtRW) != 0) return -2;
        wr(h + HI_MPROTECT_SIZE, uint64_t(new_size));
    }
    wr(h + HI_SIZE, uint64_t(new_size));
    return 0;
}

// shrink_heap: MADV_DONTNEED (check_may_shrink_heap is false unless overcommit_memory is 2).
int Ptmalloc::shrink_heap(uint64_t h, int64_t diff) {
    int64_t new_size = int64_t(rd(h + HI_SIZE)) - diff;
    if (new_size < int64_t(HEAP_INFO_SIZE)) return -1;
    ++stats_.madvise_calls;
    proc_.madvise(h + uint64_t(new_size), uint64_t(diff), 4 /* MADV_DONTNEED */);
    mem_.discard(h + uint64_t(new_size), uint64_t(diff));
    wr(h + HI_SIZE, uint64_t(new_size));
    return 0;
}

int Ptmalloc::heap_trim(uint64_t heap, uint64_t pad) {
    Arena& a = *arena_by_addr(rd(heap + HI_AR_PTR));
    uint64_t top_chunk = top(a);
    const uint64_t max_size = kHeapMaxSize;
    // Drop whole heaps whose only content is top, as long as the previous heap's tail can take
    // over as top.
    while (top_chunk == heap + HEAP_INFO_SIZE) {
        uint64_t prev_heap = rd(heap + HI_PREV);
        uint64_t prev_heap_size = rd(prev_heap + HI_SIZE);
        int64_t prev_sz = int64_t(prev_heap_size) - int64_t(MINSIZE - 2 * SIZE_SZ);
        uint64_t p = prev_heap + uint64_t(prev_sz);
        int64_t misalign = int64_t(p & MALLOC_ALIGN_MASK);
        p = prev_heap + uint64_t(prev_sz - misalign);
        p = p - prev_size(p);  // prev_chunk of the fencepost
        int64_t new_size = int64_t(chunksize(p) + (MINSIZE - 2 * SIZE_SZ)) + misalign;
        if (!(size_nomask(p) & PREV_INUSE)) new_size += int64_t(prev_size(p));
        if (uint64_t(new_size) + (max_size - prev_heap_size) < pad + MINSIZE + rd(heap + HI_PAGESIZE)) break;
        a.system_mem -= rd(heap + HI_SIZE);
        if (heap + max_size == aligned_heap_area_) aligned_heap_area_ = 0;
        ++stats_.munmap_calls;
        proc_.munmap(heap, max_size);
        mem_.discard(heap, max_size);
        heap = prev_heap;
        if (!(size_nomask(p) & PREV_INUSE)) {
            p = p - prev_size(p);
            unlink_chunk(a, p);
        }
        set_top(a, top_chunk = p);
        set_head(top_chunk, uint64_t(new_size) | PREV_INUSE);
    }
    int64_t top_size = int64_t(chunksize(top_chunk));
    if (uint64_t(top_size) < mp_.trim_threshold) return 0;
    int64_t top_area = top_size - int64_t(MINSIZE) - 1;
    if (top_area < 0 || uint64_t(top_area) <= pad) return 0;
    int64_t extra = int64_t(align_down(uint64_t(top_area) - pad, rd(heap + HI_PAGESIZE)));
    if (extra == 0) return 0;
    if (shrink_heap(heap, extra) != 0) return 0;
    a.system_mem -= uint64_t(extra);
    set_head(top_chunk, uint64_t(top_size - extra) | PREV_INUSE);
    return 1;
}

// ---- arenas ----
Ptmalloc::Arena* Ptmalloc::arena_by_addr(uint64_t addr) const {
    auto it = arena_at_.find(addr);
    return it == arena_at_.end() ? nullptr : it->second;
}

void Ptmalloc::detach_arena(Arena* a) {
    if (a) --a->attached_threads;
}

Ptmalloc::Arena* Ptmalloc::int_new_arena(uint64_t size) {
    uint64_t h = alloc_new_heap(size + (HEAP_INFO_SIZE + MALLOC_STATE_SIZE + MALLOC_ALIGNMENT), mp_.top_pad);
    if (!h) {
        // Maybe size is too large to fit in a single heap: a minimal arena, and let
        // _int_malloc mmap the request.
        h = alloc_new_heap(HEAP_INFO_SIZE + MALLOC_STATE_SIZE + MALLOC_ALIGNMENT, mp_.top_pad);
        if (!h) return nullptr;
    }
    auto owned = std::make_unique<Arena>();
    Arena& a = *owned;
    a.base = h + HEAP_INFO_SIZE;
    a.index = arenas_.size();
    arenas_.push_back(std::move(owned));
    arena_at_[a.base] = &a;
    stats_.arenas.set(arenas_.size());
    declare_arena_stats(a, a.index);
    wr(h + HI_AR_PTR, a.base);
    malloc_init_state(a);
    a.attached_threads = 1;
    uint64_t hs = rd(h + HI_SIZE);
    a.system_mem = a.max_system_mem = hs;
    uint64_t ptr = a.base + MALLOC_STATE_SIZE;
    uint64_t misalign = (ptr + CHUNK_HDR_SZ) & MALLOC_ALIGN_MASK;
    if (misalign > 0) ptr += MALLOC_ALIGNMENT - misalign;
    set_top(a, ptr);
    set_head(ptr, (h + hs - ptr) | PREV_INUSE);

    Arena* replaced = cur_->arena;
    cur_->arena = &a;
    // Linked in right after main_arena.
    a.next = main_arena_->next;
    main_arena_->next = &a;
    detach_arena(replaced);
    note_heap_size();
    return &a;
}

Ptmalloc::Arena* Ptmalloc::get_free_list() {
    Arena* replaced = cur_->arena;
    Arena* result = free_list_;
    if (result) {
        free_list_ = result->next_free;
        result->attached_threads = 1;
        detach_arena(replaced);
        cur_->arena = result;
    }
    return result;
}

void Ptmalloc::remove_from_free_list(Arena* arena) {
    Arena** previous = &free_list_;
    for (Arena* p = free_list_; p; p = p->next_free) {
        if (p == arena) {
            *previous = p->next_free;
            break;
        }
        previous = &p->next_free;
    }
}

// reused_arena: round robin from next_to_use; the first arena whose lock is free wins. Threads
// run one at a time here, so no lock is ever held by another thread and next_to_use wins.
Ptmalloc::Arena* Ptmalloc::reused_arena(Arena*) {
    if (!next_to_use_) next_to_use_ = main_arena_;
    Arena* result = next_to_use_;
    Arena* replaced = cur_->arena;
    detach_arena(replaced);
    remove_from_free_list(result);
    ++result->attached_threads;
    cur_->arena = result;
    next_to_use_ = result->next;
    return result;
}

Ptmalloc::Arena* Ptmalloc::arena_get2(uint64_t size, Arena* avoid) {
    Arena* a = get_free_list();
    if (!a) {
        if (narenas_limit_ == 0) {
            if (mp_.arena_max != 0) {
                narenas_limit_ = mp_.arena_max;
            } else if (narenas_ > mp_.arena_test) {
                // Debian backport of BZ 30945: __get_nprocs (), the online cpus.
                uint64_t n = p_.ncpus;
                narenas_limit_ = 8 * (n >= 1 ? n : 2);
            }
        }
        uint64_t n = narenas_;
        if (n <= narenas_limit_ - 1) {  // limit 0 wraps: no limit yet
            narenas_ = n + 1;
            a = int_new_arena(size);
            if (!a) --narenas_;
        } else {
            a = reused_arena(avoid);
        }
    }
    return a;
}

Ptmalloc::Arena* Ptmalloc::arena_get(uint64_t size) {
    Arena* a = cur_->arena;
    return a ? a : arena_get2(size, nullptr);
}

Ptmalloc::Arena* Ptmalloc::arena_get_retry(Arena* a, uint64_t bytes) {
    if (a != main_arena_) return main_arena_;
    return arena_get2(bytes, a);
}

void Ptmalloc::note_heap_size() {
    uint64_t total = 0;
    for (auto& a : arenas_) total += a->system_mem;
    heap_peak_ = std::max(heap_peak_, total);
    stats_.heap_bytes_peak.set(heap_peak_);
}

}  // namespace memsim::libc
