// KallocEvents: the kernel-allocator trace events on the 64 MiB test machine of page_alloc_test.cpp.
#include <catch2/catch.hpp>

#include "models/os/kalloc_events.h"
#include "sim/core/error.h"
#include "tests/models/os/small_machine.h"

using namespace memsim;
using namespace memsim::os;
using namespace memsim::os::testing;

namespace {

trace::Event ev(trace::Op op, uint64_t id, uint64_t line) {
    trace::Event e;
    e.op = op;
    e.id = id;
    e.line = line;
    return e;
}

}  // namespace

TEST_CASE("Kernel-allocator events drive the page allocator and SLUB", "[os][slub][kalloc]") {
    stats::Registry r;
    PageAllocator pa(small_machine(), uint64_t(64) << 20, r);
    Slub slub({}, pa, r);
    KallocEvents k(pa, slub, 0, "t.txt", r);

    // alloc_pages 1 0 DMA: GFP_DMA unmovable order 0 -> pageblock 0's unmovable order-8 block @256.
    auto a = ev(trace::Op::AllocPages, 1, 1);
    a.name = "DMA";
    CHECK(k.execute(a));
    CHECK(k.address_of(1) == uint64_t(256) << 12);
    // kmalloc 2 64 -> kmalloc-64's first slab: DMA32's stolen block, pfn 4096.
    auto m = ev(trace::Op::Kmalloc, 2, 2);
    m.size = 64;
    CHECK(k.execute(m));
    CHECK(k.address_of(2) == uint64_t(4096) << 12);
    auto c = ev(trace::Op::KmemCacheCreate, 0, 3);
    c.name = "dentry";
    c.size = 192;
    CHECK(k.execute(c));
    auto ca = ev(trace::Op::KmemCacheAlloc, 3, 4);
    ca.name = "dentry";
    CHECK(k.execute(ca));
    CHECK(k.address_of(3) == uint64_t(4097) << 12);  // the next frame of cpu 0's unmovable pcp list
    CHECK(k.execute(ev(trace::Op::KmemCacheFree, 3, 5)));
    CHECK(k.execute(ev(trace::Op::Kfree, 2, 6)));
    CHECK(k.execute(ev(trace::Op::FreePages, 1, 7)));
    CHECK(k.address_of(1) == 0);
    CHECK_FALSE(k.execute(ev(trace::Op::Malloc, 9, 8)));

    // A failure is a result: order 10 from DMA after its three order-10 blocks are gone.
    for (uint64_t id = 10; id < 14; ++id) {
        auto big = ev(trace::Op::AllocPages, id, 10 + id);
        big.order = 10;
        big.name = "DMA";
        CHECK(k.execute(big));
    }
    CHECK(k.failure_count() == 1);
    REQUIRE(k.failures().size() == 1);
    CHECK(k.failures()[0].line == 23);
    CHECK(k.failures()[0].what == "alloc_pages 13 10 DMA: no free block");
    CHECK(r.value("os.kalloc.failures") == 1);
    // Freeing the failed ID is freeing NULL.
    CHECK(k.execute(ev(trace::Op::FreePages, 13, 24)));

    CHECK_THROWS_WITH(k.execute(ev(trace::Op::Kfree, 99, 30)), "t.txt:30: kfree of ID 99, which is not live");
    CHECK_THROWS_WITH(k.execute(ev(trace::Op::Kfree, 10, 31)),
                      "t.txt:31: kfree of ID 10, which is a page block (release it with free_pages)");
    auto bad = ev(trace::Op::KmemCacheAlloc, 40, 32);
    bad.name = "inode";
    CHECK_THROWS_WITH(k.execute(bad), "t.txt:32: kmem_cache_alloc: no cache \"inode\" (create it with kmem_cache_create)");
}
