// Standalone DRAM runs: the request-trace formats of DRAMSim3, Ramulator 2 and DRAMSys, their
// errors, configs/dram-only.yaml, and the statistics a run reports under their stable names.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "models/dram/checker.h"
#include "models/dram/request_trace.h"
#include "models/dram/standalone.h"
#include "sim/core/error.h"
#include "tests/models/dram/dram_test_util.h"

using namespace memsim;
using namespace memsim::dram;

namespace {
std::string write_file(const std::string& name, const std::string& text) {
    auto p = std::filesystem::temp_directory_path() / ("memsim_dram_" + std::to_string(::getpid()) + "_" + name);
    std::ofstream(p) << text;
    return p.string();
}
std::vector<TraceRequest> read_all(const std::string& path, const std::string& format = "auto") {
    auto src = open_request_trace(path, format);
    std::vector<TraceRequest> v;
    TraceRequest r;
    while (src->next(r)) v.push_back(r);
    return v;
}
std::string error_of(const std::string& path, const std::string& format = "auto") {
    try {
        read_all(path, format);
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST_CASE("The three request-trace formats read the same requests", "[dram][trace]") {
    auto d = read_all(write_file("a.trc", "0x1000 READ 0\n# comment\n\n0x2040 WRITE 17\n"));
    auto r = read_all(write_file("b.trace", "LD 0x1000\nST 8256\n"));
    auto s = read_all(write_file("c.stl", "0: read 0x1000\n17:\t(64) write\t0x2040\t0x0011223344\n"));
    REQUIRE(d.size() == 2);
    REQUIRE(r.size() == 2);
    REQUIRE(s.size() == 2);
    for (const auto* v : {&d, &r, &s}) {
        CHECK((*v)[0].addr == 0x1000);
        CHECK(!(*v)[0].write);
        CHECK((*v)[1].addr == 0x2040);  // 8256 decimal in the Ramulator trace
        CHECK((*v)[1].write);
    }
    CHECK(d[1].cycle == 17);
    CHECK(s[1].cycle == 17);
    CHECK(r[1].cycle == 0);  // Ramulator's traces carry no time
}

TEST_CASE("An STL request of LEN bytes is one request per 64-byte burst it touches", "[dram][trace]") {
    // 128 bytes at 0: bursts 0x0 and 0x40. 100 bytes at 0x30 end at 0x93: bursts 0x0, 0x40 and 0x80,
    // the first kept at its own address. All at the line's clock.
    auto s = read_all(write_file("len.stl", "10: (128) read 0x0\n20: (100) write 0x30 00ff\n30: read 0x1000\n"));
    REQUIRE(s.size() == 6);
    const uint64_t addr[] = {0x0, 0x40, 0x30, 0x40, 0x80, 0x1000};
    const uint64_t cycle[] = {10, 10, 20, 20, 20, 30};
    const bool write[] = {false, false, true, true, true, false};
    for (size_t i = 0; i < 6; ++i) {
        INFO(i);
        CHECK(s[i].addr == addr[i]);
        CHECK(s[i].cycle == cycle[i]);
        CHECK(s[i].write == write[i]);
    }
    // A length that is not a positive number, a length after the command (DRAMSys's stoull of the
    // address throws on it), no command or no address: errors naming the line.
    for (const char* bad : {"10: (abc) read 0x0\n", "10: (0) read 0x0\n", "10: () read 0x0\n",
                            "10: read (64) 0x0\n", "10: (64) 0x0\n", "10: (64) write\n", "10: read 0xZZ\n"}) {
        INFO(bad);
        std::string p = write_file("badlen.stl", std::string("0: read 0x40\n") + bad);
        CHECK(error_of(p, "stl").find(p + ":2") != std::string::npos);
    }
}

TEST_CASE("STL lines read as DRAMSys's StlPlayer reads them", "[dram][trace]") {
    // StlPlayer::parseTraceFile: the clock decimal (stoull; the ':' may be left out), the address
    // hex with or without 0x (stoull base 16), whatever follows the address ignored without
    // storage (configs/README.md's own example line ends in "...").
    auto s = read_all(write_file("ds.stl", "31 read 0x400140\n33: read 1000\n56: write 0x7fff8000 0x123456789abcdef...\n"
                                           "60:\twrite\t0X40\tff 00\n"),
                      "stl");
    REQUIRE(s.size() == 4);
    CHECK(s[0].cycle == 31);
    CHECK(s[0].addr == 0x400140);
    CHECK(s[1].addr == 0x1000);
    CHECK(s[2].addr == 0x7fff8000);
    CHECK(s[2].write);
    CHECK(s[3].cycle == 60);
    CHECK(s[3].addr == 0x40);
    // A hex clock is not DRAMSys's (its stoull reads "0x10" as 0): an error, not a silent 16.
    std::string p = write_file("hexclock.stl", "0x10: read 0x0\n");
    CHECK(error_of(p, "stl").find(p + ":1") != std::string::npos);
}

TEST_CASE("A line behind the line before is sent at once and counted", "[dram][trace]") {
    // DRAMSys's configs/traces/example.stl restarts its clock at 0 three times; StlPlayer
    // (nextTrigger: behindSchedule) and DRAMSim3's trace CPU send such a line at once.
    auto src = open_request_trace(write_file("back.stl", "10: read 0x0\n20: read 0x40\n0: read 0x80\n5: read 0xc0\n"
                                                         "30: read 0x100\n"));
    std::vector<TraceRequest> v;
    for (TraceRequest r; src->next(r);) v.push_back(r);
    REQUIRE(v.size() == 5);
    const uint64_t cycle[] = {10, 20, 20, 20, 30};
    for (size_t i = 0; i < 5; ++i) CHECK(v[i].cycle == cycle[i]);
    CHECK(src->notes().late_requests == 2);
    CHECK(src->notes().first_late_line == 3);
    // The same in a DRAMSim3 trace.
    auto d = open_request_trace(write_file("back.trc", "0x0 READ 10\n0x40 READ 5\n"));
    for (TraceRequest r; d->next(r);) CHECK(r.cycle == 10);
    CHECK(d->notes().late_requests == 1);
}

TEST_CASE("A .rstl trace is relative: each clock a delay after the line before", "[dram][trace]") {
    // DRAMSys apps/simulator/Simulator.cpp: the .rstl extension selects TraceType::Relative.
    auto v = read_all(write_file("rel.rstl", "10: read 0x0\n5: (128) read 0x40\n0: write 0x100\n7: read 0x140\n"));
    REQUIRE(v.size() == 5);
    const uint64_t cycle[] = {10, 15, 15, 15, 22};
    for (size_t i = 0; i < 5; ++i) CHECK(v[i].cycle == cycle[i]);
    // An .stl of the same lines is absolute: 5 and 0 are behind 10 and go at once.
    auto a = read_all(write_file("abs.stl", "10: read 0x0\n5: (128) read 0x40\n0: write 0x100\n7: read 0x140\n"));
    REQUIRE(a.size() == 5);
    for (const auto& r : a) CHECK(r.cycle == 10);
}

TEST_CASE("A trace clock other than the memory's: each request at the first memory clock at or after it",
          "[dram][trace]") {
    // DRAMSys's DDR4 example plays example.stl at 200 MHz (5 ns); on DDR3-1600 (1.25 ns) its clock
    // 10 is 50 ns = memory clock 40. At 1.32 ns (NetFPGA-SUME's tCK), clock 10 is 13.2 ns: clock
    // 10.56 of 1.25 ns, so 11.
    RequestTraceOptions o;
    o.clock_ps = 5000;
    o.memory_tck_ps = 1250;
    auto src = open_request_trace(write_file("clk.stl", "10: read 0x0\n11: read 0x40\n"), "auto", o);
    TraceRequest r;
    REQUIRE(src->next(r));
    CHECK(r.cycle == 40);
    REQUIRE(src->next(r));
    CHECK(r.cycle == 44);
    o.clock_ps = 1320;
    auto odd = open_request_trace(write_file("clk2.trc", "0x0 READ 10\n"), "auto", o);
    REQUIRE(odd->next(r));
    CHECK(r.cycle == 11);
}

TEST_CASE("Lenient request traces skip and count malformed lines", "[dram][trace]") {
    auto src = open_request_trace(write_file("len.trc", "0x0 READ 0\n0x40 FETCH 1\nnonsense\n0x80 WRITE 2\n"), "auto",
                                  {0, true});
    std::vector<TraceRequest> v;
    for (TraceRequest r; src->next(r);) v.push_back(r);
    REQUIRE(v.size() == 2);
    CHECK(v[1].addr == 0x80);
    CHECK(src->notes().skipped_lines == 2);
    CHECK(src->notes().first_skipped_line == 2);
    CHECK(src->notes().first_skipped_error.find("len.trc:2") != std::string::npos);
}

TEST_CASE("A request cycle beyond 2^52 is an error and no request is dropped", "[dram][trace]") {
    // 2^52 is the last cycle taken (its picoseconds fit 64 bits at any DDR3 tCK up to 4 ns);
    // 2^64 - 1 used to end the trace silently (the standalone run's window is 2^64 - 1).
    auto ok = read_all(write_file("big.trc", "0x0 READ 0\n0x40 READ 4503599627370496\n"));
    REQUIRE(ok.size() == 2);
    CHECK(ok[1].cycle == (uint64_t(1) << 52));
    std::string p = write_file("huge.trc", "0x0 READ 0\n0x40 READ 18446744073709551615\n0x80 READ 18446744073709551615\n");
    CHECK(error_of(p).find(p + ":2") != std::string::npos);
    CHECK(error_of(p).find("beyond 2^52") != std::string::npos);
}

TEST_CASE("DRAMSim3 traces read as DRAMSim3 reads them", "[dram][trace]") {
    // src/common.cc operator>>: the address through std::hex (0x optional), the cycle decimal;
    // WRITE, write, P_MEM_WR and BOFF are writes. Trailing comments and CRLF line ends are allowed.
    auto d = read_all(write_file("ds3.trc", "1f40 READ 3\r\n0X2A00 P_MEM_WR 4 # a comment\n"
                                            "0xFFc0 read 10\n0x40 BOFF 11\n0x80 P_FETCH 12\n0xc0 write 12\n"));
    REQUIRE(d.size() == 6);
    CHECK(d[0].addr == 0x1f40);
    CHECK(d[0].cycle == 3);
    CHECK(!d[0].write);
    CHECK(d[1].addr == 0x2a00);
    CHECK(d[1].write);
    CHECK(d[2].addr == 0xffc0);
    CHECK(d[2].cycle == 10);
    CHECK(!d[2].write);
    CHECK(d[3].write);
    CHECK(!d[4].write);
    CHECK(d[5].write);
    // DRAMSim3 would take any other word for a read; here it is an error.
    std::string p = write_file("ds3bad.trc", "0x40 READ 1\n0x80 REEAD 2\n");
    CHECK(error_of(p).find(p + ":2") != std::string::npos);
    // The cycle goes through std::dec: a hex one is an error (DRAMSim3's stream fails on it).
    p = write_file("ds3hex.trc", "0x40 READ 0x10\n");
    CHECK(error_of(p, "dramsim3").find(p + ":1") != std::string::npos);
}

TEST_CASE("A zstd-compressed request trace reads as its content", "[dram][trace][zstd]") {
    const std::string text = "0x1000 READ 0\n0x2040 WRITE 17\n";
    std::string z(ZSTD_compressBound(text.size()), '\0');
    size_t n = ZSTD_compress(z.data(), z.size(), text.data(), text.size(), 3);
    REQUIRE(!ZSTD_isError(n));
    z.resize(n);
    auto d = read_all(write_file("z.trc.zst", z));
    REQUIRE(d.size() == 2);
    CHECK(d[1].addr == 0x2040);
    CHECK(d[1].cycle == 17);
    CHECK(d[1].write);
}

TEST_CASE("Bad request-trace lines name the file and line", "[dram][trace]") {
    std::string p = write_file("bad1.trc", "0x1000 READ 0\n0x2000 FETCH 5\n");
    CHECK(error_of(p).find(p + ":2") != std::string::npos);
    CHECK(error_of(p).find("READ|WRITE") != std::string::npos);
    p = write_file("bad3.trc", "hello world\n");
    CHECK(error_of(p).find("cannot tell the trace format") != std::string::npos);
    p = write_file("bad4.trc", "LD 0xZZ\n");
    CHECK(error_of(p, "ramulator").find(":1") != std::string::npos);
    CHECK_THROWS_AS(open_request_trace("/nonexistent/trace"), InputError);
}

TEST_CASE("A request trace's format is told from its first request line", "[dram][trace]") {
    CHECK(detect_request_trace_format(write_file("f1.trc", "# DRAMSim3\n\n0x1000 READ 0\n")) == "dramsim3");
    CHECK(detect_request_trace_format(write_file("f2.trc", "1000 write 7\n")) == "dramsim3");  // std::hex, DRAMSim2
    CHECK(detect_request_trace_format(write_file("f3.trc", "LD 4096\nST 0x40\n")) == "ramulator");
    CHECK(detect_request_trace_format(write_file("f4.stl", "0:\t(16) write\t0x0\t0xff00\n")) == "stl");
    // DRAMSys's colon may be left out: STL when the line is not DRAMSim3's (whose cycle is decimal).
    CHECK(detect_request_trace_format(write_file("f4b.stl", "31 read 0x400140\n")) == "stl");
    CHECK(detect_request_trace_format(write_file("f4c.trc", "100 read 4000\n")) == "dramsim3");
    // Other traces, and lines that only start like a request trace's.
    CHECK(detect_request_trace_format(write_file("f5.txt", "# memsim-trace v1\nread 0x1000 8\n")).empty());
    CHECK(detect_request_trace_format(write_file("f6.txt", " L 0400d7d4,8\n")).empty());
    CHECK(detect_request_trace_format(write_file("f7.txt", "= Start\n@ ./a.out:[0x400] + 0x602010 0x10\n")).empty());
    CHECK(detect_request_trace_format(write_file("f8.trc", "0x1000 READ\n")).empty());
    // (Malformed but shaped like one: that format's, below.)
    CHECK(detect_request_trace_format(write_file("f9.trc", "LD 0xZZ\n")) == "ramulator");
    CHECK(detect_request_trace_format(write_file("f10.trc", "10: fetch 0x1000\n")) == "stl");
    CHECK(detect_request_trace_format(write_file("f11.trc", "")).empty());
    CHECK(detect_request_trace_format("/nonexistent/trace").empty());
    CHECK(detect_request_trace_format("-").empty());
}

TEST_CASE("Requests at or beyond the memory's size are counted with the first one's line", "[dram][trace]") {
    // 1 GiB: 0x3fffffc0 is the last burst inside; 0x40000000 and 0x140000000 are beyond.
    auto src = open_request_trace(write_file("big.trc", "0x3fffffc0 READ 0\n0x40000000 READ 1\n0x1000 READ 2\n"
                                                        "0x140000000 WRITE 3\n"),
                                  "auto", {uint64_t(1) << 30});
    TraceRequest r;
    while (src->next(r)) {
    }
    CHECK(src->notes().beyond_size == 2);
    CHECK(src->notes().first_beyond_line == 2);
    CHECK(src->notes().first_beyond_addr == 0x40000000);
    // An STL request's later bursts count by their own addresses, on the line that holds them.
    auto stl = open_request_trace(write_file("big.stl", "0: (128) read 0x3fffffc0\n"), "stl", {uint64_t(1) << 30});
    while (stl->next(r)) {
    }
    CHECK(stl->notes().beyond_size == 1);
    CHECK(stl->notes().first_beyond_line == 1);
    CHECK(stl->notes().first_beyond_addr == 0x40000000);
}

TEST_CASE("configs/dram-only.yaml runs a DRAMSim3 trace and reports the stable statistics", "[dram][standalone]") {
    config::Config cfg;
    cfg.load_file(std::string(MEMSIM_SOURCE_DIR) + "/configs/dram-only.yaml");
    // Two reads to bank 0 row 0 (a miss then a hit), one write, spaced out so each is unloaded.
    std::string p = write_file("run.trc", "0x0 READ 0\n0x40 READ 100\n0x80 WRITE 200\n");
    stats::Registry reg;
    auto res = StandaloneRun(cfg, p, reg);
    CHECK(res.requests == 3);
    CHECK(reg.value("dram.reads") == 2);
    CHECK(reg.value("dram.writes") == 1);
    CHECK(reg.value("dram.row_misses") == 1);
    CHECK(reg.value("dram.row_hits") == 2);  // the read at 100 and the write
    CHECK(reg.value("dram.row_conflicts") == 0);
    CHECK(reg.value("dram.refreshes") == 0);
    // DRAMSim3's two-level queues (queue: two_level): a request moves into its bank's command
    // queue in the clock it arrives and its first command goes the clock after:
    // 1 + tRCD + CL + BL/2 = 27 nCK = 33.75 ns, then 1 + CL + BL/2 = 16 nCK = 20 ns.
    CHECK(reg.value("dram.read_latency_avg_ns") == Approx((33.75 + 20) / 2));
    CHECK(reg.value("dram.read_latency_p99_ns") == Approx(33.75).epsilon(0.02));
    // The lone write waits in the write buffer (no drain starts for one write) until the trace
    // ends at 200, when the run drains it: WR at 201, data ends 201 + CWL + BL/2 = 213 nCK = 266.25 ns.
    CHECK(res.end_ps == 266250);
    CHECK(reg.value("dram.bandwidth_bytes_per_s") == Approx(3 * 64 / 266.25e-9));
    CHECK(reg.value("dram.rank0.bank0.reads") == 2);
    CHECK(reg.value("dram.rank0.bank0.writes") == 1);
    CHECK(reg.value("dram.bus_utilisation") == Approx(3.0 * 4 / 213));  // 3 bursts of BL/2 in 213 nCK
    CHECK(reg.value("dram.read_queue_occupancy.count") == 3);
}

TEST_CASE("make_memory refuses a memory larger than its channels hold", "[dram][standalone]") {
    config::Config cfg;
    cfg.load_file(std::string(MEMSIM_SOURCE_DIR) + "/configs/dram-only.yaml");
    cfg.set("memory.size=8GiB");
    stats::Registry reg;
    CHECK_THROWS_AS(make_memory(cfg, reg), InputError);
    cfg.set("memory.ddr3.part=MT16KTF1G64HZ-1G6");
    CHECK(make_memory(cfg, reg)->timing().ranks == 2);
    // Two 4 GB single-rank channels hold 8 GiB.
    cfg.set("memory.ddr3.part=MT8KTF51264HZ-1G6");
    cfg.set("memory.channels=2");
    stats::Registry reg2;
    CHECK(make_memory(cfg, reg2)->size() == 2);
    cfg.set("memory.size=16GiB");
    CHECK_THROWS_AS(make_memory(cfg, reg2), InputError);
}

TEST_CASE("Posted CAS: memory.ddr3.additive_latency moves the RD up to the ACT and not the data", "[dram][standalone]") {
    // JESD79-3F: with AL = CL - 1 = 10 a RD may follow its ACT after tRCD - AL = 1 clock, and the
    // device holds it AL clocks: data at RD + AL + CL + BL/2 = 1 + 10 + 11 + 4 = 26, as with AL 0
    // (ACT 0, RD 11, + 15).
    config::Config cfg;
    cfg.load_file(std::string(MEMSIM_SOURCE_DIR) + "/configs/dram-only.yaml");
    cfg.set("memory.ddr3.additive_latency=CL-1");
    cfg.set("memory.generic.queue=shared");  // issues on the arrival clock
    stats::Registry reg;
    auto mem = make_memory(cfg, reg);
    Controller* ctl = &mem->channel(0);
    ctl->keep_commands(true);
    REQUIRE(ctl->timing().AL == 10);
    uint64_t done = 0;
    ctl->on_done = [&](uint64_t id, uint64_t ps) { if (id == 0) done = ps; };
    ctl->enqueue(0, ctl->address_map().encode({0, 3, 5, 0}), false, 0);
    ctl->drain();
    REQUIRE(ctl->commands().size() == 2);
    CHECK(ctl->commands()[1].cycle == 1);
    CHECK(done == 26 * 1250);
    // A mixed load under AL passes the checker (RD->PRE AL + tRTP, WR->PRE WL + BL/2 + tWR, ...).
    uint64_t seed = 11;
    for (uint64_t i = 1; i <= 3000; ++i) {
        uint64_t a = memsim::dram::testing::mix(seed) % (64ull << 20) & ~63ull;
        bool w = i % 3 == 0;
        while (!ctl->can_accept(a, w)) ctl->step(UINT64_MAX);
        ctl->run_until(std::max(ctl->now(), 4 * i));
        ctl->enqueue(i, a, w, std::max(ctl->now(), 4 * i));
    }
    ctl->drain();
    auto v = check_commands(ctl->timing(), ctl->commands(), 0);
    for (size_t i = 0; i < v.size() && i < 5; ++i) UNSCOPED_INFO(v[i].message);
    CHECK(v.empty());
    // The MIG model keeps AL 0.
    cfg.set("memory.model=mig");
    CHECK_THROWS_AS(make_memory(cfg, reg), InputError);
}

TEST_CASE("A bad address mapping in the configuration is an input error", "[dram][standalone]") {
    config::Config cfg;
    CHECK_THROWS_AS(cfg.set("memory.generic.address_mapping=RoBaRa"), InputError);
}

TEST_CASE("Functional mode only counts", "[dram][generic]") {
    stats::Registry reg;
    Controller c(ddr3_preset("MT8KTF51264HZ-1G6"), memsim::dram::testing::generic_defaults(), reg, false);
    CHECK(c.access(mem::Request{0x1000, 128, mem::AccessKind::Read}, 0) == 0);  // two bursts
    CHECK(c.access(mem::Request{0x1000, 8, mem::AccessKind::Write}, 0) == 0);
    CHECK(reg.value("dram.reads") == 2);
    CHECK(reg.value("dram.writes") == 1);
    CHECK(c.commands().empty());
}

TEST_CASE("The DRAM sections survive config show and load back unchanged", "[dram][standalone]") {
    config::Config cfg;
    cfg.load_file(std::string(MEMSIM_SOURCE_DIR) + "/configs/dram-only-mig.yaml");
    cfg.set("memory.mig.phy_ratio=2:1");
    cfg.set("memory.generic.address_mapping=RoRaBaCoCh");
    config::Config back;
    back.load_yaml_text(cfg.to_yaml(), "shown.yaml");
    for (const char* key : {"memory.model", "memory.ddr3.part", "memory.mig.phy_ratio", "memory.mig.ordering",
                            "memory.mig.periodic_read_interval", "memory.generic.address_mapping"})
        CHECK(back.value(key).text() == cfg.value(key).text());
    CHECK(back.value("memory.mig.phy_ratio").text() == "2:1");
}

TEST_CASE("A trace request behind one that waited for a full queue arrives after it", "[dram][standalone]") {
    // Write queue of 1 entry: W0 (bank 0) is accepted at 0 (write mode: ACT 0, WR at tRCD 11);
    // W1 (bank 1) waits for W0's slot, which frees at W0's WR (11); R (bank 2) has room in the
    // read queue but is behind W1 in the trace, so it arrives with W1 at 11 (not at 0): its ACT
    // goes at 11 or later and its latency is at most its completion minus 11.
    auto p = testing::generic_defaults();
    p.write_queue_depth = 1;
    testing::Rig r("MT8KTF51264HZ-1G6", p);
    testing::VectorSource src;
    src.reqs = {{0, r.addr(0, 0, 1), true}, {0, r.addr(0, 1, 1), true}, {0, r.addr(0, 2, 1), false}};
    uint64_t done = 0;
    r.ctl->on_done = [&](uint64_t id, uint64_t ps) {
        if (id == 2) done = ps / 1250;
    };
    CHECK(drive(*r.ctl, src) == 3);
    REQUIRE(done > 0);
    CHECK(r.stat("dram.read_latency_cycles.max") >= 26);  // tRCD + CL + BL/2 at least
    CHECK(r.stat("dram.read_latency_cycles.max") <= double(done - 11));
    r.require_clean();
}

TEST_CASE("A malformed first line shaped like a request format is that format's and names its line", "[dram][trace]") {
    // So its reader reports the line (and --lenient can skip it) instead of every trace reader
    // refusing a file it cannot tell.
    CHECK(detect_request_trace_format(write_file("s1.trc", "0x80 FETCH 4\n0x40 READ 5\n")) == "dramsim3");
    CHECK(detect_request_trace_format(write_file("s2.stl", "0x10: read 0x0\n")) == "stl");
    CHECK(detect_request_trace_format(write_file("s3.trc", "LD 0xZZ\n")) == "ramulator");
    // A FIFO is not sniffed: the reader that opens it next would find it empty.
    auto fifo = std::filesystem::temp_directory_path() / ("memsim_dram_" + std::to_string(::getpid()) + "_fifo");
    std::filesystem::remove(fifo);
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    CHECK(detect_request_trace_format(fifo.string()).empty());
    std::filesystem::remove(fifo);
}

TEST_CASE("A request past a window's end is not counted beyond memory.size", "[dram][trace]") {
    // sim.memory_only.cycles 2000: the request at 5000 is read (to find the window's end) but never
    // fed, so the run does not report it.
    RequestTraceOptions o;
    o.memory_size = uint64_t(1) << 30;
    o.until = 2000;
    auto src = open_request_trace(write_file("win.trc", "0x40 READ 0\n0x140000000 READ 5000\n"), "auto", o);
    for (TraceRequest r; src->next(r);) {
    }
    CHECK(src->notes().beyond_size == 0);
    o.until = UINT64_MAX;
    auto all = open_request_trace(write_file("win2.trc", "0x40 READ 0\n0x140000000 READ 5000\n"), "auto", o);
    for (TraceRequest r; all->next(r);) {
    }
    CHECK(all->notes().beyond_size == 1);
}
