// Loaded DDR3-1600 (MT8KTF51264HZ-1G6, one rank): the bandwidths the timing allows, worked out
// from the parameters, and refresh every tREFI. Requests all arrive at time 0 and enter the
// controller as queue slots free (the event-driven mode); the checker replays every command.
#include <catch2/catch.hpp>

#include "tests/models/dram/dram_test_util.h"

using namespace memsim;
using namespace memsim::dram;
using memsim::dram::testing::Rig;
using memsim::dram::testing::VectorSource;

namespace {
double bandwidth(Rig& r, VectorSource& src) {
    uint64_t last = 0;
    r.ctl->on_done = [&](uint64_t, uint64_t ps) { last = std::max(last, ps); };
    drive(*r.ctl, src);
    return double(src.reqs.size()) * 64 * 1e12 / double(last);
}
}  // namespace

TEST_CASE("Sequential reads reach the peak less the refresh gap", "[dram][generic][load]") {
    Rig r;
    VectorSource src;
    for (uint64_t i = 0; i < 200000; ++i) src.reqs.push_back({0, i * 64, false});  // 12.8 MB, ~1 ms
    double bw = bandwidth(r, src);
    const double peak = 12.8e9;  // 1600 MT/s x 8 bytes
    // Every tREFI = 6240 clocks the rank stops. The last RD at x; PREA at x + tRTP, REF tRP later,
    // ACT tRFC later, RD tRCD later, its data CL later: the next data at x + 6 + 11 + 208 + 11 + 11
    // = x + 247, while the last burst ended at x + CL + BL/2 = x + 15: 232 idle clocks.
    // Row changes overlap with other banks' bursts (FR-FCFS opens the next row ahead).
    CHECK(bw <= peak * (1 - 208.0 / 6240));  // never better than losing tRFC per tREFI: 12.37 GB/s
    CHECK(bw >= peak * (1 - 240.0 / 6240));  // the 232-clock gap plus a few: 12.31 GB/s
    CHECK(r.stat("dram.row_hits") >= 200000 - 200000 / 128 - 200);  // one miss per 8 KB row (+ after REF)
    r.require_clean();
}

TEST_CASE("Random single-rank reads are capped by tFAW", "[dram][generic][load]") {
    Rig r;
    VectorSource src;
    uint64_t seed = 1;
    for (int i = 0; i < 100000; ++i)
        src.reqs.push_back({0, (memsim::dram::testing::mix(seed) % (4ull << 30)) & ~63ull, false});
    double bw = bandwidth(r, src);
    // Nearly every read opens a row. tFAW allows 4 ACT per 24 clocks = 30 ns: 4 x 64 B / 30 ns.
    const double faw_bound = 4 * 64 / 30e-9;  // 8.53 GB/s (tRRD alone would allow 64 B / 6.25 ns)
    CHECK(bw <= faw_bound);
    // With 32 requests queued over 8 banks some bank is always ready to open; refresh
    // (~232 / 6240) and bank collisions take the rest.
    CHECK(bw >= 0.85 * faw_bound);
    CHECK(r.stat("dram.row_hits") < 100);  // 1 in 65536 rows
    r.require_clean();
}

TEST_CASE("An idle rank refreshes every tREFI", "[dram][generic][refresh]") {
    Rig r;
    r.ctl->run_until(100 * 6240 + 1);
    CHECK(r.stat("dram.refreshes") == 100);  // 100 x tREFI
    const auto& c = r.ctl->commands();
    REQUIRE(c.size() == 100);
    for (size_t i = 0; i < c.size(); ++i) CHECK(c[i].cycle == (i + 1) * 6240);
    r.require_clean();
}

TEST_CASE("A busy rank still refreshes once per tREFI", "[dram][generic][refresh]") {
    Rig r;
    VectorSource src;
    uint64_t seed = 7;
    for (int i = 0; i < 50000; ++i)
        src.reqs.push_back({0, (memsim::dram::testing::mix(seed) % (4ull << 30)) & ~63ull, i % 3 == 0});
    drive(*r.ctl, src);
    double due = double(r.ctl->now()) / 6240;  // tREFI intervals that have passed
    CHECK(r.stat("dram.refreshes") >= due - 1);
    CHECK(r.stat("dram.refreshes") <= due);
    r.require_clean(0);
}

TEST_CASE("Refresh postponed under load and pulled in when idle stays within JEDEC's 8", "[dram][generic][refresh]") {
    auto p = memsim::dram::testing::generic_defaults();
    p.refresh_postpone = 8;
    p.refresh_pull_in = 8;
    Rig r("MT8KTF51264HZ-1G6", p);
    // Idle from the start: 8 REFs pulled in at once (tRFC apart), then one per tREFI.
    r.ctl->run_until(8 * 208 + 1);
    CHECK(r.stat("dram.refreshes") == 8);
    VectorSource src;
    uint64_t seed = 3;
    for (int i = 0; i < 50000; ++i)
        src.reqs.push_back({20000, (memsim::dram::testing::mix(seed) % (4ull << 30)) & ~63ull, false});
    drive(*r.ctl, src);
    double due = double(r.ctl->now()) / 6240;
    CHECK(r.stat("dram.refreshes") >= due - 9);  // at most 8 postponed
    CHECK(r.stat("dram.refreshes") <= due + 8);  // at most 8 pulled in
    r.require_clean(8);
}

TEST_CASE("Ramulator's write drain starts at the high watermark and stops at the low one", "[dram][generic]") {
    auto p = memsim::dram::testing::generic_defaults();
    p.write_queue_depth = 8;  // high: RU(0.85 x 8) = 7 writes, low: RD(0.5 x 8) = 4
    Rig r("MT8KTF51264HZ-1G6", p);
    for (uint32_t i = 0; i < 7; ++i) r.ctl->enqueue(i, r.addr(0, 1, 0, 8 * i), true, 0);
    r.ctl->enqueue(7, r.addr(0, 2, 0), false, 0);
    r.ctl->enqueue(8, r.addr(0, 2, 0, 8), false, 0);
    r.ctl->drain();
    std::string order;
    for (const auto& c : r.ctl->commands())
        if (is_column(c.cmd)) order += is_read(c.cmd) ? 'R' : 'W';
    CHECK(order == "WWWRRWWWW");  // 7 -> 4 writes, the reads, then the rest (no reads wait)
    r.require_clean();
}

// gem5 MemCtrl::processNextReqEvent (src/mem/mem_ctrl.cc), with MemCtrl.py's defaults: 85 % and
// 50 % of the write queue (thresholds truncated to whole bursts, compared with '>'), 16 reads and
// 16 writes per turn at least.
static std::string column_order(const memsim::dram::testing::Rig& r, std::vector<uint64_t>* cycles = nullptr) {
    std::string order;
    for (const auto& c : r.ctl->commands())
        if (is_column(c.cmd)) {
            order += is_read(c.cmd) ? 'R' : 'W';
            if (cycles) cycles->push_back(c.cycle);
        }
    return order;
}

TEST_CASE("gem5's write drain: 16 reads and 16 writes a turn and the last writes wait", "[dram][generic]") {
    auto p = memsim::dram::testing::generic_defaults();
    p.write_drain = "gem5";  // 32-deep queues: high 27 (more than 27 writes), low 16
    Rig r("MT8KTF51264HZ-1G6", p);
    // 30 reads and then 28 writes at clock 0, all to row 0 of bank 0 (row hits after one ACT).
    for (uint32_t k = 0; k < 30; ++k) r.ctl->enqueue(k, r.addr(0, 0, 0, 8 * k), false, 0);
    for (uint32_t k = 0; k < 28; ++k) r.ctl->enqueue(30 + k, r.addr(0, 0, 0, 8 * (64 + k)), true, 0);
    // 28 writes are above the high threshold, but a turn is at least 16 reads: RD at 11 + 4k
    // (ACT 0, tRCD 11, tCCD 4) to 71. Then 16 writes: the first RL + BL/2 + 2 - WL = 11 + 4 + 2 - 8
    // = 9 after that RD, 80, to 140; reads wait, so back to them after WL + BL/2 + tWTR = 18: the
    // 14 reads from 158 to 210. Then no read waits and 12 writes are not above the low threshold:
    // they wait (gem5 leaves them queued) until the end of the trace drains them (from 1000, where
    // run_until stopped).
    r.ctl->run_until(1000);
    std::vector<uint64_t> at;
    CHECK(column_order(r, &at) == std::string(16, 'R') + std::string(16, 'W') + std::string(14, 'R'));
    REQUIRE(at.size() == 46);
    CHECK(at[0] == 11);
    CHECK(at[15] == 71);
    CHECK(at[16] == 80);
    CHECK(at[31] == 140);
    CHECK(at[32] == 158);
    CHECK(at[45] == 210);
    r.ctl->drain();
    at.clear();
    CHECK(column_order(r, &at) == std::string(16, 'R') + std::string(16, 'W') + std::string(14, 'R') + std::string(12, 'W'));
    REQUIRE(at.size() == 58);
    CHECK(at[46] == 1000);  // drain() starts where run_until stopped
    r.require_clean();
}

TEST_CASE("gem5's write drain: writes start on an empty read queue above the low threshold", "[dram][generic]") {
    auto p = memsim::dram::testing::generic_defaults();
    p.write_drain = "gem5";
    Rig r("MT8KTF51264HZ-1G6", p);
    // 16 writes (not more than the low threshold, 16) and no read: nothing goes.
    for (uint32_t k = 0; k < 16; ++k) r.ctl->enqueue(k, r.addr(0, 1, 0, 8 * k), true, 0);
    r.ctl->run_until(5000);
    CHECK(r.ctl->commands().empty());
    // A 17th at 5000: all 17 go (with no read waiting only an empty queue turns back): ACT 5000,
    // WR from 5011 every tCCD to 5075.
    r.ctl->enqueue(16, r.addr(0, 1, 0, 8 * 16), true, 5000);
    r.ctl->run_until(6000);
    std::vector<uint64_t> at;
    CHECK(column_order(r, &at) == std::string(17, 'W'));
    REQUIRE(at.size() == 17);
    CHECK(r.ctl->commands().front().cycle == 5000);
    CHECK(at.front() == 5011);
    CHECK(at.back() == 5075);
    r.require_clean();
}

TEST_CASE("gem5's write drain with per-bank queues: a full bank queue turns the bus to writes", "[dram][generic]") {
    // memsim's rule for queue: per_bank (gem5 has one write queue, full only above its high
    // threshold): 2 writes fill bank 3's 2-deep queue, far below the low threshold of
    // 0.5 x 2 x 8 banks = 8, yet a write waiting for that queue must get in: ACT 0, WR 11 and 15.
    auto p = memsim::dram::testing::generic_defaults();
    p.write_drain = "gem5";
    p.queue = "per_bank";
    p.write_queue_depth = 2;
    Rig r("MT8KTF51264HZ-1G6", p);
    r.ctl->enqueue(0, r.addr(0, 3, 0, 0), true, 0);
    r.ctl->enqueue(1, r.addr(0, 3, 0, 8), true, 0);
    r.ctl->run_until(100);
    std::vector<uint64_t> at;
    CHECK(column_order(r, &at) == "WW");
    REQUIRE(at.size() == 2);
    CHECK(at[0] == 11);
    CHECK(at[1] == 15);
    // A write to another bank then waits: 1 queued of 16, no bank queue full.
    r.ctl->enqueue(2, r.addr(0, 4, 0, 0), true, 100);
    r.ctl->run_until(200);
    CHECK(r.ctl->commands().size() == 3);
    r.require_clean();
}

TEST_CASE("gem5's write drain with per-bank queues stays on writes until the full bank has room", "[dram][generic]") {
    // Bank 3's 32-deep write queue full (32 writes to row 0), a read of bank 5 every 6 clocks.
    // The low threshold is 0.5 x 32 x 8 banks = 128, so only the full queue turns the bus to
    // writes (when the read queue is empty between two reads, as gem5's full queue would); it must
    // stay there until one of bank 3's writes is written, so the column command after bank 3's ACT
    // is a WR, not one more read (the reads keep coming during its tRCD).
    auto p = memsim::dram::testing::generic_defaults();
    p.write_drain = "gem5";
    p.queue = "per_bank";
    Rig r("MT8KTF51264HZ-1G6", p);
    for (uint32_t k = 0; k < 32; ++k) r.ctl->enqueue(k, r.addr(0, 3, 0, 8 * k), true, 0);
    for (uint32_t k = 0; k < 60; ++k) {
        r.ctl->run_until(6 * k);
        r.ctl->enqueue(100 + k, r.addr(0, 5, 0, 8 * k), false, 6 * k);
    }
    r.ctl->run_until(2000);
    const auto& cmds = r.ctl->commands();
    size_t act3 = cmds.size();
    for (size_t i = 0; i < cmds.size() && act3 == cmds.size(); ++i)
        if (cmds[i].cmd == Cmd::ACT && cmds[i].bank == 3) act3 = i;
    REQUIRE(act3 < cmds.size());
    size_t next_col = act3 + 1;
    while (next_col < cmds.size() && !is_column(cmds[next_col].cmd)) ++next_col;
    REQUIRE(next_col < cmds.size());
    CHECK(cmds[next_col].cmd == Cmd::WR);
    CHECK(cmds[next_col].bank == 3);
    r.require_clean();
}

TEST_CASE("gem5's write drain lets a rank holding only waiting writes power down", "[dram][generic][power]") {
    // 5 writes (not above the low threshold, 16) and nothing else: the bus stays on reads, the
    // rank has nothing in that direction (gem5 Rank::isQueueEmpty), so after power_down_idle = 16
    // idle clocks it powers down: PDE 16. The end of the trace turns the bus to the writes: PDX at
    // 1000 (where run_until stopped), ACT tXP = 5 later, WR tRCD = 11 after it, every tCCD.
    auto p = memsim::dram::testing::generic_defaults();
    p.write_drain = "gem5";
    p.power_down_idle = 16;
    Rig r("MT8KTF51264HZ-1G6", p);
    for (uint32_t k = 0; k < 5; ++k) r.ctl->enqueue(k, r.addr(0, 1, 0, 8 * k), true, 0);
    r.ctl->run_until(1000);
    REQUIRE(r.ctl->commands().size() == 1);
    CHECK(r.ctl->commands()[0].cmd == Cmd::PDE);
    CHECK(r.ctl->commands()[0].cycle == 16);
    r.ctl->drain();
    const auto& c = r.ctl->commands();
    REQUIRE(c.size() >= 8);
    CHECK(c[1].cmd == Cmd::PDX);
    CHECK(c[1].cycle == 1000);
    CHECK(c[2].cmd == Cmd::ACT);
    CHECK(c[2].cycle == 1005);
    std::vector<uint64_t> at;
    CHECK(column_order(r, &at) == "WWWWW");
    REQUIRE(at.size() == 5);
    CHECK(at[0] == 1016);
    CHECK(at[4] == 1032);
    r.require_clean();
    r.require_background_recounted();
}

TEST_CASE("gem5's write drain refuses equal watermarks as gem5 does", "[dram][generic]") {
    // With both at 1.0 the thresholds are 33 and 32 of 32: a full queue and no read never turn.
    auto p = memsim::dram::testing::generic_defaults();
    p.write_drain = "gem5";
    p.write_high_watermark = p.write_low_watermark = 1.0;
    CHECK_THROWS_AS(Rig("MT8KTF51264HZ-1G6", p), InputError);
    p.write_drain = "ramulator";  // drains from 32, stops at 32 with reads waiting: legal
    CHECK_NOTHROW(Rig("MT8KTF51264HZ-1G6", p));
}

TEST_CASE("A read of a line waiting in the write queue is answered from it", "[dram][generic]") {
    Rig r;
    uint64_t a = r.addr(0, 5, 5);
    r.ctl->enqueue(0, a, true, 0);
    r.ctl->enqueue(1, r.addr(0, 1, 0), true, 0);
    uint64_t done = UINT64_MAX;
    r.ctl->on_done = [&](uint64_t id, uint64_t ps) {
        if (id == 2) done = ps;
    };
    r.ctl->enqueue(2, a, false, 0);
    CHECK(done == 0);  // at arrival, no DRAM access (frontend_latency 0)
    CHECK(r.stat("dram.write_forwards") == 1);
    r.ctl->drain();
    r.require_clean();
}

TEST_CASE("A refresh is not held past JEDEC's 9 x tREFI by rows waiting behind another rank's hits", "[dram][generic][refresh]") {
    // Two ranks. Rank 1 streams row hits over its 8 banks, one request per 4 clocks; from clock
    // 3000 every 40th request opens a random row of rank 0. A rank-1 hit is ready tCCD = 4 after
    // the last RD, a rank-0 RD only BL/2 + tRTRS = 6 after, so rank 0's opened rows wait. Its
    // refresh may read them first only while that does not hold its PREA back: with postpone and
    // pull-in 8 (the deepest JEDEC allows) its REFs must stay within 9 x tREFI (the checker).
    for (const char* queue : {"per_bank", "shared"}) {
        INFO(queue);
        auto p = memsim::dram::testing::generic_defaults();
        p.queue = queue;
        p.refresh_postpone = 8;
        p.refresh_pull_in = 8;
        Rig r("MT16KTF1G64HZ-1G6", p);
        VectorSource src;
        uint64_t seed = 1, b = 0;
        uint64_t col[8] = {}, row[8] = {100, 100, 100, 100, 100, 100, 100, 100};
        for (uint64_t i = 0; i < 30000; ++i) {
            if (4 * i >= 3000 && i % 40 == 0) {
                const uint64_t x = memsim::dram::testing::mix(seed);
                src.reqs.push_back({4 * i, r.addr(0, uint32_t(x % 8), uint32_t((x >> 8) % 32768), uint32_t(8 * ((x >> 24) % 128))), false});
                continue;
            }
            b = (b + 1) % 8;
            src.reqs.push_back({4 * i, r.addr(1, uint32_t(b), uint32_t(row[b]), uint32_t(8 * col[b])), false});
            if (++col[b] == 128) col[b] = 0, ++row[b];
        }
        drive(*r.ctl, src);
        CHECK(r.stat("dram.refreshes") >= 2 * (double(r.ctl->now()) / 6240 - 9));
        r.require_clean(8);
    }
}
