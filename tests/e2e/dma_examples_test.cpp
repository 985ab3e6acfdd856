// End-to-end: configs/examples/dma-fragmentation (its README explains the mechanism).
#include <catch2/catch.hpp>

#include <sstream>
#include <string>

#include "tests/e2e/e2e.h"

using namespace e2e;

namespace {
std::string example(const std::string& name) {
    return std::string(MEMSIM_SOURCE_DIR) + "/configs/examples/dma-fragmentation/" + name;
}
}  // namespace

TEST_CASE("dma-fragmentation: keeping whole blocks never fails and giving back the excess does", "[e2e][dma]") {
    fs::path keep = scratch("dma-keep"), give = scratch("dma-give");
    REQUIRE(memsim("run -q " + example("keep.yaml") + " --out " + keep.string()).code == 0);
    REQUIRE(memsim("run -q " + example("give-back.yaml") + " --out " + give.string()).code == 0);
    auto k = stats_of(keep)["stats"], g = stats_of(give)["stats"];

    // 3,000 frames: 3,000 dma_alloc, the ring of 8 frees all but the last 8; 750 leaked pages.
    CHECK(k["os.dma.allocs"] == 3000);
    CHECK(k["os.dma.frees"] == 3000 - 8);
    CHECK(k["os.dma.alloc_failures"] == 0);
    CHECK(k["os.dma.pages_held"] == 8 * 8);  // 8 buffers of order 3, kept whole
    // A whole block merges back when freed: large blocks remain however long it runs.
    CHECK(k["os.buddyinfo.DMA.order10"].get<double>() > 0);

    // Giving back the 3 tail pages: order-3 requests start failing, while free memory remains.
    CHECK(g["os.dma.alloc_failures"].get<double>() > 0);
    // Each buffer that was allocated gave back 8 - 5 = 3 pages.
    CHECK(g["os.dma.excess_pages_freed"].get<double>() == 3 * (3000 - g["os.dma.alloc_failures"].get<double>()));
    double free_pages = 0;
    for (int o = 0; o <= 10; ++o) free_pages += g["os.buddyinfo.DMA.order" + std::to_string(o)].get<double>() * (1 << o);
    CHECK(free_pages > 8 * 8);  // enough for the ring many times over, but not in one block of order 3
    for (int o = 3; o <= 10; ++o) CHECK(g["os.buddyinfo.DMA.order" + std::to_string(o)] == 0);
}

TEST_CASE("sodimm-framebuffer: a 1080p60 capture and scan-out beside the CPU", "[e2e][dma]") {
    auto fb = [](const std::string& name) {
        return std::string(MEMSIM_SOURCE_DIR) + "/configs/examples/sodimm-framebuffer/" + name;
    };
    fs::path with = scratch("fb"), without = scratch("fb-none");
    REQUIRE(memsim("run -q " + fb("framebuffer.yaml") + " --out " + with.string()).code == 0);
    REQUIRE(memsim("run -q " + fb("no-dma.yaml") + " --out " + without.string()).code == 0);
    auto w = stats_of(with)["stats"], n = stats_of(without)["stats"];
    // One frame of each stream falls in the run (frame 0 due at 0 and at 1 ms; the next at 16.7 ms):
    // 1920 x 1080 x 3 = 6,220,800 bytes = 97,200 bursts of 64 bytes, written by the capture and
    // read by the scan-out, all on the DRAM beside the CPU's own traffic, which does not change.
    CHECK(w["dma.capture.bytes"] == 1920 * 1080 * 3);
    CHECK(w["dma.scanout.bytes"] == 1920 * 1080 * 3);
    CHECK(w["dma.stream.stream0.frames"] == 1);
    CHECK(w["dma.stream.stream1.frames"] == 1);
    CHECK(w["dma.stream.stream0.late"] == 0);
    CHECK(w["dma.stream.stream1.late"] == 0);
    CHECK(w["dram.writes"].get<double>() - n["dram.writes"].get<double>() == 97200);
    CHECK(w["dram.reads"].get<double>() - n["dram.reads"].get<double>() == 97200);
    CHECK(w["cpu.accesses"] == n["cpu.accesses"]);
    // The CPU's misses queue behind the bursts: it stalls longer, never shorter.
    CHECK(w["cpu.stall_cycles.memory"].get<double>() > n["cpu.stall_cycles.memory"].get<double>());
    CHECK(w["sim.time_ps"].get<double>() >= n["sim.time_ps"].get<double>());
}

TEST_CASE("a stream on an unknown channel or outside memory is a configuration error", "[e2e][dma]") {
    auto r = memsim("run -q --set dma.stream0.enabled=true --set dma.stream0.channel=gpu");
    CHECK(r.code == 2);
    CHECK(r.err.find("dma.stream0.channel") != std::string::npos);
    CHECK(r.err.find("no channel 'gpu'") != std::string::npos);
    auto big = memsim("run -q --set dma.stream0.enabled=true --set dma.stream0.ring_base=4GiB");
    CHECK(big.code == 2);
    CHECK(big.err.find("does not fit in memory.size") != std::string::npos);
}
