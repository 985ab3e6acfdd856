// End-to-end: the memsim binary as a user runs it, its exit codes, its files.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/e2e/e2e.h"

namespace fs = std::filesystem;
using namespace e2e;

namespace {


// The default core without MMU and caches, straight to a fixed-latency memory (memory.simple), so
// the times are easy to work by hand. The whole path is checked in tests/e2e/memory_path_test.cpp.
const std::string kCoreToMemory = " --set mmu.model=none --set cache.model=none --set memory.model=simple";
}  // namespace

TEST_CASE("memsim --version and --help", "[e2e]") {
    auto r = memsim("--version");
    CHECK(r.code == 0);
    CHECK(r.out.rfind("memsim ", 0) == 0);
    CHECK(memsim("--help").code == 0);
    CHECK(memsim("run --help").out.find("--trace") != std::string::npos);
    CHECK(memsim("").code == 2);
    auto bad = memsim("frobnicate");
    CHECK(bad.code == 2);
    CHECK(bad.err.find("unknown command \"frobnicate\"") != std::string::npos);
    CHECK(memsim("run --no-such-option").code == 2);
}

TEST_CASE("a timing run of a hand-worked trace", "[e2e]") {
    // Default core and memory: 3 GHz core (333 ps cycles), 10 accesses in flight, memory of 50 ns latency
    // at 12.8 GB/s (64 B busy 5000 ps, 8 B 625 ps).
    //   write 64 issues at 0, starts 0, done 50000; the core moves on to 333
    //   read 64 issues at 333, waits for the write's transfer until 5000, done 55000; core at 666
    //   compute 3000 cycles: core at 666 + 3000 * 333 = 999666
    //   read 8 issues at 999666, starts at once, done 999666 + 50000 = 1049666
    // The run ends when the last access completes: 1049666 ps = ceil(1049666 / 333) = 3153 cycles.
    fs::path out = scratch("timed");
    auto r = memsim("run --quiet --trace " + data("three-accesses.txt") + " --out " + out.string() + kCoreToMemory);
    REQUIRE(r.code == 0);
    auto j = stats_of(out);
    const auto& s = j["stats"];
    CHECK(s["sim.time_ps"] == 1049666.0);
    CHECK(s["cpu.cycles"] == 3153);
    CHECK(s["cpu.accesses"] == 3);
    CHECK(s["cpu.bytes_read"] == 72);
    CHECK(s["cpu.bytes_written"] == 64);
    CHECK(s["memory.queue_ps"] == 5000 - 333);
    CHECK(s["sim.bandwidth_bytes_per_s"].get<double>() == Approx(136 / 1049666e-12));
    CHECK(j["config"]["cpu"]["frequency"] == "3GHz");
    CHECK(r.out.find("simulated time      1.05us") == std::string::npos);  // not exact in us: printed in ns
    CHECK(r.out.find("simulated time      1049.666ns") != std::string::npos);
}

TEST_CASE("functional mode counts the same accesses without time", "[e2e]") {
    fs::path out = scratch("functional");
    auto r = memsim("run -q --mode functional --trace " + data("three-accesses.txt") + " --out " + out.string() +
                    kCoreToMemory);
    REQUIRE(r.code == 0);
    auto s = stats_of(out)["stats"];
    CHECK(s["cpu.accesses"] == 3);
    CHECK(s["memory.bytes_read"] == 72);
    CHECK_FALSE(s.contains("sim.time_ps"));
}

TEST_CASE("config show prints YAML that run and config show accept back unchanged", "[e2e]") {
    fs::path d = scratch("show");
    auto a = memsim("config show --set memory.simple.latency=13.75ns --set cpu.max_outstanding=4");
    REQUIRE(a.code == 0);
    std::ofstream(d / "resolved.yaml") << a.out;
    auto b = memsim("config show " + (d / "resolved.yaml").string());
    REQUIRE(b.code == 0);
    CHECK(b.out == a.out);
    CHECK(a.out.find("latency: 13.75ns") != std::string::npos);
    auto r = memsim("run -q " + (d / "resolved.yaml").string() + " --trace " + data("three-accesses.txt"));
    CHECK(r.code == 0);
}

TEST_CASE("bad input exits 2 naming file - line and what was expected", "[e2e]") {
    auto cfg = memsim("run " + data("bad-config.yaml"));
    CHECK(cfg.code == 2);
    CHECK(cfg.err.find(data("bad-config.yaml") + ":5:14: memory.simple.latency: a time needs a unit") !=
          std::string::npos);
    auto tr = memsim("run --trace " + data("bad-line.txt"));
    CHECK(tr.code == 2);
    CHECK(tr.err.find(data("bad-line.txt") + ":3:") != std::string::npos);
    auto missing = memsim("run --trace /no/such/trace");
    CHECK(missing.code == 2);
    CHECK(missing.err.find("/no/such/trace") != std::string::npos);
    auto set = memsim("run --set cpu.frequncy=2GHz");
    CHECK(set.code == 2);
    CHECK(set.err.find("did you mean \"cpu.frequency\"?") != std::string::npos);
}

TEST_CASE("lenient mode (--lenient) skips and counts malformed lines", "[e2e]") {
    fs::path out = scratch("lenient");
    auto r = memsim("run --lenient --trace " + data("bad-line.txt") + " --out " + out.string());
    REQUIRE(r.code == 0);
    auto j = stats_of(out);
    CHECK(j["run"]["skipped_lines"] == 1);
    CHECK(j["stats"]["cpu.accesses"] == 2);
    CHECK(r.err.find("1 malformed trace line(s) skipped") != std::string::npos);
}

TEST_CASE("DMA events run on the kernel model and the DMA engine", "[e2e]") {
    // dma_alloc takes 20 KiB from the buddy allocator (order 3: 8 pages, kept whole as x86 does);
    // the `dma` event copies 16 KiB between the two buffers on channel dma0 in 64-byte bursts
    // (256, each a read and a write); nothing is left without a model.
    fs::path d = scratch("dma");
    std::ofstream(d / "t.txt") << "dma_alloc 1 20480\ndma_alloc 2 20480\ndma dma0 1 2 16384\nwrite 0x10000010 8\n"
                                  "dma_free 1\ndma_free 2\n";
    auto r = memsim("run -q --trace " + (d / "t.txt").string() + " --out " + d.string());
    REQUIRE(r.code == 0);
    auto s = stats_of(d)["stats"];
    CHECK(s["os.dma.allocs"] == 2);
    CHECK(s["os.dma.frees"] == 2);
    CHECK(s["dma.transfers"] == 1);
    CHECK(s["dma.bytes"] == 16384);
    CHECK(s["dma.bursts"] == 16384 / 64);
    CHECK(s["sim.events_unmodelled"] == 0);
    CHECK(s["cpu.kernel_cycles"] == 0);  // coherent buffers: no cache maintenance
    // kmalloc'd buffers handed to a device that does not snoop (os.dma.coherent false) are
    // streaming mappings: dma_map_single/dma_unmap_single clean and invalidate their lines on the
    // CPU, whose time it is. (dma_alloc buffers are coherent: none.)
    fs::path nc = scratch("dma-nc");
    std::ofstream(nc / "t.txt") << "kmalloc 1 4096\nkmalloc 2 4096\ndma dma0 1 2 4096\nkfree 1\nkfree 2\n";
    REQUIRE(memsim("run -q --trace " + (nc / "t.txt").string() + " --out " + nc.string() +
                   " --set os.dma.coherent=false --set os.dma.cycles_per_line=10")
                .code == 0);
    auto n = stats_of(nc)["stats"];
    CHECK(n["dma.maintenance_cycles"].get<double>() > 0);
    CHECK(n["cpu.kernel_cycles"] == n["dma.maintenance_cycles"]);
    // An unknown device is the trace's error, at its line.
    std::ofstream(d / "bad.txt") << "dma_alloc 1 4096\ndma_alloc 2 4096\ndma gpu 1 2 64\n";
    auto bad = memsim("run -q --trace " + (d / "bad.txt").string());
    CHECK(bad.code == 2);
    CHECK(bad.err.find("bad.txt:3") != std::string::npos);
}

TEST_CASE("the time series samples chosen stats every N events", "[e2e]") {
    fs::path d = scratch("series");
    std::ofstream t(d / "t.txt");
    for (int i = 0; i < 10; ++i) t << "read " << 0x10000000 + 64 * i << " 64\n";
    t.close();
    auto r = memsim("run -q --trace " + (d / "t.txt").string() + " --out " + d.string() +
                    " --set sim.sample_every_events=4 --set sim.sample_stats=cpu.accesses,memory.reads" + kCoreToMemory);
    REQUIRE(r.code == 0);
    // Rows after events 4 and 8 (the core issues one read a 333 ps cycle: 4 x 333, 8 x 333) and the
    // last at 10, when the tenth read completes: 64 B transfers of 5000 ps each queue, so it starts at
    // 9 x 5000 and completes 50 ns later, at 95000 ps.
    CHECK(slurp(d / "timeseries.csv") ==
          "events,time_ps,memory.reads,cpu.accesses\n"
          "4,1332,4,4\n"
          "8,2664,8,8\n"
          "10,95000,10,10\n");
}

TEST_CASE("the default simulation replays the bundled lackey log access by access", "[e2e]") {
    // Count the accesses in the log independently of memsim's reader: lackey writes `I  addr,size`
    // for fetches and ` L|S|M addr,size` for data; a modify is a read then a write, and accesses
    // over 64 bytes (cpu.max_access_size) are issued in 64-byte pieces.
    std::string trace = std::string(MEMSIM_SOURCE_DIR) + "/traces/default.lackey.zst";
    FILE* p = ::popen(("zstd -dc " + trace).c_str(), "r");
    REQUIRE(p != nullptr);
    uint64_t fetches = 0, reads = 0, writes = 0, bytes = 0;
    char line[256];
    while (std::fgets(line, sizeof line, p)) {
        char kind = line[0] == 'I' ? 'I' : line[0] == ' ' ? line[1] : 0;
        const char* comma = std::strchr(line, ',');
        if (!kind || !comma || line[0] == '=') continue;
        uint64_t size = std::strtoull(comma + 1, nullptr, 10), pieces = (size + 63) / 64;
        if (kind == 'I') fetches += pieces, bytes += size;
        if (kind == 'L' || kind == 'M') reads += pieces, bytes += size;
        if (kind == 'S' || kind == 'M') writes += pieces, bytes += size;
    }
    ::pclose(p);
    REQUIRE(fetches > 100000);
    fs::path out = scratch("default");
    auto r = memsim("run -q --out " + out.string());
    REQUIRE(r.code == 0);
    auto s = stats_of(out)["stats"];
    CHECK(s["cpu.ifetches"] == fetches);
    CHECK(s["cpu.reads"] == reads);
    CHECK(s["cpu.writes"] == writes);
    CHECK(s["cpu.bytes_read"].get<uint64_t>() + s["cpu.bytes_written"].get<uint64_t>() == bytes);
    CHECK(s["sim.events_unmodelled"] == 0);
    // configs/default.yaml describes the same machine as the built-in defaults.
    fs::path out2 = scratch("default-yaml");
    auto r2 = memsim("run -q " + std::string(MEMSIM_SOURCE_DIR) + "/configs/default.yaml --out " + out2.string());
    REQUIRE(r2.code == 0);
    CHECK(stats_of(out2)["stats"] == s);
}

TEST_CASE("docs/configuration.md lists the parameters the code declares", "[e2e][docs]") {
    auto r = memsim("config params --markdown");
    REQUIRE(r.code == 0);
    std::string doc = slurp(std::string(MEMSIM_SOURCE_DIR) + "/docs/configuration.md");
    std::string begin = "<!-- params:begin -->\n";
    size_t a = doc.find(begin), b = doc.find("<!-- params:end -->");
    REQUIRE(a != std::string::npos);
    REQUIRE(b != std::string::npos);
    std::string tables = r.out;
    while (!tables.empty() && tables.back() == '\n') tables.pop_back();
    CHECK(doc.substr(a + begin.size(), b - a - begin.size()) == tables + "\n");  // else run scripts/gen-docs
}

TEST_CASE("memory.request_log writes the machine's DRAM requests for a standalone replay", "[e2e][dram]") {
    // The default run on the generic controller: every 64-byte burst the memory receives, a line
    // each in DRAMSim3's format, in arrival order; replayed alone it is the same reads and writes.
    fs::path run = scratch("request-log"), replay = scratch("request-log-replay");
    const std::string log = (run / "requests.trace").string();
    fs::create_directories(run);
    REQUIRE(memsim("run -q --set memory.request_log=" + log + " --out " + run.string()).code == 0);
    auto s = stats_of(run)["stats"];
    std::ifstream in(log);
    std::string line;
    uint64_t reads = 0, writes = 0, last = 0;
    bool ordered = true;
    std::getline(in, line);
    CHECK(line.rfind("# memory requests of a memsim run", 0) == 0);
    while (std::getline(in, line)) {
        std::istringstream f(line);
        std::string addr, kind;
        uint64_t cycle = 0;
        f >> addr >> kind >> cycle;
        ordered = ordered && cycle >= last;
        last = cycle;
        (kind == "READ" ? reads : writes) += 1;
    }
    CHECK(ordered);
    CHECK(double(reads) == s["dram.reads"].get<double>());
    CHECK(double(writes) == s["dram.writes"].get<double>());
    REQUIRE(memsim("run -q --trace " + log + " --trace-format dramsim3 --out " + replay.string()).code == 0);
    auto r = stats_of(replay)["stats"];
    CHECK(r["dram.reads"] == s["dram.reads"]);
    CHECK(r["dram.writes"] == s["dram.writes"]);
    // Functional mode has no arrival times to log.
    auto functional = memsim("run -q --set sim.mode=functional --set memory.request_log=" + log);
    CHECK(functional.code == 2);
    CHECK(functional.err.find("memory.request_log: requests have arrival times only in timing mode") !=
          std::string::npos);
    // A memory-only run reads its requests from the trace: refused before the log (here the
    // trace itself) is opened for writing.
    const auto size = fs::file_size(log);
    auto standalone = memsim("run -q --trace " + log + " --trace-format dramsim3 --set memory.request_log=" + log);
    CHECK(standalone.code == 2);
    CHECK(standalone.err.find("memory.request_log: a memory-only run reads its requests from the trace") !=
          std::string::npos);
    CHECK(fs::file_size(log) == size);
    auto simple = memsim("run -q --set memory.model=simple --set memory.request_log=" + log);
    CHECK(simple.code == 2);
    CHECK(simple.err.find("memory.model: simple has no DRAM") != std::string::npos);
}

TEST_CASE("two DDR3 channels behind the caches split the machine's misses", "[e2e][dram]") {
    // The default run (x86-64 preset, the bundled `ls /` log) on the generic DDR3 controller, one
    // channel and two (consecutive 64-byte bursts alternate: RoBaRaCoCh). A channel changes when a
    // line arrives, not which lines miss: the same DRAM reads and writes, split between the two.
    fs::path one = scratch("channels-1"), two = scratch("channels-2");
    REQUIRE(memsim("run -q --set memory.model=ddr3 --out " + one.string()).code == 0);
    REQUIRE(memsim("run -q --set memory.model=ddr3 --set memory.channels=2 --out " + two.string()).code == 0);
    auto a = stats_of(one)["stats"], b = stats_of(two)["stats"];
    REQUIRE(a["dram.reads"].get<double>() > 1000);
    CHECK(b["dram.reads"] == a["dram.reads"]);
    CHECK(b["dram.writes"] == a["dram.writes"]);
    CHECK(b["dram.ch0.reads"].get<double>() + b["dram.ch1.reads"].get<double>() == b["dram.reads"].get<double>());
    CHECK(b["dram.ch0.reads"].get<double>() > 0.3 * b["dram.reads"].get<double>());
    CHECK(b["dram.ch1.reads"].get<double>() > 0.3 * b["dram.reads"].get<double>());
    // Both channels count the whole run (background energy, refresh), whichever served last.
    CHECK(b["dram.ch0.cycles"] == b["dram.ch1.cycles"]);
    // A channel no address below memory.size reaches is refused: MIG puts Ch on top, so with two
    // 4 GB SODIMMs the second starts at 4 GiB, beyond the default 4 GiB.
    auto high = memsim("run -q --set memory.model=mig --set memory.channels=2");
    CHECK(high.code == 2);
    CHECK(high.err.find("channel 1 starts at byte 4294967296") != std::string::npos);
    fs::path mig = scratch("channels-mig");
    REQUIRE(memsim("run -q --set memory.model=mig --set memory.channels=2 --set memory.size=8GiB --out " +
                   mig.string())
                .code == 0);
    auto m = stats_of(mig)["stats"];
    // The kernel's pages come from both 4 GiB halves or only the first; either way the idle
    // SODIMM still refreshes over the whole run and MIG keeps its PHY tracking reads going.
    CHECK(m["dram.ch1.cycles"] == m["dram.ch0.cycles"]);
    CHECK(m["dram.ch1.refreshes"].get<double>() > 0);
    CHECK(m["dram.ch1.energy.background"].get<double>() > 0);
    // A fixed-latency memory has no channels to split.
    auto simple = memsim("run -q --set memory.model=simple --set memory.channels=2");
    CHECK(simple.code == 2);
    CHECK(simple.err.find("memory.channels: 2 needs a DRAM controller per channel") != std::string::npos);
}
