// End-to-end: memory-request traces (DRAMSim3, Ramulator, DRAMSys STL) drive the DDR3 controller
// alone through `memsim run`, as those simulators run them.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include "tests/e2e/e2e.h"

using namespace e2e;

namespace {
std::string source(const std::string& rel) { return std::string(MEMSIM_SOURCE_DIR) + "/" + rel; }
}  // namespace

TEST_CASE("a DRAMSim3 trace drives the DDR3 controller alone", "[e2e][dram]") {
    // One read of an idle MT8KTF51264HZ-1G6 (DDR3-1600K, tCK 1.25 ns) on a precharged bank: ACT,
    // then RD tRCD later, data CL later for BL/2 clocks: 11 + 11 + 4 = 26 nCK = 32.5 ns.
    fs::path d = scratch("dramsim3");
    std::ofstream(d / "one.trace") << "0x10000040 READ 0\n";
    auto r = memsim("run -q " + source("configs/dram-only.yaml") + " --trace " + (d / "one.trace").string() +
                    " --out " + d.string());
    REQUIRE(r.code == 0);
    CHECK(r.out.find("memory-only run of") != std::string::npos);
    auto s = stats_of(d)["stats"];
    CHECK(s["dram.reads"] == 1);
    CHECK(s["dram.row_misses"] == 1);
    CHECK(s["dram.read_latency_avg_ns"] == Approx(32.5));
    CHECK(stats_of(d)["run"]["requests"] == 1);

    // The same request as a Ramulator trace (no times: at once) and a DRAMSys STL line.
    std::ofstream(d / "one.ramulator") << "LD 0x10000040\n";
    std::ofstream(d / "one.stl") << "0: read 0x10000040\n";
    for (std::string f : {"ramulator", "stl"}) {
        fs::path o = scratch("dram-" + f);
        REQUIRE(memsim("run -q " + source("configs/dram-only.yaml") + " --trace " + (d / ("one." + f)).string() +
                       " --trace-format " + f + " --out " + o.string())
                    .code == 0);
        CHECK(stats_of(o)["stats"]["dram.read_latency_avg_ns"] == Approx(32.5));
    }
}

TEST_CASE("a memory-request trace needs a DDR3 controller", "[e2e][dram]") {
    fs::path d = scratch("dram-simple");
    std::ofstream(d / "one.trace") << "0x40 READ 0\n";
    auto r = memsim("run -q --trace " + (d / "one.trace").string() +
                    " --trace-format dramsim3 --set memory.model=simple");
    CHECK(r.code == 2);
    CHECK(r.err.find("set memory.model to ddr3 or mig") != std::string::npos);
    std::ofstream(d / "bad.trace") << "0x40 READ 0\n0x80 FETCH 4\n";
    auto bad = memsim("run -q " + source("configs/dram-only.yaml") + " --trace " + (d / "bad.trace").string());
    CHECK(bad.code == 2);
    CHECK(bad.err.find("bad.trace:2") != std::string::npos);
}
