// queue: two_level, DRAMSim3's controller structure (src/controller.cc ScheduleTransaction,
// src/command_queue.cc GetCommandToIssue): a read queue and a write buffer in front of 8-deep
// per-bank command queues, one transaction moved per clock, writes moved only in a drain.
// Column addresses are in columns, 8 to a burst. Part MT8KTF51264HZ-1G6: tRCD = CL = tRP = 11, CWL = 8, BL/2 = 4, tCCD = 4.
#include <algorithm>
#include <map>

#include "sim/core/error.h"
#include "tests/models/dram/dram_test_util.h"

using namespace memsim::dram;
using namespace memsim::dram::testing;

namespace {

GenericControllerParams two_level() {
    GenericControllerParams p = generic_defaults();
    p.queue = "two_level";
    p.command_queue_depth = 8;
    return p;
}

std::vector<Command> to_bank(const Rig& r, uint32_t bank) {
    std::vector<Command> out;
    for (const auto& c : r.ctl->commands())
        if (c.bank == bank && (c.cmd == Cmd::ACT || c.cmd == Cmd::PRE || c.cmd == Cmd::RD || c.cmd == Cmd::WR))
            out.push_back(c);
    return out;
}

size_t count(const std::vector<Command>& v, Cmd cmd) {
    size_t n = 0;
    for (const auto& c : v) n += c.cmd == cmd;
    return n;
}

}  // namespace

TEST_CASE("two_level: an unloaded read goes the clock after it arrives", "[dram][two_level]") {
    Rig r("MT8KTF51264HZ-1G6", two_level());
    uint64_t done = 0;
    r.ctl->on_done = [&](uint64_t, uint64_t ps) { done = ps; };
    r.ctl->run_until(100);
    r.ctl->enqueue(0, r.addr(0, 2, 5), false, 100);
    r.ctl->drain();
    auto b = to_bank(r, 2);
    REQUIRE(b.size() == 2);
    // Moved into the command queue at clock 100 (ScheduleTransaction), issued from 101.
    CHECK(b[0].cmd == Cmd::ACT);
    CHECK(b[0].cycle == 101);
    CHECK(b[1].cmd == Cmd::RD);
    CHECK(b[1].cycle == 101 + 11);  // tRCD
    // 1 + tRCD + CL + BL/2 = 1 + 11 + 11 + 4 = 27 nCK after arrival
    CHECK(done == (100 + 27) * r.t.tCK_ps);
    r.require_clean();
}

TEST_CASE("two_level: one transaction moves into the command queues per clock", "[dram][two_level]") {
    Rig r("MT8KTF51264HZ-1G6", two_level());
    // 32 reads at clock 0 fill the 32-entry read queue (4 per bank: the 8-deep command queues
    // take them all, so only the one-per-clock rule limits the moves).
    uint64_t id = 0;
    for (uint32_t i = 0; i < 32; ++i) r.ctl->enqueue(id++, r.addr(0, i % 8, 1, 8 * (i / 8)), false, 0);
    CHECK_FALSE(r.ctl->can_accept(r.addr(0, 0, 1, 8 * 9), false));
    for (uint64_t k = 1; k <= 12; ++k) {
        r.ctl->run_until(k);
        // Clocks 0 .. k-1 each moved one read: exactly one slot is free now.
        INFO("clock " << k);
        REQUIRE(r.ctl->can_accept(r.addr(0, 0, 1, 8 * 9), false));
        r.ctl->enqueue(id++, r.addr(0, k % 8, 1, 8 * (4 + k / 8)), false, k);
        CHECK_FALSE(r.ctl->can_accept(r.addr(0, 0, 1, 8 * 9), false));
    }
    r.ctl->drain();
    CHECK(r.stat("dram.reads") == 44);  // 32 + 12
    r.require_clean();
}

TEST_CASE("two_level: the write drain starts when the buffer fills and moves exactly those writes",
          "[dram][two_level]") {
    Rig r("MT8KTF51264HZ-1G6", two_level());
    uint64_t id = 0;
    std::map<uint64_t, uint64_t> read_done;
    r.ctl->on_done = [&](uint64_t i, uint64_t ps) { read_done[i] = ps; };
    // 32 reads to bank 0, each to another row: a PRE, ACT, RD each, at most one per tRC = 39
    // clocks, so bank 0's command queue stays busy for about 32 x 39 = 1248 clocks.
    for (uint32_t i = 0; i < 32; ++i) r.ctl->enqueue(id++, r.addr(0, 0, 1 + i), false, 0);
    // 31 writes to bank 1, one per clock: the buffer (32) is not full and the command queues are
    // never empty, so no drain starts.
    for (uint32_t i = 0; i < 31; ++i) {
        r.ctl->run_until(1 + i);
        r.ctl->enqueue(id++, r.addr(0, 1, 0, 8 * i), true, 1 + i);
    }
    r.ctl->run_until(200);
    CHECK(r.stat("dram.write_drains") == 0);
    CHECK(to_bank(r, 1).empty());
    // The 32nd write fills the buffer: the drain starts at its clock.
    r.ctl->enqueue(id++, r.addr(0, 1, 0, 8 * 31), true, 200);
    r.ctl->run_until(201);
    CHECK(r.stat("dram.write_drains") == 1);
    // Arriving during the drain: a read for idle bank 2 (not moved until the drain has moved its
    // 32 writes) and 3 more writes for bank 1 (not part of this drain: the drain moves the next
    // 32 writes whose command queue has room, in buffer order, and these come last).
    r.ctl->run_until(202);
    const uint64_t bank2_read = id;
    r.ctl->enqueue(id++, r.addr(0, 2, 0), false, 202);
    for (uint32_t i = 0; i < 3; ++i) r.ctl->enqueue(id++, r.addr(0, 1, 0, 8 * (32 + i)), true, 202);
    const uint64_t before_drain_rds = count(to_bank(r, 0), Cmd::RD);
    r.ctl->run_until(3000);  // every read done (bank 0: about 1248 clocks)

    auto b1 = to_bank(r, 1);
    REQUIRE(b1.size() == 33);  // one ACT, 32 WR: all 32 written in the drain
    CHECK(b1[0].cmd == Cmd::ACT);
    CHECK(b1[0].cycle >= 201);  // moved at 200 at the earliest, issued from the next clock
    CHECK(count(b1, Cmd::WR) == 32);
    // Reads already in bank 0's command queue keep issuing during the drain.
    const uint64_t drain_end = b1.back().cycle;
    size_t rds_in_drain = 0;
    for (const auto& c : to_bank(r, 0))
        if (c.cmd == Cmd::RD && c.cycle > b1[0].cycle && c.cycle < drain_end) ++rds_in_drain;
    // Bank 1's WRs go every tCCD = 4 clocks and a RD needs WL + BL/2 + tWTR = 18 after a WR, so
    // bank 0 reads only where the WR stream has a gap (here before bank 1's first WR, which waits
    // tRCD after its ACT): at least one, where a read/write-separating controller issues none.
    CHECK(rds_in_drain >= 1);
    CHECK(before_drain_rds < 32);
    // Bank 1's 8-deep command queue takes the 32nd write only once 24 WRs have left it: the read
    // for bank 2 moves after that, so its ACT follows the 24th WR.
    auto b2 = to_bank(r, 2);
    REQUIRE(b2.size() == 2);
    CHECK(b2[0].cycle > b1[24].cycle);  // b1[24]: the 24th WR (b1[0] is the ACT)
    CHECK(read_done.count(bank2_read));
    // The 3 writes that came during the drain stay in the buffer: 3 <= 8 never starts a drain
    // (DRAMSim3 leaves them there); drain() at the end of a run writes them.
    CHECK(r.stat("dram.write_drains") == 1);
    r.ctl->drain();
    CHECK(count(to_bank(r, 1), Cmd::WR) == 35);
    CHECK(r.stat("dram.write_drains") == 2);
    r.require_clean();
}

TEST_CASE("two_level: more than 8 writes drain when the command queues are empty", "[dram][two_level]") {
    Rig r("MT8KTF51264HZ-1G6", two_level());
    for (uint32_t i = 0; i < 8; ++i) r.ctl->enqueue(i, r.addr(0, i, 0), true, 0);
    r.ctl->run_until(1000);
    CHECK(r.stat("dram.write_drains") == 0);  // 8 is not more than 8
    CHECK(r.ctl->commands().empty());
    r.ctl->enqueue(8, r.addr(0, 0, 0, 8 * 1), true, 1000);
    r.ctl->run_until(1001);
    CHECK(r.stat("dram.write_drains") == 1);
    r.ctl->run_until(2000);
    size_t wr = 0;
    uint64_t first = UINT64_MAX;
    for (const auto& c : r.ctl->commands()) {
        if (c.cmd == Cmd::WR) ++wr;
        first = std::min(first, c.cycle);
    }
    CHECK(wr == 9);
    CHECK(first == 1001);  // the first write moved at 1000, its ACT the next clock
    r.require_clean();
}

TEST_CASE("two_level: a read of a buffered write is answered from the buffer", "[dram][two_level]") {
    Rig r("MT8KTF51264HZ-1G6", two_level());
    uint64_t done = 0;
    r.ctl->on_done = [&](uint64_t i, uint64_t ps) { if (i == 1) done = ps; };
    r.ctl->enqueue(0, r.addr(0, 4, 7, 8 * 3), true, 10);
    r.ctl->run_until(20);
    r.ctl->enqueue(1, r.addr(0, 4, 7, 8 * 3), false, 20);
    CHECK(r.stat("dram.write_forwards") == 1);
    CHECK(done == 21 * r.t.tCK_ps);  // DRAMSim3: complete_cycle = clk_ + 1
    r.ctl->drain();
    CHECK(r.stat("dram.writes") == 1);
    r.require_clean();
}

TEST_CASE("two_level: a second read of a pending burst is answered by the first's RD", "[dram][two_level]") {
    // DRAMSim3 AddTransaction / IssueCommand: a read of an address already pending joins
    // pending_rd_q_ without a second queue entry, and the one RD completes both.
    Rig r("MT8KTF51264HZ-1G6", two_level());
    std::map<uint64_t, uint64_t> done;
    r.ctl->on_done = [&](uint64_t i, uint64_t ps) { done[i] = ps; };
    r.ctl->enqueue(0, r.addr(0, 2, 9, 8 * 5), false, 10);
    r.ctl->run_until(12);
    r.ctl->enqueue(1, r.addr(0, 2, 9, 8 * 5) + 8, false, 12);  // the same 64-byte burst
    r.ctl->drain();
    auto b = to_bank(r, 2);
    REQUIRE(b.size() == 2);  // one ACT, one RD
    CHECK(b[0].cycle == 11);
    CHECK(b[1].cycle == 11 + 11);
    // 22 + CL 11 + BL/2 4 = 37 for both
    CHECK(done[0] == 37 * r.t.tCK_ps);
    CHECK(done[1] == 37 * r.t.tCK_ps);
    CHECK(r.stat("dram.reads") == 2);
    CHECK(r.stat("dram.read_merges") == 1);
    CHECK(r.stat("dram.bytes_read") == 128);
    r.require_clean();
}

TEST_CASE("two_level: a random read/write load passes the checker", "[dram][two_level]") {
    struct Case {
        const char* page;
        uint64_t queue_depth, write_queue_depth, command_queue_depth;
    };
    const Case cases[] = {{"open", 32, 32, 8}, {"closed", 32, 32, 8}, {"open_adaptive", 16, 8, 2},
                          {"closed_adaptive", 64, 64, 16}};
    for (const auto& cs : cases) {
        GenericControllerParams p = two_level();
        p.page_policy = cs.page;
        p.queue_depth = cs.queue_depth;
        p.write_queue_depth = cs.write_queue_depth;
        p.command_queue_depth = cs.command_queue_depth;
        Rig r("MT8KTF51264HZ-1G6", p);
        uint64_t reads_done = 0;
        r.ctl->on_done = [&](uint64_t, uint64_t) { ++reads_done; };
        VectorSource src;
        uint64_t s = 42, reads = 0;
        for (uint64_t i = 0; i < 20000; ++i) {
            uint64_t a = (mix(s) % (uint64_t(4) << 30)) & ~uint64_t(63);
            bool w = mix(s) % 3 == 0;
            reads += !w;
            src.reqs.push_back({i * 3, a, w});  // about saturating: 1 per 3 clocks
        }
        drive(*r.ctl, src);
        INFO("page policy " << cs.page);
        CHECK(r.ctl->idle());
        CHECK(reads_done == 20000);  // on_done: every read, and every write at acceptance
        CHECK(r.stat("dram.reads") == double(reads));
        CHECK(r.stat("dram.refreshes") >= 1);
        r.require_clean();
    }
}

TEST_CASE("two_level: fcfs is refused", "[dram][two_level]") {
    GenericControllerParams p = two_level();
    p.scheduler = "fcfs";
    memsim::stats::Registry reg;
    CHECK_THROWS_AS(Controller(ddr3_preset("MT8KTF51264HZ-1G6"), p, reg), memsim::InputError);
}

TEST_CASE("two_level: Port::access serves reads and posted writes", "[dram][two_level]") {
    Rig r("MT8KTF51264HZ-1G6", two_level());
    const uint64_t tck = r.t.tCK_ps;
    // An unloaded read issued at clock 100: moved at 100, ACT 101, 1 + tRCD + CL + BL/2 = 27 nCK.
    CHECK(r.read(r.addr(0, 1, 3), 100 * tck) == (100 + 27) * tck);
    // A random mix one request per 10 clocks: every read completes after it was issued, and
    // every command passes the checker.
    uint64_t s = 7;
    for (uint64_t i = 0; i < 5000; ++i) {
        uint64_t a = (mix(s) % (uint64_t(4) << 30)) & ~uint64_t(63);
        uint64_t at = (200 + 10 * i) * tck;
        if (mix(s) % 3 == 0) {
            CHECK(r.write(a, at) >= at);
        } else {
            uint64_t done = r.read(a, at);
            REQUIRE(done >= at + 15 * tck);  // at least CL + BL/2 (random lines: no buffered write is hit)
        }
    }
    r.ctl->drain();
    CHECK(r.ctl->idle());
    r.require_clean();
}

TEST_CASE("two_level: a merged read waits for its RD even when a later read is answered from a write",
          "[dram][two_level]") {
    // A reads X (RD 22, data 37); B reads X and merges into A; W writes X (buffered); C reads X and
    // is answered from W the clock after it arrives. B arrived before W: A's RD answers it, at 37.
    Rig r("MT8KTF51264HZ-1G6", two_level());
    std::map<uint64_t, uint64_t> done;
    r.ctl->on_done = [&](uint64_t i, uint64_t ps) { done[i] = ps; };
    const uint64_t x = r.addr(0, 2, 9, 8 * 5);
    r.ctl->enqueue(0, x, false, 10);
    r.ctl->run_until(12);
    r.ctl->enqueue(1, x, false, 12);
    r.ctl->run_until(13);
    r.ctl->enqueue(2, x, true, 13);
    r.ctl->run_until(14);
    r.ctl->enqueue(3, x, false, 14);
    CHECK(done[3] == 15 * r.t.tCK_ps);
    CHECK(done.count(1) == 0);
    r.ctl->drain();
    CHECK(done[0] == 37 * r.t.tCK_ps);
    CHECK(done[1] == 37 * r.t.tCK_ps);
    CHECK(r.stat("dram.read_merges") == 1);
    CHECK(r.stat("dram.write_forwards") == 1);
    r.require_clean();
}

TEST_CASE("two_level: a transaction moved while the controller waits goes at its own first clock",
          "[dram][two_level]") {
    // While bank 0 waits tRCD for its RD (ACT at 1, RD at 12) nothing can issue, and the
    // controller only moves transactions (two_level.cpp, Speed). A read for idle bank 3 that
    // arrives at clock 5 moves at 5 and must issue its ACT at 6: the clock after its move, and
    // tRRD = max(4 nCK, 6 ns) = 5 nCK after bank 0's ACT (1 + 5 = 6), not when bank 0's RD goes.
    Rig r("MT8KTF51264HZ-1G6", two_level());
    r.ctl->enqueue(0, r.addr(0, 0, 1), false, 0);
    r.ctl->run_until(5);
    r.ctl->enqueue(1, r.addr(0, 3, 1), false, 5);
    r.ctl->drain();
    auto b0 = to_bank(r, 0), b3 = to_bank(r, 3);
    REQUIRE(b0.size() == 2);
    REQUIRE(b3.size() == 2);
    CHECK(b0[0].cycle == 1);
    CHECK(b0[1].cycle == 12);
    CHECK(b3[0].cmd == Cmd::ACT);
    CHECK(b3[0].cycle == 6);
    // Its RD tRCD later (17), 5 clocks after bank 0's RD: more than tCCD = 4.
    CHECK(b3[1].cmd == Cmd::RD);
    CHECK(b3[1].cycle == 6 + 11);
    r.require_clean();
}

TEST_CASE("two_level: a refresh closes the open banks one PRE at a time", "[dram][two_level]") {
    // DRAMSim3 FinishRefresh / ChannelState::GetReadyCommand: a pending REF first precharges each
    // open bank with its own PRE, the first ready in bank order, then refreshes: no PREA.
    Rig r("MT8KTF51264HZ-1G6", two_level());
    uint64_t id = 0;
    for (uint32_t bank : {5u, 0u, 2u}) r.ctl->enqueue(id++, r.addr(0, bank, 3), false, 100);
    r.ctl->run_until(7000);  // the reads done long before the REF is due at tREFI = 6240
    std::vector<Command> maint;
    for (const auto& c : r.ctl->commands())
        if (c.cycle >= 6240) maint.push_back(c);
    REQUIRE(maint.size() == 4);
    CHECK(maint[0].cmd == Cmd::PRE);
    CHECK(maint[0].bank == 0);
    CHECK(maint[0].cycle == 6240);
    CHECK(maint[1].cmd == Cmd::PRE);
    CHECK(maint[1].bank == 2);
    CHECK(maint[1].cycle == 6241);
    CHECK(maint[2].cmd == Cmd::PRE);
    CHECK(maint[2].bank == 5);
    CHECK(maint[2].cycle == 6242);
    CHECK(maint[3].cmd == Cmd::REF);
    CHECK(maint[3].cycle == 6242 + 11);  // tRP after the last PRE
    r.require_clean();
}

TEST_CASE("two_level: a drain stopped by a read its write waits on lets that read move first", "[dram][two_level]") {
    // A 1-deep command queue per bank and a 2-write buffer. Bank 0: R0 (row 5) moves into its
    // command queue; Ra and Rb (same row, columns 8 and 16) wait behind it; Wa and Wb, writes of
    // Ra's and Rb's lines, fill the buffer. Once R0's RD leaves the command queue the drain starts
    // at Wa, whose line Ra still has to read: DRAMSim3's rule stops the drain, and at the next
    // clock the full buffer started it again at Wa, for ever (a review's fuzzing found runs that
    // never ended). Now the reads move first and everything is served.
    auto p = two_level();
    p.queue_depth = 4;
    p.write_queue_depth = 2;
    p.command_queue_depth = 1;
    Rig r("MT8KTF51264HZ-1G6", p);
    std::vector<uint64_t> done;
    r.ctl->on_done = [&](uint64_t id, uint64_t) { done.push_back(id); };
    r.ctl->enqueue(0, r.addr(0, 0, 5, 0), false, 0);
    r.ctl->enqueue(1, r.addr(0, 0, 5, 8), false, 0);
    r.ctl->enqueue(2, r.addr(0, 0, 5, 16), false, 0);
    r.ctl->enqueue(3, r.addr(0, 0, 5, 8), true, 0);
    r.ctl->enqueue(4, r.addr(0, 0, 5, 16), true, 0);
    r.ctl->run_until(10000);
    std::vector<uint64_t> reads;
    for (uint64_t id : done)
        if (id < 3) reads.push_back(id);
    REQUIRE(reads == std::vector<uint64_t>{0, 1, 2});  // (drain() would never return otherwise)
    r.ctl->drain();  // the write left in the buffer, as DRAMSim3 leaves it until a drain
    CHECK(r.ctl->idle());
    size_t wr = 0, rd = 0;
    for (const auto& c : r.ctl->commands()) {
        wr += is_write(c.cmd);
        rd += is_read(c.cmd);
    }
    CHECK(rd == 3);  // each read from DRAM, before the write of its line
    CHECK(wr == 2);
    r.require_clean();
}
