// The DMA engine's bursts against the CPU caches (dma::CoherentPort), worked by hand. The CPU's
// hierarchy is the declared one (L1D, L2, LLC; 1 GHz core) over the DMA tests' memory: 50 ns
// latency, 5 ns of occupancy per 64 bytes (fake_memory.h). The snoop latency is 20 ns.
#include <catch2/catch.hpp>

#include "models/dma/coherence.h"
#include "models/dma/engine.h"
#include "tests/models/dma/fake_memory.h"

using namespace memsim;
using namespace memsim::dma;
using namespace memsim::dma::testing;
using K = mem::AccessKind;

namespace {
struct Rig {
    stats::Registry r;
    FakeMemory mem;
    config::Config cfg;
    cache::Hierarchy caches{cfg, r, 1000, true, mem};
    CoherentPort port;
    Engine engine;
    explicit Rig(bool snoop) : port(mem, &caches, snoop, 20 * ns, r, true), engine(EngineParams{}, port, r) {}

    uint8_t cpu(uint64_t addr, K kind, uint64_t at) {
        mem::Request q{addr, 8, kind};
        caches.dcache().access(q, at);
        return q.served_by;
    }
    uint64_t dma(Direction dir, uint64_t addr, uint64_t length, uint64_t at) {
        engine.submit(0, dir, {{addr, addr, length}}, at);
        engine.drain();
        return engine.completions().back().done_ps;
    }
    cache::Cache& level(const char* n) { return *caches.level(n); }
};
}  // namespace

TEST_CASE("A snooped device write invalidates the CPU's copies and the next CPU read misses", "[dma][coherence]") {
    Rig g(true);
    g.cpu(0x4000, K::Read, 0);  // L1D, L2 and LLC hold the line (clean)
    const size_t before = g.mem.log.size();
    // The write goes to memory at its issue (1000 + 50 ns), later than the snoop's answer (1020).
    CHECK(g.dma(Direction::DevToMem, 0x4000, 64, 1000 * ns) == 1050 * ns);
    REQUIRE(g.mem.log.size() == before + 1);  // the burst alone: a clean line needs no write-back
    CHECK(g.mem.log.back().issue_ps == 1000 * ns);
    CHECK(g.r.value("dma.snoop.hits") == 1);
    CHECK(g.r.value("dma.snoop.invalidations") == 3);  // L1D, L2, LLC
    CHECK(g.r.value("dma.snoop.writebacks") == 0);
    for (const char* l : {"l1d", "l2", "llc"}) CHECK_FALSE(g.level(l).contains(0x4000));
    CHECK(g.cpu(0x4000, K::Read, 2000 * ns) == mem::kServedByMemory);
    // A burst whose line no CPU cache holds goes straight on: 3000 + 50 ns.
    CHECK(g.dma(Direction::DevToMem, 0x9000, 64, 3000 * ns) == 3050 * ns);
    CHECK(g.r.value("dma.snoop.hits") == 1);
}

TEST_CASE("A snooped write completes no earlier than the snoop's answer", "[dma][coherence]") {
    Rig g(true);
    g.mem.latency_ps = 10 * ns;  // a memory faster than the snoop
    g.cpu(0x4000, K::Read, 0);
    CHECK(g.dma(Direction::DevToMem, 0x4000, 64, 1000 * ns) == 1020 * ns);  // max(1000 + 10, 1000 + 20)
}

TEST_CASE("A snooped device read of a dirty line gets the owner's data and the line written back", "[dma][coherence]") {
    Rig g(true);
    g.cpu(0x5000, K::Write, 0);  // dirty in the L1D
    const size_t before = g.mem.log.size();
    // The owner answers the snoop with the data at 2000 + 20 ns and posts its write-back then;
    // memory is not read.
    CHECK(g.dma(Direction::MemToDev, 0x5000, 64, 2000 * ns) == 2020 * ns);
    REQUIRE(g.mem.log.size() == before + 1);
    CHECK(g.mem.log[before].write);
    CHECK(g.mem.log[before].addr == 0x5000);
    CHECK(g.mem.log[before].issue_ps == 2020 * ns);
    CHECK(g.r.value("dma.snoop.writebacks") == 1);
    CHECK(g.r.value("dma.snoop.invalidations") == 0);
    CHECK(g.level("l1d").contains(0x5000));  // the owner keeps its line, clean
    CHECK_FALSE(g.level("l1d").dirty(0x5000));
    CHECK(g.level("l1d").stats().snoop_writebacks.value() == 1);
    // Read again: the line is clean now; the snoop finds it but memory serves the data, from the
    // burst's issue: 3000 + 50.
    CHECK(g.dma(Direction::MemToDev, 0x5000, 64, 3000 * ns) == 3050 * ns);
    CHECK(g.r.value("dma.snoop.hits") == 2);
    CHECK(g.r.value("dma.snoop.writebacks") == 1);
}

TEST_CASE("A snooped write of part of a dirty line writes it back before dropping it", "[dma][coherence]") {
    Rig g(true);
    g.cpu(0x6000, K::Write, 0);
    // 32 bytes of the line: the CPU's other 32 bytes must reach memory first (WriteUnique).
    g.dma(Direction::DevToMem, 0x6020, 32, 1000 * ns);
    CHECK(g.r.value("dma.snoop.writebacks") == 1);
    CHECK(g.r.value("dma.snoop.invalidations") == 3);
    CHECK_FALSE(g.level("l1d").contains(0x6000));
    // A whole dirty line written by the device is dropped without a write-back (WriteLineUnique).
    g.cpu(0x6040, K::Write, 2000 * ns);
    g.dma(Direction::DevToMem, 0x6040, 64, 3000 * ns);
    CHECK(g.r.value("dma.snoop.writebacks") == 1);
    CHECK_FALSE(g.level("l1d").contains(0x6040));
}

TEST_CASE("A non-snooped device write leaves the cached lines stale and the CPU reads old data", "[dma][coherence]") {
    Rig g(false);
    g.cpu(0x7000, K::Read, 0);
    // Straight to memory at 1000: done at 1050; the three copies are now stale.
    CHECK(g.dma(Direction::DevToMem, 0x7000, 64, 1000 * ns) == 1050 * ns);
    CHECK(g.r.value("dma.stale_lines") == 3);
    CHECK(g.r.value("dma.snoop.hits") == 0);
    // No dma_unmap_single: the CPU's read hits its old copy in the L1D.
    CHECK(g.cpu(0x7000, K::Read, 2000 * ns) == 1);
    CHECK(g.r.value("dma.stale_reads") == 1);
    // The invalidate the driver forgot: the next read goes to memory and is not stale.
    g.caches.maintain(cache::CacheOp::Invalidate, 0x7000, 64, 3000 * ns);
    CHECK(g.cpu(0x7000, K::Read, 4000 * ns) == mem::kServedByMemory);
    CHECK(g.r.value("dma.stale_reads") == 1);
}

TEST_CASE("A non-snooped device read of a CPU-dirty line reads memory's old data", "[dma][coherence]") {
    Rig g(false);
    g.cpu(0x8000, K::Write, 0);
    g.cpu(0x8040, K::Read, 0);
    const size_t before = g.mem.log.size();
    g.dma(Direction::MemToDev, 0x8000, 128, 1000 * ns);
    CHECK(g.r.value("dma.stale_device_reads") == 1);  // 0x8000 was dirty; 0x8040 clean
    CHECK(g.mem.log.size() == before + 2);            // the two bursts, no write-back
    CHECK(g.level("l1d").dirty(0x8000));
}

TEST_CASE("snoop auto follows the kernel's view of the device", "[dma][coherence]") {
    CoherenceParams p;
    CHECK(snoops(p, true));
    CHECK_FALSE(snoops(p, false));
    p.snoop = "never";
    CHECK_FALSE(snoops(p, true));
    p.snoop = "always";
    CHECK(snoops(p, false));
}
