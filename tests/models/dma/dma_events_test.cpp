// `dma DEVICE SRC_ID DST_ID LENGTH` events on the engine, with IDs from the kernel model.
#include <catch2/catch.hpp>

#include "models/dma/dma_events.h"
#include "models/os/kalloc_events.h"
#include "sim/core/error.h"
#include "tests/models/dma/fake_memory.h"
#include "tests/models/os/small_machine.h"

using namespace memsim;
using namespace memsim::dma;
using namespace memsim::dma::testing;

namespace {

trace::Event ev(trace::Op op, uint64_t id, uint64_t size, uint64_t line) {
    trace::Event e;
    e.op = op;
    e.id = id;
    e.size = size;
    e.line = line;
    return e;
}

trace::Event dma_ev(const char* device, uint64_t src, uint64_t dst, uint64_t length, uint64_t line) {
    trace::Event e;
    e.op = trace::Op::Dma;
    e.name = device;
    e.id = src;
    e.id2 = dst;
    e.length = length;
    e.line = line;
    return e;
}

// The machine as the lead wires it: the kernel's allocations resolve the IDs, os.dma prices the
// cache maintenance of streaming mappings.
struct Machine {
    stats::Registry r;
    os::PageAllocator pages{os::testing::small_machine(), os::testing::k64MiB, r};
    os::Slub slub{os::SlubParams{}, pages, r};
    os::DmaAllocParams dp;
    std::unique_ptr<os::KallocEvents> kalloc;
    FakeMemory mem;
    std::unique_ptr<Engine> engine;
    std::unique_ptr<DmaEvents> events;

    explicit Machine(bool coherent) {
        dp.coherent = coherent;
        dp.cache_line = 64;
        dp.cycles_per_line = 10;
        kalloc = std::make_unique<os::KallocEvents>(pages, slub, 0, "t.trace", r, dp);
        EngineParams ep;
        ep.channels = {"cam"};
        engine = std::make_unique<Engine>(ep, mem, r);
        auto resolve = [this](uint64_t id) {
            auto x = kalloc->extent_of(id);
            return Extent{x.addr, x.size, x.dma_buffer};
        };
        DmaEvents::Mapping mapping;
        mapping.map = [this](uint64_t addr, uint64_t size, bool to_device, uint64_t) {
            return kalloc->dma().map_cycles(addr, size, to_device ? os::DmaDirection::ToDevice
                                                                  : os::DmaDirection::FromDevice);
        };
        mapping.unmap = [this](uint64_t addr, uint64_t size, bool to_device, uint64_t) {
            return kalloc->dma().unmap_cycles(addr, size, to_device ? os::DmaDirection::ToDevice
                                                                    : os::DmaDirection::FromDevice);
        };
        events = std::make_unique<DmaEvents>(*engine, resolve, "t.trace", r, mapping);
    }
};

}  // namespace

TEST_CASE("A dma event copies between two dma_alloc buffers on its channel", "[dma]") {
    Machine m(true);
    REQUIRE(m.kalloc->execute(ev(trace::Op::DmaAlloc, 1, 8192, 1)));
    REQUIRE(m.kalloc->execute(ev(trace::Op::DmaAlloc, 2, 8192, 2)));
    const uint64_t src = m.kalloc->address_of(1), dst = m.kalloc->address_of(2);
    REQUIRE(src != dst);
    CHECK_FALSE(m.events->execute(ev(trace::Op::Kfree, 9, 0, 3), 0));  // not ours
    CHECK(m.events->execute(dma_ev("cam", 1, 2, 4096, 3), 0));
    m.engine->drain();
    // 4096 / 64 = 64 bursts, each a read of the source and a write of the destination.
    REQUIRE(m.mem.log.size() == 128);
    CHECK(m.mem.log.front().addr == src);
    CHECK_FALSE(m.mem.log.front().write);
    uint64_t writes = 0, lowest_write = ~0ull, highest_write = 0;
    for (const auto& s : m.mem.log)
        if (s.write) {
            ++writes;
            lowest_write = std::min(lowest_write, s.addr);
            highest_write = std::max(highest_write, s.addr);
        }
    CHECK(writes == 64);
    CHECK(lowest_write == dst);
    CHECK(highest_write == dst + 4096 - 64);
    CHECK(m.r.value("dma.cam.bytes") == 4096);
    CHECK(m.r.value("dma.events") == 1);
    CHECK(m.events->last_maintenance_cycles() == 0);  // coherent buffers
}

TEST_CASE("dma events name their errors with the trace line", "[dma]") {
    Machine m(true);
    REQUIRE(m.kalloc->execute(ev(trace::Op::DmaAlloc, 1, 8192, 1)));
    REQUIRE(m.kalloc->execute(ev(trace::Op::Kmalloc, 3, 1024, 2)));
    CHECK_THROWS_WITH(m.events->execute(dma_ev("gpu", 1, 3, 64, 7), 0),
                      "t.trace:7: dma: no channel \"gpu\" (expected one of dma.channels: cam)");
    CHECK_THROWS_WITH(m.events->execute(dma_ev("cam", 1, 3, 2000, 8), 0),
                      "t.trace:8: dma: LENGTH 2000 is beyond DST_ID 3 (1024 bytes)");
    CHECK_THROWS_WITH(m.events->execute(dma_ev("cam", 99, 3, 64, 9), 0),
                      "t.trace:9: dma: SRC_ID 99 is not live kernel memory (expected an ID from dma_alloc, "
                      "alloc_pages, kmalloc or kmem_cache_alloc)");
}

// A non-coherent device (os.dma.coherent false), 64-byte lines, 10 cycles a line. A kmalloc-1024
// object is 1024-aligned: 16 lines.
TEST_CASE("Streaming buffers of a dma event pay their cache maintenance", "[dma]") {
    Machine m(false);
    REQUIRE(m.kalloc->execute(ev(trace::Op::DmaAlloc, 1, 8192, 1)));
    REQUIRE(m.kalloc->execute(ev(trace::Op::Kmalloc, 3, 1024, 2)));
    REQUIRE(m.kalloc->address_of(3) % 1024 == 0);
    // kmalloc -> coherent buffer: the source is mapped DMA_TO_DEVICE: a clean on map, nothing on
    // unmap: 16 x 10 = 160 cycles. The coherent destination needs nothing.
    m.events->execute(dma_ev("cam", 3, 1, 1024, 3), 0);
    CHECK(m.events->last_maintenance_cycles() == 160);
    m.engine->drain();
    CHECK(m.events->unmap_completed(~0ull >> 1) == 0);  // TO_DEVICE: arch_sync_dma_for_cpu returns
    // coherent buffer -> kmalloc: the destination is DMA_FROM_DEVICE: a pass on map (160) at the
    // event, one on unmap (160) once the transfer has completed.
    const uint64_t now = 1000 * ns;
    m.events->execute(dma_ev("cam", 1, 3, 1024, 4), now);
    CHECK(m.events->last_maintenance_cycles() == 160);
    CHECK(m.events->unmap_completed(now) == 0);  // nothing issued yet: not completed
    m.engine->drain();
    // 16 bursts, 4 outstanding: the transfer ends after `now`; unmapped at the first call at or after.
    const uint64_t done = m.engine->completions().back().done_ps;
    REQUIRE(done > now);
    CHECK(m.events->unmap_completed(done - 1) == 0);
    CHECK(m.events->unmap_completed(done) == 160);
    CHECK(m.events->unmap_completed(done) == 0);  // once
    CHECK(m.r.value("dma.maintenance_cycles") == 480);
}
