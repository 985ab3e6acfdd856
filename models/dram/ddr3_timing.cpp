#include "models/dram/ddr3_timing.h"

#include "sim/config/schema.h"
#include "sim/core/error.h"

namespace memsim::dram {

MEMSIM_REGISTER_PARAMS(Ddr3Params, "memory.ddr3", "the DDR3 part on the memory bus");

namespace {

// Supply currents of the 4 Gb x8 DDR3L die, per device, at DDR3L-1600 (tCK(IDD) 1.25 ns): Micron
// "DDR3L SDRAM MT41K1G4 / MT41K512M8 / MT41K256M16" datasheet, Tables 20-22 "IDD Maximum Limits
// Die Rev. E / N / P for 1.35V/1.5V Operation" (x8 rows; TC 85 C, ASR and SRT off; the same
// limits at 1.35 V and 1.5 V). The die is the module part number's suffix letter
// (MT8KTF51264HZ-1G6E1: Rev E; -1G6N1: Rev N; -1G6P1: Rev P); the package marking RH / RG / DA.
// Rev E's column is what gem5 (DDR3_1600_8x8, "Die Rev E,J" of the 1.5 V MT41J512M8) and
// DRAMSim3 (configs/DDR3_4Gb_x8_1600.ini) carry. VDD 1.35 V: the SODIMMs' nominal DDR3L supply
// (1.283-1.45 V). The -1G9 preset runs at tCK 1.32 ns, slower than DDR3-1600's tCK(IDD), so the
// DDR3L-1600 column bounds its currents from above.
Ddr3Power mt41k512m8_power(const std::string& die) {
    struct Die {
        char die;
        Ddr3Power power;  // VDD, IDD0, IDD2P0, IDD2P1, IDD2N, IDD3P, IDD3N, IDD4R, IDD4W, IDD5B, IDD6
    };
    static const Die kTable[] = {
        {'E', {1.35, 55, 18, 32, 32, 38, 38, 157, 125, 235, 20}},  // Table 20
        {'N', {1.35, 47, 8, 14, 24, 26, 30, 95, 95, 175, 12}},     // Table 21
        {'P', {1.35, 28, 10, 11, 16, 15, 20, 90, 90, 152, 15}},    // Table 22
    };
    for (const auto& d : kTable)
        if (die.size() == 1 && die[0] == d.die) return d.power;
    throw InputError("memory.ddr3.die: unknown MT41K512M8 die revision '" + die + "' (E, N or P)");
}

// The die of every preset: Micron MT41K512M8 (4 Gb DDR3L, x8), datasheet "4Gb: x4, x8, x16 DDR3L
// SDRAM", Rev. I. Values in ns are the datasheet's minimums; the nCK ones follow JESD79-3F.
Ddr3Timing mt41k512m8(const std::string& name, uint64_t tCK_ps, uint64_t tAA_ps, uint64_t tRCD_ps, uint64_t tRP_ps,
                      uint64_t tRAS_ps, uint64_t tRRD_ps, uint64_t tFAW_ps, uint32_t ranks) {
    Ddr3Timing t;
    t.part = name;
    t.tCK_ps = tCK_ps;
    t.CL = uint32_t(t.ck(tAA_ps));  // CL = RU(tAA / tCK), JESD79-3F speed bins
    // CWL by tCK range, JESD79-3F speed-bin tables: 1.5 <= tCK < 1.875 ns -> 7, 1.25 <= tCK < 1.5 -> 8,
    // 1.07 <= tCK < 1.25 -> 9.
    t.CWL = tCK_ps >= 1875 ? 6 : tCK_ps >= 1500 ? 7 : tCK_ps >= 1250 ? 8 : 9;
    t.AL = 0;  // MIG and the SODIMM SPD defaults: additive latency disabled
    t.tRCD = uint32_t(t.ck(tRCD_ps));
    t.tRP = uint32_t(t.ck(tRP_ps));
    t.tRCD_ps = tRCD_ps;
    t.tRP_ps = tRP_ps;
    t.tRAS = uint32_t(t.ck(tRAS_ps));
    t.tRC = uint32_t(t.ck(tRAS_ps + tRP_ps));  // tRC = tRAS + tRP in every DDR3 bin
    t.tRRD = t.ck_max(4, tRRD_ps);             // x8, 1 KB page: max(4 nCK, tRRD ns)
    t.tFAW = uint32_t(t.ck(tFAW_ps));
    t.tWR = uint32_t(t.ck(15000));             // tWR 15 ns, all bins
    t.tWTR = t.ck_max(4, 7500);                // max(4 nCK, 7.5 ns)
    t.tRTP = t.ck_max(4, 7500);                // max(4 nCK, 7.5 ns)
    t.tCCD = 4;                                // JESD79-3F: 4 nCK
    t.tRFC = uint32_t(t.ck(260000));           // 4 Gb density: tRFC 260 ns
    t.tREFI = uint32_t(t.tREFI_ps / tCK_ps);   // 7.8 us at 0..85 C; a maximum, so rounded down
    t.tXP = t.ck_max(3, 6000);                 // max(3 nCK, 6 ns) for DDR3-1333 and faster
    t.tCKE = t.ck_max(3, 5000);                // max(3 nCK, 5 ns) for DDR3-1600 and faster
    t.tXPDLL = t.ck_max(10, 24000);            // max(10 nCK, 24 ns)
    t.tCKESR = t.tCKE + 1;                     // tCKE(min) + 1 nCK
    t.tXSDLL = 512;                            // tDLLK(min) = 512 nCK
    t.tXS = t.ck_max(5, 260000 + 10000);       // max(5 nCK, tRFC + 10 ns)
    t.tZQCS = 64;                              // JESD79-3F: 64 nCK
    t.ranks = ranks;
    t.banks = 8;        // BA0-BA2
    t.rows = 65536;     // A0-A15, 4 Gb x8
    t.columns = 1024;   // A0-A9, 1 KB page per x8 device, 8 KB per 64-bit rank
    t.bus_width_bits = 64;
    t.device_width_bits = 8;
    t.power = mt41k512m8_power("E");
    return t;
}

struct Preset {
    const char* name;
    Ddr3Timing (*make)();
};

const Preset kPresets[] = {
    // Micron MT8KTF51264HZ-1G6: 4 GB DDR3L-1600 SODIMM, single rank of 8 x MT41K512M8, speed grade
    // -1G6 = DDR3-1600K 11-11-11: tCK 1.25 ns, tAA = tRCD = tRP = 13.75 ns, tRAS 35 ns, tRC 48.75 ns;
    // 1 KB page at DDR3-1600: tRRD max(4 nCK, 6 ns), tFAW 30 ns (datasheet timing table).
    {"MT8KTF51264HZ-1G6", [] { return mt41k512m8("MT8KTF51264HZ-1G6", 1250, 13750, 13750, 13750, 35000, 6000, 30000, 1); }},
    // Micron MT16KTF1G64HZ-1G6: 8 GB DDR3L-1600 SODIMM, two ranks of 8 x MT41K512M8, same -1G6 timing.
    {"MT16KTF1G64HZ-1G6", [] { return mt41k512m8("MT16KTF1G64HZ-1G6", 1250, 13750, 13750, 13750, 35000, 6000, 30000, 2); }},
    // NetFPGA-SUME's MIG configuration (acceptance-test project nf_sume_ddr3A.prj): the -1G9
    // (DDR3-1866M 13-13-13) module clocked at tCK 1320 ps, controller 4:1. The project's values:
    // tRCD = tRP = tAA = 13.91 ns, tRAS 34 ns, tRRD 5 ns, tFAW 27 ns (1 KB page at DDR3-1866).
    {"MT8KTF51264HZ-1G9@1320ps", [] { return mt41k512m8("MT8KTF51264HZ-1G9@1320ps", 1320, 13910, 13910, 13910, 34000, 5000, 27000, 1); }},
};

}  // namespace

const std::vector<std::string>& ddr3_part_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> n;
        for (const auto& p : kPresets) n.push_back(p.name);
        return n;
    }();
    return names;
}

Ddr3Timing ddr3_part(const Ddr3Params& p) {
    Ddr3Timing t = ddr3_preset(p.part);
    t.power = mt41k512m8_power(p.die);
    if (p.additive_latency == "CL-1") t.AL = t.CL - 1;
    else if (p.additive_latency == "CL-2") t.AL = t.CL - 2;
    return t;
}

Ddr3Timing ddr3_preset(const std::string& name) {
    for (const auto& p : kPresets)
        if (name == p.name) return p.make();
    std::string known;
    for (const auto& p : kPresets) known += std::string(known.empty() ? "" : ", ") + p.name;
    throw InputError("unknown DDR3 part '" + name + "' (known: " + known + ")");
}

}  // namespace memsim::dram
