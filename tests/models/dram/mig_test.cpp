// The MIG 7-series rules (models/dram/mig.h) on MT8KTF51264HZ-1G6 at 4:1 (ui_clk = 4 nCK): CL 11,
// CWL 8, tRCD = tRP = 11, tRAS 28, tRRD 5, tFAW 24, tWR 12, tWTR = tRTP = 6. CWL 8 is even, so
// (arb_row_col.v) column commands go in slot 0 of a ui_clk, ACT and REF in slot 1, PRE in slot 2.
// The distances the generated RTL gives (mig.cpp cites each timer), in nCK from the first
// command's slot to the second's:
//   ACT -> RD/WR   nRCD_CLKS = 11/4 + 1 = 3 ui_clk, slot 1 -> slot 0: 12 - 1 = 11
//   ACT -> PRE     nRAS_CLKS = 28/4 = 7 ui_clk, slot 1 -> slot 2: 29
//   RD -> PRE      nRTP_CLKS + 1 = (6/4 + 2) + 1 = 4 ui_clk, slot 0 -> slot 2: 18
//   WR -> PRE      nWTP_CLKS = (8 + 4 + 12)/4 + 2 = 8 ui_clk, slot 0 -> slot 2: 34
//   WR -> RD       CASWR2CASRD_CLKS = (8 + 4 + 6)/4 rounded up = 5 ui_clk: 20
//   PRE -> ACT     nRP_CLKS + 1 = 3 + 1 = 4 ui_clk, slot 2 -> slot 1: 15
//   ACT -> ACT     2 ui_clk (inhbt_act_rrd; nRRD 5 - 8 adds nothing): 8; tFAW 24 = 6 ui_clk
// Expected cycles are worked from these. The tests of
// the scheduling rules turn the UI/controller/PHY pipeline off (mig_defaults below), so their
// cycles are the DDR3 bus's; the pipeline has its own tests at the end.
#include <catch2/catch.hpp>

#include <algorithm>

#include "models/dram/mig.h"
#include "tests/models/dram/dram_test_util.h"

using namespace memsim;
using namespace memsim::dram;
using memsim::dram::testing::mix;
using memsim::dram::testing::VectorSource;

namespace {
MigParams mig_defaults() {
    MigParams m;
    m.phy_ratio = "4:1";
    m.ordering = "NORM";
    m.mem_addr_order = "BANK_ROW_COLUMN";
    m.bank_machines = 4;
    m.periodic_read_ps = 0;
    m.frontend_latency_ps = 0;
    m.ui_cmd_latency = m.bank_machine_latency = m.cmd_pipe_latency = m.phy_cmd_latency = m.phy_read_latency =
        m.ui_read_latency = 0;
    return m;
}

struct MigRig {
    stats::Registry reg;
    Ddr3Timing t;
    std::unique_ptr<Controller> ctl;
    explicit MigRig(MigParams m = mig_defaults(), const std::string& part = "MT8KTF51264HZ-1G6")
        : t(ddr3_preset(part)) {
        ctl = std::make_unique<Controller>(t, m, reg);
        ctl->keep_commands(true);
    }
    uint64_t addr(uint32_t bank, uint32_t row, uint32_t col = 0) const {
        return ctl->address_map().encode({0, bank, row, col});
    }
    double stat(const std::string& n) const { return reg.value(n); }
    void require_clean() const {
        // The JEDEC timing of the part, not the controller's rounded timers.
        auto v = check_commands(t, ctl->commands(), 0);
        for (size_t i = 0; i < v.size() && i < 10; ++i) UNSCOPED_INFO(v[i].message);
        REQUIRE(v.empty());
    }
};
}  // namespace

TEST_CASE("MIG: BANK_ROW_COLUMN puts the bank on top and counts 8-byte words", "[dram][mig]") {
    MigRig r;
    // app_addr = byte address / 8: 10 column bits, 16 row bits, 3 bank bits.
    uint64_t app_addr = (uint64_t(5) << 26) | (uint64_t(300) << 10) | 16;  // bank 5, row 300, column 16
    DramAddress a = r.ctl->address_map().decode(app_addr * 8);
    CHECK(a.bank == 5);
    CHECK(a.row == 300);
    CHECK(a.column == 16);
    auto m = mig_defaults();
    m.mem_addr_order = "ROW_BANK_COLUMN";
    MigRig r2(m);
    a = r2.ctl->address_map().decode(((uint64_t(300) << 13) | (uint64_t(5) << 10) | 16) * 8);
    CHECK(a.bank == 5);
    CHECK(a.row == 300);
}

TEST_CASE("MIG: unloaded reads in ui_clk slots - rows closed unless a queued request hits", "[dram][mig]") {
    MigRig r;
    std::vector<uint64_t> done(3);
    r.ctl->on_done = [&](uint64_t id, uint64_t ps) { done[id] = ps; };
    // ACT at 1 (slot 1); RD at 1 + 11 = 12 (slot 0); data ends 12 + CL + BL/2 = 27, handed on at
    // the ui_clk edge 28 nCK = 35 ns. B hits the same row and is queued: A keeps the row open;
    // B's RD at 12 + tCCD = 16 (slot 0), with auto-precharge (nothing else hits); ends 31 -> 32.
    r.ctl->enqueue(0, r.addr(0, 7), false, 0);
    r.ctl->enqueue(1, r.addr(0, 7, 8), false, 0);
    r.ctl->drain();
    CHECK(done[0] == 28 * 1250);
    CHECK(done[1] == 32 * 1250);
    // Nothing was queued for bank 0 at B's RD, so the RTL precharges explicitly (bank_state.v
    // pre_wait_r; the model's auto-precharge is timed the same): at max(RD 16 + 18, ACT 1 + 29) =
    // 34 (ui_clk 8, slot 2), the bank opens again 15 later. C arrives at 30: ACT 49 (slot 1 of
    // ui_clk 12 = 8 + nRP_CLKS 3 + 1), RD 60 (slot 0), ends 75 -> 76.
    r.ctl->enqueue(2, r.addr(0, 7), false, 30);
    r.ctl->drain();
    CHECK(done[2] == 76 * 1250);
    CHECK(r.stat("dram.row_hits") == 1);
    CHECK(r.stat("dram.row_misses") == 2);
    const auto& c = r.ctl->commands();
    REQUIRE(c.size() == 5);
    CHECK(c[1].cmd == Cmd::RD);
    CHECK(c[2].cmd == Cmd::RDA);
    r.require_clean();
}

TEST_CASE("MIG: read data comes back in request order", "[dram][mig]") {
    for (const char* ordering : {"NORM", "STRICT"}) {
        auto m = mig_defaults();
        m.ordering = ordering;
        MigRig r(m);
        std::vector<uint64_t> order, done(3);
        r.ctl->on_done = [&](uint64_t id, uint64_t ps) {
            order.push_back(id);
            done[id] = ps;
        };
        // W: bank 0 row 1; A: bank 0 row 2 (behind W in its bank); B: bank 1 row 1.
        r.ctl->enqueue(0, r.addr(0, 1), true, 0);
        r.ctl->enqueue(1, r.addr(0, 2), false, 0);
        r.ctl->enqueue(2, r.addr(1, 1), false, 0);
        r.ctl->drain();
        INFO(ordering);
        // W: ACT 1, WRA 12 (ui_clk 3); the bank closes at max(WR 12 + 34, ACT 1 + 29) = 46 (ui_clk
        // 11 = 3 + nWTP_CLKS 8, slot 2); A: ACT at 46 + 15 = 61 (slot 1), RD at 72 (slot 0), ends 87
        // -> edge 88. (The RTL auto-precharges here, A having been accepted before W's WR
        // (bank_queue.v auto_pre_r), and starts its rp timer one ui_clk before an explicit PRE
        // would go: A's ACT would be at 57. The model times every close as the explicit PRE.)
        CHECK(done[1] == 88 * 1250);
        CHECK(order == std::vector<uint64_t>{0, 1, 2});
        if (std::string(ordering) == "NORM")
            // B: ACT at 1 + 8 = 9, RD after WR->RD 12 + 20 = 32 (slot 0): its data is back at 48
            // but waits for A's.
            CHECK(done[2] == 88 * 1250);
        else
            // STRICT: B's RD after A's: 72 + tCCD = 76, ends 91 -> 92.
            CHECK(done[2] == 92 * 1250);
        r.require_clean();
    }
}

TEST_CASE("MIG: at most bank_machines requests are accepted", "[dram][mig]") {
    MigRig r;
    for (uint32_t i = 0; i < 4; ++i) {
        REQUIRE(r.ctl->can_accept(r.addr(i, 1), i % 2));
        r.ctl->enqueue(i, r.addr(i, 1), i % 2, 0);
    }
    CHECK(!r.ctl->can_accept(r.addr(5, 1), false));
    CHECK(!r.ctl->can_accept(r.addr(5, 1), true));
    // The first column command frees a machine: ACTs at 0, 8, 16, 24 (tRRD 8); the first RD at 13.
    r.ctl->run_until(14);
    CHECK(r.ctl->can_accept(r.addr(5, 1), false));
    r.ctl->drain();
    r.require_clean();
}

TEST_CASE("MIG: a periodic read when no read was issued for 1 us", "[dram][mig]") {
    auto m = mig_defaults();
    m.periodic_read_ps = 1000000;  // 800 nCK
    MigRig r(m);
    r.ctl->run_until(80000);  // 100 us idle
    std::vector<uint64_t> rd, ref;
    for (const auto& c : r.ctl->commands()) {
        if (is_read(c.cmd)) rd.push_back(c.cycle);
        if (c.cmd == Cmd::REF) ref.push_back(c.cycle);
    }
    // Each is inserted 800 nCK after the last read and needs its ACT first: the gap between reads
    // is 800 + tRCD (12) + slot alignment (at most 4) nCK, plus tRFC + a slot (212) for each REF
    // in between (8 pulled in at the start, then one per tREFI).
    auto refs_between = [&](uint64_t a, uint64_t b) {
        return uint64_t(std::count_if(ref.begin(), ref.end(), [&](uint64_t x) { return x >= a && x < b; }));
    };
    REQUIRE(rd.size() >= (80000 - ref.size() * 212) / 816);
    CHECK(rd.front() <= 800 + 16 + refs_between(0, rd.front()) * 212);
    for (size_t i = 1; i < rd.size(); ++i) CHECK(rd[i] - rd[i - 1] <= 816 + refs_between(rd[i - 1], rd[i]) * 212);
    CHECK(r.stat("dram.mig.periodic_reads") == rd.size());
    CHECK(r.stat("dram.reads") == 0);  // not the user's
    // Reads every 500 nCK leave no room for one.
    MigRig busy(m);
    VectorSource src;
    for (uint64_t i = 0; i < 100; ++i) src.reqs.push_back({i * 500, busy.addr(0, 0, 8 * (i % 64)), false});
    drive(*busy.ctl, src);
    CHECK(busy.stat("dram.mig.periodic_reads") == 0);
    r.require_clean();
    busy.require_clean();
}

TEST_CASE("MIG: every ratio ordering and address order keeps JEDEC timing under load", "[dram][mig]") {
    for (const char* ratio : {"4:1", "2:1"})
        for (const char* ordering : {"NORM", "STRICT"})
            for (const char* order : {"BANK_ROW_COLUMN", "ROW_BANK_COLUMN"})
                for (const char* part : {"MT8KTF51264HZ-1G6", "MT16KTF1G64HZ-1G6", "MT8KTF51264HZ-1G9@1320ps"}) {
                    auto m = mig_defaults();
                    if (std::string(part) != "MT8KTF51264HZ-1G6") {
                        // With memory.mig's pipeline: requests also wait in the UI registers.
                        MigParams d;
                        m.ui_cmd_latency = d.ui_cmd_latency;
                        m.bank_machine_latency = d.bank_machine_latency;
                        m.cmd_pipe_latency = d.cmd_pipe_latency;
                        m.ui_read_latency = d.ui_read_latency;
                    }
                    m.phy_ratio = ratio;
                    m.ordering = ordering;
                    m.mem_addr_order = order;
                    m.periodic_read_ps = 1000000;
                    MigRig r(m, part);
                    VectorSource src;
                    uint64_t s = 5, cycle = 0, reads = 0;
                    for (int i = 0; i < 5000; ++i) {
                        cycle += mix(s) % 40;
                        bool w = mix(s) % 3 == 0;
                        reads += !w;
                        uint64_t a = (mix(s) % 4 ? mix(s) % (1u << 22) : mix(s) % r.t.capacity()) & ~63ull;
                        src.reqs.push_back({cycle, a, w});
                    }
                    uint64_t returned = 0, last = 0;
                    bool in_order = true;
                    r.ctl->on_done = [&](uint64_t, uint64_t ps) {
                        in_order = in_order && ps >= last;
                        last = std::max(last, ps);
                        ++returned;
                    };
                    drive(*r.ctl, src);
                    INFO(ratio << " " << ordering << " " << order << " " << part);
                    CHECK(r.stat("dram.reads") == reads);
                    CHECK(returned == 5000);
                    r.require_clean();
                }
}

TEST_CASE("configs/dram-only-mig.yaml builds the MIG controller", "[dram][mig]") {
    config::Config cfg;
    cfg.load_file(std::string(MEMSIM_SOURCE_DIR) + "/configs/dram-only-mig.yaml");
    stats::Registry reg;
    auto ctl = make_controller(cfg, reg);
    CHECK(ctl->timing().tRCD == 11);  // the controller's ACT to RD: 3 ui_clk, slot 1 to slot 0
    CHECK(ctl->timing().tRP == 15);   // PRE slot 2 -> ACT slot 1, nRP_CLKS + 1 = 4 ui_clk: 16 - 1
    // Unloaded read with the default pipeline: 65 ns (worked in the pipeline test below).
    CHECK(ctl->access(mem::Request{0, 64, mem::AccessKind::Read}, 0) == 65000);
}

TEST_CASE("MIG through Port::access: a request issued before the column command keeps the row open", "[dram][mig]") {
    MigRig r;
    auto read = [&](uint64_t addr, uint64_t ps) {
        return r.ctl->access(mem::Request{addr, 64, mem::AccessKind::Read}, ps);
    };
    // A: ACT 1, RD 12, ends 27 -> 28. B issued at 1 ns (cycle 1), before A's RD: in MIG it would
    // have been accepted and kept the row open: B's RD at 12 + tCCD = 16, ends 31 -> 32 nCK.
    CHECK(read(r.addr(0, 7), 0) == 28 * 1250);
    CHECK(read(r.addr(0, 7, 8), 1000) == 32 * 1250);
    // C at 100 ns (cycle 80) comes after B's RD: bank 0 closed at max(RD 16 + 18, ACT 1 + 29) =
    // 34. The idle rank meanwhile pulled a refresh in: REF at 34 + 15 = 49 (slot 1). C waits for
    // tRFC: ACT at 49 + 208 = 257 (slot 1), RD 268 (slot 0), ends 283 -> 284 nCK.
    CHECK(read(r.addr(0, 7, 16), 100000) == 284 * 1250);
    CHECK(r.stat("dram.row_hits") == 1);
    CHECK(r.stat("dram.row_misses") == 2);
    const auto& c = r.ctl->commands();
    for (const auto& x : c) UNSCOPED_INFO(to_string(x));
    REQUIRE(c.size() == 6);
    CHECK(c[1].cmd == Cmd::RD);   // A: B hit the row
    CHECK(c[2].cmd == Cmd::RDA);  // B: nothing came in time
    CHECK(c[3].cmd == Cmd::REF);
    CHECK(c[3].cycle == 49);
    CHECK(c[4].cycle == 257);
    r.require_clean();
}

// The user-interface / controller / PHY pipeline with memory.mig's defaults, each counted in the
// generated RTL (mig.cpp's visit() cites them): ui_cmd 2 (ui_cmd.v app_en_r1, app_en_r2),
// bank_machine 2 (idle_r, then arb_row_col.v's registered grant), cmd_pipe 1 (mc.v
// CMD_PIPE_PLUS1), phy_cmd 0 and phy_read 0 (hard PHY blocks, not published), ui_read 1
// (ui_rd_data.v, NORM).
TEST_CASE("MIG pipeline: the unloaded read latency is the worked sum of its stages", "[dram][mig]") {
    struct Row {
        const char* part;
        const char* ratio;
        uint64_t tck_ps, act_nck, expect_nck;
    };
    // 4:1 (ui_clk = 4 nCK), read to a closed bank, app_en accepted at 0:
    //   UI in 2 + bank machine 2 ui_clk = 16 nCK: the controller issues ACT in slot 1 = 17;
    //   nRCD_CLKS = 11/4 + 1 = 3 ui_clk later in slot 0: RD at 28 (tRCD 11 exactly);
    //   CL 11 + BL/2 4: the last beat ends at 43 nCK, handed on at the ui_clk edge 44, as the
    //   controller sees the bus; the pins see every command cmd_pipe 1 + phy_cmd 0 ui_clk later;
    //   PHY return 0 + UI out 1 ui_clk: app_rd_data_valid at 44 + 4 + 4 = 52 nCK = 13 ui_clk.
    //   1250 ps: 65 ns; NetFPGA-SUME's 1320 ps (CWL 8, tRCD 13.91 ns -> 11 nCK, the same
    //   clocks): 68.64 ns.
    // 2:1 (ui_clk = 2 nCK): in 4 ui_clk = 8 nCK: ACT in slot 1 = 9; nRCD_CLKS = (11 + 2)/2 = 6:
    //   RD at 6 x 2 - 1 + 9 = 20 (slot 0); ends 35 -> edge 36; out 1 + 1 ui_clk: 40 nCK = 50 ns.
    for (const Row& row : {Row{"MT8KTF51264HZ-1G6", "4:1", 1250, 17, 52},
                           Row{"MT8KTF51264HZ-1G9@1320ps", "4:1", 1320, 17, 52},
                           Row{"MT8KTF51264HZ-1G6", "2:1", 1250, 9, 40}}) {
        MigParams m = mig_defaults();
        m.phy_ratio = row.ratio;
        m.ui_cmd_latency = 2;
        m.bank_machine_latency = 2;
        m.cmd_pipe_latency = 1;
        m.ui_read_latency = 1;
        MigRig r(m, row.part);
        REQUIRE(r.t.tCK_ps == row.tck_ps);
        uint64_t done = 0;
        r.ctl->on_done = [&](uint64_t, uint64_t ps) { done = ps; };
        r.ctl->enqueue(0, r.addr(0, 7), false, 0);
        r.ctl->drain();
        INFO(row.part << " " << row.ratio);
        CHECK(done == row.expect_nck * row.tck_ps);
        const auto& c = r.ctl->commands();
        REQUIRE(c.size() == 2);
        CHECK(c[0].cycle == row.act_nck);  // the controller's ACT, after UI in and the bank machine
        CHECK(r.stat("dram.read_latency_avg_ns") == Approx(row.expect_nck * row.tck_ps / 1000.0));
        r.require_clean();
    }
}

TEST_CASE("MIG pipeline: every stage adds its ui_clk cycles and STRICT skips the read buffer", "[dram][mig]") {
    // Without a pipeline the read ends at 28 nCK (ACT 1, RD 12, + 15 = 27 -> 28; first test).
    // With 1 + 1 ui_clk before the controller the ACT is at 9 (slot 1), RD 20, ends 35 -> 36; then
    // cmd_pipe 1 + phy_cmd 1 + phy_read 2 + ui_read 1 = 5 ui_clk: 56 nCK.
    auto m = mig_defaults();
    m.ui_cmd_latency = m.bank_machine_latency = m.cmd_pipe_latency = m.phy_cmd_latency = 1;
    m.phy_read_latency = 2;
    m.ui_read_latency = 1;
    for (const char* ordering : {"NORM", "STRICT"}) {
        m.ordering = ordering;
        MigRig r(m);
        uint64_t done = 0;
        r.ctl->on_done = [&](uint64_t, uint64_t ps) { done = ps; };
        r.ctl->enqueue(0, r.addr(0, 7), false, 0);
        r.ctl->drain();
        INFO(ordering);
        // STRICT without ECC drives app_rd_data_valid from rd_data_en (ui_rd_data.v): 52 nCK.
        CHECK(done == (std::string(ordering) == "NORM" ? 56u : 52u) * 1250);
        r.require_clean();
    }
    // A write completes when accepted (app_rdy): the pipeline delays its WR, not its completion.
    MigRig w(m);
    uint64_t wdone = 1;
    w.ctl->on_done = [&](uint64_t, uint64_t ps) { wdone = ps; };
    w.ctl->enqueue(0, w.addr(0, 7), true, 0);
    CHECK(wdone == 0);
    w.ctl->drain();
    CHECK(w.ctl->commands()[0].cycle == 9);
    w.require_clean();
}

TEST_CASE("MIG pipeline: accepted requests wait in the UI registers for a bank machine", "[dram][mig]") {
    // bank_common.v: a bank machine is claimed at use_addr; ui_cmd.v's two registers hold accepted
    // requests while app_rdy is low. So 2 bank machines + 2 UI registers accept 4 requests.
    auto m = mig_defaults();
    m.bank_machines = 2;
    m.ui_cmd_latency = 2;
    m.bank_machine_latency = 2;
    m.cmd_pipe_latency = 1;
    m.ui_read_latency = 1;
    MigRig r(m);
    std::vector<uint64_t> done(4);
    r.ctl->on_done = [&](uint64_t id, uint64_t ps) { done[id] = ps / 1250; };
    for (uint32_t i = 0; i < 4; ++i) {
        REQUIRE(r.ctl->can_accept(r.addr(i, 1), false));
        r.ctl->enqueue(i, r.addr(i, 1), false, 0);
    }
    CHECK(!r.ctl->can_accept(r.addr(4, 1), false));
    r.ctl->drain();
    // A, B claim the machines: ACT at 17 (UI 2 + bank machine 2 ui_clk, slot 1) and 25 (tRRD
    // 5 -> 8). A's RD at 17 + 11 = 28 frees a machine: C claims it at the ui_clk edge 28, + 1
    // (app_rdy_r) + 2 (idle_r, the arbiter) ui_clk = 40: ACT at 41 (slot 1). B's RD at 36 frees
    // the other: D's ACT at 36 + 12 = 48 -> 49 (also tRRD after C's).
    std::vector<uint64_t> acts;
    for (const auto& c : r.ctl->commands())
        if (c.cmd == Cmd::ACT) acts.push_back(c.cycle);
    CHECK(acts == std::vector<uint64_t>{17, 25, 41, 49});
    // A: RD 28, ends 43 -> 44, + cmd pipe 1 + UI out 1 ui_clk = 52 nCK. D: RD 49 + 11 = 60, ends
    // 75 -> 76, + 8 = 84 nCK.
    CHECK(done[0] == 52);
    CHECK(done[3] == 84);
    r.require_clean();
}
