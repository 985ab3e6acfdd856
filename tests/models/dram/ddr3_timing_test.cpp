// DDR3 presets: every value worked from the datasheet minimum and JESD79-3F's rounding
// nCK = RU(t / tCK), by hand, next to it.
#include <catch2/catch.hpp>

#include "models/dram/address_map.h"
#include "models/dram/ddr3_timing.h"
#include "sim/core/error.h"

using namespace memsim;
using namespace memsim::dram;

TEST_CASE("MT8KTF51264HZ-1G6 is DDR3-1600K 11-11-11 on one 4 GB rank", "[dram][ddr3]") {
    Ddr3Timing t = ddr3_preset("MT8KTF51264HZ-1G6");
    CHECK(t.tCK_ps == 1250);
    CHECK(t.CL == 11);    // 13.75 / 1.25 = 11
    CHECK(t.CWL == 8);    // 1.25 <= tCK < 1.5 ns
    CHECK(t.AL == 0);
    CHECK(t.tRCD == 11);  // 13.75 ns
    CHECK(t.tRP == 11);   // 13.75 ns
    CHECK(t.tRAS == 28);  // 35 / 1.25 = 28
    CHECK(t.tRC == 39);   // 48.75 / 1.25 = 39
    CHECK(t.tRRD == 5);   // max(4, RU(6 / 1.25) = 5)
    CHECK(t.tFAW == 24);  // 30 / 1.25 = 24
    CHECK(t.tWR == 12);   // 15 / 1.25 = 12
    CHECK(t.tWTR == 6);   // max(4, RU(7.5 / 1.25) = 6)
    CHECK(t.tRTP == 6);
    CHECK(t.tCCD == 4);
    CHECK(t.tRFC == 208);    // 260 / 1.25
    CHECK(t.tREFI == 6240);  // 7800 / 1.25
    CHECK(t.tXP == 5);       // max(3, RU(6 / 1.25) = 5)
    CHECK(t.tCKE == 4);      // max(3, RU(5 / 1.25) = 4)
    CHECK(t.tXS == 216);     // RU(270 / 1.25) = 216
    CHECK(t.tZQCS == 64);
    CHECK(t.ranks == 1);
    CHECK(t.capacity() == 4ull << 30);  // 8 banks x 65536 rows x 1024 columns x 8 bytes
    CHECK(t.burst_bytes() == 64);
    CHECK(t.peak_bandwidth() == Approx(12.8e9));  // 2 x 8 bytes / 1.25 ns
    // Same-rank spacings of the reference note: RD->WR = CL + BL/2 + 2 - CWL = 9,
    // WR->RD = CWL + BL/2 + tWTR = 18.
    CHECK(t.RL() + t.burst_cycles() + 2 - t.WL() == 9);
    CHECK(t.WL() + t.burst_cycles() + t.tWTR == 18);
}

TEST_CASE("MT16KTF1G64HZ-1G6 is the same timing on two ranks", "[dram][ddr3]") {
    Ddr3Timing t = ddr3_preset("MT16KTF1G64HZ-1G6");
    CHECK(t.ranks == 2);
    CHECK(t.capacity() == 8ull << 30);
    CHECK(t.CL == 11);
    CHECK(t.tFAW == 24);
}

TEST_CASE("The NetFPGA-SUME MIG part at 1320 ps rounds every ns minimum up", "[dram][ddr3]") {
    Ddr3Timing t = ddr3_preset("MT8KTF51264HZ-1G9@1320ps");
    CHECK(t.tCK_ps == 1320);
    CHECK(t.CL == 11);    // 13.91 / 1.32 = 10.54 -> 11
    CHECK(t.CWL == 8);    // 1.25 <= 1.32 < 1.5 ns
    CHECK(t.tRCD == 11);  // 10.54 -> 11
    CHECK(t.tRP == 11);
    CHECK(t.tRAS == 26);  // 34 / 1.32 = 25.76 -> 26
    CHECK(t.tRC == 37);   // 47.91 / 1.32 = 36.30 -> 37
    CHECK(t.tRRD == 4);   // max(4, 5 / 1.32 = 3.79 -> 4)
    CHECK(t.tFAW == 21);  // 27 / 1.32 = 20.45 -> 21
    CHECK(t.tWR == 12);   // 15 / 1.32 = 11.36 -> 12
    CHECK(t.tWTR == 6);   // 7.5 / 1.32 = 5.68 -> 6
    CHECK(t.tRFC == 197);    // 260 / 1.32 = 196.97 -> 197
    CHECK(t.tREFI == 5909);  // 7800 / 1.32 = 5909.09, a maximum: rounded down
    CHECK(t.tXS == 205);     // 270 / 1.32 = 204.55 -> 205
}

TEST_CASE("An unknown part names the known ones", "[dram][ddr3]") {
    try {
        ddr3_preset("MT41J-nope");
        FAIL("no error");
    } catch (const InputError& e) {
        CHECK(std::string(e.what()).find("MT8KTF51264HZ-1G6") != std::string::npos);
    }
}

TEST_CASE("Address mapping RoBaRaCoCh puts 64-byte bursts of one row side by side", "[dram][ddr3]") {
    Ddr3Timing t = ddr3_preset("MT16KTF1G64HZ-1G6");
    AddressMap m(t, "RoBaRaCoCh");
    // bits 0-5 burst, 6-12 column/8 (128 bursts), 13 rank, 14-16 bank, 17-32 row
    DramAddress a = m.decode(0x40);
    CHECK(a.column == 8);
    CHECK(a.rank == 0);
    a = m.decode(1ull << 13);
    CHECK(a.rank == 1);
    CHECK(a.column == 0);
    a = m.decode(3ull << 14);
    CHECK(a.bank == 3);
    a = m.decode(5ull << 17);
    CHECK(a.row == 5);
    for (uint64_t addr : {0ull, 0x12345640ull, 0x1ffffffc0ull})
        CHECK(m.encode(m.decode(addr)) == addr);
    AddressMap m2(t, "RoRaBaCoCh");
    CHECK(m2.decode(1ull << 13).bank == 1);
    CHECK(m2.decode(1ull << 16).rank == 1);
}

TEST_CASE("A bad address mapping is an input error", "[dram][ddr3]") {
    Ddr3Timing t = ddr3_preset("MT8KTF51264HZ-1G6");
    CHECK_THROWS_AS(AddressMap(t, "RoBaRaCo"), InputError);
    CHECK_THROWS_AS(AddressMap(t, "RoBaBaCoCh"), InputError);
    CHECK_THROWS_AS(AddressMap(t, "RoBaRaCoXx"), InputError);
}
