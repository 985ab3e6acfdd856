// dma_alloc_coherent's buffers against Linux's rules, worked by hand on the page-allocator test
// machine (tests/models/os/small_machine.h; its boot free lists are derived in page_alloc_test.cpp):
// DMA32 holds twelve movable order-10 blocks 4096, 5120, ... 15360; DMA the blocks 256 (o8,
// unmovable), 512 (o9), 1024, 2048, 3072 (o10). The pcp batch of DMA32 is 3.
#include <catch2/catch.hpp>

#include <vector>

#include "models/os/dma_alloc.h"
#include "models/os/kalloc_events.h"
#include "models/os/zone.h"
#include "sim/core/error.h"
#include "tests/models/os/small_machine.h"

using namespace memsim;
using namespace memsim::os;
using namespace memsim::os::testing;

namespace {

std::vector<pfn_t> down(pfn_t first, pfn_t last) {
    std::vector<pfn_t> v;
    for (pfn_t p = first; p >= last; --p) v.push_back(p);
    return v;
}

DmaAllocParams keep() { return DmaAllocParams{}; }
DmaAllocParams give_back() {
    DmaAllocParams p;
    p.free_excess = true;
    return p;
}

constexpr auto U = MigrateType::Unmovable;

}  // namespace

TEST_CASE("get_order rounds up to a power of two pages", "[os][dma]") {
    CHECK(get_order(1) == 0);
    CHECK(get_order(4096) == 0);
    CHECK(get_order(4097) == 1);
    CHECK(get_order(20 << 10) == 3);   // 5 pages -> 8
    CHECK(get_order(36 << 10) == 4);   // 9 pages -> 16
    CHECK(get_order(4 << 20) == 10);
    CHECK(get_order(6220800) == 11);   // a 1920x1080x24-bit frame: 1519 pages -> 2048, above MAX_ORDER - 1
}

// x86 dma_direct_alloc: get_order(20 KiB) = 3, the whole block kept.
TEST_CASE("dma_alloc of 20 KiB keeps the whole order-3 block as x86 does", "[os][dma]") {
    stats::Registry r;
    PageAllocator pa(small_machine(), k64MiB, r);
    DmaAllocator dma(keep(), pa, r);
    // GFP_DMA32, unmovable, order 3 (a pcp order). The order-3 unmovable pcp list is empty: rmqueue_bulk
    // takes max(3 >> 3, 2) = 2 blocks. 1st __rmqueue: no unmovable block in DMA32 -> __rmqueue_fallback
    // steals the movable order-10 block 4096 whole (pageblocks 4096 and 4608 become unmovable) and
    // __rmqueue_smallest splits it: 4096 returned; 4104 (o3), 4112 (o4), 4128 (o5), 4160 (o6),
    // 4224 (o7), 4352 (o8), 4608 (o9) to the unmovable lists. 2nd: 4104 from o3.
    // pcp order-3 list [4096, 4104]; the allocation takes the head.
    DmaBuffer b = dma.alloc(20 << 10, 0);
    REQUIRE(b);
    CHECK(b.pfn == 4096);
    CHECK(b.phys() == 4096 * 4096);
    CHECK(b.order == 3);
    CHECK(b.pages == 8);
    CHECK(pa.pcp_list(ZoneType::DMA32, 0, 3, U) == std::vector<pfn_t>{4104});
    CHECK(pa.pcp_count(ZoneType::DMA32, 0) == 8);
    CHECK(pa.buddyinfo() ==
          "Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      1      3 \n"
          "Node 0, zone    DMA32      0      0      0      0      1      1      1      1      1      1     11 \n");
    CHECK(pa.page(4096).owner == PageOwner::Dma);
    CHECK(pa.page(4103).owner == PageOwner::Dma);  // the 3 excess pages stay with the device
    CHECK(dma.pages_held() == 8);
    // dma_free_coherent -> __free_pages(page, 3): order 3 is a pcp order: head of the order-3 list.
    dma.free(b, 0);
    CHECK(pa.pcp_list(ZoneType::DMA32, 0, 3, U) == (std::vector<pfn_t>{4096, 4104}));
    CHECK(pa.pcp_count(ZoneType::DMA32, 0) == 16);
    CHECK(dma.pages_held() == 0);
    CHECK(r.value("os.dma.allocs") == 1);
    CHECK(r.value("os.dma.frees") == 1);
}

// 32-bit ARM __dma_alloc_buffer (6.1): split_page, then __free_page of pages 5, 6, 7. An order-0 free goes
// to the cpu's pcp list (free_unref_page), at its head; the buddy lists see the pages only when the
// list is drained (next test).
TEST_CASE("dma_alloc of 20 KiB gives its 3 excess pages back as 32-bit ARM does", "[os][dma]") {
    stats::Registry r;
    PageAllocator pa(small_machine(), k64MiB, r);
    REQUIRE(pa.zone(ZoneType::DMA32).pcp[0].high > 16);  // no drain in this test
    DmaAllocator dma(give_back(), pa, r);
    DmaBuffer b = dma.alloc(20 << 10, 0);  // the same block as above: 4096..4103
    REQUIRE(b);
    CHECK(b.pfn == 4096);
    CHECK(b.pages == 5);  // PAGE_ALIGN(20 KiB) / 4 KiB
    // 4101, 4102, 4103 freed in that order, each to the head of the unmovable order-0 list (the
    // pageblock of 4096 is unmovable since the steal).
    CHECK(pa.pcp_list(ZoneType::DMA32, 0, 0, U) == (std::vector<pfn_t>{4103, 4102, 4101}));
    CHECK(pa.pcp_count(ZoneType::DMA32, 0) == 8 + 3);
    CHECK(pa.page(4100).owner == PageOwner::Dma);
    CHECK(pa.page(4101).owner == PageOwner::Free);
    CHECK(pa.page(4100).refcount == 1);  // split_page: each page its own reference
    CHECK(!(pa.page(4100).flags & pg::kTail));
    CHECK(r.value("os.dma.excess_pages_freed") == 3);
    CHECK(dma.pages_held() == 5);
    // __dma_free_buffer: __free_page of each of the 5 pages, lowest first, each to the head.
    dma.free(b, 0);
    CHECK(pa.pcp_list(ZoneType::DMA32, 0, 0, U) ==
          (std::vector<pfn_t>{4100, 4099, 4098, 4097, 4096, 4103, 4102, 4101}));
    CHECK(pa.pcp_count(ZoneType::DMA32, 0) == 16);
    CHECK(dma.pages_held() == 0);
}

// Three 36 KiB buffers (order 4: 9 pages used, 7 excess) with min_free_kbytes = 128, which gives
// DMA32's pcp high 18 and batch 3 (page_alloc_test.cpp works these out). Order 4 is not a pcp order:
// the blocks come from the buddy lists directly; only the excess pages pass through the pcp list.
TEST_CASE("The excess pages of 36 KiB buffers reach the buddy lists when the pcp list drains", "[os][dma]") {
    PageAllocParams p = small_machine();
    p.min_free_kbytes = 128;

    SECTION("kept whole (x86)") {
        stats::Registry r;
        PageAllocator pa(p, k64MiB, r);
        DmaAllocator dma(keep(), pa, r);
        // 1st: steal of 4096 (o10), split: 4096 returned; 4112 (o4), 4128 (o5), 4160 (o6), 4224 (o7),
        // 4352 (o8), 4608 (o9) free. 2nd: 4112. 3rd: 4128 split, 4144 to o4.
        CHECK(dma.alloc(36 << 10, 0).pfn == 4096);
        CHECK(dma.alloc(36 << 10, 0).pfn == 4112);
        CHECK(dma.alloc(36 << 10, 0).pfn == 4128);
        CHECK(pa.buddyinfo() ==
              "Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      1      3 \n"
              "Node 0, zone    DMA32      0      0      0      0      1      0      1      1      1      1     11 \n");
        CHECK(pa.pcp_count(ZoneType::DMA32, 0) == 0);
        CHECK(dma.pages_held() == 48);
    }
    SECTION("excess given back (ARM)") {
        stats::Registry r;
        PageAllocator pa(p, k64MiB, r);
        DmaAllocator dma(give_back(), pa, r);
        REQUIRE(pa.zone(ZoneType::DMA32).pcp[0].high == 18);
        // Buffer 1 = 4096..4104; 4105..4111 to the pcp list (count 7).
        // Buffer 2 = 4112..4120; 4121..4127 (count 14).
        CHECK(dma.alloc(36 << 10, 0).pfn == 4096);
        CHECK(dma.alloc(36 << 10, 0).pfn == 4112);
        CHECK(pa.pcp_count(ZoneType::DMA32, 0) == 14);
        // Buffer 3 = 4128..4136; freeing 4137..4140 brings the count to 18 = high: free_pcppages_bulk
        // of nr_pcp_free = clamp(3 << 0, 3, 15) = 3 from the list's tail: 4105, 4106, 4107.
        //   4105: buddy 4104 is in buffer 1; buddy_merge_likely: the o1 buddy of 4104, 4106, is on the
        //         pcp list -> head of o0.
        //   4106: buddy 4107 on the pcp list; o1 buddy of 4106 is 4104 (in use) -> head of o0.
        //   4107: merges with 4106 -> 4106 o1; its buddy 4104 is in use; the o2 buddy of 4104 is 4100
        //         (in use) -> head of o1.
        // 4141..4143 bring the count from 15 to 18 again: clamp(3 << 1, 3, 15) = 6 pages: 4108..4111,
        // 4121, 4122.
        //   4108: buddy 4109 on pcp; o1 buddy of 4108 is 4110 (pcp) -> head of o0.
        //   4109: + 4108 -> 4108 o1; buddy 4110 on pcp; o2 buddy of 4104 is 4100 (in use) -> head of o1.
        //   4110: buddy 4111 on pcp; the o1 buddy of 4110 is 4108, free at o1 -> tail of o0.
        //   4111: + 4110 -> 4110 o1, + 4108 -> 4108 o2; its buddy 4104 is in use; the o3 buddy of 4104
        //         is 4096 (in use) -> head of o2.
        //   4121: buddy 4120 is in buffer 2; o1 buddy of 4120 is 4122 (pcp) -> head of o0.
        //   4122: buddy 4123 on pcp; o1 buddy of 4122 is 4120 (in use) -> head of o0.
        CHECK(dma.alloc(36 << 10, 0).pfn == 4128);
        CHECK(r.value("os.pcp.drains") == 2);
        CHECK(r.value("os.pcp.drained_pages") == 9);
        CHECK(pa.free_list(ZoneType::DMA32, 0, U) == (std::vector<pfn_t>{4122, 4121, 4105}));
        CHECK(pa.free_list(ZoneType::DMA32, 1, U) == std::vector<pfn_t>{4106});
        CHECK(pa.free_list(ZoneType::DMA32, 2, U) == std::vector<pfn_t>{4108});
        CHECK(pa.free_list(ZoneType::DMA32, 4, U) == std::vector<pfn_t>{4144});
        // 12 excess pages still on the pcp list: 4143..4137, 4127..4123.
        std::vector<pfn_t> pcp = down(4143, 4137);
        for (pfn_t f : down(4127, 4123)) pcp.push_back(f);
        CHECK(pa.pcp_list(ZoneType::DMA32, 0, 0, U) == pcp);
        CHECK(pa.buddyinfo() ==
              "Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      1      3 \n"
              "Node 0, zone    DMA32      3      1      1      0      1      0      1      1      1      1     11 \n");
        CHECK(dma.pages_held() == 27);
        CHECK(r.value("os.dma.excess_pages_freed") == 21);
    }
}

TEST_CASE("dma_alloc failure is a result", "[os][dma]") {
    stats::Registry r;
    PageAllocator pa(small_machine(), k64MiB, r);
    DmaAllocParams p;
    p.zone = "DMA";  // a 24-bit ISA mask: GFP_DMA
    DmaAllocator dma(p, pa, r);
    // 4 MiB = order 10 from DMA: 1024, 2048, 3072 (the watermark arithmetic is in page_alloc_test's
    // "Allocation failure is a result"); then 768 free pages hold no order-10 block.
    CHECK(dma.alloc(4 << 20, 0).pfn == 1024);
    CHECK(dma.alloc(4 << 20, 0).pfn == 2048);
    CHECK(dma.alloc(4 << 20, 0).pfn == 3072);
    DmaBuffer none = dma.alloc(4 << 20, 0);
    CHECK_FALSE(none);
    // A 1080p frame needs order 11: alloc_pages refuses order >= MAX_ORDER (no CMA area).
    CHECK_FALSE(dma.alloc(6220800, 0));
    CHECK(r.value("os.dma.alloc_failures") == 2);
    CHECK(r.value("os.dma.allocs") == 3);
    dma.free(none, 0);  // as dma_free_coherent of NULL: nothing
    CHECK(r.value("os.dma.frees") == 0);
}

// ARMv7 / arm64 cache maintenance by line for a streaming mapping of a non-coherent device.
TEST_CASE("Streaming mappings cost cache maintenance by line unless coherent", "[os][dma]") {
    stats::Registry r;
    PageAllocator pa(small_machine(), k64MiB, r);
    DmaAllocParams p;
    p.coherent = false;
    p.cache_line = 64;
    p.cycles_per_line = 20;
    DmaAllocator dma(p, pa, r);
    // 4096 bytes at 0x1010 touch lines 0x1000/64 = 64 .. (0x1010 + 4095)/64 = 0x200f/64 = 128: 65 lines.
    CHECK(dma.maintenance_lines(0x1010, 4096) == 65);
    CHECK(dma.maintenance_lines(0x1000, 4096) == 64);
    CHECK(dma.maintenance_lines(0x1000, 1) == 1);
    CHECK(dma.maintenance_lines(0x103f, 2) == 2);  // straddles a line boundary
    // TO_DEVICE: clean on map (65 x 20), nothing on unmap.
    CHECK(dma.map_cycles(0x1010, 4096, DmaDirection::ToDevice) == 1300);
    CHECK(dma.unmap_cycles(0x1010, 4096, DmaDirection::ToDevice) == 0);
    // FROM_DEVICE and BIDIRECTIONAL: a pass on map and another on unmap.
    CHECK(dma.map_cycles(0x1000, 4096, DmaDirection::FromDevice) == 64 * 20);
    CHECK(dma.unmap_cycles(0x1000, 4096, DmaDirection::FromDevice) == 64 * 20);
    CHECK(dma.unmap_cycles(0x1000, 4096, DmaDirection::Bidirectional) == 64 * 20);
    // dma_alloc_coherent of 20 KiB - 100 bytes: arch_dma_prep_coherent cleans and invalidates PAGE_ALIGN(size) = 20480
    // bytes = 320 lines once: 6400 cycles.
    DmaBuffer b = dma.alloc((20 << 10) - 100, 0);
    REQUIRE(b);
    CHECK(dma.prep_coherent_cycles(b) == 320 * 20);
    auto prep = dma.prep_coherent_passes(b.phys(), b.size);
    REQUIRE(prep.size() == 1);
    CHECK((prep[0].op == MaintenancePass::Op::CleanInvalidate && prep[0].addr == b.phys() && prep[0].size == 20480));

    stats::Registry r2;
    PageAllocator pa2(small_machine(), k64MiB, r2);
    DmaAllocParams coherent = p;
    coherent.coherent = true;  // snooped (x86) or an uncached coherent buffer: nothing to maintain
    DmaAllocator dma2(coherent, pa2, r2);
    CHECK(dma2.map_cycles(0x1010, 4096, DmaDirection::Bidirectional) == 0);
    CHECK(dma2.unmap_cycles(0x1010, 4096, DmaDirection::FromDevice) == 0);
    CHECK(dma2.prep_coherent_cycles(dma2.alloc(20 << 10, 0)) == 0);
    CHECK(dma2.prep_coherent_passes(0x1000, 4096).empty());

    // The passes arm64 6.1 runs. Map: dcache_clean_poc over the buffer, whatever the direction.
    using Op = MaintenancePass::Op;
    auto map = dma.map_passes(0x1010, 0x100, DmaDirection::FromDevice);
    REQUIRE(map.size() == 1);
    CHECK((map[0].op == Op::Clean && map[0].addr == 0x1010 && map[0].size == 0x100));
    // Unmap FROM_DEVICE of [0x1010, 0x1110): dcache_inval_poc cleans and invalidates the partial
    // lines 0x1000 and 0x1100 (DC CIVAC) and invalidates 0x1040..0x10c0 (DC IVAC).
    auto unmap = dma.unmap_passes(0x1010, 0x100, DmaDirection::FromDevice);
    REQUIRE(unmap.size() == 3);
    CHECK((unmap[0].op == Op::CleanInvalidate && unmap[0].addr == 0x1010 && unmap[0].size == 0x30));
    CHECK((unmap[1].op == Op::Invalidate && unmap[1].addr == 0x1040 && unmap[1].size == 0xc0));
    CHECK((unmap[2].op == Op::CleanInvalidate && unmap[2].addr == 0x1100 && unmap[2].size == 0x10));
    // Aligned at both ends: one DC IVAC pass; within one line: one DC CIVAC.
    unmap = dma.unmap_passes(0x1000, 0x100, DmaDirection::Bidirectional);
    REQUIRE(unmap.size() == 1);
    CHECK((unmap[0].op == Op::Invalidate && unmap[0].addr == 0x1000 && unmap[0].size == 0x100));
    unmap = dma.unmap_passes(0x1008, 8, DmaDirection::FromDevice);
    REQUIRE(unmap.size() == 1);
    CHECK(unmap[0].op == Op::CleanInvalidate);
    CHECK(dma.unmap_passes(0x1000, 0x100, DmaDirection::ToDevice).empty());  // arch_sync_dma_for_cpu returns
    CHECK(dma2.map_passes(0x1000, 0x100, DmaDirection::ToDevice).empty());    // coherent: nothing
    CHECK(dma2.unmap_passes(0x1000, 0x100, DmaDirection::FromDevice).empty());
}

TEST_CASE("dma_alloc and dma_free trace events", "[os][dma]") {
    stats::Registry r;
    PageAllocParams pp = small_machine();
    PageAllocator pa(pp, k64MiB, r);
    Slub slub(SlubParams{}, pa, r);
    KallocEvents k(pa, slub, 0, "t.trace", r, give_back());
    auto ev = [](trace::Op op, uint64_t id, uint64_t size, uint64_t line) {
        trace::Event e;
        e.op = op;
        e.id = id;
        e.size = size;
        e.line = line;
        return e;
    };
    CHECK(k.execute(ev(trace::Op::DmaAlloc, 1, 20 << 10, 1)));
    CHECK(k.address_of(1) % 32768 == 0);  // the first frame of an order-3 block
    auto x = k.extent_of(1);
    CHECK(x.size == 20 << 10);
    CHECK(x.addr == k.address_of(1));
    CHECK(k.dma().pages_held() == 5);
    // Freeing with the wrong call, allocating a live ID: the trace's errors.
    CHECK_THROWS_WITH(k.execute(ev(trace::Op::FreePages, 1, 0, 2)),
                      "t.trace:2: free_pages of ID 1, which is a DMA buffer (release it with dma_free)");
    CHECK_THROWS_AS(k.execute(ev(trace::Op::DmaAlloc, 1, 4096, 3)), InputError);
    CHECK(k.execute(ev(trace::Op::DmaFree, 1, 0, 4)));
    CHECK(k.dma().pages_held() == 0);
    CHECK_THROWS_WITH(k.execute(ev(trace::Op::DmaFree, 1, 0, 5)), "t.trace:5: dma_free of ID 1, which is not live");
    // Failure: counted with the kernel's allocation failures; its dma_free is a no-op.
    CHECK(k.execute(ev(trace::Op::DmaAlloc, 2, 8 << 20, 6)));
    CHECK(k.failure_count() == 1);
    CHECK(k.failures().at(0).line == 6);
    CHECK(k.failures().at(0).what == "dma_alloc 2 8388608: no free block (order 11, zone DMA32)");
    CHECK(k.execute(ev(trace::Op::DmaFree, 2, 0, 7)));
    CHECK(r.value("os.dma.alloc_failures") == 1);
}
