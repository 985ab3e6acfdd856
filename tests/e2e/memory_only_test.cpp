// End-to-end: memory-request traces (DRAMSim3, Ramulator, DRAMSys STL) drive the DDR3 controller
// alone through `memsim run`, as those simulators run them.
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <string>

#include "tests/e2e/e2e.h"

using namespace e2e;

namespace {
std::string source(const std::string& rel) { return std::string(MEMSIM_SOURCE_DIR) + "/" + rel; }
}  // namespace

TEST_CASE("a DRAMSim3 trace drives the DDR3 controller alone", "[e2e][dram]") {
    // One read of an idle MT8KTF51264HZ-1G6 (DDR3-1600K, tCK 1.25 ns) on a precharged bank, through
    // configs/dram-only.yaml's DRAMSim3-style queues: moved into its bank's command queue in the
    // clock it arrives, ACT the clock after, RD tRCD later, data CL later for BL/2 clocks:
    // 1 + 11 + 11 + 4 = 27 nCK = 33.75 ns.
    fs::path d = scratch("dramsim3");
    std::ofstream(d / "one.trace") << "0x10000040 READ 0\n";
    auto r = memsim("run -q " + source("configs/dram-only.yaml") + " --trace " + (d / "one.trace").string() +
                    " --out " + d.string());
    REQUIRE(r.code == 0);
    CHECK(r.out.find("memory-only run of") != std::string::npos);
    auto s = stats_of(d)["stats"];
    CHECK(s["dram.reads"] == 1);
    CHECK(s["dram.row_misses"] == 1);
    CHECK(s["dram.read_latency_avg_ns"] == Approx(33.75));
    CHECK(stats_of(d)["run"]["requests"] == 1);

    // The same request as a Ramulator trace (no times: at once) and a DRAMSys STL line.
    std::ofstream(d / "one.ramulator") << "LD 0x10000040\n";
    std::ofstream(d / "one.stl") << "0: read 0x10000040\n";
    for (std::string f : {"ramulator", "stl"}) {
        fs::path o = scratch("dram-" + f);
        REQUIRE(memsim("run -q " + source("configs/dram-only.yaml") + " --trace " + (d / ("one." + f)).string() +
                       " --trace-format " + f + " --out " + o.string())
                    .code == 0);
        CHECK(stats_of(o)["stats"]["dram.read_latency_avg_ns"] == Approx(33.75));
        // Told by its content, with the default configuration's memory (trace_format auto).
        fs::path a = scratch("dram-auto-" + f);
        auto run = memsim("run -q " + source("configs/dram-only.yaml") + " --trace " + (d / ("one." + f)).string() +
                          " --set sim.trace_format=auto --out " + a.string());
        REQUIRE(run.code == 0);
        CHECK(stats_of(a)["run"]["trace_format"] == f);
        CHECK(stats_of(a)["stats"]["dram.read_latency_avg_ns"] == Approx(33.75));
    }
    auto dflt = memsim("run -q --trace " + (d / "one.ramulator").string());
    CHECK(dflt.code == 0);
    CHECK(dflt.out.find("memory-only run of") != std::string::npos);
}

TEST_CASE("A memory-only run tells of requests beyond memory.size and of no reads", "[e2e][dram]") {
    fs::path d = scratch("dram-beyond");
    // memory.size 1 GiB of the 4 GiB part: line 3's write is beyond it.
    std::ofstream(d / "w.trace") << "# writes only\n0x1000 WRITE 0\n0x40000000 WRITE 10\n";
    auto r = memsim("run " + source("configs/dram-only.yaml") + " --trace " + (d / "w.trace").string() +
                    " --set memory.size=1GiB --out " + d.string());
    REQUIRE(r.code == 0);
    CHECK(r.err.find("w.trace:3: warning: address 0x40000000 is at or beyond memory.size (1GiB)") !=
          std::string::npos);
    CHECK(r.out.find("beyond memory.size  1 requests at or beyond 1GiB (the first on line 3)") != std::string::npos);
    CHECK(r.out.find("read latency        none (no read was served)") != std::string::npos);
    CHECK(stats_of(d)["run"]["requests_beyond_size"] == 1);
    CHECK(stats_of(d)["stats"]["dram.writes"] == 2);
    // --quiet keeps stderr for errors; the summary still says it.
    auto q = memsim("run -q " + source("configs/dram-only.yaml") + " --trace " + (d / "w.trace").string() +
                    " --set memory.size=1GiB");
    CHECK(q.code == 0);
    CHECK(q.err.find("warning") == std::string::npos);
    CHECK(q.out.find("beyond memory.size") != std::string::npos);
}

TEST_CASE("power-down and the energy estimate in a standalone DRAM run", "[e2e][dram]") {
    // One read at cycle 100 of a rank idle since 0 with power_down_idle 10 (MT8KTF51264HZ-1G6):
    // PDE 10, PDX 100, ACT at tXP = 105, RD 116, data ends 131: tXP + tRCD + CL + BL/2 = 31 nCK.
    fs::path d = scratch("dram-power");
    std::ofstream(d / "one.trace") << "0x10000040 READ 100\n";
    fs::path cmds = d / "cmds.txt";
    auto r = memsim("run -q " + source("configs/dram-only.yaml") + " --trace " + (d / "one.trace").string() +
                    " --set memory.generic.power_down_idle=10 --set memory.generic.command_trace=" + cmds.string() +
                    " --out " + d.string());
    REQUIRE(r.code == 0);
    auto s = stats_of(d)["stats"];
    CHECK(s["dram.read_latency_avg_ns"] == Approx(31 * 1.25));
    CHECK(s["dram.power_down_entries"] == 1);
    CHECK(s["dram.power_down_cycles"] == 90);
    // Micron TN-41-01, 8 devices at VDD 1.35 V, tCK 1.25 ns: 13.5 pJ per mA-clock. ACT: IDD0 tRC
    // - IDD3N tRAS - IDD2N tRP = 55 x 39 - 38 x 28 - 32 x 11 = 729; RD: (IDD4R - IDD3N) BL/2 = 476;
    // background over the 131 clocks: IDD2N 32 on [0, 10) and [100, 105), IDD2P1 32 on [10, 100),
    // IDD3N 38 on [105, 131).
    const double background = 13.5 * (32 * 10 + 32 * 90 + 32 * 5 + 38 * 26);
    CHECK(s["dram.energy.act"] == Approx(13.5 * 729));
    CHECK(s["dram.energy.read"] == Approx(13.5 * 476));
    CHECK(s["dram.energy.background"] == Approx(background));
    CHECK(s["dram.energy.total"] == Approx(13.5 * (729 + 476) + background));
    CHECK(s["dram.power_mw"] == Approx((13.5 * (729 + 476) + background) / (131 * 1.25)));
    std::ifstream in(cmds);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(text.find("\n10 PDE 0 0 0 0\n100 PDX 0 0 0 0\n105 ACT 0 0 ") != std::string::npos);
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

TEST_CASE("sim.memory_only.cycles runs a fixed window as DRAMSim3's -c", "[e2e][dram]") {
    fs::path d = scratch("dram-window");
    // Idle after the trace: reads at 0 and 1000 are served, the one at 5000 is outside a
    // 2000-clock window and is not fed; the run (and its background energy) lasts 2000 clocks.
    std::ofstream(d / "paced.trace") << "0x10000040 READ 0\n0x20000040 READ 1000\n0x30000040 READ 5000\n";
    auto r = memsim("run -q " + source("configs/dram-only.yaml") + " --trace " + (d / "paced.trace").string() +
                    " --set sim.memory_only.cycles=2000 --out " + d.string());
    REQUIRE(r.code == 0);
    auto s = stats_of(d)["stats"];
    CHECK(stats_of(d)["run"]["requests"] == 2);
    CHECK(s["dram.reads"] == 2);
    CHECK(s["dram.cycles"] == 2000);
    // Both in bank 0, each first command a clock after arrival: the first 1 + tRCD + CL + BL/2 =
    // 27 nCK, the second closes the first's row (open page) first: 1 + tRP + 26 = 38 nCK; the
    // average 32.5 nCK = 40.625 ns.
    CHECK(s["dram.read_latency_avg_ns"] == Approx(32.5 * 1.25));
    // Cut off inside the trace: 1000 reads of one row, all at cycle 0, and a 500-clock window.
    // ACT 1, the first RD at 1 + tRCD = 12, then one every tCCD = 4: the RDs issued before 500 are
    // 12, 16, ..., 496: (496 - 12) / 4 + 1 = 122. The rest stay queued or unread. Request 128
    // (bank 1: a row holds 128 bursts) enters the 32-entry read queue once 96 requests have moved
    // on into bank 0's 8-deep command queue (as RD 88 goes, at 12 + 4 x 88 = 364) and moves into
    // bank 1's queue while bank 0's is full: its ACT falls inside the window too.
    std::ofstream seq(d / "seq.trace");
    for (int i = 0; i < 1000; ++i) seq << "0x" << std::hex << 64 * i << std::dec << " READ 0\n";
    seq.close();
    fs::path o = scratch("dram-window-seq");
    REQUIRE(memsim("run -q " + source("configs/dram-only.yaml") + " --trace " + (d / "seq.trace").string() +
                   " --set sim.memory_only.cycles=500 --out " + o.string())
                .code == 0);
    auto t = stats_of(o)["stats"];
    CHECK(t["dram.reads"] == 122);
    CHECK(t["dram.activates"] == 2);
    CHECK(stats_of(o)["run"]["requests"] < 1000);
    // Without the key the whole trace runs.
    fs::path all = scratch("dram-window-all");
    REQUIRE(memsim("run -q " + source("configs/dram-only.yaml") + " --trace " + (d / "seq.trace").string() +
                   " --out " + all.string())
                .code == 0);
    CHECK(stats_of(all)["stats"]["dram.reads"] == 1000);
}

TEST_CASE("a DRAMSim3 trace through the TLM-2.0 AT target runs the same commands as the direct run", "[e2e][dram]") {
    // sim.memory_only.interface: tlm_at sends the trace from a SystemC initiator over the AT base
    // protocol (BEGIN_REQ, END_REQ withheld by a full queue, BEGIN_RESP at each completion) to
    // the controller's AT target. The controller sees the same arrivals, so every command and
    // statistic is the direct run's: a saturating 2:1 read/write burst (the queues fill, reads are
    // answered out of order) on the generic and the MIG controller.
    fs::path d = scratch("dram-at");
    {
        std::ofstream t(d / "mix.trace");
        uint64_t s = 12345;
        for (int i = 0; i < 3000; ++i) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            t << "0x" << std::hex << ((s >> 20) % (1ull << 32) & ~63ull) << std::dec << (i % 3 == 2 ? " WRITE " : " READ ")
              << (i / 4) * 3 << "\n";
        }
    }
    struct Case {
        const char *name, *cfg, *key, *extra;
        int channels;
    };
    // Then two and four generic channels, consecutive bursts alternating (each its own command
    // trace; the end of the trace reaches every channel at the last arrival on both paths).
    for (const Case& c : {Case{"generic", "configs/dram-only.yaml", "memory.generic", "", 1},
                          Case{"mig", "configs/dram-only-mig.yaml", "memory.mig", "", 1},
                          Case{"2ch", "configs/dram-only.yaml", "memory.generic",
                               " --set memory.channels=2 --set memory.size=8GiB", 2},
                          Case{"4ch", "configs/dram-only.yaml", "memory.generic", " --set memory.channels=4", 4}}) {
        INFO(c.name);
        std::string out[2];
        nlohmann::json stats[2];
        const char* modes[2] = {"direct", "tlm_at"};
        for (int m = 0; m < 2; ++m) {
            fs::path o = d / (std::string(modes[m]) + "_" + c.name);
            fs::path cmds = o.string() + ".cmds";
            auto r = memsim("run -q " + source(c.cfg) + " --trace " + (d / "mix.trace").string() +
                            " --set sim.memory_only.interface=" + modes[m] + " --set " + c.key +
                            ".command_trace=" + cmds.string() + c.extra + " --out " + o.string());
            REQUIRE(r.code == 0);
            for (int ch = 0; ch < c.channels; ++ch) {
                std::ifstream in(c.channels > 1 ? cmds.string() + ".ch" + std::to_string(ch) : cmds.string());
                REQUIRE(in);
                out[m] += std::string(std::istreambuf_iterator<char>(in), {});
            }
            stats[m] = stats_of(o)["stats"];
            CHECK(stats[m]["dram.reads"].get<double>() + stats[m]["dram.writes"].get<double>() == 3000);
        }
        REQUIRE(out[0].size() > 1000);
        CHECK(out[0] == out[1]);
        CHECK(stats[0]["dram.read_latency_avg_ns"] == stats[1]["dram.read_latency_avg_ns"]);
        CHECK(stats[0]["dram.bandwidth_bytes_per_s"] == stats[1]["dram.bandwidth_bytes_per_s"]);
        if (c.channels > 1) CHECK(stats[0]["dram.ch1.reads"].get<double>() > 500);
    }
}

TEST_CASE("DRAMSys-shaped STL traces run: LEN before the command and a clock that restarts", "[e2e][dram]") {
    // The shapes of DRAMSys's own configs/traces: pct.stl's "0:<tab>(16) write<tab>0x0<tab>DATA" and
    // example.stl's blocks whose clock starts again at 0 (sent at once, as its StlPlayer does).
    fs::path d = scratch("dram-dramsys");
    std::ofstream(d / "pct.stl") << "0:\t(16) write\t0x0\t0xff00ff00\n1:\t(16) write\t0x40\t0x00ff\n";
    auto r = memsim("run -q " + source("configs/dram-only.yaml") + " --trace " + (d / "pct.stl").string() +
                    " --out " + d.string());
    REQUIRE(r.code == 0);
    CHECK(stats_of(d)["run"]["trace_format"] == "stl");
    CHECK(stats_of(d)["stats"]["dram.writes"] == 2);
    fs::path e = scratch("dram-dramsys-restart");
    std::ofstream(e / "example.stl") << "0:\tread\t0x10000040\n2:\tread\t0x20000040\n0:\tread\t0x30000040\n";
    auto b = memsim("run " + source("configs/dram-only.yaml") + " --trace " + (e / "example.stl").string() +
                    " --out " + e.string());
    REQUIRE(b.code == 0);
    CHECK(b.err.find("example.stl:3: warning: the clock goes back") != std::string::npos);
    CHECK(b.out.find("late lines          1 with a clock before the line before (the first on line 3)") !=
          std::string::npos);
    CHECK(stats_of(e)["run"]["late_lines"] == 1);
    CHECK(stats_of(e)["stats"]["dram.reads"] == 3);
}

TEST_CASE("Bad request-trace lines exit 2 through the AT target too and --lenient skips them", "[e2e][dram]") {
    fs::path d = scratch("dram-bad-at");
    std::ofstream(d / "bad.trace") << "0x40 READ 0\n0x80 FETCH 4\n0xc0 WRITE 6\n";
    auto at = memsim("run -q " + source("configs/dram-only.yaml") + " --trace " + (d / "bad.trace").string() +
                     " --set sim.memory_only.interface=tlm_at");
    CHECK(at.code == 2);
    CHECK(at.err.find("bad.trace:2") != std::string::npos);
    for (std::string iface : {"direct", "tlm_at"}) {
        fs::path o = scratch("dram-lenient-" + iface);
        auto r = memsim("run " + source("configs/dram-only.yaml") + " --trace " + (d / "bad.trace").string() +
                        " --lenient --set sim.memory_only.interface=" + iface + " --out " + o.string());
        REQUIRE(r.code == 0);
        CHECK(r.err.find("bad.trace:2") != std::string::npos);
        CHECK(r.out.find("skipped lines       1 malformed (--lenient; the first on line 2)") != std::string::npos);
        CHECK(stats_of(o)["run"]["skipped_lines"] == 1);
        CHECK(stats_of(o)["stats"]["dram.reads"] == 1);
        CHECK(stats_of(o)["stats"]["dram.writes"] == 1);
    }
}

TEST_CASE("sim.memory_only.trace_clock plays a trace at its own clock", "[e2e][dram]") {
    // One read at trace clock 10 of a 200 MHz player (DRAMSys's DDR4 example): 50 ns, memory clock
    // 40 of DDR3-1600; then the unloaded read of configs/dram-only.yaml, 27 nCK (33.75 ns), ends at
    // clock 67 = 83.75 ns.
    fs::path d = scratch("dram-trace-clock");
    std::ofstream(d / "one.stl") << "10: read 0x10000040\n";
    auto r = memsim("run -q " + source("configs/dram-only.yaml") + " --trace " + (d / "one.stl").string() +
                    " --set sim.memory_only.trace_clock=5ns --out " + d.string());
    REQUIRE(r.code == 0);
    auto s = stats_of(d)["stats"];
    CHECK(s["dram.read_latency_avg_ns"] == Approx(33.75));
    CHECK(s["sim.time_ps"] == Approx(83750));
}
