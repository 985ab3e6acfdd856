// End-to-end: a driver's loopback through a NIC (tests/data/e2e/dma-coherence.txt) on the machine of
// tests/data/e2e/dma-coherence.yaml, the device snooped (x86, IO-coherent Arm), not snooped with the
// kernel's streaming-mapping maintenance (non-coherent Arm), and not snooped while the kernel believes
// it is (a wrong dma-coherent in the device tree). Every count is worked out below from the trace.
//
// The trace: two kmalloc-4096 objects (4096-aligned: 64 lines each), TX (ID 1) and RX (ID 2). The
// driver writes TX (64 lines dirty in the L1D; L2 and LLC hold them clean) and has read RX (64 clean
// lines in L1D, L2, LLC: 3 copies each); the NIC copies TX to RX (64 bursts of 64 bytes, each a read
// and a write); the driver waits 100 us and reads RX.
#include <catch2/catch.hpp>

#include <string>

#include "tests/e2e/e2e.h"

using namespace e2e;

namespace {
nlohmann::json run(const std::string& name, const std::string& sets) {
    fs::path out = scratch(name);
    auto r = memsim("run -q " + data("dma-coherence.yaml") + " --trace " + data("dma-coherence.txt") + " --out " +
                    out.string() + sets);
    REQUIRE(r.code == 0);
    return stats_of(out)["stats"];
}
}  // namespace

TEST_CASE("A snooped device: its reads take dirty lines written back and its writes invalidate the CPU copies", "[e2e][dma][coherence]") {
    for (const char* mode : {"timing", "functional"}) {
        INFO(mode);
        auto s = run(std::string("coh-snoop-") + mode, std::string(" --set sim.mode=") + mode);
        // x86's default (os.dma.coherent true, dma.coherence.snoop auto): no maintenance.
        CHECK(s["dma.maintenance_cycles"] == 0);
        CHECK(s["cpu.kernel_cycles"] == 0);
        CHECK(s["cache.l1d.maintenance.lookups"] == 0);
        // Every read burst finds a dirty TX line (64), every write burst a cached RX line (64).
        CHECK(s["dma.snoop.hits"] == 64 + 64);
        CHECK(s["dma.snoop.writebacks"] == 64);          // TX, dirty in the L1D only
        CHECK(s["cache.l1d.snoop.writebacks"] == 64);
        CHECK(s["cache.l2.snoop.writebacks"] == 0);
        CHECK(s["dma.snoop.invalidations"] == 64 * 3);   // RX in L1D, L2, LLC
        CHECK(s["cache.llc.snoop.invalidations"] == 64);
        // The CPU's reads of RX after the copy miss (64), as did the TX writes and the first RX reads.
        CHECK(s["cache.l1d.misses"] == 64 * 3);
        CHECK(s["dma.stale_reads"] == 0);
        CHECK(s["dma.stale_lines"] == 0);
        // Memory writes: the 64 write-backs, then the NIC's 64 writes. Memory reads: the CPU's TX
        // and RX fills and its RX re-reads (64 each); the NIC's reads of TX are answered by the
        // owner's snoop response, not by memory.
        CHECK(s["memory.writes"] == 64 + 64);
        CHECK(s["memory.reads"] == 3 * 64);
    }
}

TEST_CASE("A non-coherent device: the streaming mappings clean and invalidate the caches and the CPU pays", "[e2e][dma][coherence]") {
    auto s = run("coh-streaming", " --set os.dma.coherent=false");
    // dma_map_single(TX, TO_DEVICE) and (RX, FROM_DEVICE): dcache_clean_poc, 64 lines each;
    // dma_unmap_single(RX) after the completion: dcache_inval_poc, 64 lines (aligned: all DC IVAC).
    // Every level is looked up on every operation.
    for (const char* l : {"l1d", "l2", "llc"}) {
        INFO(l);
        CHECK(s[std::string("cache.") + l + ".maintenance.lookups"] == 3 * 64);
        CHECK(s[std::string("cache.") + l + ".maintenance.invalidations"] == 64);  // RX, at the unmap
    }
    CHECK(s["cache.l1d.maintenance.writebacks"] == 64);  // the dirty TX lines
    CHECK(s["cache.l2.maintenance.writebacks"] == 0);
    // Cycles, at 10 a line on a 1 GHz core (10 ns), memory 50 ns: the TX clean's write-back k leaves
    // at 10(k + 1) ns and completes 50 ns later (5 ns each at 12.8 GB/s: no queue), the last at
    // 640 + 50 = 690 ns: 690 cycles. The RX clean finds nothing dirty: 640. The unmap: 640.
    CHECK(s["dma.maintenance_cycles"] == 690 + 640 + 640);
    CHECK(s["cpu.kernel_cycles"] == 690 + 640 + 640);
    // No snoops. The NIC's writes leave the CPU's clean RX copies stale until the unmap drops them
    // (3 copies of 64 lines); the driver reads RX after the unmap: no stale read.
    CHECK(s["dma.snoop.hits"] == 0);
    CHECK(s["dma.stale_lines"] == 64 * 3);
    CHECK(s["dma.stale_device_reads"] == 0);  // TX was cleaned before the NIC read it
    CHECK(s["dma.stale_reads"] == 0);
    CHECK(s["cache.l1d.misses"] == 64 * 3);
    CHECK(s["memory.writes"] == 64 + 64);
    CHECK(s["memory.reads"] == 4 * 64);  // the NIC reads TX from memory

    // Functional: the same cache contents, and lines x cycles_per_line: 3 x 640 cycles.
    auto f = run("coh-streaming-functional", " --set os.dma.coherent=false --set sim.mode=functional");
    CHECK(f["dma.maintenance_cycles"] == 3 * 640);
    CHECK(f["cache.l1d.maintenance.writebacks"] == 64);
    CHECK(f["cache.llc.maintenance.invalidations"] == 64);
    CHECK(f["dma.stale_lines"] == 64 * 3);
    CHECK(f["dma.stale_reads"] == 0);
    CHECK(f["cache.l1d.misses"] == 64 * 3);
}

TEST_CASE("A device the kernel believes coherent that does not snoop reads and leaves stale data", "[e2e][dma][coherence]") {
    auto s = run("coh-wrong", " --set dma.coherence.snoop=never");
    CHECK(s["dma.maintenance_cycles"] == 0);  // the kernel skips arch_sync_dma_* (dev_is_dma_coherent)
    CHECK(s["dma.snoop.hits"] == 0);
    // The NIC reads TX from memory while the L1D holds all 64 lines dirty: it sends old data.
    CHECK(s["dma.stale_device_reads"] == 64);
    // Its writes leave 3 copies of each RX line stale; the driver's 64 reads of RX hit the L1D's.
    CHECK(s["dma.stale_lines"] == 64 * 3);
    CHECK(s["dma.stale_reads"] == 64);
    CHECK(s["cache.l1d.stale_reads"] == 64);
    CHECK(s["cache.l1d.hits"] == 64);
    // Only the NIC's writes reach memory: the CPU's TX data never does.
    CHECK(s["memory.writes"] == 64);
}

TEST_CASE("The CPU maps a non-coherent device's dma_alloc buffer uncached", "[e2e][dma][coherence]") {
    fs::path dir = scratch("coh-uncached");
    fs::path trace = dir / "t.txt";
    {
        std::ofstream f(trace);
        f << "dma_alloc 1 4096\ntouch 1 0 4096 r\ntouch 1 0 4096 r\n";
    }
    auto go = [&](const std::string& name, const std::string& sets) {
        fs::path out = scratch(name);
        REQUIRE(memsim("run -q " + data("dma-coherence.yaml") + " --trace " + trace.string() + " --out " +
                       out.string() + sets)
                    .code == 0);
        return stats_of(out)["stats"];
    };
    // Non-coherent: arm64 remaps the buffer Normal non-cacheable: 2 x 64 reads straight to memory.
    auto nc = go("coh-uncached-nc", " --set os.dma.coherent=false");
    CHECK(nc["cache.l1d.accesses"] == 0);
    CHECK(nc["memory.reads"] == 128);
    CHECK(nc["cpu.reads"] == 128);
    // Coherent: a cacheable buffer: 64 misses, then 64 hits.
    auto c = go("coh-uncached-c", "");
    CHECK(c["cache.l1d.misses"] == 64);
    CHECK(c["cache.l1d.hits"] == 64);
}

TEST_CASE("dma_alloc for a non-coherent device cleans and invalidates the buffer's old cached lines", "[e2e][dma][coherence]") {
    // A page the kernel wrote (64 dirty lines) is freed and comes back as the DMA buffer: an order-0
    // free goes to the head of its zone's per-cpu list (free_unref_page) and the order-0 allocation
    // takes the head (rmqueue_pcplist): the same frame, both from DMA32, both unmovable.
    fs::path dir = scratch("coh-prep");
    fs::path trace = dir / "t.txt";
    {
        std::ofstream f(trace);
        f << "alloc_pages 1 0 DMA32\ntouch 1 0 4096 w\nfree_pages 1\ndma_alloc 2 4096\n";
    }
    fs::path out = scratch("coh-prep-out");
    REQUIRE(memsim("run -q " + data("dma-coherence.yaml") + " --trace " + trace.string() + " --out " + out.string() +
                   " --set os.dma.coherent=false")
                .code == 0);
    auto s = stats_of(out)["stats"];
    // arch_dma_prep_coherent: DC CIVAC over PAGE_ALIGN(4096): 64 lines, each dirty in the L1D and
    // cached in L2 and LLC: 64 write-backs, 3 x 64 invalidations.
    CHECK(s["cache.l1d.maintenance.writebacks"] == 64);
    for (const char* l : {"l1d", "l2", "llc"}) CHECK(s[std::string("cache.") + l + ".maintenance.invalidations"] == 64);
    // 10 cycles a line on a 1 GHz core; write-back k leaves at 10(k + 1) ns, done 50 ns later: the
    // last at 690 ns.
    CHECK(s["cpu.kernel_cycles"] == 690);
    CHECK(s["memory.writes"] == 64);
}

TEST_CASE("A transfer's completion interrupt is the CPU's time", "[e2e][dma]") {
    // One transfer (the NIC's copy), one interrupt of dma.interrupt_cycles taken when the core's
    // time passes its completion (during the 100 us compute): cpu.kernel_cycles, with no cache
    // maintenance on a snooped device, is exactly the handler's 2,500 cycles.
    for (const char* mode : {"timing", "functional"}) {
        INFO(mode);
        auto s = run(std::string("coh-irq-") + mode,
                     std::string(" --set dma.interrupt_cycles=2500 --set sim.mode=") + mode);
        CHECK(s["dma.interrupts"] == 1);
        CHECK(s["cpu.kernel_cycles"] == 2500);
    }
}
