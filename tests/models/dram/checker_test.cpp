// The checker on hand-made command traces (MT8KTF51264HZ-1G6: tRCD 11, tRP 11, tRAS 28, tRC 39,
// tRRD 5, tFAW 24, tCCD 4, CL 11, CWL 8, tWTR 6, tWR 12, tRTP 6, tRFC 208): legal sequences
// pass, and each broken constraint is reported with the two commands involved.
#include <catch2/catch.hpp>

#include <sstream>

#include "models/dram/checker.h"
#include "sim/core/error.h"
#include "tests/models/dram/dram_test_util.h"

using namespace memsim;
using namespace memsim::dram;
using memsim::dram::testing::Broken;
using memsim::dram::testing::require_rejected;

namespace {
std::vector<Violation> check(const std::string& text, const std::string& part = "MT8KTF51264HZ-1G6") {
    std::istringstream in(text);
    return check_commands(ddr3_preset(part), read_command_trace(in, "test.cmds"));
}
}  // namespace

TEST_CASE("The checker passes a legal sequence", "[dram][checker]") {
    auto v = check(
        "0 ACT 0 0 5 0\n"
        "5 ACT 0 1 7 0\n"     // tRRD 5
        "11 RD 0 0 5 0\n"     // tRCD 11
        "16 RD 0 1 7 8\n"     // tRCD after 5, tCCD 4 after 11
        "28 PRE 0 0 0 0\n"    // tRAS 28
        "39 ACT 0 0 6 0\n"    // tRP 11, tRC 39
        "50 WR 0 0 6 0\n"     // tRCD; RD -> WR 9 after 16
        "74 RD 0 0 6 8\n"     // WL + BL/2 + tWTR = 18 after 50
        "80 PRE 0 0 0 0\n"    // WR -> PRE WL + BL/2 + tWR = 24 after 50 = 74; tRTP 6 after 74
        "91 PREA 0 0 0 0\n"   // bank 1: tRAS, tRTP long past
        "102 REF 0 0 0 0\n"   // tRP 11 after PREA
        "310 ACT 0 0 1 0\n"); // tRFC 208
    for (auto& x : v) UNSCOPED_INFO(x.message);
    CHECK(v.empty());
}

TEST_CASE("The checker names each broken constraint and both commands", "[dram][checker]") {
    // Each: the trace, the rule the checker names, the cycles of the two commands.
    const std::vector<Broken> table = {
        {"0 ACT 0 0 5 0\n10 RD 0 0 5 0\n", "tRCD", 0, 10},
        {"0 ACT 0 0 5 0\n4 ACT 0 1 5 0\n", "tRRD", 0, 4},
        {"0 ACT 0 0 1 0\n5 ACT 0 1 1 0\n10 ACT 0 2 1 0\n15 ACT 0 3 1 0\n20 ACT 0 4 1 0\n", "tFAW", 0, 20},
        {"0 ACT 0 0 5 0\n27 PRE 0 0 0 0\n", "tRAS", 0, 27},
        {"0 ACT 0 0 5 0\n28 PRE 0 0 0 0\n38 ACT 0 0 6 0\n", "tRP", 28, 38},
        {"0 ACT 0 0 5 0\n11 RD 0 0 5 0\n14 RD 0 0 5 8\n", "tCCD", 11, 14},
        {"0 ACT 0 0 5 0\n11 WR 0 0 5 0\n28 RD 0 0 5 8\n", "tWTR", 11, 28},
        {"0 ACT 0 0 5 0\n11 RD 0 0 5 0\n19 WR 0 0 5 8\n", "RD to WR", 11, 19},
        {"0 ACT 0 0 5 0\n11 WR 0 0 5 0\n34 PRE 0 0 0 0\n", "tWR", 11, 34},
        {"0 ACT 0 0 5 0\n30 RD 0 0 5 0\n35 PRE 0 0 0 0\n", "tRTP", 30, 35},
        {"0 ACT 0 0 5 0\n11 RD 0 0 6 0\n", "row open", 0, 11},
        {"0 ACT 0 0 5 0\n11 REF 0 0 0 0\n", "banks precharged", 0, 11},
        {"0 REF 0 0 0 0\n207 ACT 0 0 5 0\n", "tRFC", 0, 207},
        {"0 ACT 0 0 5 0\n11 RDA 0 0 5 0\n38 ACT 0 0 6 0\n", "tRP", 11, 38},  // auto-PRE at tRAS = 28
        // A column command after RDA/WRA, before its auto-precharge (at 28 and 11 + 8 + 4 + 12 = 35).
        {"0 ACT 0 0 5 0\n11 RDA 0 0 5 0\n15 RD 0 0 5 8\n", "auto-precharge", 11, 15},
        {"0 ACT 0 0 5 0\n11 WRA 0 0 5 0\n30 RD 0 0 5 8\n", "auto-precharge", 11, 30},
        {"0 ACT 0 0 5 0\n11 RDA 0 0 5 0\n20 WR 0 0 5 8\n", "auto-precharge", 11, 20},
        {"0 ACT 0 0 5 0\n0 ACT 0 1 5 0\n", "command bus", 0, 0},
    };
    for (const auto& row : table) {
        INFO(row.trace);
        auto v = check(row.trace);
        REQUIRE(!v.empty());
        bool found = false;
        for (const auto& x : v)
            if (x.rule == row.rule && x.earlier.cycle == row.earlier && x.later.cycle == row.later) found = true;
        for (auto& x : v) UNSCOPED_INFO(x.message);
        CHECK(found);
    }
}

TEST_CASE("The checker sees a rank switch without tRTRS on the data bus", "[dram][checker]") {
    // Rank 0 burst at 11 + CL = 22..26; rank 1 RD at 16 puts its burst at 27: one clock short
    // of tRTRS = 2.
    auto v = check("0 ACT 0 0 5 0\n1 ACT 1 0 5 0\n11 RD 0 0 5 0\n16 RD 1 0 5 0\n", "MT16KTF1G64HZ-1G6");
    REQUIRE(v.size() == 1);
    CHECK(v[0].rule == "tRTRS");
    CHECK(check("0 ACT 0 0 5 0\n1 ACT 1 0 5 0\n11 RD 0 0 5 0\n17 RD 1 0 5 0\n", "MT16KTF1G64HZ-1G6").empty());
}

TEST_CASE("The checker reports refresh falling behind", "[dram][checker]") {
    // No REF by 10 x tREFI: 10 due, none issued, more than 8 postponed plus the one being issued.
    auto v = check("62400 ACT 0 0 5 0\n");
    REQUIRE(v.size() == 1);
    CHECK(v[0].rule == "refresh debt");
}

TEST_CASE("REFs pulled in beyond 8 are legal but earn no credit", "[dram][checker]") {
    // JESD79-3F 4.18: "pulling in more than 8 Refresh commands in advance does not further reduce
    // the number of regular Refresh commands required later". Twelve REFs at the start (tRFC 208
    // apart) count as 9 (8 pulled in, the one due, one of slack), one more at 8 x tREFI makes 10:
    // with none postponed, 12 are due at 12 x tREFI = 74880.
    std::string t;
    for (int i = 0; i < 12; ++i) t += std::to_string(208 * i) + " REF 0 0 0 0\n";
    t += "49920 REF 0 0 0 0\n";
    const auto timing = ddr3_preset("MT8KTF51264HZ-1G6");
    auto run = [&](const std::string& tail) {
        std::istringstream in(t + tail);
        return check_commands(timing, read_command_trace(in, "test.cmds"), 0);
    };
    CHECK(run("74879 ACT 0 0 5 0\n").empty());  // 11 due: 10 counted plus the one being issued
    auto v = run("74880 ACT 0 0 5 0\n");
    REQUIRE(v.size() == 1);
    CHECK(v[0].rule == "refresh debt");
}

TEST_CASE("Self-refresh counts as refreshing but keeps REFs owed before it", "[dram][checker]") {
    const auto timing = ddr3_preset("MT8KTF51264HZ-1G6");
    auto run = [&](const std::string& text) {
        std::istringstream in(text);
        return check_commands(timing, read_command_trace(in, "test.cmds"), 8);
    };
    // Short self-refreshes, each followed by the REF JESD79-3F 4.19 asks for before the next SRE:
    // twelve REFs within one tREFI, all legal.
    std::string cycles;
    for (int i = 0; i < 12; ++i) {
        const int base = 100 + 450 * i;
        cycles += std::to_string(base) + " SRE 0 0 0 0\n" + std::to_string(base + 10) + " SRX 0 0 0 0\n" +
                  std::to_string(base + 230) + " REF 0 0 0 0\n";  // tXS 216
    }
    auto v = run(cycles + "5800 ACT 0 0 5 0\n");
    for (auto& x : v) UNSCOPED_INFO(x.message);
    CHECK(v.empty());
    // Entered with nothing owed, the rank owes nothing at SRX (52000, 8 due): at 11 x tREFI = 68640
    // three are owed, fine with 8 postponable. Entered at 50020 with 8 due and none issued, those
    // stay owed after SRX: at 62400 10 are due, none counted (9: the one being issued and 8).
    CHECK(run("100 SRE 0 0 0 0\n52000 SRX 0 0 0 0\n68640 ACT 0 0 5 0\n").empty());
    CHECK(run("50020 SRE 0 0 0 0\n52000 SRX 0 0 0 0\n62399 ACT 0 0 5 0\n").empty());
    v = run("50020 SRE 0 0 0 0\n52000 SRX 0 0 0 0\n62400 ACT 0 0 5 0\n");
    REQUIRE(v.size() == 1);
    CHECK(v[0].rule == "refresh debt");
    CHECK(v[0].later.cycle == 62400);
    // Short self-refreshes with 8 owed forgive nothing (a review found each round forgave one):
    // four rounds of SRE, SRX, REF from 50000 count 4 REFs, and 14 are due at 87360.
    std::string rounds;
    for (int i = 0; i < 4; ++i) {
        const int base = 50000 + 450 * i;
        rounds += std::to_string(base) + " SRE 0 0 0 0\n" + std::to_string(base + 10) + " SRX 0 0 0 0\n" +
                  std::to_string(base + 230) + " REF 0 0 0 0\n";
    }
    CHECK(run(rounds + "87359 ACT 0 0 5 0\n").empty());
    v = run(rounds + "87360 ACT 0 0 5 0\n");
    REQUIRE(v.size() == 1);
    CHECK(v[0].rule == "refresh debt");
    // REFs pulled in before a self-refresh still count after it: three at the start, SRE 1000,
    // SRX 100000 (16 due): 19 counted, so with none postponable the debt comes at 21 x tREFI =
    // 131040, not at 18 x tREFI.
    auto strict = [&](const std::string& text) {
        std::istringstream in(text);
        return check_commands(timing, read_command_trace(in, "test.cmds"), 0);
    };
    const std::string pulled = "0 REF 0 0 0 0\n208 REF 0 0 0 0\n416 REF 0 0 0 0\n1000 SRE 0 0 0 0\n100000 SRX 0 0 0 0\n";
    CHECK(strict(pulled + "131039 ACT 0 0 5 0\n").empty());
    v = strict(pulled + "131040 ACT 0 0 5 0\n");
    REQUIRE(v.size() == 1);
    CHECK(v[0].rule == "refresh debt");
}

TEST_CASE("A bad command trace line is an input error naming the line", "[dram][checker]") {
    std::istringstream in("0 ACT 0 0 5 0\n3 FOO 0 0 0 0\n");
    try {
        read_command_trace(in, "x.cmds");
        FAIL("no error");
    } catch (const InputError& e) {
        CHECK(std::string(e.what()).find("x.cmds:2") != std::string::npos);
    }
}

TEST_CASE("The checker follows power-down entry and exit", "[dram][checker][power]") {
    // tCKE 4, tXP 5, tXPDLL 20, tRDPDEN = RL + BL/2 + 1 = 16, tPD at most 9 x tREFI = 56160.
    auto ok = check(
        "0 ACT 0 0 5 0\n"
        "11 RD 0 0 5 0\n"
        "27 PDE 0 0 0 0\n"    // tRDPDEN 16 after 11: active power-down
        "31 PDX 0 0 0 0\n"    // tCKE 4
        "36 RD 0 0 5 8\n"     // tXP 5
        "52 PDE 0 0 0 0\n"    // 16 after 36
        "100 PDX 0 0 0 0\n"
        "105 PRE 0 0 0 0\n"
        "116 REF 0 0 0 0\n"
        "117 PDE 0 0 0 0\n"   // entry during tRFC (tREFPDEN 1)
        "400 PDX 0 0 0 0\n");
    for (auto& x : ok) UNSCOPED_INFO(x.message);
    CHECK(ok.empty());

    // Each: the trace, the rule the checker names, the cycles of the two commands.
    const std::vector<Broken> table = {
        {"0 PDE 0 0 0 0\n10 ACT 0 0 5 0\n", "power-down", 0, 10},
        {"0 PDE 0 0 0 0\n10 REF 0 0 0 0\n", "power-down", 0, 10},
        {"0 PDE 0 0 0 0\n3 PDX 0 0 0 0\n", "tCKE", 0, 3},
        {"0 PDE 0 0 0 0\n10 PDX 0 0 0 0\n12 PDE 0 0 0 0\n", "tCKE", 10, 12},
        {"0 PDE 0 0 0 0\n10 PDX 0 0 0 0\n14 ACT 0 0 5 0\n", "tXP", 10, 14},
        {"0 ACT 0 0 5 0\n11 RD 0 0 5 0\n26 PDE 0 0 0 0\n", "tRDPDEN", 11, 26},
        {"0 ACT 0 0 5 0\n11 WR 0 0 5 0\n34 PDE 0 0 0 0\n", "tWRPDEN", 11, 34},  // WL + BL/2 + tWR = 24
        {"0 PDE 0 0 0 0\n56161 PDX 0 0 0 0\n", "tPD", 0, 56161},
        {"0 PDE 0 0 0 0\n10 PDE 0 0 0 0\n", "power-down", 0, 10},
        {"10 PDX 0 0 0 0\n", "power-down", 10, 10},
    };
    require_rejected(table, [](const char* t) { return check(t); });
}

TEST_CASE("With the DLL frozen a read after precharge power-down needs tXPDLL", "[dram][checker][power]") {
    const std::string trace = "0 PDE 0 0 0 0\n10 PDX 0 0 0 0\n15 ACT 0 0 5 0\n26 RD 0 0 5 0\n";
    std::istringstream a(trace), b(trace);
    auto t = ddr3_preset("MT8KTF51264HZ-1G6");
    CHECK(check_commands(t, read_command_trace(a, "fast.cmds"), 8, false).empty());
    auto v = check_commands(t, read_command_trace(b, "slow.cmds"), 8, true);
    REQUIRE(v.size() == 1);
    CHECK(v[0].rule == "tXPDLL");  // 16 after PDX, needs 20
    CHECK(v[0].earlier.cycle == 10);
}
