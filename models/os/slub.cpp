// SLUB, following Linux 6.1's mm/slub.c function by function for a cache without debugging
// (no red zones, poisoning, tracking, ctor or RCU), on one node, without freelist randomisation.
#include "models/os/slub.h"

#include <algorithm>
#include <cstdio>

#include "sim/config/schema.h"
#include "sim/core/error.h"

namespace memsim::os {

MEMSIM_REGISTER_PARAMS(SlubParams, "os.slub", "the SLUB slab allocator (boot parameters of Linux 6.1)");

namespace {

constexpr unsigned kMaxObjsPerPage = 32767;  // MAX_OBJS_PER_PAGE
constexpr unsigned kMinPartial = 5, kMaxPartial = 10;
constexpr unsigned kWord = 8;  // sizeof(void *)

unsigned fls(uint64_t x) { return x ? 64 - unsigned(__builtin_clzll(x)) : 0; }
unsigned ilog2(uint64_t x) { return fls(x) - 1; }
unsigned align_up(unsigned x, unsigned a) { return (x + a - 1) / a * a; }

unsigned get_order(uint64_t size) {
    unsigned order = 0;
    while ((kPageSize << order) < size) ++order;
    return order;
}

unsigned order_objects(unsigned order, unsigned size) { return unsigned((kPageSize << order) / size); }

// calc_slab_order (slub_min_order = 0)
unsigned calc_slab_order(unsigned size, unsigned min_objects, unsigned max_order, unsigned fract_leftover) {
    if (order_objects(0, size) > kMaxObjsPerPage) return get_order(uint64_t(size) * kMaxObjsPerPage) - 1;
    unsigned order = get_order(uint64_t(min_objects) * size);
    for (; order <= max_order; ++order) {
        unsigned slab_size = unsigned(kPageSize << order);
        if (slab_size % size <= slab_size / fract_leftover) break;
    }
    return order;
}

// calculate_order: first accept more waste (1/16, 1/8, 1/4), then fewer objects, then one object.
unsigned calculate_order(unsigned size, unsigned ncpus, unsigned max_order, unsigned min_objects_param) {
    unsigned min_objects = min_objects_param;
    if (!min_objects) min_objects = 4 * (fls(ncpus) + 1);  // num_present_cpus(); nr_cpu_ids is the same here
    unsigned max_objects = order_objects(max_order, size);
    min_objects = std::min(min_objects, max_objects);
    while (min_objects > 1) {
        for (unsigned fraction = 16; fraction >= 4; fraction /= 2) {
            unsigned order = calc_slab_order(size, min_objects, max_order, fraction);
            if (order <= max_order) return order;
        }
        --min_objects;
    }
    unsigned order = calc_slab_order(size, 1, max_order, 1);
    if (order <= max_order) return order;
    return calc_slab_order(size, 1, kMaxOrder, 1);
}

// kmalloc_info[] names and size_index[] (mm/slab_common.c)
const char* const kKmallocNames[14] = {nullptr,      "kmalloc-96",  "kmalloc-192", "kmalloc-8",  "kmalloc-16",
                                       "kmalloc-32", "kmalloc-64",  "kmalloc-128", "kmalloc-256", "kmalloc-512",
                                       "kmalloc-1k", "kmalloc-2k",  "kmalloc-4k",  "kmalloc-8k"};
const unsigned kKmallocSizes[14] = {0, 96, 192, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192};
const uint8_t kSizeIndex[24] = {3, 4, 5, 5, 6, 6, 6, 6, 1, 1, 1, 1, 7, 7, 7, 7, 2, 2, 2, 2, 2, 2, 2, 2};
constexpr uint64_t kKmallocMaxCacheSize = 8192;  // 1 << KMALLOC_SHIFT_HIGH, PAGE_SHIFT + 1 under SLUB

}  // namespace

Slub::Stats::Stats(stats::Registry& r)
    : allocs(r.counter("os.slub.allocs", "objects", "objects allocated from slab caches (kmalloc and kmem_cache_alloc)")),
      frees(r.counter("os.slub.frees", "objects", "objects freed to slab caches")),
      slabs_allocated(r.counter("os.slub.slabs_allocated", "slabs", "slabs taken from the page allocator (new_slab)")),
      slabs_freed(r.counter("os.slub.slabs_freed", "slabs", "empty slabs given back to the page allocator (discard_slab)")),
      alloc_failures(r.counter("os.slub.alloc_failures", "allocations", "slab allocations that got no pages")),
      large_allocs(r.counter("os.slub.kmalloc_large", "allocations", "kmalloc requests above 8 KiB served by alloc_pages")),
      large_frees(r.counter("os.slub.kfree_large", "frees", "kfree of kmalloc_large blocks")) {}

Slub::Slub(const SlubParams& p, PageAllocator& pages, stats::Registry& r) : p_(p), pages_(pages), stats_(r) {
    // create_kmalloc_caches: 8 .. 8k, with 96 right after 64 and 192 right after 128. Power-of-two
    // caches are naturally aligned (create_boot_cache); 96 and 192 get ARCH_KMALLOC_MINALIGN (8).
    for (unsigned i = 3; i <= 13; ++i) {
        kmalloc_caches_[i] = create(kKmallocNames[i], kKmallocSizes[i], kKmallocSizes[i], Gfp::kernel());
        if (i == 6) kmalloc_caches_[1] = create(kKmallocNames[1], 96, kWord, Gfp::kernel());
        if (i == 7) kmalloc_caches_[2] = create(kKmallocNames[2], 192, kWord, Gfp::kernel());
    }
}

Slub::cache_id Slub::kmem_cache_create(const std::string& name, uint64_t size, uint64_t align) {
    if (size == 0 || size > (uint64_t(kPageSize) << kMaxOrder) / 2)
        throw SimulationError("kmem_cache_create(" + name + "): object size " + std::to_string(size) + " is out of range");
    if (align & (align - 1)) throw SimulationError("kmem_cache_create(" + name + "): align " + std::to_string(align) + " is not a power of two");
    return create(name, unsigned(size), unsigned(align), Gfp::kernel());
}

// kmem_cache_open -> calculate_sizes, min_partial, set_cpu_partial.
Slub::cache_id Slub::create(const std::string& name, unsigned size, unsigned align, Gfp gfp) {
    Cache c;
    c.name = name;
    c.object_size = size;
    c.align = align_up(std::max(align, kWord), kWord);  // calculate_alignment: ARCH_SLAB_MINALIGN 8
    unsigned s = align_up(size, kWord);
    c.inuse = s;
    c.offset = (size / 2) / kWord * kWord;  // free pointer in the middle of the object
    s = align_up(s, c.align);
    c.size = s;
    c.order = calculate_order(s, pages_.ncpus(), unsigned(p_.max_order), unsigned(p_.min_objects));
    c.objects = order_objects(c.order, s);
    c.min_order = get_order(s);
    c.min_objects = order_objects(c.min_order, s);
    c.min_partial = std::clamp(ilog2(s) / 2, kMinPartial, kMaxPartial);
    c.cpu_partial = s >= kPageSize ? 6 : s >= 1024 ? 24 : s >= 256 ? 52 : 120;
    c.cpu_partial_slabs = (c.cpu_partial * 2 + c.objects - 1) / c.objects;
    c.gfp = gfp;
    c.cpu.resize(pages_.ncpus());
    caches_.push_back(std::move(c));
    return cache_id(caches_.size() - 1);
}

uint64_t Slub::address(const Slab& s, int32_t obj) const {
    return (s.pfn << kPageShift) + uint64_t(obj) * caches_[s.cache].size;
}

// slab_alloc_node: the cpu freelist if it has an object, else ___slab_alloc.
uint64_t Slub::kmem_cache_alloc(cache_id id, unsigned cpu) {
    Cache& c = caches_.at(id);
    CpuSlab& cs = c.cpu.at(cpu);
    int32_t obj;
    int32_t slab;
    if (cs.slab != kNone && cs.freelist != kNone) {
        slab = cs.slab;
        obj = cs.freelist;
        cs.freelist = slabs_[slab].next_free[obj];
    } else {
        obj = slab_alloc_slow(c, id, cpu);
        if (obj == kNone) {
            ++stats_.alloc_failures;
            return 0;
        }
        slab = c.cpu[cpu].slab;
    }
    ++stats_.allocs;
    return address(slabs_[slab], obj);
}

// ___slab_alloc: the cpu slab's remote frees, then a per-cpu partial slab, then the node's partial
// list, then a new slab.
int32_t Slub::slab_alloc_slow(Cache& c, cache_id id, unsigned cpu) {
    CpuSlab& cs = c.cpu[cpu];
    for (;;) {
        if (cs.slab != kNone) {
            // redo: get_freelist takes the frees other cpus made to the slab; a slab without any is
            // left unfrozen and full, on no list.
            Slab& s = slabs_[cs.slab];
            int32_t freelist = s.freelist;
            s.freelist = kNone;
            s.inuse = s.objects;
            s.frozen = freelist != kNone;
            if (freelist != kNone) {
                cs.freelist = s.next_free[freelist];  // load_freelist
                return freelist;
            }
            cs.slab = kNone;
        }
        if (cs.partial == kNone) break;
        cs.slab = cs.partial;  // new_slab: the per-cpu partial list first
        cs.partial = slabs_[cs.slab].next_partial;
        cs.freelist = kNone;
    }
    int32_t slab = kNone;
    int32_t freelist = get_partial_node(c, cpu, slab);
    if (freelist == kNone) {
        slab = new_slab(c, id, cpu);
        if (slab == kNone) return kNone;
        Slab& s = slabs_[slab];
        freelist = s.freelist;
        s.freelist = kNone;
        s.inuse = s.objects;
        s.frozen = true;
        ++c.nr_slabs;  // inc_slabs_node
        c.total_objects += s.objects;
    }
    cs.slab = slab;  // retry_load_slab
    cs.freelist = slabs_[slab].next_free[freelist];
    return freelist;
}

// allocate_slab: the cache's order with __GFP_NORETRY (memsim: the same request), else s->min.
// A fresh slab's freelist runs through the objects in address order (no CONFIG_SLAB_FREELIST_RANDOM).
int32_t Slub::new_slab(Cache& c, cache_id id, unsigned cpu) {
    unsigned order = c.order, objects = c.objects;
    pfn_t pfn = pages_.alloc_pages(order, c.gfp, cpu, PageOwner::Slab);
    if (pfn == kNoPage && c.min_order != c.order) {
        order = c.min_order;
        objects = c.min_objects;
        pfn = pages_.alloc_pages(order, c.gfp, cpu, PageOwner::Slab);
    }
    if (pfn == kNoPage) return kNone;
    pages_.page(pfn).flags |= pg::kSlab;
    int32_t id_slab;
    if (!free_slab_ids_.empty()) {
        id_slab = free_slab_ids_.back();
        free_slab_ids_.pop_back();
    } else {
        id_slab = int32_t(slabs_.size());
        slabs_.emplace_back();
    }
    Slab& s = slabs_[id_slab];
    s = Slab{};
    s.pfn = pfn;
    s.cache = id;
    s.order = order;
    s.objects = objects;
    s.next_free.resize(objects);
    for (unsigned i = 0; i < objects; ++i) s.next_free[i] = i + 1 < objects ? int32_t(i + 1) : kNone;
    s.freelist = 0;
    slab_of_pfn_[pfn] = id_slab;
    ++stats_.slabs_allocated;
    return id_slab;
}

// get_partial_node: the first slab on the node's partial list becomes the cpu slab (acquire_slab
// takes its whole freelist); more go to the per-cpu partial list until more than
// cpu_partial_slabs / 2 have.
int32_t Slub::get_partial_node(Cache& c, unsigned cpu, int32_t& slab_out) {
    if (!c.nr_partial) return kNone;
    int32_t object = kNone;
    unsigned partial_slabs = 0;
    for (int32_t sl = c.partial_head; sl != kNone;) {
        int32_t next = slabs_[sl].next;
        Slab& s = slabs_[sl];
        remove_partial(c, sl);
        s.frozen = true;
        if (object == kNone) {
            object = s.freelist;
            s.freelist = kNone;
            s.inuse = s.objects;
            slab_out = sl;
        } else {
            put_cpu_partial(c, sl, false, cpu);
            ++partial_slabs;
        }
        if (partial_slabs > c.cpu_partial_slabs / 2) break;
        sl = next;
    }
    return object;
}

// put_cpu_partial: push on the cpu's partial chain; when draining and the chain already holds
// cpu_partial_slabs, the old chain is unfrozen to the node first.
void Slub::put_cpu_partial(Cache& c, int32_t sl, bool drain, unsigned cpu) {
    CpuSlab& cs = c.cpu[cpu];
    int32_t old = cs.partial, to_unfreeze = kNone;
    unsigned nr = 0;
    if (old != kNone) {
        if (drain && slabs_[old].slabs >= c.cpu_partial_slabs) {
            to_unfreeze = old;
            old = kNone;
        } else {
            nr = slabs_[old].slabs;
        }
    }
    slabs_[sl].slabs = nr + 1;
    slabs_[sl].next_partial = old;
    cs.partial = sl;
    if (to_unfreeze != kNone) unfreeze_partials(c, to_unfreeze, cpu);
}

// __unfreeze_partials: each slab to the node's partial tail, except empty ones while the node already
// has min_partial; those are discarded afterwards, last found first.
void Slub::unfreeze_partials(Cache& c, int32_t first, unsigned cpu) {
    int32_t to_discard = kNone;
    for (int32_t sl = first; sl != kNone;) {
        int32_t next = slabs_[sl].next_partial;
        Slab& s = slabs_[sl];
        s.frozen = false;
        if (!s.inuse && c.nr_partial >= c.min_partial) {
            s.next_partial = to_discard;
            to_discard = sl;
        } else {
            add_partial(c, sl, true);
        }
        sl = next;
    }
    while (to_discard != kNone) {
        int32_t next = slabs_[to_discard].next_partial;
        discard_slab(c, to_discard, cpu);
        to_discard = next;
    }
}

void Slub::add_partial(Cache& c, int32_t sl, bool tail) {
    Slab& s = slabs_[sl];
    ++c.nr_partial;
    if (tail) {
        s.prev = c.partial_tail;
        s.next = kNone;
        if (c.partial_tail != kNone) slabs_[c.partial_tail].next = sl; else c.partial_head = sl;
        c.partial_tail = sl;
    } else {
        s.next = c.partial_head;
        s.prev = kNone;
        if (c.partial_head != kNone) slabs_[c.partial_head].prev = sl; else c.partial_tail = sl;
        c.partial_head = sl;
    }
}

void Slub::remove_partial(Cache& c, int32_t sl) {
    Slab& s = slabs_[sl];
    if (s.prev != kNone) slabs_[s.prev].next = s.next; else c.partial_head = s.next;
    if (s.next != kNone) slabs_[s.next].prev = s.prev; else c.partial_tail = s.prev;
    s.prev = s.next = kNone;
    --c.nr_partial;
}

// discard_slab -> __free_slab: the pages go back through __free_pages on the freeing cpu.
void Slub::discard_slab(Cache& c, int32_t sl, unsigned cpu) {
    Slab& s = slabs_[sl];
    --c.nr_slabs;
    c.total_objects -= s.objects;
    slab_of_pfn_.erase(s.pfn);
    pages_.page(s.pfn).flags &= ~pg::kSlab;
    pages_.free_pages(s.pfn, s.order, cpu);
    s.pfn = kNoPage;
    s.next_free.clear();
    free_slab_ids_.push_back(sl);
    ++stats_.slabs_freed;
}

// do_slab_free: an object of this cpu's slab goes on the cpu freelist (LIFO); any other takes
// __slab_free: onto the slab's own freelist, a full slab then joins the cpu partial list, an empty
// one on the node list is discarded when the node keeps min_partial others.
void Slub::slab_free(Cache& c, int32_t sl, int32_t obj, unsigned cpu) {
    CpuSlab& cs = c.cpu[cpu];
    Slab& s = slabs_[sl];
    ++stats_.frees;
    if (cs.slab == sl) {
        s.next_free[obj] = cs.freelist;
        cs.freelist = obj;
        return;
    }
    int32_t prior = s.freelist;
    bool was_frozen = s.frozen;
    s.next_free[obj] = prior;
    s.freelist = obj;
    --s.inuse;
    if (was_frozen) return;
    if (prior == kNone) {
        s.frozen = true;
        put_cpu_partial(c, sl, true, cpu);
        return;
    }
    if (!s.inuse && c.nr_partial >= c.min_partial) {
        remove_partial(c, sl);
        discard_slab(c, sl, cpu);
    }
}

int32_t Slub::slab_of(uint64_t addr) const {
    pfn_t pfn = addr >> kPageShift;
    if (pfn >= pages_.total_pages()) return kNone;
    while (pfn && (pages_.page(pfn).flags & pg::kTail)) --pfn;
    auto it = slab_of_pfn_.find(pfn);
    return it == slab_of_pfn_.end() ? kNone : it->second;
}

void Slub::kmem_cache_free(cache_id id, uint64_t addr, unsigned cpu) {
    Cache& c = caches_.at(id);
    int32_t sl = slab_of(addr);
    if (sl == kNone || slabs_[sl].cache != id)
        throw SimulationError("kmem_cache_free(" + c.name + ", " + std::to_string(addr) + "): not an object of this cache");
    const Slab& s = slabs_[sl];
    uint64_t off = addr - (s.pfn << kPageShift);
    if (off % c.size || off / c.size >= s.objects)
        throw SimulationError("kmem_cache_free(" + c.name + ", " + std::to_string(addr) + "): not an object's address");
    slab_free(c, sl, int32_t(off / c.size), cpu);
}

Slub::cache_id Slub::kmalloc_cache(uint64_t size) const {
    // kmalloc_index / size_index_elem
    unsigned index = size <= 192 ? kSizeIndex[(size - 1) / 8] : fls(size - 1);
    return kmalloc_caches_[index];
}

uint64_t Slub::kmalloc(uint64_t size, unsigned cpu) {
    if (size == 0) return kZeroSizePtr;
    if (size > kKmallocMaxCacheSize) {
        // kmalloc_large: GFP_KERNEL | __GFP_COMP pages of get_order(size).
        unsigned order = get_order(size);
        pfn_t pfn = order < kMaxOrder ? pages_.alloc_pages(order, Gfp::kernel(), cpu, PageOwner::Kernel) : kNoPage;
        if (pfn == kNoPage) {
            ++stats_.alloc_failures;
            return 0;
        }
        ++stats_.large_allocs;
        return pfn << kPageShift;
    }
    return kmem_cache_alloc(kmalloc_cache(size), cpu);
}

void Slub::kfree(uint64_t addr, unsigned cpu) {
    if (addr == kZeroSizePtr || addr == 0) return;  // ZERO_OR_NULL_PTR
    int32_t sl = slab_of(addr);
    if (sl != kNone) {
        const Slab& s = slabs_[sl];
        Cache& c = caches_[s.cache];
        uint64_t off = addr - (s.pfn << kPageShift);
        if (off % c.size) throw SimulationError("kfree(" + std::to_string(addr) + "): not an object's address");
        slab_free(c, sl, int32_t(off / c.size), cpu);
        return;
    }
    // free_large_kmalloc
    pfn_t pfn = addr >> kPageShift;
    if ((addr & (kPageSize - 1)) || pfn >= pages_.total_pages() || pages_.page(pfn).owner != PageOwner::Kernel)
        throw SimulationError("kfree(" + std::to_string(addr) + "): not a kmalloc'ed address");
    ++stats_.large_frees;
    pages_.free_pages(pfn, pages_.page(pfn).order, cpu);
}

// get_slabinfo + cache_show: only the free objects of node-partial slabs are subtracted, and
// active_slabs is num_slabs.
std::string Slub::slabinfo() const {
    std::string out =
        "slabinfo - version: 2.1\n"
        "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>"
        " : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>\n";
    char buf[256];
    for (auto it = caches_.rbegin(); it != caches_.rend(); ++it) {
        const Cache& c = *it;
        uint64_t nr_free = 0;
        for (int32_t sl = c.partial_head; sl != kNone; sl = slabs_[sl].next) nr_free += slabs_[sl].objects - slabs_[sl].inuse;
        std::snprintf(buf, sizeof buf, "%-17s %6lu %6lu %6u %4u %4d : tunables %4u %4u %4u : slabdata %6lu %6lu %6lu\n",
                      c.name.c_str(), (unsigned long)(c.total_objects - nr_free), (unsigned long)c.total_objects, c.size,
                      c.objects, 1 << c.order, 0u, 0u, 0u, (unsigned long)c.nr_slabs, (unsigned long)c.nr_slabs, 0ul);
        out += buf;
    }
    return out;
}

Slub::CacheInfo Slub::info(cache_id id) const {
    const Cache& c = caches_.at(id);
    return {c.name, c.object_size, c.size, c.align, c.offset, c.order, c.objects, c.min_partial, c.cpu_partial,
            c.cpu_partial_slabs, c.nr_slabs, c.total_objects, c.nr_partial};
}

bool Slub::find_cache(const std::string& name, cache_id& out) const {
    for (size_t i = caches_.size(); i-- > 0;)
        if (caches_[i].name == name) {
            out = cache_id(i);
            return true;
        }
    return false;
}

}  // namespace memsim::os
