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
