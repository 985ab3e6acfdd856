// SLUB against Linux 6.1's rules (mm/slub.c, mm/slab_common.c), worked by hand, on the 64 MiB test
// machine of small_machine.h (free memory from pfn 256; DMA32's order-10 blocks from 4096).
#include <catch2/catch.hpp>

#include "models/os/slub.h"
#include "models/os/zone.h"
#include "sim/core/error.h"
#include "tests/models/os/small_machine.h"

using namespace memsim;
using namespace memsim::os;
using namespace memsim::os::testing;

// Measured on a 2-cpu Linux machine (/sys/kernel/slab/*/objs_per_slab, order). By calculate_order:
// min_objects = 4 * (fls(2) + 1) = 12, capped at the objects an order-3 slab holds.
//   kmalloc-8    get_order(12*8)    = 0: 4096 % 8 = 0                      -> 512 objects, 1 page
//   kmalloc-96   get_order(1152)    = 0: 4096 % 96 = 64 <= 4096/16         -> 42, 1
//   kmalloc-192  get_order(2304)    = 0: 4096 % 192 = 64 <= 256            -> 21, 1
//   kmalloc-256  get_order(3072)    = 0                                    -> 16, 1
//   kmalloc-512  get_order(6144)    = 1                                    -> 16, 2
//   kmalloc-1k   get_order(12288)   = 2                                    -> 16, 4
//   kmalloc-2k   get_order(24576)   = 3                                    -> 16, 8
//   kmalloc-4k   min_objects = min(12, 32768/4096 = 8) = 8, order 3        -> 8, 8
//   kmalloc-8k   min(12, 4) = 4, order 3                                   -> 4, 8
TEST_CASE("kmalloc caches have Linux's objects and pages per slab on 2 cpus", "[os][slub]") {
    stats::Registry r;
    PageAllocator pa(small_machine(), k64MiB, r);
    Slub slub({}, pa, r);
    struct Row {
        const char* name;
        uint64_t size;
        unsigned objects, pages;
    };
    const Row table[] = {{"kmalloc-8", 8, 512, 1},     {"kmalloc-96", 96, 42, 1},    {"kmalloc-192", 192, 21, 1},
                         {"kmalloc-256", 256, 16, 1},  {"kmalloc-512", 512, 16, 2},  {"kmalloc-1k", 1024, 16, 4},
                         {"kmalloc-2k", 2048, 16, 8},  {"kmalloc-4k", 4096, 8, 8},   {"kmalloc-8k", 8192, 4, 8}};
    for (const Row& row : table) {
        Slub::CacheInfo ci = slub.info(slub.kmalloc_cache(row.size));
        INFO(row.name);
        CHECK(ci.name == row.name);
        CHECK(ci.objects == row.objects);
        CHECK((1u << ci.order) == row.pages);
    }
    // size_index: 72..96 -> kmalloc-96, 136..192 -> kmalloc-192, 97..128 -> kmalloc-128, 193 -> 256.
    CHECK(slub.info(slub.kmalloc_cache(72)).name == "kmalloc-96");
    CHECK(slub.info(slub.kmalloc_cache(100)).name == "kmalloc-128");
    CHECK(slub.info(slub.kmalloc_cache(136)).name == "kmalloc-192");
    CHECK(slub.info(slub.kmalloc_cache(193)).name == "kmalloc-256");
    CHECK(slub.info(slub.kmalloc_cache(1)).name == "kmalloc-8");
    // calculate_sizes: the free pointer sits mid-object, ALIGN_DOWN(object_size / 2, 8).
    CHECK(slub.info(slub.kmalloc_cache(96)).offset == 48);
    CHECK(slub.info(slub.kmalloc_cache(8)).offset == 0);
    // min_partial = clamp(ilog2(size) / 2, 5, 10); cpu_partial by size; slabs = ceil(2 * objs / per slab)
    Slub::CacheInfo k8k = slub.info(slub.kmalloc_cache(8192));
    CHECK(k8k.min_partial == 6);
    CHECK(k8k.cpu_partial == 6);
    CHECK(k8k.cpu_partial_slabs == 3);
    Slub::CacheInfo k8 = slub.info(slub.kmalloc_cache(8));
    CHECK(k8.min_partial == 5);
    CHECK(k8.cpu_partial == 120);
    CHECK(k8.cpu_partial_slabs == 1);
}

TEST_CASE("A fresh slab hands out objects in address order - frees are reused LIFO", "[os][slub]") {
    stats::Registry r;
    PageAllocator pa(small_machine(), k64MiB, r);
    Slub slub({}, pa, r);
    // kmalloc(100) -> kmalloc-128, order 0. The slab's page: GFP_KERNEL unmovable order 0; DMA32 has
    // only movable blocks, so __rmqueue_fallback steals the order-10 block @4096 and the pcp refill
    // takes 4096, 4097, 4098: the slab is pfn 4096, at 0x1000000.
    const uint64_t base = uint64_t(4096) << 12;
    CHECK(slub.kmalloc(100, 0) == base);
    CHECK(slub.kmalloc(128, 0) == base + 128);
    CHECK(slub.kmalloc(120, 0) == base + 256);
    CHECK(pa.page(4096).owner == PageOwner::Slab);
    slub.kfree(base + 128, 0);              // to the cpu freelist's head
    CHECK(slub.kmalloc(128, 0) == base + 128);
    CHECK(slub.kmalloc(128, 0) == base + 384);
    // Another cpu gets its own slab: cpu 1's pcp list refills with 4099, 4100, 4101.
    CHECK(slub.kmalloc(128, 1) == uint64_t(4099) << 12);
    CHECK(slub.kmalloc(0, 0) == kZeroSizePtr);
    slub.kfree(kZeroSizePtr, 0);
}

// kmem_cache_create("test", 1024): order 2 (get_order(12 * 1024)), 16 objects, min_partial 5,
// cpu_partial 24 -> cpu_partial_slabs = ceil(48 / 16) = 3.
// Slab pages (order 2, pcp batch max(3 >> 2, 2) = 2): 4096 and 4100 (after stealing the order-10
// block @4096), then 4104 and 4108 (from the order-3 block 4104), then 4112 (order-4 block 4112).
TEST_CASE("Partial slabs: per-cpu chain - drain to the node list - get_partial_node", "[os][slub]") {
    stats::Registry r;
    PageAllocator pa(small_machine(), k64MiB, r);
    Slub slub({}, pa, r);
    Slub::cache_id t = slub.kmem_cache_create("test", 1024);
    Slub::CacheInfo ci = slub.info(t);
    REQUIRE(ci.order == 2);
    REQUIRE(ci.objects == 16);
    REQUIRE(ci.cpu_partial_slabs == 3);
    std::vector<uint64_t> objs;
    for (int i = 0; i < 80; ++i) objs.push_back(slub.kmem_cache_alloc(t, 0));
    const pfn_t slab_pfn[5] = {4096, 4100, 4104, 4108, 4112};  // A B C D E
    for (int s = 0; s < 5; ++s) CHECK(objs[size_t(s) * 16] == slab_pfn[s] << 12);
    // A..D are full and on no list; E is cpu 0's slab. All objects count as active.
    CHECK(slub.slabinfo() ==
          "slabinfo - version: 2.1\n"
          "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> "
          "<batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>\n"
          "test                  80     80   1024   16    4 : tunables    0    0    0 : slabdata      5      5      0\n"
          "kmalloc-8k             0      0   8192    4    8 : tunables    0    0    0 : slabdata      0      0      0\n"
          "kmalloc-4k             0      0   4096    8    8 : tunables    0    0    0 : slabdata      0      0      0\n"
          "kmalloc-2k             0      0   2048   16    8 : tunables    0    0    0 : slabdata      0      0      0\n"
          "kmalloc-1k             0      0   1024   16    4 : tunables    0    0    0 : slabdata      0      0      0\n"
          "kmalloc-512            0      0    512   16    2 : tunables    0    0    0 : slabdata      0      0      0\n"
          "kmalloc-256            0      0    256   16    1 : tunables    0    0    0 : slabdata      0      0      0\n"
          "kmalloc-192            0      0    192   21    1 : tunables    0    0    0 : slabdata      0      0      0\n"
          "kmalloc-128            0      0    128   32    1 : tunables    0    0    0 : slabdata      0      0      0\n"
          "kmalloc-96             0      0     96   42    1 : tunables    0    0    0 : slabdata      0      0      0\n"
          "kmalloc-64             0      0     64   64    1 : tunables    0    0    0 : slabdata      0      0      0\n"
          "kmalloc-32             0      0     32  128    1 : tunables    0    0    0 : slabdata      0      0      0\n"
          "kmalloc-16             0      0     16  256    1 : tunables    0    0    0 : slabdata      0      0      0\n"
          "kmalloc-8              0      0      8  512    1 : tunables    0    0    0 : slabdata      0      0      0\n");
    // Freeing the first object of A, B, C (cpu 0): each full slab is frozen onto cpu 0's partial chain
    // (put_cpu_partial with drain): C(3) -> B(2) -> A(1).
    for (int s = 0; s < 3; ++s) slub.kmem_cache_free(t, objs[size_t(s) * 16], 0);
    CHECK(slub.info(t).nr_partial == 0);
    // D: the chain already holds 3 = cpu_partial_slabs: __unfreeze_partials moves C, B, A to the node
    // partial list's tail, in that order; D starts a new chain.
    slub.kmem_cache_free(t, objs[48], 0);
    CHECK(slub.info(t).nr_partial == 3);
    // active_objs subtracts only the node-partial slabs' free objects: 80 - 3.
    CHECK(slub.slabinfo().find("test                  77     80   1024   16    4 :") != std::string::npos);
    // cpu 1 has no slab: get_partial_node acquires C (the cpu slab, its one free object returned),
    // then B to cpu 1's partial chain (1 slab), then A (2 > cpu_partial_slabs / 2 = 1: stop).
    CHECK(slub.kmem_cache_alloc(t, 1) == objs[32]);
    CHECK(slub.info(t).nr_partial == 0);
    // cpu 1's next allocation: C has no more free objects -> the partial chain's head, A (pushed last).
    CHECK(slub.kmem_cache_alloc(t, 1) == objs[0]);
    CHECK(slub.kmem_cache_alloc(t, 1) == objs[16]);
}

// An empty slab on the node list goes back to the page allocator once the node keeps min_partial.
TEST_CASE("Empty slabs beyond min_partial return their pages", "[os][slub]") {
    stats::Registry r;
    PageAllocator pa(small_machine(), k64MiB, r);
    Slub slub({}, pa, r);
    Slub::cache_id t = slub.kmem_cache_create("test", 1024);  // min_partial 5, 3 cpu partial slabs
    std::vector<uint64_t> objs;
    for (int i = 0; i < 16 * 9; ++i) objs.push_back(slub.kmem_cache_alloc(t, 0));  // 9 slabs, the 9th is cpu 0's
    // One free in each of slabs 0..7: chains of 3 drain to the node as the 4th and 7th arrive:
    // node partial after slab 6's free: [2, 1, 0, 5, 4, 3]; cpu chain [7, 6].
    for (int s = 0; s < 8; ++s) slub.kmem_cache_free(t, objs[size_t(s) * 16], 0);
    REQUIRE(slub.info(t).nr_partial == 6);
    // Empty slab 3 (on the node list) completely: the last free finds inuse 0 and nr_partial 6 >= 5:
    // remove_partial + discard_slab -> its 4 pages go back through free_pages (pcp order 2 of cpu 1).
    uint64_t slabs_before = slub.info(t).nr_slabs;
    for (int i = 1; i < 16; ++i) slub.kmem_cache_free(t, objs[size_t(3 * 16 + i)], 1);
    CHECK(slub.info(t).nr_slabs == slabs_before - 1);
    CHECK(slub.info(t).nr_partial == 5);
    CHECK(r.value("os.slub.slabs_freed") == 1);
    const pfn_t pfn3 = objs[48] >> 12;
    CHECK(pa.page(pfn3).owner == PageOwner::Free);
    CHECK(pa.pcp_list(ZoneType::DMA32, 1, 2, MigrateType::Unmovable).front() == pfn3);
    // Emptying slab 4 as well: now nr_partial 5 >= 5 still -> discarded.
    for (int i = 1; i < 16; ++i) slub.kmem_cache_free(t, objs[size_t(4 * 16 + i)], 1);
    CHECK(slub.info(t).nr_partial == 4);
    // Emptying slab 5: nr_partial 4 < 5 -> kept, empty, on the node list.
    for (int i = 1; i < 16; ++i) slub.kmem_cache_free(t, objs[size_t(5 * 16 + i)], 1);
    CHECK(slub.info(t).nr_partial == 4);
    CHECK(r.value("os.slub.slabs_freed") == 2);
}

TEST_CASE("kmalloc above 8 KiB goes to the page allocator", "[os][slub]") {
    stats::Registry r;
    PageAllocator pa(small_machine(), k64MiB, r);
    Slub slub({}, pa, r);
    // 8193 bytes: get_order = 2 (16 KiB). GFP_KERNEL unmovable order 2 via the pcp list (batch 2):
    // the stolen order-10 block @4096 gives 4096 and 4100.
    uint64_t a = slub.kmalloc(8193, 0);
    CHECK(a == uint64_t(4096) << 12);
    CHECK(pa.page(4096).order == 2);
    CHECK(pa.page(4096).owner == PageOwner::Kernel);
    CHECK(r.value("os.slub.kmalloc_large") == 1);
    // 5 MiB is order 11: beyond MAX_ORDER - 1, a failure.
    CHECK(slub.kmalloc(5 << 20, 0) == 0);
    CHECK(r.value("os.slub.alloc_failures") == 1);
    slub.kfree(a, 0);
    CHECK(pa.page(4096).owner == PageOwner::Free);
    CHECK(pa.pcp_list(ZoneType::DMA32, 0, 2, MigrateType::Unmovable) == (std::vector<pfn_t>{4096, 4100}));
    CHECK_THROWS_AS(slub.kfree(a, 0), SimulationError);
}
