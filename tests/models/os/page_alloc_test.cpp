// The page allocator against Linux 6.1's rules (mm/page_alloc.c, mm/memblock.c), worked by hand.
//
// The test machine: 64 MiB = 16384 frames, 2 cpus, the first 1 MiB reserved, no kernel image and no
// memmap reservation, so the free memory is [pfn 256, pfn 16384):
//   RAM (x86 e820)    pfn 1..0x9e and 0x100..16383;  pfn 0 and 0x9f..0xff are holes
//   zone DMA          start_pfn 1, spanned 4095, present 0x9e + 3840 = 3998, managed 3840
//   zone DMA32        start_pfn 4096, spanned = present = managed = 12288;  Normal empty
// __free_pages_memory(256, 16384) frees the largest aligned blocks, each at its list's tail
// (FPI_TO_TAIL): order 8 @256, order 9 @512, order 10 @1024, 2048, 3072 ... 15360.
// memmap_init marks MIGRATE_MOVABLE the pageblocks whose first pfn is RAM: all but pageblock 0
// (pfn 0 is a hole), so the order-8 block @256 is on the Unmovable list.
#include <catch2/catch.hpp>

#include <vector>

#include "models/os/page_alloc.h"
#include "models/os/zone.h"
#include "sim/core/error.h"
#include "tests/models/os/small_machine.h"

using namespace memsim;
using namespace memsim::os;
using namespace memsim::os::testing;

namespace {

const Gfp kMovable{ZoneType::Normal, MigrateType::Movable, false};

std::vector<pfn_t> down(pfn_t first, pfn_t last) {
    std::vector<pfn_t> v;
    for (pfn_t p = first; p >= last; --p) v.push_back(p);
    return v;
}

std::vector<pfn_t> step(pfn_t first, pfn_t last, pfn_t by) {
    std::vector<pfn_t> v;
    for (pfn_t p = first; p <= last; p += by) v.push_back(p);
    return v;
}

}  // namespace

TEST_CASE("Boot frees memory as memblock_free_all does", "[os][page_alloc]") {
    stats::Registry r;
    PageAllocator pa(small_machine(), k64MiB, r);
    CHECK(pa.total_pages() == 16384);
    CHECK(pa.buddyinfo() ==
          "Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      1      3 \n"
          "Node 0, zone    DMA32      0      0      0      0      0      0      0      0      0      0     12 \n");
    CHECK(pa.free_list(ZoneType::DMA, 8, MigrateType::Unmovable) == std::vector<pfn_t>{256});
    CHECK(pa.free_list(ZoneType::DMA, 9, MigrateType::Movable) == std::vector<pfn_t>{512});
    CHECK(pa.free_list(ZoneType::DMA, 10, MigrateType::Movable) == (std::vector<pfn_t>{1024, 2048, 3072}));
    // Tail placement in increasing pfn order: the lowest block is the head.
    CHECK(pa.free_list(ZoneType::DMA32, 10, MigrateType::Movable) == step(4096, 15360, 1024));
    CHECK(pa.free_page_count() == 3840 + 12288);
    CHECK(r.value("os.buddy.free_pages") == 16128);
    CHECK(pa.page(0).owner == PageOwner::Reserved);
    CHECK(pa.page(255).owner == PageOwner::Reserved);
    CHECK(pa.page(256).owner == PageOwner::Free);
    CHECK(pa.pageblock_migratetype(0) == MigrateType::Unmovable);
    CHECK(pa.pageblock_migratetype(512) == MigrateType::Movable);
}

// Watermarks on the 64 MiB machine. lowmem = 3840 + 12288 = 16128 managed pages.
// init_per_zone_wmark_min: min_free_kbytes = int_sqrt(16128 * 4 * 16) = int_sqrt(1032192) = 1015.
// khugepaged's set_recommended_min_free_kbytes, two populated zones:
//   512*2*2 + 512*2*3*3 = 11264 pages, capped at nr_free_buffer_pages()/20 where (with the 1015 kB
//   watermarks: DMA high 90, DMA32 high 288) nr_free_buffer_pages = 3750 + 12000 = 15750 -> 787 pages
//   = 3148 kB > 1015, so min_free_kbytes = 3148, pages_min = 787.
// __setup_per_zone_wmarks:
//   DMA   min = 787*3840/16128  = 187;  tmp = max(187>>2, 3840*10/10000)  = max(46, 3)  = 46
//         low = 233, high = 279
//   DMA32 min = 787*12288/16128 = 599;  tmp = max(599>>2, 12288*10/10000) = max(149, 12) = 149
//         low = 748, high = 897
// lowmem_reserve (ratios 256, 256, 32): DMA protects 12288/256 = 48 pages against every higher zone.
// zone_batchsize: DMA min(3840>>10, 256)/4 = 0 -> 1 -> rounddown_pow_of_two(1)-1 = 0 -> max(1, 0) = 1
//                 DMA32 min(12, 256)/4 = 3 -> rounddown_pow_of_two(3 + 1) - 1 = 3
// zone_highsize:  DMA 233/2 = 116; DMA32 748/2 = 374 (both above batch*4)
// calculate_normal_threshold: 2 * fls(2) * (1 + fls(managed >> 15)) = 4 * (1 + 0) = 4
TEST_CASE("zoneinfo shows 6.1's watermarks - protection and pagesets", "[os][page_alloc]") {
    stats::Registry r;
    PageAllocator pa(small_machine(), k64MiB, r);
    CHECK(pa.min_free_kbytes() == 3148);
    const std::string pcp_dma =
        "\n  pagesets"
        "\n    cpu: 0\n              count: 0\n              high:  116\n              batch: 1\n  vm stats threshold: 4"
        "\n    cpu: 1\n              count: 0\n              high:  116\n              batch: 1\n  vm stats threshold: 4";
    const std::string pcp_dma32 =
        "\n  pagesets"
        "\n    cpu: 0\n              count: 0\n              high:  374\n              batch: 3\n  vm stats threshold: 4"
        "\n    cpu: 1\n              count: 0\n              high:  374\n              batch: 3\n  vm stats threshold: 4";
    const std::string expected =
        "Node 0, zone      DMA"
        "\n  pages free     3840\n        boost    0\n        min      187\n        low      233\n        high     279"
        "\n        spanned  4095\n        present  3998\n        managed  3840\n        cma      0"
        "\n        protection: (0, 48, 48, 48, 48)"
        "\n      nr_free_pages 3840" +
        pcp_dma + "\n  node_unreclaimable:  0\n  start_pfn:           1\n" +
        "Node 0, zone    DMA32"
        "\n  pages free     12288\n        boost    0\n        min      599\n        low      748\n        high     897"
        "\n        spanned  12288\n        present  12288\n        managed  12288\n        cma      0"
        "\n        protection: (0, 0, 0, 0, 0)"
        "\n      nr_free_pages 12288" +
        pcp_dma32 + "\n  node_unreclaimable:  0\n  start_pfn:           4096\n" +
        "Node 0, zone   Normal"
        "\n  pages free     0\n        boost    0\n        min      0\n        low      0\n        high     0"
        "\n        spanned  0\n        present  0\n        managed  0\n        cma      0"
        "\n        protection: (0, 0, 0, 0, 0)\n"
        "Node 0, zone  Movable"
        "\n  pages free     0\n        boost    0\n        min      0\n        low      0\n        high     0"
        "\n        spanned  0\n        present  0\n        managed  0\n        cma      0"
        "\n        protection: (0, 0, 0, 0, 0)\n"
        "Node 0, zone   Device"
        "\n  pages free     0\n        boost    0\n        min      0\n        low      0\n        high     0"
        "\n        spanned  0\n        present  0\n        managed  0\n        cma      0"
        "\n        protection: (0, 0, 0, 0, 0)\n";
    CHECK(pa.zoneinfo() == expected);
}

// The default 4 GiB machine: kernel image [16 MiB, 48 MiB) = pfn 4096..12287, struct pages
// 1048576*64/4096 = 16384 frames at the top. DMA32 managed = 1048576 - 4096 - 8192 - 16384 = 1019904.
// lowmem = 1023744 -> min_free_kbytes int_sqrt(1023744*64) = 8094; THP: 11264 pages < 1019678/20, so
// 45056 kB, pages_min 11264.
//   DMA   min 11264*3840/1023744 = 42,       tmp max(10, 3)       -> low 52,    high 62
//   DMA32 min 11264*1019904/1023744 = 11221, tmp max(2805, 1019)  -> low 14026, high 16831
//   (this host's 6.18 kernel, with min_free_kbytes 67584, shows DMA 42/52/62 as well)
//   DMA protection 1019904/256 = 3984; DMA32 batch min(996, 256)/4 = 64 -> 96 -> 64 - 1 = 63,
//   high 14026/2 = 7013; DMA high 52/2 = 26; vmstat threshold DMA32 4 * (1 + fls(31)) = 24.
TEST_CASE("The default 4 GiB machine's watermarks", "[os][page_alloc]") {
    stats::Registry r;
    PageAllocParams p;
    PageAllocator pa(p, uint64_t(4) << 30, r);
    CHECK(pa.min_free_kbytes() == 45056);
    const Zone& dma = pa.zone(ZoneType::DMA);
    const Zone& dma32 = pa.zone(ZoneType::DMA32);
    CHECK(dma.managed == 3840);
    CHECK(dma32.managed == 1019904);
    CHECK(dma.watermark[kWmarkMin] == 42);
    CHECK(dma.watermark[kWmarkLow] == 52);
    CHECK(dma.watermark[kWmarkHigh] == 62);
    CHECK(dma32.watermark[kWmarkMin] == 11221);
    CHECK(dma32.watermark[kWmarkLow] == 14026);
    CHECK(dma32.watermark[kWmarkHigh] == 16831);
    CHECK(dma.lowmem_reserve[1] == 3984);
    CHECK(dma32.lowmem_reserve[2] == 0);
    CHECK(dma32.pcp[0].batch == 63);
    CHECK(dma32.pcp[0].high == 7013);
    CHECK(dma.pcp[1].high == 26);
    CHECK(dma32.stat_threshold == 24);
    CHECK_FALSE(pa.zone(ZoneType::Normal).populated());
    // The kernel image is reserved; the frame after it is the first free one in DMA32.
    CHECK(pa.page(12287).owner == PageOwner::Reserved);
    CHECK(pa.page(12288).owner == PageOwner::Free);
}

TEST_CASE("Allocation refills the pcp list from expand()'s split - in physical order", "[os][page_alloc]") {
    stats::Registry r;
    PageAllocator pa(small_machine(), k64MiB, r);
    // A movable order-0 request: zonelist DMA32, DMA (Normal is empty, so no ALLOC_NOFRAGMENT).
    // DMA32 passes the low watermark (12288 > 748). The pcp list is empty: rmqueue_bulk takes
    // batch = max(3 >> 0, 2) = 3 blocks:
    //   1st: order-10 @4096 split by expand(): 4608 (o9), 4352 (o8), 4224 (o7), 4160 (o6), 4128 (o5),
    //        4112 (o4), 4104 (o3), 4100 (o2), 4098 (o1), 4097 (o0), each at its list's head; 4096 returned
    //   2nd: 4097 from order 0;  3rd: 4098 from order 1, its upper half 4099 to order 0
    // The three go to the pcp list's tail: [4096, 4097, 4098]; the allocation takes the head.
    CHECK(pa.alloc_pages(0, kMovable, 0, PageOwner::User) == 4096);
    CHECK(pa.pcp_list(ZoneType::DMA32, 0, 0, MigrateType::Movable) == (std::vector<pfn_t>{4097, 4098}));
    CHECK(pa.pcp_count(ZoneType::DMA32, 0) == 2);
    CHECK(pa.free_list(ZoneType::DMA32, 0, MigrateType::Movable) == std::vector<pfn_t>{4099});
    CHECK(pa.free_list(ZoneType::DMA32, 2, MigrateType::Movable) == std::vector<pfn_t>{4100});
    CHECK(pa.free_list(ZoneType::DMA32, 9, MigrateType::Movable) == std::vector<pfn_t>{4608});
    CHECK(pa.free_list(ZoneType::DMA32, 10, MigrateType::Movable) == step(5120, 15360, 1024));
    CHECK(pa.buddyinfo() ==
          "Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      1      3 \n"
          "Node 0, zone    DMA32      1      0      1      1      1      1      1      1      1      1     11 \n");
    // NR_FREE_PAGES no longer counts the three pages taken to the pcp list.
    CHECK(pa.free_page_count() == 3840 + 12285);
    CHECK(pa.page(4096).owner == PageOwner::User);
    CHECK(pa.page(4096).refcount == 1);

    CHECK(pa.alloc_pages(0, kMovable, 0, PageOwner::User) == 4097);
    CHECK(pa.alloc_pages(0, kMovable, 0, PageOwner::User) == 4098);
    // Refill: 4099 (o0); 4100 (o2 split: 4102 to o1, 4101 to o0); 4101.
    CHECK(pa.alloc_pages(0, kMovable, 0, PageOwner::User) == 4099);
    CHECK(pa.pcp_list(ZoneType::DMA32, 0, 0, MigrateType::Movable) == (std::vector<pfn_t>{4100, 4101}));
    CHECK(pa.free_list(ZoneType::DMA32, 1, MigrateType::Movable) == std::vector<pfn_t>{4102});
    CHECK(pa.free_list(ZoneType::DMA32, 0, MigrateType::Movable).empty());
    // The other cpu has its own list: it refills with the next three, 4102, 4103, 4104.
    CHECK(pa.alloc_pages(0, kMovable, 1, PageOwner::User) == 4102);
    CHECK(pa.pcp_list(ZoneType::DMA32, 1, 0, MigrateType::Movable) == (std::vector<pfn_t>{4103, 4104}));
    CHECK(r.value("os.pcp.refills") == 3);
    CHECK(r.value("os.buddy.allocs.order0") == 5);
}

TEST_CASE("Orders above 3 split from the buddy lists directly", "[os][page_alloc]") {
    stats::Registry r;
    PageAllocator pa(small_machine(), k64MiB, r);
    // Order 5 is not a pcp order: rmqueue_buddy. DMA32 order-10 @4096 splits into 4608 (o9), 4352 (o8),
    // 4224 (o7), 4160 (o6), 4128 (o5); 4096 returned.
    CHECK(pa.alloc_pages(5, kMovable, 0, PageOwner::User) == 4096);
    CHECK(pa.free_list(ZoneType::DMA32, 5, MigrateType::Movable) == std::vector<pfn_t>{4128});
    CHECK(pa.free_page_count() == 16128 - 32);
    CHECK(pa.page(4096).flags & pg::kHead);
    CHECK(pa.page(4127).flags & pg::kTail);
    // The next order-5 takes the head of order 5, 4128, without splitting.
    CHECK(pa.alloc_pages(5, kMovable, 0, PageOwner::User) == 4128);
    // Freeing 4096 (o5): buddy 4128 is allocated, no merge. buddy_merge_likely: the order-6 buddy of
    // 4096 is 4160, free at order 6 -> the block goes to the tail (the list was empty anyway).
    pa.free_pages(4096, 5, 0);
    CHECK(pa.free_list(ZoneType::DMA32, 5, MigrateType::Movable) == std::vector<pfn_t>{4096});
    // Freeing 4128 merges 4128+4096 -> 4096 o6, + 4160 -> o7, + 4224 -> o8, + 4352 -> o9, + 4608 -> o10.
    // The order-10 block goes to the head (order >= MAX_ORDER - 2: no merge is "likely").
    pa.free_pages(4128, 5, 0);
    CHECK(pa.free_list(ZoneType::DMA32, 10, MigrateType::Movable).front() == 4096);
    CHECK(pa.buddyinfo() ==
          "Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      1      3 \n"
          "Node 0, zone    DMA32      0      0      0      0      0      0      0      0      0      0     12 \n");
    CHECK(pa.free_page_count() == 16128);
}

// Head or tail: __free_one_page puts a block it could not merge at the tail when the buddy of the
// merged-to-be block at the next order is free (buddy_merge_likely), else at the head.
TEST_CASE("Freed order-0 pages go to the head or the tail by buddy_merge_likely", "[os][page_alloc]") {
    stats::Registry r;
    PageAllocator pa(small_machine(), k64MiB, r);
    // Order 4 from the buddy lists: 4096..4111; free lists hold 4112 (o4), 4128 (o5), ... 4608 (o9).
    REQUIRE(pa.alloc_pages(4, kMovable, 0, PageOwner::User) == 4096);
    // Orders 4..10 other than 9 never use the pcp lists, so free_pages goes straight to the buddy lists.
    // Take three more order-4 blocks: 4112, then 4128 split (4144 to o4) -> 4128, then 4144.
    REQUIRE(pa.alloc_pages(4, kMovable, 0, PageOwner::User) == 4112);
    REQUIRE(pa.alloc_pages(4, kMovable, 0, PageOwner::User) == 4128);
    REQUIRE(pa.alloc_pages(4, kMovable, 0, PageOwner::User) == 4144);
    // Free 4096 (o4): buddy 4112 allocated. Next-order buddy of 4096 is 4128 (o5) -> allocated -> head.
    pa.free_pages(4096, 4, 0);
    // Free 4144 (o4): buddy 4128 allocated. Next-order buddy of 4128 is 4096 at o5? 4096 is free only
    // at order 4 -> not likely -> head. The o4 list is now [4144, 4096].
    pa.free_pages(4144, 4, 0);
    CHECK(pa.free_list(ZoneType::DMA32, 4, MigrateType::Movable) == (std::vector<pfn_t>{4144, 4096}));
    // Free 4112 (o4): merges with 4096 -> 4096 o5; its buddy 4128 is allocated. Next-order (o6) buddy
    // of 4096 is 4160, free at o6 -> tail of o5.
    pa.free_pages(4112, 4, 0);
    CHECK(pa.free_list(ZoneType::DMA32, 4, MigrateType::Movable) == std::vector<pfn_t>{4144});
    CHECK(pa.free_list(ZoneType::DMA32, 5, MigrateType::Movable) == std::vector<pfn_t>{4096});
}

// free_unref_page and free_pcppages_bulk with a small high: min_free_kbytes = 128 gives pages_min 32,
// DMA32 min 32*12288/16128 = 24, tmp max(6, 12) = 12, low 36 -> pcp high max(36/2, 3*4) = 18, batch 3.
TEST_CASE("A pcp list that reaches high is drained from its tail", "[os][page_alloc]") {
    stats::Registry r;
    PageAllocParams p = small_machine();
    p.min_free_kbytes = 128;
    PageAllocator pa(p, k64MiB, r);
    REQUIRE(pa.zone(ZoneType::DMA32).pcp[0].high == 18);
    // 20 allocations: seven refills of three take 4096..4116 in physical order; 4116 stays on the list.
    for (pfn_t want = 4096; want < 4116; ++want) REQUIRE(pa.alloc_pages(0, kMovable, 0, PageOwner::User) == want);
    REQUIRE(pa.pcp_list(ZoneType::DMA32, 0, 0, MigrateType::Movable) == std::vector<pfn_t>{4116});
    // Buddy lists now: 4117 (o0), 4118 (o1), 4120 (o3), 4128 (o5), 4160 (o6) ... 4608 (o9).
    // Free 4096..4112: each goes to the list head; the 17th free brings count to 1 + 17 = 18 = high.
    for (pfn_t f = 4096; f <= 4112; ++f) pa.free_pages(f, 0, 0);
    // nr_pcp_free: min 3, max 18 - 3 = 15, batch 3 << free_factor 0 = 3 (free_factor becomes 1).
    // Three pages from the tail of [4112 ... 4096, 4116]: 4116, 4096, 4097.
    //   4116 merges with 4117 (o0) and 4118 (o1) into 4116 o2; its buddy 4112 sits on the pcp list.
    //        Likely: the o3 buddy of 4112 is 4120, free at o3 -> tail.
    //   4096: buddy 4097 on the pcp list; o1 buddy 4098 on the pcp list -> head of o0.
    //   4097: merges with 4096 into 4096 o1; buddy 4098 on the pcp list; o2 buddy 4100 likewise -> head.
    CHECK(r.value("os.pcp.drains") == 1);
    CHECK(pa.pcp_count(ZoneType::DMA32, 0) == 15);
    CHECK(pa.pcp_list(ZoneType::DMA32, 0, 0, MigrateType::Movable) == down(4112, 4098));
    CHECK(pa.free_list(ZoneType::DMA32, 0, MigrateType::Movable).empty());
    CHECK(pa.free_list(ZoneType::DMA32, 1, MigrateType::Movable) == std::vector<pfn_t>{4096});
    CHECK(pa.free_list(ZoneType::DMA32, 2, MigrateType::Movable) == std::vector<pfn_t>{4116});
    CHECK(pa.free_list(ZoneType::DMA32, 3, MigrateType::Movable) == std::vector<pfn_t>{4120});
    // Three more frees (4113..4115) bring count to 18 again: batch 3 << free_factor 1 = 6 (free_factor
    // becomes 2). Tail first: 4098..4103.
    //   4098: buddy 4099 on pcp; likely: o1 buddy of 4098 is 4096, free at o1 -> tail of o0
    //   4099: + 4098 -> 4098 o1, + 4096 -> 4096 o2; buddy 4100 on pcp; o3 buddy 4104 on pcp -> head
    //   4100: buddy 4101 on pcp; o1 buddy 4102 on pcp -> head of o0
    //   4101: + 4100 -> 4100 o1; buddy 4102 on pcp; o2 buddy of 4100 is 4096, free at o2 -> tail
    //   4102: buddy 4103 on pcp; o1 buddy 4100 free at o1 -> tail of o0
    //   4103: + 4102 -> o1, + 4100 -> 4100 o2, + 4096 -> 4096 o3; buddy 4104 on pcp; o4 buddy 4112
    //         on pcp -> head of o3: [4096, 4120]
    for (pfn_t f = 4113; f <= 4115; ++f) pa.free_pages(f, 0, 0);
    CHECK(r.value("os.pcp.drains") == 2);
    CHECK(pa.pcp_count(ZoneType::DMA32, 0) == 12);
    CHECK(pa.pcp_list(ZoneType::DMA32, 0, 0, MigrateType::Movable) ==
          (std::vector<pfn_t>{4115, 4114, 4113, 4112, 4111, 4110, 4109, 4108, 4107, 4106, 4105, 4104}));
    CHECK(pa.free_list(ZoneType::DMA32, 0, MigrateType::Movable).empty());
    CHECK(pa.free_list(ZoneType::DMA32, 1, MigrateType::Movable).empty());
    CHECK(pa.free_list(ZoneType::DMA32, 2, MigrateType::Movable) == std::vector<pfn_t>{4116});
    CHECK(pa.free_list(ZoneType::DMA32, 3, MigrateType::Movable) == (std::vector<pfn_t>{4096, 4120}));
    CHECK(pa.zone(ZoneType::DMA32).pcp[0].free_factor == 2);
    // DMA32 NR_FREE_PAGES: 12288 - 21 taken to pcp + 3 + 6 drained.
    CHECK(pa.zone(ZoneType::DMA32).free_pages == 12276);
    CHECK(r.value("os.pcp.drained_pages") == 9);
}

// Falling back: an unmovable request finds only movable blocks. __rmqueue_fallback looks from the
// highest order down; an order >= pageblock_order block is taken whole (change_pageblock_range).
TEST_CASE("An unmovable request steals a whole order-10 block", "[os][page_alloc]") {
    stats::Registry r;
    PageAllocator pa(small_machine(), k64MiB, r);
    // GFP_DMA32 kernel allocation: zonelist DMA32, DMA; pcp batch 3 for the unmovable order-0 list.
    // 1st __rmqueue: no unmovable block in DMA32 -> fallback: order 10, fallbacks[UNMOVABLE] =
    // {RECLAIMABLE (empty), MOVABLE} -> head 4096; pageblocks 8 and 9 become unmovable; the block moves
    // to the unmovable order-10 list's tail and __rmqueue_smallest splits it there.
    CHECK(pa.alloc_pages(0, Gfp::dma32(), 0, PageOwner::Kernel) == 4096);
    CHECK(pa.pcp_list(ZoneType::DMA32, 0, 0, MigrateType::Unmovable) == (std::vector<pfn_t>{4097, 4098}));
    CHECK(pa.pageblock_migratetype(4096) == MigrateType::Unmovable);
    CHECK(pa.pageblock_migratetype(4608) == MigrateType::Unmovable);
    CHECK(pa.pageblock_migratetype(5120) == MigrateType::Movable);
    CHECK(pa.free_list(ZoneType::DMA32, 9, MigrateType::Unmovable) == std::vector<pfn_t>{4608});
    CHECK(pa.free_list(ZoneType::DMA32, 10, MigrateType::Movable) == step(5120, 15360, 1024));
    CHECK(r.value("os.buddy.fallbacks") == 1);
    CHECK(r.value("os.buddy.steals") == 1);
    const std::string info = pa.pagetypeinfo();
    CHECK(info.find("Node 0, zone    DMA32            2           22            0            0            0 \n") !=
          std::string::npos);
    CHECK(info.find("Node    0, zone    DMA32, type    Unmovable      1      0      1      1      1      1      1"
                    "      1      1      1      0 \n") != std::string::npos);
}

// A movable request in a zone whose only free block is unmovable and smaller than a pageblock:
// steal_suitable_fallback moves the pageblock's free pages and claims the block when at least half
// of it is free or alike (256 >= 512/2).
TEST_CASE("A movable request claims a pageblock that is half free", "[os][page_alloc]") {
    stats::Registry r;
    PageAllocator pa(small_machine(), k64MiB, r);
    const Gfp dma_movable{ZoneType::DMA, MigrateType::Movable, false};
    // Empty the DMA zone's movable blocks: three order-10 (rmqueue_buddy: 1024, 2048, 3072; the low
    // watermark test 3840 - 1023 > 233 etc. passes) and the order-9 via the THP pcp list (512).
    CHECK(pa.alloc_pages(10, dma_movable, 0, PageOwner::User) == 1024);
    CHECK(pa.alloc_pages(10, dma_movable, 0, PageOwner::User) == 2048);
    CHECK(pa.alloc_pages(10, dma_movable, 0, PageOwner::User) == 3072);
    CHECK(pa.alloc_pages(9, dma_movable, 0, PageOwner::User) == 512);
    // DMA holds 256 free pages, all in the unmovable order-8 block @256; 256 > low 233.
    // Movable order 0 (pcp batch 1): no movable block -> fallback; the largest suitable is order 8 on
    // the unmovable list; can_steal_fallback(8, MOVABLE): 8 >= pageblock_order/2 -> whole block.
    // move_freepages_block: the pageblock starts at pfn 0, which DMA (start_pfn 1) does not span, so
    // the walk starts at 256: 256 free pages moved, 0 movable in use. 256 + 0 >= 256 -> claimed.
    CHECK(pa.alloc_pages(0, dma_movable, 0, PageOwner::User) == 256);
    CHECK(pa.pageblock_migratetype(0) == MigrateType::Movable);
    CHECK(pa.free_list(ZoneType::DMA, 7, MigrateType::Movable) == std::vector<pfn_t>{384});
    CHECK(pa.free_list(ZoneType::DMA, 8, MigrateType::Unmovable).empty());
    CHECK(r.value("os.buddy.steals") == 1);
}

TEST_CASE("Allocation failure is a result - and the watermark decides", "[os][page_alloc]") {
    stats::Registry r;
    PageAllocator pa(small_machine(), k64MiB, r);
    // GFP_DMA: DMA only. Min watermark 187 pages: order 10 needs 3840 - 1023 > 233 (low) at first.
    const Gfp dma = Gfp::dma();
    CHECK(pa.alloc_pages(10, dma, 0, PageOwner::Kernel) == 1024);   // free 2816
    CHECK(pa.alloc_pages(10, dma, 0, PageOwner::Kernel) == 2048);   // free 1792
    CHECK(pa.alloc_pages(10, dma, 0, PageOwner::Kernel) == 3072);   // 1792 - 1023 = 769 > 233; free 768
    // The order-9 block @512 is movable: an unmovable order-9 (pcp order) falls back and takes it.
    // Watermark: 768 - 511 = 257 > 233.
    CHECK(pa.alloc_pages(9, dma, 0, PageOwner::Kernel) == 512);     // free 256
    // Order 8: 256 - 255 = 1 <= min 187 even in the slow path: failure.
    CHECK(pa.alloc_pages(8, dma, 0, PageOwner::Kernel) == kNoPage);
    CHECK(r.value("os.buddy.alloc_failures") == 1);
    // Order 0: 256 > 233: succeeds from the unmovable order-8 block.
    CHECK(pa.alloc_pages(0, dma, 0, PageOwner::Kernel) == 256);
    // An order beyond MAX_ORDER - 1 is refused the same way.
    CHECK(pa.alloc_pages(11, Gfp::kernel(), 0, PageOwner::Kernel) == kNoPage);
    CHECK(r.value("os.buddy.alloc_failures") == 2);
}

TEST_CASE("A Normal request below 4 GiB keeps to DMA32 while DMA's reserve holds", "[os][page_alloc]") {
    stats::Registry r;
    PageAllocator pa(small_machine(), k64MiB, r);
    // Order-10 GFP_KERNEL requests: zonelist DMA32, DMA. DMA32 passes the low watermark while
    // free - 1023 > 748: with k blocks taken, 12288 - 1024k - 1023 > 748 holds for k <= 10, so 11 come
    // from DMA32 and leave 1024 free (1024 - 1023 = 1 fails even the min watermark 599). The 12th goes
    // to DMA, which must keep its lowmem_reserve against Normal requests: 3840 - 1023 > 233 + 48.
    for (int k = 0; k < 11; ++k) REQUIRE(pa.alloc_pages(10, Gfp::kernel(), 0, PageOwner::Kernel) != kNoPage);
    CHECK(pa.zone(ZoneType::DMA32).free_pages == 1024);
    pfn_t next = pa.alloc_pages(10, Gfp::kernel(), 0, PageOwner::Kernel);
    CHECK(next == 1024);  // from DMA
}

TEST_CASE("Freeing what is not allocated is the caller's error", "[os][page_alloc]") {
    stats::Registry r;
    PageAllocator pa(small_machine(), k64MiB, r);
    CHECK_THROWS_AS(pa.free_pages(5000, 0, 0), SimulationError);       // free
    CHECK_THROWS_AS(pa.free_pages(10, 0, 0), SimulationError);         // reserved
    pfn_t b = pa.alloc_pages(2, kMovable, 0, PageOwner::User);
    CHECK_THROWS_WITH(pa.free_pages(b, 1, 0),
                      "free_pages(pfn " + std::to_string(b) + ", order 1): the block was allocated with order 2");
    CHECK_THROWS_AS(pa.free_pages(b + 1, 0, 0), SimulationError);      // inside the block
    pa.free_pages(b, 2, 0);
    CHECK_THROWS_AS(pa.free_pages(b, 2, 0), SimulationError);          // double free
    CHECK_THROWS_AS(pa.alloc_pages(0, kMovable, 2, PageOwner::User), SimulationError);  // cpu >= ncpus
}

TEST_CASE("Random alloc/free keeps the buddy invariants", "[os][page_alloc]") {
    stats::Registry r;
    PageAllocParams p = small_machine();
    PageAllocator pa(p, k64MiB, r);
    struct Block {
        pfn_t pfn;
        unsigned order, cpu;
    };
    std::vector<Block> live;
    uint64_t seed = 12345;
    auto rnd = [&] {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        return unsigned(seed >> 33);
    };
    const MigrateType mts[] = {MigrateType::Unmovable, MigrateType::Movable, MigrateType::Reclaimable};
    for (int i = 0; i < 20000; ++i) {
        if (live.empty() || rnd() % 3) {
            unsigned order = rnd() % 4 == 0 ? rnd() % 11 : 0;
            unsigned cpu = rnd() % 2;
            Gfp g{ZoneType(rnd() % 3), mts[rnd() % 3], false};
            pfn_t pfn = pa.alloc_pages(order, g, cpu, PageOwner::Kernel);
            if (pfn != kNoPage) {
                REQUIRE(pfn % (pfn_t(1) << order) == 0);
                live.push_back({pfn, order, cpu});
            }
        } else {
            size_t k = rnd() % live.size();
            pa.free_pages(live[k].pfn, live[k].order, rnd() % 2);
            live[k] = live.back();
            live.pop_back();
        }
    }
    uint64_t used = 0;
    for (const Block& b : live) used += uint64_t(1) << b.order;
    CHECK(pa.free_page_count() + pa.pcp_page_count() + used == 16128);
    for (const Block& b : live) pa.free_pages(b.pfn, b.order, 0);
    CHECK(pa.free_page_count() + pa.pcp_page_count() == 16128);
}
