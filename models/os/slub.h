#pragma once
// SLUB as Linux 6.1 runs it (mm/slub.c, mm/slab_common.c) for non-debug caches on one node:
// kmem_cache sizes and slab order (calculate_sizes, calculate_order), per-cpu slabs with their
// lockless freelist, per-cpu partial slabs, the node's partial list with min_partial, slabs taken
// from and given back to the PageAllocator, the kmalloc caches (8 .. 8k plus 96 and 192) and
// kmalloc_large, and /proc/slabinfo.
//
// Objects are named by their physical address: the slab's first frame * 4096 + index * size.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "models/os/page_alloc.h"
#include "sim/config/param.h"
#include "sim/stats/stats.h"

namespace memsim::os {

struct SlubParams {
    uint64_t max_order = 3;
    uint64_t min_objects = 0;

    void visit(config::ParamVisitor& v) {
        v(config::ParamSpec::count("max_order", "3", "order",
                                   "slub_max_order: highest slab order calculate_order prefers (PAGE_ALLOC_COSTLY_ORDER)")
              .range(0, 10),
          max_order);
        v(config::ParamSpec::count("min_objects", "0", "objects",
                                   "slub_min_objects; 0: 4 * (fls(ncpus) + 1) as calculate_order computes it")
              .range(0, 32767),
          min_objects);
    }
};

constexpr uint64_t kZeroSizePtr = 16;  // ZERO_SIZE_PTR: what kmalloc(0) returns

class Slub {
public:
    using cache_id = uint32_t;

    // Creates the kmalloc caches as create_kmalloc_caches does.
    Slub(const SlubParams& p, PageAllocator& pages, stats::Registry& r);

    // kmem_cache_create(NAME, SIZE, ALIGN, 0, NULL): a non-merged cache (slab merging is left out).
    cache_id kmem_cache_create(const std::string& name, uint64_t size, uint64_t align = 0);
    // The object's address, or 0 when no slab could be allocated (counted).
    uint64_t kmem_cache_alloc(cache_id c, unsigned cpu);
    void kmem_cache_free(cache_id c, uint64_t addr, unsigned cpu);
    // kmalloc: a kmalloc cache up to 8 KiB, above that kmalloc_large (order get_order(size) pages).
    uint64_t kmalloc(uint64_t size, unsigned cpu);
    void kfree(uint64_t addr, unsigned cpu);

    // /proc/slabinfo, version 2.1, newest cache first (slab_caches order).
    std::string slabinfo() const;

    struct CacheInfo {
        std::string name;
        unsigned object_size, size, align, offset;
        unsigned order, objects;          // s->oo
        unsigned min_partial, cpu_partial, cpu_partial_slabs;
        uint64_t nr_slabs, nr_objs, nr_partial;
    };
    CacheInfo info(cache_id c) const;
    cache_id kmalloc_cache(uint64_t size) const;  // kmalloc_slab(); size <= 8192
    bool find_cache(const std::string& name, cache_id& out) const;

private:
    static constexpr int32_t kNone = -1;
    struct Slab {
        pfn_t pfn = kNoPage;
        cache_id cache = 0;
        unsigned order = 0;
        unsigned objects = 0, inuse = 0;
        bool frozen = false;
        int32_t freelist = kNone;          // first free object (index); chained through next_free
        std::vector<int32_t> next_free;    // the free pointer of each object
        int32_t prev = kNone, next = kNone;  // node partial list
        int32_t next_partial = kNone;      // per-cpu partial chain
        unsigned slabs = 0;                // slabs on the per-cpu partial chain from here on
    };
    struct CpuSlab {
        int32_t slab = kNone;
        int32_t freelist = kNone;
        int32_t partial = kNone;
    };
    struct Cache {
        std::string name;
        unsigned object_size = 0, size = 0, align = 0, offset = 0, inuse = 0;
        unsigned order = 0, objects = 0;          // s->oo
        unsigned min_order = 0, min_objects = 0;  // s->min
        unsigned min_partial = 0, cpu_partial = 0, cpu_partial_slabs = 0;
        Gfp gfp = Gfp::kernel();
        std::vector<CpuSlab> cpu;
        int32_t partial_head = kNone, partial_tail = kNone;  // kmem_cache_node.partial
        uint64_t nr_partial = 0, nr_slabs = 0, total_objects = 0;
    };

    SlubParams p_;
    PageAllocator& pages_;
    std::vector<Cache> caches_;     // in creation order
    cache_id kmalloc_caches_[14] = {};  // by kmalloc index (1: 96, 2: 192, 3..13: 8..8192)
    std::vector<Slab> slabs_;
    std::vector<int32_t> free_slab_ids_;
    std::unordered_map<pfn_t, int32_t> slab_of_pfn_;

    struct Stats {
        stats::Counter& allocs;
        stats::Counter& frees;
        stats::Counter& slabs_allocated;
        stats::Counter& slabs_freed;
        stats::Counter& alloc_failures;
        stats::Counter& large_allocs;
        stats::Counter& large_frees;
        explicit Stats(stats::Registry& r);
    } stats_;

    cache_id create(const std::string& name, unsigned size, unsigned align, Gfp gfp);
    uint64_t address(const Slab& s, int32_t obj) const;
    int32_t slab_alloc_slow(Cache& c, cache_id id, unsigned cpu);  // ___slab_alloc: returns object index
    int32_t new_slab(Cache& c, cache_id id, unsigned cpu);
    int32_t get_partial_node(Cache& c, unsigned cpu, int32_t& slab_out);
    void put_cpu_partial(Cache& c, int32_t slab, bool drain, unsigned cpu);
    void unfreeze_partials(Cache& c, int32_t first, unsigned cpu);
    void add_partial(Cache& c, int32_t slab, bool tail);
    void remove_partial(Cache& c, int32_t slab);
    void discard_slab(Cache& c, int32_t slab, unsigned cpu);
    void slab_free(Cache& c, int32_t slab, int32_t obj, unsigned cpu);
    int32_t slab_of(uint64_t addr) const;
};

}  // namespace memsim::os
