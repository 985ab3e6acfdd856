// Power-down and the IDD energy estimate on MT8KTF51264HZ-1G6 (tCK 1.25 ns, CL = tRCD = tRP = 11,
// CWL 8, tRAS 28, tRC 39, BL8 = 4 clocks, tRFC 208, tREFI 6240, tXP 5, tCKE 4, tXPDLL 20).
// Power-down: JESD79-3F 4.20. Energy: Micron TN-41-01 with the part's per-device currents
// (VDD 1.35 V; IDD0 55, IDD2N 32, IDD2P0 18, IDD2P1 32, IDD3N 38, IDD3P 38, IDD4R 157,
// IDD4W 125, IDD5B 235 mA) x 8 devices: one clock at 1 mA costs 1.35 V x 1.25 ns x 8 = 13.5 pJ.
#include <catch2/catch.hpp>

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "tests/models/dram/dram_test_util.h"

using namespace memsim;
using namespace memsim::dram;
using memsim::dram::testing::Broken;
using memsim::dram::testing::require_rejected;
using memsim::dram::testing::Rig;

namespace {
constexpr double kPerMaClock = 1.35 * 1.25 * 8;  // pJ for 1 mA over one clock, one rank

GenericControllerParams with_power_down(uint64_t idle, const char* exit = "fast", const char* page = "open") {
    auto p = memsim::dram::testing::generic_defaults();
    p.power_down_idle = idle;
    p.power_down_exit = exit;
    p.page_policy = page;
    return p;
}

std::vector<std::string> lines(const std::vector<Command>& cmds, size_t n) {
    std::vector<std::string> out;
    for (size_t i = 0; i < cmds.size() && i < n; ++i) out.push_back(to_string(cmds[i]));
    return out;
}
}  // namespace

TEST_CASE("A read at a powered-down rank waits tXP after PDX", "[dram][power]") {
    Rig off;
    Rig on("MT8KTF51264HZ-1G6", with_power_down(10));
    // Cycle 100: without power-down ACT 100, RD 111, data ends 111 + CL + BL/2 = 126.
    CHECK(off.read(off.addr(0, 0, 5), 100 * 1250) == 126 * 1250);
    // With it the rank went down at 10 (idle since cycle 0); PDX 100, ACT at tXP = 105, RD 116,
    // end 131: tXP + tRCD + CL + BL/2 = 5 + 11 + 11 + 4 = 31 clocks after arrival.
    CHECK(on.read(on.addr(0, 0, 5), 100 * 1250) == 131 * 1250);
    CHECK(lines(on.ctl->commands(), 4) ==
          std::vector<std::string>{"10 PDE 0 0 0 0", "100 PDX 0 0 0 0", "105 ACT 0 0 5 0", "116 RD 0 0 5 0"});
    on.require_clean();
}

TEST_CASE("Power-down entry comes power_down_idle after the last command and not before the burst ends",
          "[dram][power]") {
    struct Row {
        uint64_t idle, pde;
        const char* why;
    };
    const Row table[] = {
        // After RD at 116 (as above) entry needs tRDPDEN = RL + BL/2 + 1 = 16: 132.
        {10, 132, "tRDPDEN bounds it: 116 + 16"},
        {16, 132, "116 + 16"},
        {30, 146, "power_down_idle: 116 + 30"},
    };
    for (const auto& row : table) {
        INFO(row.why);
        Rig r("MT8KTF51264HZ-1G6", with_power_down(row.idle));
        r.read(r.addr(0, 0, 5), 100 * 1250);
        r.ctl->idle_until(1000);
        const auto& c = r.ctl->commands();
        REQUIRE(c.size() >= 2);
        CHECK(to_string(c.back()) == std::to_string(row.pde) + " PDE 0 0 0 0");
        r.require_clean();
    }
}

TEST_CASE("A due refresh wakes the rank which powers down again after the REF", "[dram][power]") {
    Rig r("MT8KTF51264HZ-1G6", with_power_down(10));
    r.ctl->idle_until(6240 + 100);
    // PDE 10; REF due at tREFI = 6240: PDX, REF tXP later, PDE 10 after the REF (entry during
    // tRFC is allowed, tREFPDEN = 1).
    CHECK(lines(r.ctl->commands(), 10) ==
          std::vector<std::string>{"10 PDE 0 0 0 0", "6240 PDX 0 0 0 0", "6245 REF 0 0 0 0", "6255 PDE 0 0 0 0"});
    CHECK(r.stat("dram.power_down_entries") == 2);
    // In power-down [10, 6240) and [6255, 6340): 6230 + 85.
    CHECK(r.stat("dram.power_down_cycles") == 6230 + 85);
    r.require_clean();
}

TEST_CASE("Slow exit: a read after precharge power-down waits tXPDLL and active power-down stays fast",
          "[dram][power]") {
    Rig r("MT8KTF51264HZ-1G6", with_power_down(10, "slow"));
    // Precharge power-down from 10. Read at 100: PDX 100, ACT 105, RD at max(105 + tRCD,
    // 100 + tXPDLL) = 120, end 135.
    CHECK(r.read(r.addr(0, 0, 5), 100 * 1250) == 135 * 1250);
    // The row stays open: PDE at 120 + 16 = 136 is active power-down (fast exit even now).
    // Row hit at 300: PDX 300, RD at tXP = 305, end 305 + 15 = 320.
    CHECK(r.read(r.addr(0, 0, 5), 300 * 1250) == 320 * 1250);
    CHECK(lines(r.ctl->commands(), 7) == std::vector<std::string>{"10 PDE 0 0 0 0", "100 PDX 0 0 0 0",
                                                                  "105 ACT 0 0 5 0", "120 RD 0 0 5 0",
                                                                  "136 PDE 0 0 0 0", "300 PDX 0 0 0 0",
                                                                  "305 RD 0 0 5 0"});
    r.require_clean();
}

TEST_CASE("Power-down keeps every scenario legal under load", "[dram][power]") {
    // Paced random reads and writes on two ranks with a short idle time: the checker must find
    // nothing (tCKE, tXP, tXPDLL, entry after bursts, refresh through power-down).
    for (const char* page : {"open", "closed", "open_adaptive", "closed_adaptive"})
    for (const char* exit : {"fast", "slow"}) {
        INFO(page << " " << exit);
        auto p = with_power_down(3, exit, page);
        Rig r("MT16KTF1G64HZ-1G6", p);
        uint64_t s = 1;
        for (int i = 0; i < 3000; ++i) {
            uint64_t a = memsim::dram::testing::mix(s) % r.t.capacity() & ~63ull;
            uint64_t at = uint64_t(i) * 40 * 1250;  // one request every 40 clocks
            if (i % 3 == 2) r.write(a, at);
            else r.read(a, at);
        }
        r.ctl->idle_until(3000 * 40 + 20000);
        CHECK(r.stat("dram.power_down_entries") > 100);
        r.require_clean();
    }
}

TEST_CASE("Energy of one ACT-RD-PRE worked from the IDD currents", "[dram][power]") {
    Rig r("MT8KTF51264HZ-1G6", with_power_down(0, "fast", "closed"));
    // ACT 0, RDA 11, auto-precharge at tRAS = 28; the run ends at 100.
    r.read(r.addr(0, 0, 5), 0);
    r.ctl->idle_until(100);
    const double act = kPerMaClock * (55 * 39 - (38 * 28 + 32 * (39 - 28)));  // IDD0 tRC - IDD3N tRAS - IDD2N tRP = 729
    const double read = kPerMaClock * (157 - 38) * 4;                          // (IDD4R - IDD3N) BL/2
    const double background = kPerMaClock * (38 * 28 + 32 * (100 - 28));       // open [0, 28), precharged [28, 100)
    CHECK(act == Approx(9841.5));
    CHECK(r.stat("dram.energy.act") == Approx(act));
    CHECK(r.stat("dram.energy.read") == Approx(read));
    CHECK(r.stat("dram.energy.write") == 0);
    CHECK(r.stat("dram.energy.background") == Approx(background));
    CHECK(r.stat("dram.energy.total") == Approx(act + read + background));
    CHECK(r.stat("dram.power_mw") == Approx((act + read + background) / (100 * 1.25)));  // pJ / ns = mW
    r.require_clean();
}

TEST_CASE("A backfilled ACT counts its bank open from its own clock", "[dram][power]") {
    // Closed page. A (bank 0) at 0: ACT 0, RDA 11, auto-precharge at tRAS = 28. B (bank 1) issued
    // a clock later but seen after A ran to its RDA: ACT backfilled at tRRD = 5, RDA 16, closing
    // at 5 + tRAS = 33. The rank is open over [0, 33) and precharged to 100, both ways.
    const double background = kPerMaClock * (38 * 33 + 32 * (100 - 33));
    Rig lt("MT8KTF51264HZ-1G6", with_power_down(0, "fast", "closed"));
    lt.read(lt.addr(0, 0, 5), 0);
    lt.read(lt.addr(0, 1, 5), 1000);
    lt.ctl->idle_until(100);
    CHECK(lt.stat("dram.backfilled_commands") == 1);
    CHECK(lt.stat("dram.energy.background") == Approx(background));
    CHECK(lt.stat("dram.energy.act") == Approx(2 * 9841.5));
    lt.require_clean();
    Rig ev("MT8KTF51264HZ-1G6", with_power_down(0, "fast", "closed"));
    ev.ctl->enqueue(0, ev.addr(0, 0, 5), false, 0);
    ev.ctl->enqueue(1, ev.addr(0, 1, 5), false, 1);
    ev.ctl->idle_until(100);
    CHECK(ev.stat("dram.energy.background") == Approx(background));
    ev.require_clean();
}

TEST_CASE("The energy book counts changes reported out of order as in order", "[dram][power]") {
    const Ddr3Timing t = ddr3_preset("MT8KTF51264HZ-1G6");
    EnergyBook in_order(t, false), late(t, false);
    in_order.act(0, 5);
    in_order.act(0, 10);
    in_order.close(0, 30);
    in_order.close(0, 50);
    late.act(0, 10);
    late.close(0, 50);  // an auto-precharge ahead
    late.act(0, 5);     // an ACT backfilled before the one already reported
    late.close(0, 30);
    // Open over [5, 50), precharged [0, 5) and [50, 100): 45 x IDD3N + 55 x IDD2N.
    CHECK(late.background_pj(100) == Approx(kPerMaClock * (38 * 45 + 32 * 55)));
    CHECK(in_order.background_pj(100) == Approx(late.background_pj(100)));
    // Settled clocks are final: a change before them is refused (the controller settles no later
    // than a provisional RD's auto-precharge, which a later arrival may still decide).
    EnergyBook settled(t, false);
    settled.act(0, 5);
    settled.settle(60);
    CHECK_THROWS_AS(settled.act(0, 55), std::logic_error);
    CHECK_THROWS_AS(settled.close(0, 40), std::logic_error);
    settled.close(0, 60);
    CHECK(settled.background_pj(100) == Approx(kPerMaClock * (38 * 55 + 32 * 45)));  // open [5, 60)
}

TEST_CASE("Energy of a write burst and of a refresh", "[dram][power]") {
    Rig r;
    // A posted write is written when no read waits: ACT 0, WR 11.
    r.write(r.addr(0, 1, 3), 0);
    r.ctl->idle_until(6240 + 300);
    // The row stays open until the refresh closes it: PREA at 6240, REF at 6251.
    CHECK(r.stat("dram.refreshes") == 1);
    CHECK(r.stat("dram.energy.write") == Approx(kPerMaClock * (125 - 38) * 4));
    CHECK(r.stat("dram.energy.refresh") == Approx(kPerMaClock * (235 - 38) * 208));  // (IDD5B - IDD3N) tRFC
    CHECK(r.stat("dram.energy.background") == Approx(kPerMaClock * (38 * 6240 + 32 * 300)));
    r.require_clean();
}

TEST_CASE("Idle background with and without power-down", "[dram][power]") {
    struct Row {
        uint64_t idle;
        const char* exit;
        double pj;  // over 1000 clocks, nothing to do
        const char* why;
    };
    const Row table[] = {
        {0, "fast", kPerMaClock * 32 * 1000, "precharge standby IDD2N all along"},
        {10, "fast", kPerMaClock * (32 * 10 + 32 * 990), "IDD2P1 = IDD2N = 32 mA on this die: no saving"},
        {10, "slow", kPerMaClock * (32 * 10 + 18 * 990), "IDD2P0 18 mA from cycle 10"},
    };
    for (const auto& row : table) {
        INFO(row.why);
        Rig r("MT8KTF51264HZ-1G6", with_power_down(row.idle, row.exit));
        r.ctl->idle_until(1000);
        CHECK(r.stat("dram.energy.total") == Approx(row.pj));
        CHECK(r.stat("dram.power_mw") == Approx(row.pj / 1250));
    }
}

TEST_CASE("Two ranks add their backgrounds", "[dram][power]") {
    Rig r("MT16KTF1G64HZ-1G6");
    r.ctl->idle_until(1000);
    CHECK(r.stat("dram.energy.background") == Approx(2 * kPerMaClock * 32 * 1000));
}

TEST_CASE("Power-down under bursts in the event-driven mode stays legal", "[dram][power]") {
    // Bursts of 64 requests queued together, then 3000 idle clocks, on two ranks: power-down
    // between bursts, refresh through it, queued requests reordered across the wake-up.
    for (const char* sched : {"frfcfs", "fcfs"})
    for (const char* exit : {"fast", "slow"}) {
        INFO(sched << " " << exit);
        auto p = with_power_down(8, exit);
        p.scheduler = sched;
        Rig r("MT16KTF1G64HZ-1G6", p);
        memsim::dram::testing::VectorSource src;
        uint64_t s = 3;
        for (uint64_t burst = 0; burst < 40; ++burst)
            for (int i = 0; i < 64; ++i) {
                uint64_t a = memsim::dram::testing::mix(s) % r.t.capacity() & ~63ull;
                src.reqs.push_back({burst * 3000, a, i % 4 == 3});
            }
        drive(*r.ctl, src);
        r.ctl->idle_until(40 * 3000 + 5000);
        CHECK(r.stat("dram.reads") + r.stat("dram.writes") == 40 * 64);
        // Both ranks sleep between most bursts.
        CHECK(r.stat("dram.power_down_entries") >= 2 * 40);
        CHECK(r.stat("dram.power_down_cycles") < 2 * (40 * 3000 + 5000));  // at most both ranks all along
        r.require_clean();
    }
}

namespace {
GenericControllerParams with_self_refresh(uint64_t sr_idle, uint64_t pd_idle = 0) {
    auto p = with_power_down(pd_idle);
    p.self_refresh_idle = sr_idle;
    return p;
}
}  // namespace

TEST_CASE("Self-refresh: no REF while in it and a read pays tXS and tXSDLL to wake it", "[dram][power]") {
    Rig r("MT8KTF51264HZ-1G6", with_self_refresh(1000));
    // Idle since 0: SRE at 1000; the REFs due at 6240, 12480 and 18720 are the device's own.
    // A read at 20000: SRX 20000, ACT at tXS = 216 later, RD at SRX + tXSDLL = 20512 (not
    // 20216 + tRCD), end 20512 + CL + BL/2 = 20527.
    CHECK(r.read(r.addr(0, 0, 5), 20000 * 1250) == 20527 * 1250);
    // Back to self-refresh only after a REF since SRX: the next tREFI point is 4 x 6240 = 24960
    // (PREA there, REF tRP later), then SRE once tRFC has passed: 24971 + 208 = 25179.
    r.ctl->idle_until(26000);
    CHECK(lines(r.ctl->commands(), 9) ==
          std::vector<std::string>{"1000 SRE 0 0 0 0", "20000 SRX 0 0 0 0", "20216 ACT 0 0 5 0", "20512 RD 0 0 5 0",
                                   "24960 PREA 0 0 0 0", "24971 REF 0 0 0 0", "25179 SRE 0 0 0 0"});
    CHECK(r.stat("dram.refreshes") == 1);
    CHECK(r.stat("dram.self_refresh_entries") == 2);
    CHECK(r.stat("dram.self_refresh_cycles") == (20000 - 1000) + (26000 - 25179));
    r.require_clean();
}

TEST_CASE("Self-refresh after power-down: PDX at the self-refresh time then SRE", "[dram][power]") {
    Rig r("MT8KTF51264HZ-1G6", with_self_refresh(1000, 10));
    r.ctl->idle_until(2000);
    // PDE at 10; at 1000 PDX, SRE after tXP = 1005.
    CHECK(lines(r.ctl->commands(), 5) ==
          std::vector<std::string>{"10 PDE 0 0 0 0", "1000 PDX 0 0 0 0", "1005 SRE 0 0 0 0"});
    r.require_clean();
}

TEST_CASE("Self-refresh background is IDD6 with no refresh energy", "[dram][power]") {
    Rig sr("MT8KTF51264HZ-1G6", with_self_refresh(1000));
    Rig plain;
    sr.ctl->idle_until(10000);
    plain.ctl->idle_until(10000);
    // IDD2N 32 mA for 1000 clocks, then IDD6 20 mA; without it IDD2N all along plus the REF at 6240.
    CHECK(sr.stat("dram.energy.total") == Approx(kPerMaClock * (32 * 1000 + 20 * 9000)));
    CHECK(sr.stat("dram.energy.refresh") == 0);
    CHECK(plain.stat("dram.energy.total") == Approx(kPerMaClock * (32 * 10000 + (235 - 38) * 208)));
}

TEST_CASE("Self-refresh and power-down together stay legal under bursts", "[dram][power]") {
    for (uint64_t pd : {0, 8})
    for (const char* page : {"open", "closed_adaptive"}) {
        INFO(pd << " " << page);
        auto p = with_self_refresh(4000, pd);
        p.page_policy = page;
        Rig r("MT16KTF1G64HZ-1G6", p);
        memsim::dram::testing::VectorSource src;
        uint64_t s = 5;
        for (uint64_t burst = 0; burst < 20; ++burst)
            for (int i = 0; i < 32; ++i) {
                uint64_t a = memsim::dram::testing::mix(s) % r.t.capacity() & ~63ull;
                src.reqs.push_back({burst * (burst % 2 ? 3000 : 20000), a, i % 4 == 3});
            }
        std::sort(src.reqs.begin(), src.reqs.end(), [](const TraceRequest& x, const TraceRequest& y) { return x.cycle < y.cycle; });
        drive(*r.ctl, src);
        r.ctl->idle_until(500000);
        CHECK(r.stat("dram.reads") + r.stat("dram.writes") == 20 * 32);
        CHECK(r.stat("dram.self_refresh_entries") >= 2);
        r.require_clean();
    }
}

TEST_CASE("The checker follows self-refresh", "[dram][checker][power]") {
    // tCKESR 5, tXS 216, tXSDLL 512, tREFI 6240.
    auto t = ddr3_preset("MT8KTF51264HZ-1G6");
    auto run = [&t](const char* text) {
        std::istringstream in(text);
        return check_commands(t, read_command_trace(in, "sr.cmds"), 0);
    };
    // A long self-refresh stands for the REFs due meanwhile; one REF before the next SRE.
    auto ok = run("0 SRE 0 0 0 0\n100000 SRX 0 0 0 0\n100216 ACT 0 0 5 0\n100512 RD 0 0 5 0\n"
                  "100530 PRE 0 0 0 0\n106080 REF 0 0 0 0\n106288 SRE 0 0 0 0\n");
    for (auto& x : ok) UNSCOPED_INFO(x.message);
    CHECK(ok.empty());
    // Each: the trace, the rule the checker names, the cycles of the two commands.
    const std::vector<Broken> table = {
        {"0 SRE 0 0 0 0\n10 ACT 0 0 5 0\n", "self-refresh", 0, 10},
        {"0 SRE 0 0 0 0\n4 SRX 0 0 0 0\n", "tCKESR", 0, 4},
        {"0 SRE 0 0 0 0\n10 SRX 0 0 0 0\n225 ACT 0 0 5 0\n", "tXS", 10, 225},
        {"0 SRE 0 0 0 0\n10 SRX 0 0 0 0\n226 ACT 0 0 5 0\n237 RD 0 0 5 0\n", "tXSDLL", 10, 237},
        {"0 ACT 0 0 5 0\n30 SRE 0 0 0 0\n", "banks precharged", 0, 30},
        {"0 SRE 0 0 0 0\n10 SRX 0 0 0 0\n300 SRE 0 0 0 0\n", "REF after self-refresh", 10, 300},
        {"10 SRX 0 0 0 0\n", "self-refresh", 10, 10},
    };
    require_rejected(table, run);
}

namespace {
// A die's currents in mA (datasheet IDD table).
struct Currents {
    double idd0, idd2n, idd3n, idd4r, idd4w, idd5b;
};
constexpr Currents kRevE{55, 32, 38, 157, 125, 235};  // Micron DDR3L Table 20, x8, DDR3L-1600

// Micron TN-41-01's per-command energies: K pJ per mA-clock (VDD x tCK x 8 devices), timings in nCK.
void check_command_energies(const EnergyBook& e, double k, const Currents& i, uint32_t tRC, uint32_t tRAS,
                            uint32_t tRFC) {
    CHECK(e.e_act() == Approx(k * (i.idd0 * tRC - (i.idd3n * tRAS + i.idd2n * (tRC - tRAS)))));
    CHECK(e.e_read() == Approx(k * (i.idd4r - i.idd3n) * 4));  // BL/2 = 4 clocks
    CHECK(e.e_write() == Approx(k * (i.idd4w - i.idd3n) * 4));
    CHECK(e.e_refresh() == Approx(k * (i.idd5b - i.idd3n) * tRFC));
}
}  // namespace

TEST_CASE("Per-command energies of every preset", "[dram][power]") {
    struct Row {
        const char* part;
        double k;                  // VDD x tCK x 8 devices: pJ per mA-clock
        uint32_t tRC, tRAS, tRFC;  // nCK
    };
    const Row table[] = {
        {"MT8KTF51264HZ-1G6", 1.35 * 1.25 * 8, 39, 28, 208},
        {"MT16KTF1G64HZ-1G6", 1.35 * 1.25 * 8, 39, 28, 208},
        {"MT8KTF51264HZ-1G9@1320ps", 1.35 * 1.32 * 8, 37, 26, 197},
    };
    for (const auto& row : table) {
        INFO(row.part);
        check_command_energies(EnergyBook(ddr3_preset(row.part), false), row.k, kRevE, row.tRC, row.tRAS, row.tRFC);
    }
}

TEST_CASE("Each MT41K512M8 die revision has its own DDR3L IDD table", "[dram][power]") {
    // Micron DDR3L datasheet (MT41K1G4/MT41K512M8/MT41K256M16), Tables 20-22, x8, DDR3L-1600:
    // IDD0, IDD2N, IDD3N, IDD4R, IDD4W, IDD5B; IDD2P0, IDD2P1, IDD6 in mA.
    struct Row {
        const char* die;
        Currents idd;
        double idd2p0, idd2p1, idd6;
    };
    const Row table[] = {
        {"E", kRevE, 18, 32, 20},
        {"N", {47, 24, 30, 95, 95, 175}, 8, 14, 12},
        {"P", {28, 16, 20, 90, 90, 152}, 10, 11, 15},
    };
    const double k = 1.35 * 1.25 * 8;  // VDD x tCK x 8 devices: pJ per mA-clock
    for (const auto& row : table) {
        INFO("die " << row.die);
        Ddr3Params params{"MT8KTF51264HZ-1G6", row.die};
        Ddr3Timing t = ddr3_part(params);
        CHECK(t.power.IDD2P0 == row.idd2p0);
        CHECK(t.power.IDD2P1 == row.idd2p1);
        CHECK(t.power.IDD6 == row.idd6);
        check_command_energies(EnergyBook(t, false), k, row.idd, 39, 28, 208);  // tRC, tRAS, tRFC nCK at 1.25 ns
    }
    // Rev P's ACT: 1.35 V x (28 x 48.75 - (20 x 35 + 16 x 13.75)) mA-ns x 8 = 4806 pJ.
    CHECK(EnergyBook(ddr3_part({"MT8KTF51264HZ-1G6", "P"}), false).e_act() == Approx(4806.0));
    CHECK_THROWS_AS(ddr3_part({"MT8KTF51264HZ-1G6", "J"}), memsim::InputError);
}

TEST_CASE("Power-down with refreshes pulled in stays within tPD", "[dram][power]") {
    // An idle rank pulls in 8 REFs, then sleeps; it must wake before 9 x tREFI pass without a REF
    // (JESD79-3F tPD max and refresh spacing), which the checker verifies.
    auto p = with_power_down(10);
    p.refresh_pull_in = 8;
    Rig r("MT8KTF51264HZ-1G6", p);
    r.ctl->idle_until(20 * 6240);
    CHECK(r.stat("dram.power_down_entries") >= 2);
    r.require_clean();
}

TEST_CASE("Power-down and self-refresh through Port::access with irregular gaps stay legal", "[dram][power]") {
    for (const char* page : {"open", "closed", "closed_adaptive"})
    for (const char* exit : {"fast", "slow"}) {
        INFO(page << " " << exit);
        auto p = with_power_down(6, exit, page);
        p.self_refresh_idle = 3000;
        Rig r("MT16KTF1G64HZ-1G6", p);
        uint64_t s = 11, at = 0;
        for (int i = 0; i < 2000; ++i) {
            uint64_t x = memsim::dram::testing::mix(s);
            at += (x >> 40) % 8 == 0 ? 2000 + (x >> 20) % 8000 : (x >> 20) % 60;  // mostly close, sometimes long gaps
            uint64_t a = x % r.t.capacity() & ~63ull;
            if (i % 3 == 2) r.write(a, at * 1250);
            else r.read(a, at * 1250);
        }
        r.ctl->idle_until(at + 20000);
        CHECK(r.stat("dram.self_refresh_entries") >= 1);
        r.require_clean();
        r.require_background_recounted();
    }
}

TEST_CASE("A row kept open for a later hit closes at its own auto-precharge time", "[dram][power]") {
    // closed_adaptive through Port::access: a RD's auto-precharge is decided when the next arrival
    // shows whether a request accepted by then hits the row. Dual rank (MT16KTF1G64HZ-1G6, the
    // same die), power-down after 1 idle clock. Reads: A rank 1 bank 0 at 0 (ACT 0, RD 11: would
    // close at max(11 + tRTP 6, 0 + tRAS 28) = 28); B rank 0 at 5 (ACT 17 after its PDX at 12, RD
    // 28), run past rank 1's PDE at 27; C rank 1 bank 1 arrived at 8, before A's RD, a miss: PDX
    // 31, ACT 36 (tXP 5), RD 47. The PDX holds rank 1's banks to 36, but A's bank closed at 28,
    // as it would have; D at 300 settles it (and the run's end closes D's row: RD 316, closed at
    // max(322, 305 + 28) = 333).
    auto p = with_power_down(1, "fast", "closed_adaptive");
    Rig r("MT16KTF1G64HZ-1G6", p);
    r.read(r.addr(1, 0, 5), 0);
    r.read(r.addr(0, 0, 7), 5 * 1250);
    r.read(r.addr(1, 1, 9), 8 * 1250);
    r.read(r.addr(0, 2, 3), 300 * 1250);
    r.ctl->idle_until(1000);
    CHECK(lines(r.ctl->commands(), 16) ==
          std::vector<std::string>{"0 ACT 1 0 5 0", "1 PDE 0 0 0 0", "11 RDA 1 0 5 0", "12 PDX 0 0 0 0",
                                   "17 ACT 0 0 7 0", "27 PDE 1 0 0 0", "28 RDA 0 0 7 0", "31 PDX 1 0 0 0",
                                   "36 ACT 1 1 9 0", "44 PDE 0 0 0 0", "47 RDA 1 1 9 0", "63 PDE 1 0 0 0",
                                   "300 PDX 0 0 0 0", "305 ACT 0 2 3 0", "316 RDA 0 2 3 0", "332 PDE 0 0 0 0"});
    // IDD2N = IDD2P1 = 32 mA and IDD3N = IDD3P = 38 mA: 432 pJ a clock per rank, 81 more while a
    // bank is open. Open: rank 1 [0, 28) and [36, 64) (RD 47 + 6 < 36 + 28); rank 0 [17, 45) and
    // [305, 333): 112 clocks.
    CHECK(r.stat("dram.cycles") == 1000);
    CHECK(r.stat("dram.energy.background") == Approx(2 * 1000 * 32 * kPerMaClock + 112 * 6 * kPerMaClock));
    r.require_background_recounted();
    r.require_clean();
}
