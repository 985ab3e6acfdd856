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
//   RD -> WR       CASRD2CASWR_CLKS = (11 + 4 + 4 - 8)/4 rounded up = 3 ui_clk: 12, any rank
//   rank switch    another rank's column command RNK2RNK_DLY_CLKS + 2 = 12/4 + 2 = 5 ui_clk
//                  after the last column command: 20, and 4 ui_clk after it would have gone
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
        : MigRig(m, ddr3_preset(part)) {}
    MigRig(const MigParams& m, const Ddr3Timing& timing) : t(timing) {
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

// The same die at DDR3-1333H 9-9-9 (Micron MT41K512M8 -15E, datasheet timing table: tCK 1.5 ns,
// tAA = tRCD = tRP = 13.5 ns, tRAS 36 ns, 1 KB page tRRD max(4 nCK, 6 ns) and tFAW 30 ns; tWR 15
// ns, tWTR = tRTP = max(4 nCK, 7.5 ns), tRFC 260 ns): CL 9, CWL 7, tRCD = tRP = 9, tRAS 24, tRC
// 33, tRRD 4, tFAW 20, tWR 10, tWTR = tRTP = 5. CWL 7 is odd: column commands in slot 1, ACT in
// slot 0 (arb_row_col.v); PRE in slot 2 at 4:1, in the row slot 0 at 2:1.
Ddr3Timing ddr3_1333() {
    Ddr3Timing t = ddr3_preset("MT8KTF51264HZ-1G6");
    t.part = "MT41K512M8-15E";
    t.tCK_ps = 1500;
    t.tRCD_ps = t.tRP_ps = 13500;
    t.CL = 9;
    t.CWL = 7;
    t.tRCD = t.tRP = 9;
    t.tRAS = 24;
    t.tRC = 33;
    t.tRRD = 4;
    t.tFAW = 20;
    t.tWR = 10;
    t.tWTR = t.tRTP = 5;
    t.tRFC = 174;    // 260 ns
    t.tREFI = 5200;  // 7.8 us
    t.tXS = 180;     // tRFC + 10 ns
    t.tXP = t.tCKE = 4;
    t.tCKESR = 5;
    t.tXPDLL = 16;
    return t;
}

MigParams with_ratio(const char* ratio, uint64_t bank_machines = 4) {
    MigParams m = mig_defaults();
    m.phy_ratio = ratio;
    m.bank_machines = bank_machines;
    return m;
}
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
        // W: ACT 1 (ui_clk 0), WRA 12 (ui_clk 3). A was accepted before W's WR, so the RTL
        // auto-precharges (bank_queue.v auto_pre_r) and starts the rp timer at max(3 + nRTP_CLKS
        // 3, 3 + nWTP_CLKS 8 - 1, 0 + nRAS_CLKS 7 - 1) = ui_clk 10; A: ACT at ui_clk 10 + nRP_CLKS
        // 3 + 1 = 14, slot 1 = 57, RD at 68 (slot 0), ends 83 -> edge 84.
        CHECK(done[1] == 84 * 1250);
        CHECK(order == std::vector<uint64_t>{0, 1, 2});
        if (std::string(ordering) == "NORM")
            // B: ACT at 1 + 8 = 9, RD after WR->RD 12 + 20 = 32 (slot 0): its data is back at 48
            // but waits for A's.
            CHECK(done[2] == 84 * 1250);
        else
            // STRICT: B's RD after A's: 68 + tCCD = 72, ends 87 -> 88.
            CHECK(done[2] == 88 * 1250);
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

TEST_CASE("MIG: periodic reads come in pairs on each rank's timer that only reads in consecutive slots reload",
          "[dram][mig]") {
    // tPRDI 1 us = 5 maintenance ticks of 160 nCK (200 ns / (1.25 ns x 4) = 40 ui_clk). The model's
    // clock 0 is after the pair calibration ends with, so an idle rank asks at 5 x 160 = 800: two
    // reads at the user interface's address (none yet: 0, bank 0 row 0), ACT 801 (slot 1), RD 812
    // (slot 0) kept open for the second, RDA 816 in the next ui_clk; two reads in consecutive
    // ui_clk reload the timer at 816: the fifth tick after it is 1600. So a pair every 800 nCK,
    // RDs at 800 k + 12 and 800 k + 16, the first REF (6081) in between.
    auto m = mig_defaults();
    m.periodic_read_ps = 1000000;
    MigRig r(m);
    r.ctl->run_until(6000);
    std::vector<std::string> want;
    for (uint64_t k = 1; k <= 7; ++k)
        for (const std::string& line : {std::to_string(800 * k + 1) + " ACT 0 0 0 0", std::to_string(800 * k + 12) + " RD 0 0 0 0",
                                        std::to_string(800 * k + 16) + " RDA 0 0 0 0"})
            want.push_back(line);
    std::vector<std::string> got;
    for (const auto& c : r.ctl->commands()) got.push_back(to_string(c));
    CHECK(got == want);
    CHECK(r.stat("dram.mig.periodic_reads") == 14);
    CHECK(r.stat("dram.reads") == 0);  // not the user's
    r.require_clean();
    // Lone user reads every 500 nCK do not reload the timer (rank_cntrl.v int_read_this_rank wants
    // reads in two consecutive ui_clk): the pairs still come, one at the latest 800 nCK after the
    // last pair's reload and a user read's service (under 500 nCK). Two reads of one row arriving
    // together every 500 nCK (RD, RD 4 nCK apart) reload it before it runs out: none.
    for (int together : {1, 2}) {
        INFO(together << " at a time");
        MigRig busy(m);
        VectorSource src;
        for (uint64_t i = 0; i < 100; ++i)
            for (int j = 0; j < together; ++j) src.reqs.push_back({i * 500, busy.addr(0, 0, 8 * ((2 * i + j) % 128)), false});
        drive(*busy.ctl, src);
        if (together == 1) CHECK(busy.stat("dram.mig.periodic_reads") >= 2 * (50000 / (800 + 500)));
        else CHECK(busy.stat("dram.mig.periodic_reads") == 0);
        busy.require_clean();
    }
    // Two idle ranks get their pairs one rank at a time, each pair's reads in consecutive slots,
    // so both timers keep reloading: a pair per rank at least every 800 nCK plus the other rank's
    // pair and a REF (under 400 nCK). (Granting both ranks at once, a first version interleaved
    // the pairs at 2:1 and the timers stopped after the first.)
    for (const char* ratio : {"4:1", "2:1"}) {
        INFO(ratio);
        auto two = with_ratio(ratio);
        two.periodic_read_ps = 1000000;
        MigRig d(two, "MT16KTF1G64HZ-1G6");
        d.ctl->run_until(100000);
        CHECK(d.stat("dram.mig.periodic_reads") >= 2 * 2 * (100000 / 1200));
        d.require_clean();
    }
}

TEST_CASE("MIG: REF on the RTL's refresh tick shared by the ranks one rank at a time and none pulled in",
          "[dram][mig][refresh]") {
    // mc.v / rank_common.v: a prescaler of MAINT_PRESCALER_DIV = 200 ns / (tCK x nCK_PER_CLK) ui_clk
    // (rounded down), a refresh tick every REFRESH_TIMER_DIV = (tREFI - (tRCD + (CL + 4) x tCK +
    // tRP) x nBANK_MACHS) / 200 ns prescaler ticks (rounded down), shared by the ranks; with
    // nREFRESH_BANK = 1 each tick asks for exactly one REF. MT8KTF51264HZ-1G6 (tCK 1250 ps, CL 11,
    // tRCD = tRP = 13750 ps): 4 bank machines hold (13750 + 15 x 1250 + 13750) x 4 = 185,000 ps,
    // (7,800,000 - 185,000) / 200,000 = 38 ticks of 40 ui_clk = 160 nCK (at 2:1 80 ui_clk, also
    // 160 nCK): 6080 nCK; 8 bank machines 370,000 ps, 37 ticks: 5920. The NetFPGA-SUME part (tCK
    // 1320 ps, CL 11, tRCD = tRP = 13910 ps): 190,480 ps, 38 ticks of 37 ui_clk = 148 nCK: 5624.
    // An idle controller sends each REF in the row slot (1, CWL 8) of the tick's ui_clk; with two
    // ranks the second rank's once the first's tRFC (208 nCK) is over: the RTL keeps one
    // maintenance operation at a time (rank_common.v maint_wip_r; its few ui_clk of hand-over are
    // not counted).
    struct Case {
        const char* part;
        const char* ratio;
        uint64_t bank_machines, tick;
    };
    for (const Case& k : {Case{"MT8KTF51264HZ-1G6", "4:1", 4, 6080}, Case{"MT8KTF51264HZ-1G6", "2:1", 4, 6080},
                          Case{"MT8KTF51264HZ-1G6", "4:1", 8, 5920}, Case{"MT8KTF51264HZ-1G9@1320ps", "4:1", 4, 5624},
                          Case{"MT16KTF1G64HZ-1G6", "4:1", 4, 6080}}) {
        INFO(k.part << " " << k.ratio << " " << k.bank_machines);
        MigRig r(with_ratio(k.ratio, k.bank_machines), k.part);
        r.ctl->run_until(4 * k.tick + 400);
        std::vector<std::vector<uint64_t>> ref(r.t.ranks);
        for (const auto& c : r.ctl->commands())
            if (c.cmd == Cmd::REF) ref[c.rank].push_back(c.cycle);
        for (uint32_t rank = 0; rank < r.t.ranks; ++rank) {
            std::vector<uint64_t> want;
            for (uint64_t i = 1; i <= 4; ++i) want.push_back(i * k.tick + 1 + rank * 208);
            CHECK(ref[rank] == want);
        }
        r.require_clean();
    }
    // ZQCS every ZQ_TIMER_DIV = tZQI / 200 ns = 640,000 prescaler ticks: 128 ms at tCK 1250 ps
    // (102,400,000 nCK); 94,720,000 nCK (125.03 ms) on the SUME part's 148-nCK tick.
    for (const Case& k : {Case{"MT8KTF51264HZ-1G6", "4:1", 4, 160}, Case{"MT8KTF51264HZ-1G9@1320ps", "4:1", 4, 148}}) {
        INFO(k.part);
        MigRig r(with_ratio(k.ratio, k.bank_machines), k.part);
        r.ctl->run_until(640000 * k.tick + 100);
        std::vector<uint64_t> zq;
        for (const auto& c : r.ctl->commands())
            if (c.cmd == Cmd::ZQCS) zq.push_back(c.cycle);
        CHECK(zq == std::vector<uint64_t>{640000 * k.tick + 1});
    }
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
    auto mem = make_memory(cfg, reg);
    Controller* ctl = &mem->channel(0);
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
    // 34. No refresh is pulled in meanwhile (mc.v nREFRESH_BANK = 1): C's ACT 81 (slot 1), RD 92
    // (slot 0), ends 107 -> 108 nCK.
    CHECK(read(r.addr(0, 7, 16), 100000) == 108 * 1250);
    CHECK(r.stat("dram.row_hits") == 1);
    CHECK(r.stat("dram.row_misses") == 2);
    const auto& c = r.ctl->commands();
    for (const auto& x : c) UNSCOPED_INFO(to_string(x));
    REQUIRE(c.size() == 5);
    CHECK(c[1].cmd == Cmd::RD);   // A: B hit the row
    CHECK(c[2].cmd == Cmd::RDA);  // B: nothing came in time
    CHECK(c[3].cmd == Cmd::ACT);
    CHECK(c[3].cycle == 81);
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

namespace {
// Two requests at 0 to banks 0 and 1, the first a write (WRITE_FIRST) or a read, the
// second the other: their column commands' cycles are FIRST and SECOND.
struct Turnaround {
    const char* ratio;
    Ddr3Timing t;
    uint64_t first, second;
};
void require_turnaround(const Turnaround& row, bool write_first) {
    MigRig r(with_ratio(row.ratio), row.t);
    r.ctl->enqueue(0, r.addr(0, 1), write_first, 0);
    r.ctl->enqueue(1, r.addr(1, 1), !write_first, 0);
    r.ctl->drain();
    INFO(row.t.part << " " << row.ratio);
    const auto& c = r.ctl->commands();
    REQUIRE(c.size() == 4);
    CHECK((write_first ? is_write(c[2].cmd) : is_read(c[2].cmd)));
    CHECK(c[2].cycle == row.first);
    CHECK((write_first ? is_read(c[3].cmd) : is_write(c[3].cmd)));
    CHECK(c[3].cycle == row.second);
    r.require_clean();
}
}  // namespace

// The timers bank_state.v, bank_mach.v and rank_cntrl.v count in ui_clk (mig.cpp cites each), at
// 4:1 and 2:1 with CWL even (DDR3-1600, the preset) and odd (DDR3-1333 above), pipeline off: each
// expected cycle is the RTL's, worked from its formula; "old" is the JEDEC figure rounded up to
// whole ui_clk that the model used before, where it differs.
TEST_CASE("MIG RTL timers: WR to RD of the same rank is CASWR2CASRD_CLKS ui_clk", "[dram][mig]") {
    // W (bank 0) and R (bank 1) at 0: W's ACT first, R's ACT one ACT-to-ACT later; W's WR one
    // ACT-to-column after its ACT; R's RD waits for the WR -> RD distance.
    const Turnaround rows[] = {
        // 4:1 CWL 8: ACTs 1, 9; WR 1 + 11 = 12; CASWR2CASRD = 8 + 4 + 6 = 18 -> 5 ui_clk = 20:
        // RD 32 (tRCD alone: 20). JEDEC 18.
        {"4:1", ddr3_preset("MT8KTF51264HZ-1G6"), 12, 32},
        // 2:1 CWL 8: ACTs 1, 7 (2 + (5 - 4)/2 rounded up = 3 ui_clk); WR 1 + 11 = 12 (nRCD_CLKS
        // (11 + 2)/2 = 6: 12 - 1); 18 -> 9 ui_clk = 18: RD 30.
        {"2:1", ddr3_preset("MT8KTF51264HZ-1G6"), 12, 30},
        // 4:1 CWL 7: ACTs 0, 8 (slot 0); WR 0 + 9 = 9 (nRCD_CLKS (9 - 2)/4 + 1 = 2: 8 + 1);
        // 7 + 4 + 5 = 16 -> 4 ui_clk = 16: RD 25 = JEDEC's. Old: 7 + 4 + 8 = 19 -> RD 29.
        {"4:1", ddr3_1333(), 9, 25},
        // 2:1 CWL 7: ACTs 0, 4; WR 9 (nRCD_CLKS 9/2 = 4: 8 + 1); 16 -> 8 ui_clk: RD 25. Old:
        // 7 + 4 + 6 = 17 -> RD 27.
        {"2:1", ddr3_1333(), 9, 25},
    };
    for (const Turnaround& row : rows) require_turnaround(row, true);
}

TEST_CASE("MIG RTL timers: RD to WR is CASRD2CASWR_CLKS ui_clk", "[dram][mig]") {
    // R (bank 0) and W (bank 1) at 0: R's ACT first, W's one ACT-to-ACT later; R's RD one
    // ACT-to-column after its ACT; W's WR waits for rank_cntrl.v's CASRD2CASWR = CL + BL/2 +
    // DQRD2DQWR_DLY (mc.v: 4) - CWL in ui_clk rounded up (JEDEC's RL + BL/2 + 2 - WL has 2).
    const Turnaround rows[] = {
        // 4:1 CWL 8: ACTs 1, 9; RD 12; 11 + 4 + 4 - 8 = 11 -> 3 ui_clk = 12: WR max(9 + 11, 12 +
        // 12) = 24. JEDEC 11 + 4 + 2 - 8 = 9: 21, slot 0: 24 as before.
        {"4:1", ddr3_preset("MT8KTF51264HZ-1G6"), 12, 24},
        // 2:1 CWL 8: ACTs 1, 7; RD 12; 11 -> 6 ui_clk = 12: WR max(7 + 11, 24) = 24 (old: 21,
        // slot 0: 22).
        {"2:1", ddr3_preset("MT8KTF51264HZ-1G6"), 12, 24},
        // 4:1 CWL 7: ACTs 0, 8; RD 9; 9 + 4 + 4 - 7 = 10 -> 3 ui_clk = 12: WR max(8 + 9, 9 + 12) =
        // 21 (old: JEDEC 9 + 4 + 2 - 7 = 8: 17).
        {"4:1", ddr3_1333(), 9, 21},
        // 2:1 CWL 7: ACTs 0, 4; RD 9; 10 -> 5 ui_clk = 10: WR max(4 + 9, 19) = 19 (old: 17).
        {"2:1", ddr3_1333(), 9, 19},
    };
    for (const Turnaround& row : rows) require_turnaround(row, false);
}

TEST_CASE("MIG RTL timers: a column command to another rank waits for the rank switch", "[dram][mig]") {
    struct Row {
        const char* ratio;
        Ddr3Timing t;
        bool write;  // the rank-1 request
        std::vector<uint64_t> acts, cols;
    };
    // Dual rank. A (rank 0, bank 0), B (rank 1, bank 0), C (rank 0, bank 1), all at 0. Column
    // commands go to the rank arb_row_col.v's rnk_config holds (rank 0 at first here; the RTL's
    // first one after reset configures it too). B's rank switch starts (rnk_config_strobe) in the
    // first ui_clk without column request at or after the one A's column command leaves in and
    // after B's own col_wait_r; rnk_config_kill_rts_col holds every column request for
    // RNK2RNK_DLY_CLKS = 12 nCK in ui_clk rounded up (4:1: 3, 2:1: 6); B requests the ui_clk after
    // and leaves the next: strobe ui_clk + RNK2RNK_DLY_CLKS + 2. C, ready after the strobe, is
    // held by the kill and by rnk_config now holding rank 1: it switches back after B the same way.
    // rank_cntrl.v: RD -> WR of any rank (CASRD2CASWR, 12 nCK) and WR -> RD of the same rank only
    // (CASWR2CASRD): both shorter here than the switch. ACTs: one per ui_clk's row slot, rank 0's
    // two ACT-to-ACT apart. JEDEC (tRTRS 2 on the data bus), as the model had it before: B at 20,
    // C at 28 at 4:1 CWL 8.
    Ddr3Timing dual1333 = ddr3_1333();
    dual1333.part = "2 x MT41K512M8-15E";
    dual1333.ranks = 2;
    const Ddr3Timing dual = ddr3_preset("MT16KTF1G64HZ-1G6");
    const Row rows[] = {
        // 4:1 CWL 8: ACTs 1, 5, 9; A 12 (ui_clk 3); B ready 5 + 11 = 16 (ui_clk 4: rtc at 3):
        // strobe 3, B at ui_clk 3 + 3 + 2 = 8 = 32; C ready 9 + 11 = 20, after the strobe:
        // strobe 8, C at ui_clk 13 = 52.
        {"4:1", dual, false, {1, 5, 9}, {12, 32, 52}},
        {"4:1", dual, true, {1, 5, 9}, {12, 32, 52}},
        // 2:1 CWL 8: ACTs 1, 3, 7; A 12 (ui_clk 6); B ready 3 + 11 = 14: strobe 6, B at ui_clk
        // 6 + 6 + 2 = 14 = 28; C ready 7 + 11 = 18: strobe 14, C at ui_clk 22 = 44.
        {"2:1", dual, false, {1, 3, 7}, {12, 28, 44}},
        {"2:1", dual, true, {1, 3, 7}, {12, 28, 44}},
        // 4:1 CWL 7 (column slot 1): ACTs 0, 4, 8; A 9 (ui_clk 2); B ready 4 + 9 = 13 (ui_clk
        // 3): strobe 2, B at ui_clk 7 = 29; C ready 17: strobe 7, C at ui_clk 12 = 49.
        {"4:1", dual1333, false, {0, 4, 8}, {9, 29, 49}},
        {"4:1", dual1333, true, {0, 4, 8}, {9, 29, 49}},
        // 2:1 CWL 7: ACTs 0, 2, 4; A 9 (ui_clk 4); B ready 2 + 9 = 11 (ui_clk 5): strobe 4, B at
        // ui_clk 4 + 6 + 2 = 12 = 25; C ready 13: strobe 12, C at ui_clk 20 = 41.
        {"2:1", dual1333, false, {0, 2, 4}, {9, 25, 41}},
        {"2:1", dual1333, true, {0, 2, 4}, {9, 25, 41}},
    };
    for (const Row& row : rows) {
        MigRig r(with_ratio(row.ratio), row.t);
        auto at = [&](uint32_t rank, uint32_t bank) { return r.ctl->address_map().encode({rank, bank, 1, 0}); };
        r.ctl->enqueue(0, at(0, 0), false, 0);
        r.ctl->enqueue(1, at(1, 0), row.write, 0);
        r.ctl->enqueue(2, at(0, 1), false, 0);
        r.ctl->drain();
        INFO(row.t.part << " " << row.ratio << (row.write ? " write" : " read"));
        std::vector<uint64_t> acts, cols;
        std::vector<uint32_t> ranks;
        for (const auto& c : r.ctl->commands()) {
            if (c.cmd == Cmd::ACT) acts.push_back(c.cycle);
            if (is_column(c.cmd)) {
                cols.push_back(c.cycle);
                ranks.push_back(c.rank);
            }
        }
        CHECK(acts == row.acts);
        CHECK(cols == row.cols);
        CHECK(ranks == std::vector<uint32_t>{0, 1, 0});
        r.require_clean();
    }
}

TEST_CASE("MIG RTL timers: the configured rank's column command ready before the switch starts goes first",
          "[dram][mig]") {
    // A (rank 0, bank 0) and C (rank 0, bank 1) at 0, B (rank 1, bank 0) at 8. C requests in the
    // ui_clk before B's rtc, so rnk_config_strobe (which needs a ui_clk without column request)
    // fires only in the ui_clk C leaves in; B follows RNK2RNK_DLY_CLKS + 2 ui_clk after C.
    struct Row {
        const char* ratio;
        std::vector<uint64_t> acts, cols;
    };
    const Row rows[] = {
        // 4:1 CWL 8: ACTs 1, 9 (rank 0's ACT to ACT 8), B's in the next free row slot 13; A 12;
        // C 9 + 11 = 20 (ui_clk 5, its request at 4); B ready 13 + 11 = 24 (rtc at ui_clk 5):
        // strobe at 5, B at ui_clk 5 + 3 + 2 = 10 = 40.
        {"4:1", {1, 9, 13}, {12, 20, 40}},
        // 2:1 CWL 8: ACTs 1, 7, 9; A 12; C 7 + 11 = 18 (ui_clk 9); B ready 9 + 11 = 20 (rtc at
        // ui_clk 9, when C leaves): strobe at 9, B at ui_clk 9 + 6 + 2 = 17 = 34.
        {"2:1", {1, 7, 9}, {12, 18, 34}},
    };
    for (const Row& row : rows) {
        MigRig r(with_ratio(row.ratio), ddr3_preset("MT16KTF1G64HZ-1G6"));
        auto at = [&](uint32_t rank, uint32_t bank) { return r.ctl->address_map().encode({rank, bank, 1, 0}); };
        r.ctl->enqueue(0, at(0, 0), false, 0);
        r.ctl->enqueue(1, at(0, 1), false, 0);
        r.ctl->enqueue(2, at(1, 0), false, 8);
        r.ctl->drain();
        INFO(row.ratio);
        std::vector<uint64_t> acts, cols;
        std::vector<uint32_t> ranks;
        for (const auto& c : r.ctl->commands()) {
            if (c.cmd == Cmd::ACT) acts.push_back(c.cycle);
            if (is_column(c.cmd)) {
                cols.push_back(c.cycle);
                ranks.push_back(c.rank);
            }
        }
        CHECK(acts == row.acts);
        CHECK(cols == row.cols);
        CHECK(ranks == std::vector<uint32_t>{0, 0, 1});
        r.require_clean();
    }
}

TEST_CASE("MIG RTL timers: the rank switch is paid even on an idle bus", "[dram][mig]") {
    // rnk_config keeps the last column command's rank: a read to rank 1 long after one to rank 0
    // still waits for the switch. Rank 0 read at 0 (RD 12), rank 1 read at 400: ACT in the row
    // slot 401, its column command ready at 401 + 11 = 412 (rtc the ui_clk before), then
    // RNK2RNK_DLY_CLKS + 1 ui_clk more: 4:1 412 + 4 x 4 = 428, 2:1 412 + 7 x 2 = 426.
    for (const char* ratio : {"4:1", "2:1"}) {
        MigRig r(with_ratio(ratio), ddr3_preset("MT16KTF1G64HZ-1G6"));
        r.ctl->enqueue(0, r.ctl->address_map().encode({0, 0, 1, 0}), false, 0);
        r.ctl->enqueue(1, r.ctl->address_map().encode({1, 0, 1, 0}), false, 400);
        r.ctl->drain();
        INFO(ratio);
        std::vector<uint64_t> cols;
        for (const auto& c : r.ctl->commands())
            if (is_column(c.cmd)) cols.push_back(c.cycle);
        CHECK(cols == std::vector<uint64_t>{12, std::string(ratio) == "4:1" ? 428u : 426u});
        r.require_clean();
    }
}

TEST_CASE("MIG RTL timers: a read's bank closes nRTP_CLKS + 1 ui_clk after it and reopens nRP_CLKS + 1 later",
          "[dram][mig]") {
    struct Row {
        const char* ratio;
        Ddr3Timing t;
        uint64_t last_rd, act;
    };
    // Four reads hit bank 0's row (RDs tCCD apart, the last one late enough that tRAS does not
    // hold the PRE); a fifth read to another row of bank 0 arrives after the last RD. Nothing
    // waited for the bank at that RD, so the RTL closes it with an explicit PRE (bank_state.v:
    // end_rtp, pre_wait_r, rts_pre / rts_row) nRTP_CLKS + 1 ui_clk after the RD, and the next bank
    // machine's ACT goes nRP_CLKS + 1 ui_clk after the PRE (rp_timer, bm_end, head_r). The model
    // closes the bank with the RD's auto-precharge, timed as that PRE.
    const Row rows[] = {
        // 4:1 CWL 8: ACT 1, RDs 12 16 20 24 (ui_clk 6); PRE ui_clk 6 + (6/4 + 2) + 1 = 10, slot 2 =
        // 42 (tRAS: ui_clk 7); ACT ui_clk 10 + 3 + 1 = 14, slot 1 = 57. JEDEC 24 + 6 + 11 = 41;
        // old 45.
        {"4:1", ddr3_preset("MT8KTF51264HZ-1G6"), 24, 57},
        // 2:1 CWL 8: ACT 1, RDs 12 16 20 24 (ui_clk 12); PRE ui_clk 12 + (6/2 + 1) + 1 = 17, row
        // slot 1 = 35 (tRAS: ui_clk 1 + 28/2 = 14 after the ACT's 0); ACT ui_clk 17 + 11/2 rounded
        // up 6 + 1 = 24, slot 1 = 49. Old 43.
        {"2:1", ddr3_preset("MT8KTF51264HZ-1G6"), 24, 49},
        // 4:1 CWL 7: ACT 0, RDs 9 13 17 21 (ui_clk 5, slot 1); PRE ui_clk 5 + (5/4 + 2) + 1 = 9,
        // slot 2 = 38 (tRAS: ui_clk 6); ACT ui_clk 9 + 9/4 rounded up 3 + 1 = 13, slot 0 = 52.
        // JEDEC 21 + 5 + 9 = 35; old 44.
        {"4:1", ddr3_1333(), 21, 52},
        // 2:1 CWL 7: ACT 0, RDs 9 13 17 21 (ui_clk 10, slot 1); PRE ui_clk 10 + (5/2 + 1) + 1 =
        // 14, slot 0 = 28 (tRAS: ui_clk 12); ACT ui_clk 14 + 9/2 rounded up 5 + 1 = 20, slot 0 =
        // 40. Old 38.
        {"2:1", ddr3_1333(), 21, 40},
    };
    for (const Row& row : rows) {
        MigRig r(with_ratio(row.ratio), row.t);
        for (uint32_t i = 0; i < 4; ++i) r.ctl->enqueue(i, r.addr(0, 1, 8 * i), false, 0);
        r.ctl->drain();
        r.ctl->enqueue(4, r.addr(0, 2), false, row.last_rd + 1);
        r.ctl->drain();
        INFO(row.t.part << " " << row.ratio);
        const auto& c = r.ctl->commands();
        REQUIRE(c.size() == 7);
        CHECK(c[4].cmd == Cmd::RDA);
        CHECK(c[4].cycle == row.last_rd);
        CHECK(c[5].cmd == Cmd::ACT);
        CHECK(c[5].cycle == row.act);
        r.require_clean();
    }
}

TEST_CASE("MIG RTL timers: a write's bank closes nWTP_CLKS ui_clk after it", "[dram][mig]") {
    struct Row {
        const char* ratio;
        Ddr3Timing t;
        uint64_t wr, act;
    };
    // One write to bank 0, then a read to another row of bank 0 after the WR. bank_mach.v: nWTP =
    // CWL + BL/2 + nWR; the RAS timer reloaded with nWTP_CLKS - 2 at the WR lets the PRE go
    // nWTP_CLKS ui_clk after it (the rtp timer, nRTP_CLKS + 1, is shorter); the ACT nRP_CLKS + 1
    // after the PRE as for reads.
    const Row rows[] = {
        // 4:1 CWL 8: ACT 1, WR 12 (ui_clk 3); nWTP = 8 + 4 + 12 = 24, nWTP_CLKS = 24/4 + 2 = 8: PRE
        // ui_clk 11, slot 2 = 46; ACT ui_clk 15, slot 1 = 61. JEDEC 12 + 24 + 11 = 47; old 49.
        {"4:1", ddr3_preset("MT8KTF51264HZ-1G6"), 12, 61},
        // 2:1 CWL 8: ACT 1, WR 12 (ui_clk 6); nWTP_CLKS = 24/2 + 1 = 13: PRE ui_clk 19, slot 1 =
        // 39; ACT ui_clk 19 + 6 + 1 = 26, slot 1 = 53. Old 12 + 24 -> 37, + 12 = 49.
        {"2:1", ddr3_preset("MT8KTF51264HZ-1G6"), 12, 53},
        // 4:1 CWL 7: ACT 0, WR 9 (ui_clk 2, slot 1); nWTP = 7 + 4 + 10 = 21, nWTP_CLKS = 21/4 + 2
        // = 7: PRE ui_clk 9, slot 2 = 38; ACT ui_clk 13, slot 0 = 52. JEDEC 9 + 21 + 9 = 39; old 44.
        {"4:1", ddr3_1333(), 9, 52},
        // 2:1 CWL 7: ACT 0, WR 9 (ui_clk 4, slot 1); nWTP_CLKS = 21/2 + 1 = 11: PRE ui_clk 15,
        // slot 0 = 30, JEDEC's WL + BL/2 + tWR = 21 exactly; ACT ui_clk 15 + 5 + 1 = 21, slot 0 =
        // 42. Old 40.
        {"2:1", ddr3_1333(), 9, 42},
    };
    for (const Row& row : rows) {
        MigRig r(with_ratio(row.ratio), row.t);
        r.ctl->enqueue(0, r.addr(0, 1), true, 0);
        r.ctl->drain();
        r.ctl->enqueue(1, r.addr(0, 2), false, row.wr + 1);
        r.ctl->drain();
        INFO(row.t.part << " " << row.ratio);
        const auto& c = r.ctl->commands();
        REQUIRE(c.size() == 4);
        CHECK(c[1].cmd == Cmd::WRA);
        CHECK(c[1].cycle == row.wr);
        CHECK(c[2].cmd == Cmd::ACT);
        CHECK(c[2].cycle == row.act);
        r.require_clean();
    }
}

TEST_CASE("MIG RTL timers: ACTs of a rank at least 2 ui_clk apart and five per nFAW_CLKS", "[dram][mig]") {
    struct Row {
        const char* ratio;
        Ddr3Timing t;
        std::vector<uint64_t> acts;
    };
    // Reads to banks 0..4 at 0 (8 bank machines). bank_state.v inhbt_act_rrd keeps ACTs 2 ui_clk
    // apart; rank_cntrl.v adds nRRD_CLKS = (nRRD - 2 x nCK_PER_CLK) in ui_clk rounded up when that
    // is positive; its FAW shift register lets the fifth ACT go nFAW_CLKS ui_clk after the first.
    Ddr3Timing wide = ddr3_preset("MT8KTF51264HZ-1G6");
    wide.tFAW = 40;  // 50 ns (DDR3-800's 2 KB page) at 1.25 ns: made up so that the window binds
    const Row rows[] = {
        // 4:1: nRRD 5 - 8 adds nothing: 8 apart, 1 9 17 25; fifth max(33, 1 + 40/4 ui_clk) = 41.
        {"4:1", wide, {1, 9, 17, 25, 41}},
        // 2:1: 2 + (5 - 4)/2 rounded up = 3 ui_clk = 6 apart; fifth max(25, 1 + 40/2 ui_clk) = 41.
        {"2:1", wide, {1, 7, 13, 19, 41}},
        // 4:1, NetFPGA-SUME's part (tRRD 5 ns -> 4 nCK, tFAW 27 ns -> 21 -> 6 ui_clk): still 8
        // apart, twice JEDEC's 4 (old: 4); fifth max(33, 1 + 24) = 33.
        {"4:1", ddr3_preset("MT8KTF51264HZ-1G9@1320ps"), {1, 9, 17, 25, 33}},
        // 4:1 CWL 7 (row slot 0): 8 apart (old: 4); fifth max(32, 0 + 20/4 ui_clk) = 32.
        {"4:1", ddr3_1333(), {0, 8, 16, 24, 32}},
        // 2:1 CWL 7: nRRD 4 - 4 adds nothing: 2 ui_clk = 4 apart; fifth max(16, 0 + 20/2 ui_clk) = 20.
        {"2:1", ddr3_1333(), {0, 4, 8, 12, 20}},
    };
    for (const Row& row : rows) {
        MigRig r(with_ratio(row.ratio, 8), row.t);
        for (uint32_t b = 0; b < 5; ++b) r.ctl->enqueue(b, r.addr(b, 1), false, 0);
        r.ctl->drain();
        INFO(row.t.part << " " << row.ratio);
        std::vector<uint64_t> acts;
        for (const auto& c : r.ctl->commands())
            if (c.cmd == Cmd::ACT) acts.push_back(c.cycle);
        CHECK(acts == row.acts);
        r.require_clean();
    }
}

TEST_CASE("MIG RTL timers: with a request to another row waiting the column command auto-precharges one ui_clk sooner",
          "[dram][mig]") {
    struct Row {
        const char* ratio;
        Ddr3Timing t;
        bool write;
        uint64_t col, act;
    };
    // bank_queue.v sets auto_pre_r when a request to another row of the bank is accepted before the
    // column command; bank_state.v then starts the rp timer at S = max(col + nRTP_CLKS, ACT +
    // nRAS_CLKS - 1, and for a WR col + nWTP_CLKS - 1) in ui_clk, as soon as pre_wait_r and
    // ras_timer_zero_r allow, one ui_clk before its explicit PRE could leave; the waiting request's
    // ACT goes at S + nRP_CLKS + 1. Reads: three hits to bank 0's row and a fourth read to another
    // row, all at 0 (the third RD auto-precharges); writes: one write and a read to another row.
    const Row rows[] = {
        // 4:1 CWL 8: ACT 1 (ui_clk 0), RDs 12 16 20 (ui_clk 5); S = max(5 + 3, 0 + 7 - 1) = 8;
        // ACT ui_clk 8 + 3 + 1 = 12, slot 1 = 49 (explicit PRE: 53). JEDEC: 20 + 6 + 11 = 37.
        {"4:1", ddr3_preset("MT8KTF51264HZ-1G6"), false, 20, 49},
        // 2:1 CWL 8: ACT 1, RDs 12 16 20 (ui_clk 10); S = max(10 + 4, 0 + 14 - 1) = 14; ACT ui_clk
        // 14 + 6 + 1 = 21, slot 1 = 43 (explicit: 45). JEDEC: ACT 1 + tRAS 28 + tRP 11 = 40.
        {"2:1", ddr3_preset("MT8KTF51264HZ-1G6"), false, 20, 43},
        // 4:1 CWL 7: ACT 0, RDs 9 13 17 (ui_clk 4, slot 1); S = max(4 + 3, 0 + 6 - 1) = 7; ACT
        // ui_clk 7 + 3 + 1 = 11, slot 0 = 44 (explicit: 48). JEDEC: 17 + 5 + 9 = 31.
        {"4:1", ddr3_1333(), false, 17, 44},
        // 2:1 CWL 7: ACT 0, RDs 9 13 17 (ui_clk 8, slot 1); S = max(8 + 3, 0 + 12 - 1) = 11; ACT
        // ui_clk 11 + 5 + 1 = 17, slot 0 = 34 (explicit: 36). JEDEC: 0 + tRAS 24 + tRP 9 = 33.
        {"2:1", ddr3_1333(), false, 17, 34},
        // 4:1 CWL 8 write: ACT 1, WR 12 (ui_clk 3); S = max(3 + 3, 3 + 8 - 1, 0 + 7 - 1) = 10; ACT
        // ui_clk 14, slot 1 = 57 (explicit: 61). JEDEC: 12 + 8 + 4 + 12 + 11 = 47.
        {"4:1", ddr3_preset("MT8KTF51264HZ-1G6"), true, 12, 57},
        // 2:1 CWL 8 write: ACT 1, WR 12 (ui_clk 6); S = max(6 + 4, 6 + 13 - 1, 0 + 14 - 1) = 18;
        // ACT ui_clk 18 + 6 + 1 = 25, slot 1 = 51 (explicit: 53). JEDEC 47.
        {"2:1", ddr3_preset("MT8KTF51264HZ-1G6"), true, 12, 51},
        // 4:1 CWL 7 write: ACT 0, WR 9 (ui_clk 2, slot 1); S = max(2 + 3, 2 + 7 - 1, 0 + 6 - 1) =
        // 8; ACT ui_clk 12, slot 0 = 48 (explicit: 52). JEDEC: 9 + 7 + 4 + 10 + 9 = 39.
        {"4:1", ddr3_1333(), true, 9, 48},
        // 2:1 CWL 7 write: ACT 0, WR 9 (ui_clk 4, slot 1); S = max(4 + 3, 4 + 11 - 1, 0 + 12 - 1) =
        // 14; ACT ui_clk 14 + 5 + 1 = 20, slot 0 = 40 (explicit: 42). JEDEC 39.
        {"2:1", ddr3_1333(), true, 9, 40},
    };
    for (const Row& row : rows) {
        MigRig r(with_ratio(row.ratio), row.t);
        uint32_t n = 0;
        if (row.write)
            r.ctl->enqueue(n++, r.addr(0, 1), true, 0);
        else
            for (; n < 3; ++n) r.ctl->enqueue(n, r.addr(0, 1, 8 * n), false, 0);
        r.ctl->enqueue(n, r.addr(0, 2), false, 0);
        r.ctl->drain();
        INFO(row.t.part << " " << row.ratio << (row.write ? " write" : " read"));
        std::vector<Command> col, act;
        for (const auto& c : r.ctl->commands()) {
            if (c.cmd == Cmd::RDA || c.cmd == Cmd::WRA) col.push_back(c);
            if (c.cmd == Cmd::ACT) act.push_back(c);
        }
        REQUIRE(col.size() == 2);  // the auto-precharging one, then the waiting read's
        REQUIRE(act.size() == 2);
        CHECK(col[0].cycle == row.col);
        CHECK(act[1].cycle == row.act);
        r.require_clean();
    }
}
