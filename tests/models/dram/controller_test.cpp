// The generic DDR3 controller on MT8KTF51264HZ-1G6 (DDR3-1600K, tCK 1.25 ns, CL = tRCD = tRP = 11,
// CWL 8, tRAS 28, tRC 39, BL8 = 4 clocks). Expected times are worked from the timing parameters;
// the controller adds no pipeline (frontend_latency 0) unless a test sets one. A request issued at
// T ps arrives at the first clock edge at or after T; its first command goes out on that edge.
// Every scenario ends with the independent checker replaying the command trace.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>

#include "tests/models/dram/dram_test_util.h"

using namespace memsim;
using namespace memsim::dram;
using memsim::dram::testing::Rig;

TEST_CASE("Unloaded reads: closed bank then row hit then row conflict", "[dram][generic]") {
    Rig r;
    struct Row {
        const char* what;
        uint32_t bank, row;
        uint64_t issue_ps, done_ps;
    };
    const Row table[] = {
        // ACT at 0, RD at tRCD = 11, data ends at 11 + CL + BL/2 = 26 clocks = 32.5 ns.
        {"closed bank: tRCD + CL + BL/2 = 26 nCK", 0, 7, 0, 32500},
        // Cycle 80: RD at once (tRCD long past), data ends at 80 + 11 + 4 = 95 clocks.
        {"row hit: CL + BL/2 = 15 nCK", 0, 7, 100000, 118750},
        // Cycle 160: PRE at 160, ACT at 171, RD at 182, data ends at 197 clocks.
        {"row conflict: tRP + tRCD + CL + BL/2 = 37 nCK", 0, 9, 200000, 246250},
        // Another bank, closed: 300 ns = cycle 240, ACT 240, RD 251, end 266 clocks.
        {"other bank closed: 26 nCK", 3, 1, 300000, 332500},
    };
    for (const auto& row : table) {
        INFO(row.what);
        CHECK(r.read(r.addr(0, row.bank, row.row), row.issue_ps) == row.done_ps);
    }
    CHECK(r.stat("dram.row_hits") == 1);
    CHECK(r.stat("dram.row_misses") == 2);
    CHECK(r.stat("dram.row_conflicts") == 1);
    CHECK(r.stat("dram.reads") == 4);
    CHECK(r.stat("dram.read_latency_avg_ns") == Approx((32.5 + 18.75 + 46.25 + 32.5) / 4));
    r.require_clean();
}

TEST_CASE("A row conflict waits for tRAS of the row it closes", "[dram][generic]") {
    Rig r;
    // A: ACT 0, RD 11, done 26 clocks. B arrives at 26 for another row of the same bank: PRE must
    // wait tRAS = 28 from the ACT, ACT at 28 + tRP = 39 (= tRC), RD at 50, data ends at 65 clocks.
    CHECK(r.read(r.addr(0, 2, 1), 0) == 26 * 1250);
    CHECK(r.read(r.addr(0, 2, 2), 26 * 1250) == 65 * 1250);
    r.require_clean();
}

TEST_CASE("The controller pipeline adds frontend_latency to every completion", "[dram][generic]") {
    auto p = memsim::dram::testing::generic_defaults();
    p.frontend_latency_ps = 10000;
    Rig r("MT8KTF51264HZ-1G6", p);
    CHECK(r.read(r.addr(0, 0, 0), 0) == 32500 + 10000);  // tRCD + CL + BL/2 + 10 ns
    CHECK(r.write(r.addr(0, 1, 0), 100000) == 110000);   // a posted write: accepted, + 10 ns
}

TEST_CASE("Closed page precharges after every access so the next is a miss not a conflict", "[dram][generic]") {
    auto p = memsim::dram::testing::generic_defaults();
    p.page_policy = "closed";
    Rig r("MT8KTF51264HZ-1G6", p);
    CHECK(r.read(r.addr(0, 0, 0), 0) == 32500);
    // RDA at 11: auto-precharge at max(11 + tRTP, 0 + tRAS) = 28, bank ready at 28 + tRP = 39 = tRC.
    // Same row again at cycle 30: ACT at 39, RD 50, end 65 clocks.
    CHECK(r.read(r.addr(0, 0, 0), 30 * 1250) == 65 * 1250);
    CHECK(r.stat("dram.row_hits") == 0);
    CHECK(r.stat("dram.row_misses") == 2);
    r.require_clean();
}

TEST_CASE("FR-FCFS serves a queued row hit before an older conflict and FCFS does not", "[dram][generic]") {
    for (const char* sched : {"frfcfs", "fcfs"}) {
        auto p = memsim::dram::testing::generic_defaults();
        p.scheduler = sched;
        Rig r("MT8KTF51264HZ-1G6", p);
        std::vector<uint64_t> order;
        r.ctl->on_done = [&](uint64_t id, uint64_t) { order.push_back(id); };
        r.ctl->enqueue(0, r.addr(0, 0, 1), false, 0);  // opens row 1
        r.ctl->enqueue(1, r.addr(0, 0, 2), false, 0);  // conflict
        r.ctl->enqueue(2, r.addr(0, 0, 1, 8), false, 0);  // hit on row 1
        r.ctl->drain();
        INFO(sched);
        if (std::string(sched) == "frfcfs") CHECK(order == std::vector<uint64_t>{0, 2, 1});
        else CHECK(order == std::vector<uint64_t>{0, 1, 2});
        r.require_clean();
    }
}

TEST_CASE("Two ranks: reads alternating ranks leave tRTRS between bursts", "[dram][generic]") {
    Rig r("MT16KTF1G64HZ-1G6");
    std::vector<uint64_t> done(2);
    r.ctl->on_done = [&](uint64_t id, uint64_t ps) { done[id] = ps; };
    // Both ranks' ACT at 0 and 1, RD at 11 (rank 0); rank 1's burst may start BL/2 + tRTRS = 6
    // clocks after rank 0's: RD at 17, data ends 17 + 15 = 32 clocks.
    r.ctl->enqueue(0, r.addr(0, 0, 0), false, 0);
    r.ctl->enqueue(1, r.addr(1, 0, 0), false, 0);
    r.ctl->drain();
    CHECK(done[0] == 26 * 1250);
    CHECK(done[1] == 32 * 1250);
    r.require_clean();
}

TEST_CASE("After row_hit_cap hits younger row hits no longer go before another rank's older read", "[dram][generic]") {
    // Rank 0 bank 0 row 3: hits H1, H2 at 0, then R (rank 1) at 1, then H3.. at 2. ACT 0 and ACT
    // R 1 (another rank: no tRRD), H1 RD 11, H2 15 (tCCD 4). R's RD is ready at 12 but a rank
    // switch needs BL/2 + tRTRS = 6 after the last burst, so each next hit (4 after) is earlier:
    // earliest-ready first, R would wait for every hit queued. With the cap, once the row has
    // served CAP hits the younger ones wait for R (Ramulator's FRFCFS_Cap): R's RD 6 after the
    // CAP-th hit, done CL + BL/2 = 15 later, the next hit 6 after R's RD.
    struct Case {
        uint32_t cap, hits;
        uint64_t r_rd, next_hit_rd;
    };
    for (const Case& k : {Case{2, 6, 15 + 6, 21 + 6}, Case{16, 20, 11 + 15 * 4 + 6, 77 + 6},
                          Case{64, 20, 11 + 19 * 4 + 6, 0}}) {
        INFO("cap " << k.cap);
        auto p = memsim::dram::testing::generic_defaults();
        p.row_hit_cap = k.cap;
        Rig r("MT16KTF1G64HZ-1G6", p);
        std::map<uint64_t, uint64_t> done;
        r.ctl->on_done = [&](uint64_t id, uint64_t ps) { done[id] = ps / 1250; };
        const uint64_t R = 1000;
        for (uint32_t i = 0; i < k.hits; ++i) {
            if (i == 2) r.ctl->enqueue(R, r.addr(1, 0, 9), false, 1);
            r.ctl->enqueue(i, r.addr(0, 0, 3, 8 * i), false, i < 2 ? 0 : 2);
        }
        r.ctl->drain();
        CHECK(done[R] == k.r_rd + 15);
        // The hit after the cap (H3 with cap 2, H17 with cap 16); with cap 64 R goes last.
        if (k.next_hit_rd) CHECK(done[k.cap] == k.next_hit_rd + 15);
        else CHECK(done[k.hits - 1] == 11 + 19 * 4 + 15);
        r.require_clean();
    }
}

TEST_CASE("Read-write turnaround on one rank", "[dram][generic]") {
    Rig r;
    std::vector<uint64_t> done(4);
    r.ctl->on_done = [&](uint64_t id, uint64_t ps) { done[id] = ps; };
    // A lone write drains at once: ACT 0, WR 11. A read hit arriving at 12 waits for
    // WR + WL + BL/2 + tWTR = 11 + 8 + 4 + 6 = 29; its data ends at 29 + CL + BL/2 = 44 clocks.
    r.ctl->enqueue(0, r.addr(0, 0, 0), true, 0);
    r.ctl->run_until(12);
    r.ctl->enqueue(1, r.addr(0, 0, 0, 8), false, 12);
    r.ctl->run_until(100);
    CHECK(done[1] == 44 * 1250);
    // A write hit arriving at 100 goes at once: RD -> WR needs RL + BL/2 + 2 - WL = 9 after 29.
    r.ctl->enqueue(2, r.addr(0, 0, 0, 16), true, 100);
    r.ctl->drain();
    const auto& cmds = r.ctl->commands();
    REQUIRE(cmds.size() == 4);
    CHECK(cmds[1].cmd == Cmd::WR);
    CHECK(cmds[1].cycle == 11);
    CHECK(cmds[2].cmd == Cmd::RD);
    CHECK(cmds[2].cycle == 29);
    CHECK(cmds[3].cmd == Cmd::WR);
    CHECK(cmds[3].cycle == 100);
    r.require_clean();
}

TEST_CASE("Adaptive page policies close a row by what is queued", "[dram][generic]") {
    for (const char* policy : {"open_adaptive", "closed_adaptive"}) {
        auto p = memsim::dram::testing::generic_defaults();
        p.page_policy = policy;
        Rig r("MT8KTF51264HZ-1G6", p);
        // Bank 0: row 1, row 1 again, then row 2.
        r.ctl->enqueue(0, r.addr(0, 0, 1), false, 0);
        r.ctl->enqueue(1, r.addr(0, 0, 1, 8), false, 0);
        r.ctl->enqueue(2, r.addr(0, 0, 2), false, 0);
        // Bank 1: one lone read.
        r.ctl->enqueue(3, r.addr(0, 1, 1), false, 0);
        r.ctl->drain();
        std::vector<std::string> cols;
        for (const auto& c : r.ctl->commands())
            if (is_column(c.cmd)) cols.push_back(std::string(cmd_name(c.cmd)) + "b" + std::to_string(c.bank));
        INFO(policy);
        // ACT b0 at 0, ACT b1 at tRRD = 5; RD b0 at 11, the second b0 read at 11 + tCCD = 15,
        // RD b1 at 5 + tRCD = 16, then row 2 of bank 0.
        if (std::string(policy) == "open_adaptive")
            // First b0 read: a hit is queued, stay open. Second: only a conflict queued, close.
            // The last read of each bank: nothing queued, stay open.
            CHECK(cols == std::vector<std::string>{"RDb0", "RDAb0", "RDb1", "RDb0"});
        else
            // Close unless a hit is queued: only the first read of bank 0 keeps its row.
            CHECK(cols == std::vector<std::string>{"RDb0", "RDAb0", "RDAb1", "RDAb0"});
        r.require_clean();
    }
}

TEST_CASE("Per-bank queues fill bank by bank", "[dram][generic]") {
    auto p = memsim::dram::testing::generic_defaults();
    p.queue = "per_bank";
    p.queue_depth = 2;
    Rig r("MT8KTF51264HZ-1G6", p);
    r.ctl->enqueue(0, r.addr(0, 3, 1), false, 0);
    r.ctl->enqueue(1, r.addr(0, 3, 2), false, 0);
    CHECK(!r.ctl->can_accept(r.addr(0, 3, 3), false));
    CHECK(r.ctl->can_accept(r.addr(0, 4, 3), false));
    CHECK(r.ctl->can_accept(r.addr(0, 3, 3), true));  // writes have their own queue
    r.ctl->drain();
    CHECK(r.ctl->can_accept(r.addr(0, 3, 3), false));
    r.require_clean();
}

TEST_CASE("ZQCS every 128 ms with the refreshes around it", "[dram][generic][refresh]") {
    Rig r;
    // tZQI 128 ms = 102,400,000 clocks of 1.25 ns; REFs every 6240: 16,410 by then.
    r.ctl->run_until(102'400'000 + 1000);
    CHECK(r.stat("dram.zq_calibrations") == 1);
    CHECK(r.stat("dram.refreshes") == 102'401'000 / 6240);
    r.require_clean();
}

// Through Port::access the first request runs to its RD before the second, issued a clock later,
// is seen: the second's PRE and ACT go into the free command slots behind the first's commands
// (backfill, controller.h), so each case ends as the event-driven controller, which knows both
// at once, ends it. Arrivals in nCK; tRRD = 5, tFAW = 24 (30 ns), CL = tRCD = tRP = 11, BL/2 = 4.
namespace {
struct Arrival {
    uint32_t bank, row;
    uint64_t issue_ps;
};
// Completions (nCK) of READS after the warm-up reads WARM, event-driven and through Port::access.
std::pair<std::vector<uint64_t>, std::vector<uint64_t>> both_ways(const std::vector<Arrival>& warm,
                                                                  const std::vector<Arrival>& reads) {
    Rig ev, lt;
    for (const auto& w : warm) {
        ev.read(ev.addr(0, w.bank, w.row), w.issue_ps);
        lt.read(lt.addr(0, w.bank, w.row), w.issue_ps);
    }
    std::vector<uint64_t> ev_done(reads.size()), lt_done;
    ev.ctl->on_done = [&](uint64_t id, uint64_t ps) {
        if (id >= 1000) ev_done[id - 1000] = ps / 1250;
    };
    for (size_t i = 0; i < reads.size(); ++i) {
        uint64_t at = (reads[i].issue_ps + 1249) / 1250;
        ev.ctl->run_until(at);
        ev.ctl->enqueue(1000 + i, ev.addr(0, reads[i].bank, reads[i].row), false, at);
    }
    ev.ctl->drain();
    for (const auto& r : reads) lt_done.push_back(lt.read(lt.addr(0, r.bank, r.row), r.issue_ps) / 1250);
    ev.require_clean();
    lt.require_clean();
    return {ev_done, lt_done};
}
}  // namespace

TEST_CASE("Loosely timed: a later arrival's ACT uses the free command slots behind an earlier request's RD", "[dram][generic]") {
    // ACT b0 at 0, ACT b1 at tRRD = 5, RD b0 at 11, RD b1 at 16: B's data ends at 16 + 15 = 31.
    // Without the backfill, B's ACT would wait for A's RD: ACT 12, RD 23, end 38.
    auto [ev, lt] = both_ways({}, {{0, 0, 0}, {1, 0, 1000}});
    CHECK(ev == std::vector<uint64_t>{26, 31});
    CHECK(lt == std::vector<uint64_t>{26, 31});
}

TEST_CASE("Loosely timed: two conflicts issued together precharge and activate side by side", "[dram][generic]") {
    // Warm-up opens row 0 in banks 0 and 1. At cycle 400 A (bank 0, row 1): PRE 400, ACT 411,
    // RD 422, end 437; B (bank 1, row 1) a clock later: PRE 401, ACT max(401 + tRP, 411 + tRRD) =
    // 416, RD max(416 + tRCD, 422 + tCCD) = 427, end 442.
    auto [ev, lt] = both_ways({{0, 0, 0}, {1, 0, 100000}}, {{0, 1, 500000}, {1, 1, 501000}});
    CHECK(ev == std::vector<uint64_t>{437, 442});
    CHECK(lt == std::vector<uint64_t>{437, 442});
}

TEST_CASE("Loosely timed: a later row hit reads before an earlier conflict as FR-FCFS serves it", "[dram][generic]") {
    // Warm-up opens row 0 in banks 0 and 1. A (bank 0, row 1) at cycle 400: PRE 400, ACT 411, RD
    // 422, end 437. B (bank 1, row 0: a hit) a clock later: FR-FCFS reads it at once, RD 401,
    // end 416, before A's RD; through Port::access its RD goes into that free slot behind A's
    // (tCCD from A's RD at 422 kept).
    auto [ev, lt] = both_ways({{0, 0, 0}, {1, 0, 100000}}, {{0, 1, 500000}, {1, 0, 501000}});
    CHECK(ev == std::vector<uint64_t>{437, 416});
    CHECK(lt == std::vector<uint64_t>{437, 416});
}

TEST_CASE("Loosely timed: a fifth ACT within tFAW waits for the window whichever way it is placed", "[dram][generic]") {
    // Five banks, issued 1 ns apart (cycles 0, 1, 2, 3, 4): ACTs at 0, 5, 10, 15 (tRRD) and the
    // fifth at max(20, 0 + tFAW) = 24; RDs at ACT + 11 (11, 16, 21, 26, 35; tCCD kept), ends + 15.
    std::vector<Arrival> reads;
    for (uint32_t b = 0; b < 5; ++b) reads.push_back({b, 0, b * 1000});
    auto [ev, lt] = both_ways({}, reads);
    const std::vector<uint64_t> expected{26, 31, 36, 41, 50};
    CHECK(ev == expected);
    CHECK(lt == expected);
}

TEST_CASE("Loosely timed: a write that waited for a queue slot holds the requests that arrive after it", "[dram][generic]") {
    // Dual rank, per-bank write queues one deep. W1 and W2 (rank 0, bank 0, rows 1 and 2) at clock
    // 1: W2 waits until W1's WR frees the slot (ACT 1, WR 12) and is accepted at 12. R1 (rank 1,
    // bank 3), issued at clock 2, is taken at 12 as the event-driven trace feed takes it: ACT 13,
    // RD 24 (its burst clear of W1's [20, 24) by tRTRS), end 39.
    auto p = memsim::dram::testing::generic_defaults();
    p.queue = "per_bank";
    p.write_queue_depth = 1;
    Rig lt("MT16KTF1G64HZ-1G6", p), ev("MT16KTF1G64HZ-1G6", p);
    lt.write(lt.addr(0, 0, 1), 1250);
    lt.write(lt.addr(0, 0, 2), 1250);
    CHECK(lt.read(lt.addr(1, 3, 5), 2500) == 39 * 1250);
    memsim::dram::testing::VectorSource src;
    src.reqs = {{1, ev.addr(0, 0, 1), true}, {1, ev.addr(0, 0, 2), true}, {2, ev.addr(1, 3, 5), false}};
    uint64_t r1 = 0;
    ev.ctl->on_done = [&](uint64_t id, uint64_t ps) {
        if (id == 2) r1 = ps;
    };
    drive(*ev.ctl, src);
    CHECK(r1 == 39 * 1250);
    // R2 (rank 1, bank 4), issued at clock 0, before the held write arrived, is not held: ACT
    // backfilled at 0, RD at 15 (tCCD from R1's RD at 24, its burst [26, 30) tRTRS after W1's),
    // end 30.
    CHECK(lt.read(lt.addr(1, 4, 5), 0) == 30 * 1250);
    lt.ctl->drain();
    lt.require_clean();
    ev.require_clean();
}

TEST_CASE("Loosely timed: a backfilled RD keeps open the row later commands use", "[dram][generic]") {
    // open_adaptive closes a row when only conflicts are queued. A (bank 0, row 5) at 0: ACT 0,
    // RD 11. B (same row) at 160: RD 160. W (bank 0, row 7) at 100, posted. C (row 5), issued at
    // 50 but seen last: its RD goes at 50, end 65; the queued W would make it an RDA, but B's RD
    // at 160 was issued with the row open, so it stays a RD (an RDA there failed the checker).
    auto p = memsim::dram::testing::generic_defaults();
    p.page_policy = "open_adaptive";
    Rig r("MT8KTF51264HZ-1G6", p);
    CHECK(r.read(r.addr(0, 0, 5, 0), 0) == 26 * 1250);
    CHECK(r.read(r.addr(0, 0, 5, 8), 160 * 1250) == 175 * 1250);
    r.write(r.addr(0, 0, 7, 0), 100 * 1250);
    CHECK(r.read(r.addr(0, 0, 5, 16), 50 * 1250) == 65 * 1250);
    REQUIRE(r.ctl->commands().size() >= 3);
    CHECK(r.ctl->commands()[2].cycle == 50);
    CHECK(r.ctl->commands()[2].cmd == Cmd::RD);
    r.ctl->drain();
    r.require_clean();
}

TEST_CASE("Loosely timed: a late read of a burst a queued write has since written is answered from the write", "[dram][generic]") {
    // A (bank 0, row 5) at 0: ACT 0, RD 11. B (bank 1) at 290: ACT 290, RD 301. W (bank 0, row 5,
    // column 64) at 200, posted; written by the next call, which runs the controller: WR at 301 +
    // RL + BL/2 + 2 - WL = 310. R (W's burst), issued at 290 but seen after: when it arrived W was
    // queued, so it is answered from the write queue at 290 (not read before the WR, stale).
    Rig r;
    r.read(r.addr(0, 0, 5), 0);
    r.read(r.addr(0, 1, 5), 290 * 1250);
    r.write(r.addr(0, 0, 5, 64), 200 * 1250);
    r.read(r.addr(0, 2, 5), 400 * 1250);
    bool wr_at_310 = false;
    for (const auto& c : r.ctl->commands()) wr_at_310 |= c.cmd == Cmd::WR && c.cycle == 310;
    CHECK(wr_at_310);
    CHECK(r.read(r.addr(0, 0, 5, 64), 290 * 1250) == 290 * 1250);
    CHECK(r.stat("dram.write_forwards") == 1);
    r.require_clean();
}

TEST_CASE("Loosely timed after an event-driven start: nothing is backfilled behind the event-driven commands", "[dram][generic]") {
    // Four reads queued at 0 event-driven: ACTs 0, 5, 10, 15, RDs 11, 16, 21, 26 (now_ 27). Then
    // through Port::access a read of bank 4 issued at 1 ns: the recent commands backfill checks
    // against are kept from the first Port::access on, so it starts there: ACT 27 (tRRD and
    // tFAW long kept), RD 38, end 53.
    Rig r;
    for (uint32_t b = 0; b < 4; ++b) r.ctl->enqueue(b, r.addr(0, b, 0), false, 0);
    r.ctl->drain();
    CHECK(r.read(r.addr(0, 4, 0), 1000) == 53 * 1250);
    CHECK(r.stat("dram.backfilled_commands") == 0);
    r.require_clean();
    // Nor within a window after the switch, where the unrecorded commands still constrain: an
    // ACT at 0 event-driven, then a row hit and a late read of bank 6 (a backfilled ACT at 1
    // broke tRRD with the ACT at 0 in a review).
    Rig s;
    s.ctl->enqueue(0, s.addr(0, 0, 0), false, 0);
    s.ctl->run_until(1);
    s.read(s.addr(0, 0, 0, 8), 0);
    s.read(s.addr(0, 6, 0), 0);
    s.require_clean();
}

TEST_CASE("Loosely timed: a late read is not answered by a younger queued write", "[dram][generic]") {
    // A (bank 1) at 1000: ACT 1000, RD 1011. W (bank 0, row 5) arrives at 500, posted and queued.
    // R (W's burst) arrived at 300, before W: it reads DRAM (an earlier version answered it from
    // W at 300 with no DRAM access), backfilled as far back as the window reaches: ACT at
    // 1012 - 128 = 884, RD 895, end 910.
    Rig r;
    r.read(r.addr(0, 1, 0), 1000 * 1250);
    r.write(r.addr(0, 0, 5), 500 * 1250);
    CHECK(r.read(r.addr(0, 0, 5), 300 * 1250) == 910 * 1250);
    CHECK(r.stat("dram.write_forwards") == 0);
    r.ctl->drain();
    r.require_clean();
}

TEST_CASE("Loosely timed: nothing is backfilled before a power-down exit", "[dram][generic][power]") {
    auto p = memsim::dram::testing::generic_defaults();
    p.power_down_idle = 10;
    Rig r("MT8KTF51264HZ-1G6", p);
    // A: ACT 0, RD 11, end 26; PDE at max(11 + 10, 11 + RL + BL/2 + 1 = 27) = 27.
    CHECK(r.read(r.addr(0, 0, 0), 0) == 26 * 1250);
    // B at cycle 60 wakes the rank: PDX 60, ACT at 60 + tXP (5) = 65, RD 76, end 91.
    CHECK(r.read(r.addr(0, 1, 0), 60 * 1250) == 91 * 1250);
    // C, issued at cycle 20 but seen after B (out of order, as a page walk's access can be): its
    // ACT may not go into the idle slots before the PDX at 60, nor within tRRD of B's ACT at 65:
    // ACT 70, RD max(81, 76 + tCCD) = 81, end 96.
    CHECK(r.read(r.addr(0, 2, 0), 20 * 1250) == 96 * 1250);
    CHECK(r.stat("dram.backfilled_commands") == 1);
    r.require_clean();
}

TEST_CASE("The NetFPGA-SUME part: unloaded read latency at tCK 1320 ps", "[dram][generic]") {
    Rig r("MT8KTF51264HZ-1G9@1320ps");
    // tRCD + CL + BL/2 = 11 + 11 + 4 = 26 clocks x 1.32 ns = 34.32 ns.
    CHECK(r.read(r.addr(0, 0, 0), 0) == 34320);
    // A conflict: PRE at tRAS = 26 (B issued at 26 x 1.32 ns), ACT 37, RD 48, end 63 clocks.
    CHECK(r.read(r.addr(0, 0, 1), 26 * 1320) == 63 * 1320);
    r.require_clean();
}

TEST_CASE("closed_adaptive through Port::access keeps a row for a request issued before the column command", "[dram][generic]") {
    auto p = memsim::dram::testing::generic_defaults();
    p.page_policy = "closed_adaptive";
    Rig r("MT8KTF51264HZ-1G6", p);
    // A: ACT 0, RD 11, ends 26. B issued at 1 ns, before A's RD: a hit, RD at 11 + tCCD = 15,
    // ends 30 nCK. C at 100 ns: B's row was closed (RDA at 15, precharge at tRAS = 28, ready
    // at 39): ACT 80, RD 91, ends 106 nCK.
    CHECK(r.read(r.addr(0, 2, 5), 0) == 26 * 1250);
    CHECK(r.read(r.addr(0, 2, 5, 8), 1000) == 30 * 1250);
    CHECK(r.read(r.addr(0, 2, 5, 16), 100000) == 106 * 1250);
    CHECK(r.stat("dram.row_hits") == 1);
    r.require_clean();
}

TEST_CASE("The command trace file holds the commands as finally decided", "[dram][generic]") {
    auto p = memsim::dram::testing::generic_defaults();
    p.page_policy = "closed_adaptive";
    p.command_trace = (std::filesystem::temp_directory_path() / "memsim_dram_cmds.txt").string();
    std::vector<Command> kept;
    {
        Rig r("MT8KTF51264HZ-1G6", p);
        uint64_t s = 3, t = 0;
        for (int i = 0; i < 2000; ++i) {
            t += memsim::dram::testing::mix(s) % 30000;
            uint64_t a = (memsim::dram::testing::mix(s) % (1u << 18)) & ~63ull;  // a few rows: hits and closes
            if (i % 4 == 0) r.write(a, t);
            else r.read(a, t);
        }
        r.require_clean();
        kept = r.ctl->commands();
    }
    std::ifstream in(p.command_trace);
    auto back = read_command_trace(in, p.command_trace);
    REQUIRE(back.size() == kept.size());
    for (size_t i = 0; i < kept.size(); ++i) {
        INFO(i);
        CHECK(to_string(back[i]) == to_string(kept[i]));
    }
    std::filesystem::remove(p.command_trace);
}

TEST_CASE("A row activated for a write is written before a read closes it", "[dram][generic]") {
    // W (bank 0 row 1) arrives alone at 0: write mode, ACT at 0. R (bank 0 row 2) arrives at 5:
    // reads wait and the write queue is below its low watermark, so the controller turns to reads,
    // but W's row was opened for it: WR at tRCD = 11 first (Ramulator 2's active buffer, DRAMSim3's
    // per-bank command queue), then R: PRE at max(tRAS 28, WR + WL + BL/2 + tWR = 11 + 8 + 4 + 12
    // = 35) = 35, ACT 35 + tRP = 46, RD 57, data ends 57 + CL + BL/2 = 72. Two ACTs, none wasted.
    Rig r;
    std::vector<uint64_t> done(2);
    r.ctl->on_done = [&](uint64_t id, uint64_t ps) { done[id] = ps; };
    r.ctl->enqueue(0, r.addr(0, 0, 1), true, 0);
    r.ctl->run_until(5);
    r.ctl->enqueue(1, r.addr(0, 0, 2), false, 5);
    r.ctl->drain();
    const auto& c = r.ctl->commands();
    REQUIRE(c.size() == 5);
    CHECK(c[1].cmd == Cmd::WR);
    CHECK(c[1].cycle == 11);
    CHECK(c[2].cmd == Cmd::PRE);
    CHECK(c[2].cycle == 35);
    CHECK(c[4].cmd == Cmd::RD);
    CHECK(c[4].cycle == 57);
    CHECK(done[1] == 72 * 1250);
    CHECK(r.stat("dram.activates") == 2);
    r.require_clean();
}

TEST_CASE("A refresh falling due after an ACT lets that row be read before its PREA", "[dram][generic][refresh]") {
    // A read arrives at 6235 for a closed bank: ACT 6235, RD at tRCD = 6246, data ends 6246 + CL +
    // BL/2 = 6261. The first REF falls due at tREFI = 6240 and holds the rank's other requests,
    // but not the one its open row was activated for (Ramulator serves its activated queue first;
    // before, the PREA closed that row unread and the read waited for the refresh: ACT again after
    // tRFC). The PREA goes at max(ACT + tRAS = 6263, RD + tRTP = 6252) = 6263 and the REF tRP
    // later at 6274, where it would have gone anyway.
    Rig r;
    uint64_t done = 0;
    r.ctl->on_done = [&](uint64_t, uint64_t ps) { done = ps; };
    r.ctl->run_until(6235);
    r.ctl->enqueue(0, r.addr(0, 2, 7), false, 6235);
    r.ctl->drain();
    r.ctl->run_until(6500);
    const auto& c = r.ctl->commands();
    REQUIRE(c.size() == 4);
    CHECK((c[0].cmd == Cmd::ACT && c[0].cycle == 6235));
    CHECK((c[1].cmd == Cmd::RD && c[1].cycle == 6246));
    CHECK((c[2].cmd == Cmd::PREA && c[2].cycle == 6263));
    CHECK((c[3].cmd == Cmd::REF && c[3].cycle == 6274));
    CHECK(done == 6261 * 1250);
    CHECK(r.stat("dram.activates") == 1);
    r.require_clean();
}

TEST_CASE("A clock a refresh falls due at is decided with the refresh owed", "[dram][generic][refresh]") {
    // Read A (bank 2, row 7) arrives at 6212: ACT 6212, RD 6223 (tRCD 11). Read B (bank 2, row 9)
    // arrives at 6213: its PRE may go at max(ACT + tRAS = 6240, RD + tRTP = 6229) = 6240, the
    // clock the first REF falls due (tREFI = 6240; refresh_postpone 0, so it is owed at once and
    // urgent). Deciding clock 6240 from 6224 would send B's PRE there; decided at 6240, the clock
    // goes to the refresh: PREA at 6240, REF tRP later at 6251, and B's ACT tRFC (208) after the
    // REF at 6459, its RD at 6470, its data at 6470 + CL + BL/2 = 6485. (Both ways are legal;
    // the event-driven controller and one brought up clock by clock must agree, and did not.)
    Rig r;
    r.ctl->run_until(6212);
    r.ctl->enqueue(0, r.addr(0, 2, 7), false, 6212);
    r.ctl->run_until(6213);
    r.ctl->enqueue(1, r.addr(0, 2, 9), false, 6213);
    r.ctl->drain();
    r.ctl->run_until(6600);
    const auto& c = r.ctl->commands();
    REQUIRE(c.size() == 6);
    CHECK((c[0].cmd == Cmd::ACT && c[0].cycle == 6212));
    CHECK((c[1].cmd == Cmd::RD && c[1].cycle == 6223));
    CHECK((c[2].cmd == Cmd::PREA && c[2].cycle == 6240));
    CHECK((c[3].cmd == Cmd::REF && c[3].cycle == 6251));
    CHECK((c[4].cmd == Cmd::ACT && c[4].cycle == 6459));
    CHECK((c[5].cmd == Cmd::RD && c[5].cycle == 6470));
    r.require_clean();
}

TEST_CASE("Two ranks refresh staggered by default or at the same clock with refresh_ranks simultaneous", "[dram][generic][refresh]") {
    // Idle dual-rank MT16KTF1G64HZ-1G6 (tREFI 7.8 us = 6240 nCK, tRFC 260 ns = 208 nCK), no
    // postponing or pull-in. Staggered (DRAMSim3's RANK_LEVEL_STAGGERED): rank i's REFs fall due at
    // 6240 x (1 + i/2): 6240, 9360, 12480, 15600. Simultaneous (Ramulator v1's Refresh.h, DRAMSim3's
    // RANK_LEVEL_SIMULTANEOUS): both at 6240 and 12480, the second rank's a clock after the first's
    // on the shared command bus.
    for (std::string mode : {"staggered", "simultaneous"}) {
        GenericControllerParams p = testing::generic_defaults();
        p.refresh_ranks = mode;
        Rig r("MT16KTF1G64HZ-1G6", p);
        r.ctl->run_until(16000);
        const auto& c = r.ctl->commands();
        INFO(mode);
        REQUIRE(c.size() == 4);
        for (const auto& x : c) CHECK(x.cmd == Cmd::REF);
        const bool staggered = mode == "staggered";
        CHECK((c[0].rank == 0 && c[0].cycle == 6240));
        CHECK((c[1].rank == 1 && c[1].cycle == (staggered ? 9360u : 6241u)));
        CHECK((c[2].rank == 0 && c[2].cycle == 12480));
        CHECK((c[3].rank == 1 && c[3].cycle == (staggered ? 15600u : 12481u)));
        r.require_clean();
    }
}

TEST_CASE("Through Port::access the read queue occupancy counts the reads still queued", "[dram][generic]") {
    // Each call runs its read past its column command, so the queue itself is empty at the next
    // arrival; the statistic counts the earlier reads that had arrived and whose RD had not issued,
    // as event-driven queued_ does. Bank 0 at clock 0: ACT 0, RD 11. Bank 1 at clock 1: ACT 5
    // (tRRD), RD 16. Bank 2 at clock 12: the first has left the queue (RD 11), the second has not:
    // 1 (a count to completion, 26, would say 2). Clock 100: none. Samples 0, 1, 1, 0.
    Rig r;
    r.read(r.addr(0, 0, 7), 0);
    r.read(r.addr(0, 1, 7), 1250);
    r.read(r.addr(0, 2, 7), 15000);
    r.read(r.addr(0, 3, 7), 125000);
    CHECK(r.stat("dram.read_queue_occupancy.count") == 4);
    CHECK(r.stat("dram.read_queue_occupancy.max") == 1);
    CHECK(r.stat("dram.read_queue_occupancy.mean") == Approx(0.5));
    r.require_clean();
}
