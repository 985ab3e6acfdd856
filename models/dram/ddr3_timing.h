#pragma once
// A DDR3 part: its organisation and every timing constraint of JESD79-3F, in clock cycles (nCK)
// of the controller's tCK. JEDEC gives some minimums in nCK and others in ns; the ns ones are
// converted as JESD79-3F section 13 (speed bins) prescribes: nCK = RU(tXX / tCK(avg)), i.e. rounded
// up to the next whole clock. tREFI is a maximum interval and is rounded down.
//
// Presets are chosen by name (`memory.ddr3.part`); each value cites the datasheet or the JEDEC
// table it comes from.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/config/param.h"

namespace memsim::dram {

// Supply currents of one device (mA, the datasheet's IDD table at the part's speed grade) and its
// supply voltage: what Micron TN-41-01 ("Calculating Memory System Power for DDR3") computes the
// core power from. IDD2P0 / IDD2P1: precharge power-down with slow exit (DLL frozen) / fast exit
// (DLL on); IDD3P: active power-down; IDD5B: burst refresh (one REF every tRFC); IDD6: self refresh.
struct Ddr3Power {
    double VDD = 1.35;  // V
    double IDD0 = 55, IDD2P0 = 18, IDD2P1 = 32, IDD2N = 32, IDD3P = 38, IDD3N = 38, IDD4R = 157, IDD4W = 125,
           IDD5B = 235, IDD6 = 20;
};

struct Ddr3Timing {
    std::string part;  // the preset's name
    uint64_t tCK_ps = 1250;
    // Latencies (nCK).
    uint32_t CL = 11, CWL = 8, AL = 0;
    // Row and bank (nCK).
    uint32_t tRCD = 11, tRP = 11, tRAS = 28, tRC = 39, tRRD = 5, tFAW = 24;
    // Column (nCK).
    uint32_t tWR = 12, tWTR = 6, tRTP = 6, tCCD = 4;
    // Refresh, calibration, power-down (nCK): tXP power-down exit (DLL on, fast exit) to any
    // command; tCKE minimum CKE pulse (high or low); a rank stays in power-down at most 9 x tREFI.
    uint32_t tRFC = 208, tREFI = 6240, tXP = 5, tCKE = 4, tXS = 216, tZQCS = 64;
    uint32_t tXPDLL = 20;  // precharge power-down with the DLL frozen (slow exit) to a read
    // Self-refresh: at least tCKESR in it; tXS after SRX to any command, tXSDLL (tDLLK) to a read.
    uint32_t tCKESR = 5, tXSDLL = 512;
    uint64_t tZQI_ps = 128'000'000'000;  // ZQCS interval the controller keeps (128 ms, Micron TN-41-02)
    // The datasheet values behind tRCD, tRP and tREFI, for controllers that compute in time (MIG's
    // refresh timer, mig.cpp).
    uint64_t tRCD_ps = 13750, tRP_ps = 13750, tREFI_ps = 7'800'000;
    // Rank-to-rank switch: idle data-bus clocks between bursts of two ranks (DQS hand-over). JEDEC
    // leaves it to the system; 2 nCK as DRAMSim3 and Ramulator use for DDR3 (tRTRS).
    uint32_t tRTRS = 2;
    uint32_t BL = 8;
    // Organisation.
    uint32_t ranks = 1, banks = 8, rows = 65536, columns = 1024;
    uint32_t bus_width_bits = 64;     // the module's data bus (a SODIMM: 64)
    uint32_t device_width_bits = 8;   // x8 devices: 8 per rank
    Ddr3Power power;                  // per device

    uint32_t devices_per_rank() const { return bus_width_bits / device_width_bits; }

    uint32_t RL() const { return AL + CL; }   // read latency, JESD79-3F 3.2.3
    uint32_t WL() const { return AL + CWL; }  // write latency
    uint32_t burst_cycles() const { return BL / 2; }  // double data rate
    uint32_t burst_bytes() const { return BL * bus_width_bits / 8; }  // 64 B for BL8 on 64 bits
    uint64_t rank_bytes() const { return uint64_t(banks) * rows * columns * (bus_width_bits / 8); }
    uint64_t capacity() const { return rank_bytes() * ranks; }
    double peak_bandwidth() const { return 2.0 * (bus_width_bits / 8) * 1e12 / double(tCK_ps); }  // B/s

    // nCK for a minimum given in ps (JESD79-3F: round up).
    uint64_t ck(uint64_t t_ps) const { return (t_ps + tCK_ps - 1) / tCK_ps; }
    // nCK for a minimum given as max(N nCK, T ps), the way JEDEC writes tRRD, tWTR, tRTP, tXP, tCKE.
    uint32_t ck_max(uint32_t n, uint64_t t_ps) const {
        uint64_t c = ck(t_ps);
        return uint32_t(c > n ? c : n);
    }
};

// The preset names and their timing; an unknown name is an InputError listing the known ones.
const std::vector<std::string>& ddr3_part_names();
Ddr3Timing ddr3_preset(const std::string& name);

// `memory.ddr3`: the part on the memory bus.
struct Ddr3Params {
    std::string part, die, additive_latency = "0";
    void visit(config::ParamVisitor& v) {
        v(config::ParamSpec::choice("part", "MT8KTF51264HZ-1G6", ddr3_part_names(),
                                    "the DDR3 module, by its preset name (timing and organisation from its datasheet)"),
          part);
        // Micron's DDR3L datasheet gives one IDD table per die revision; timing is the same.
        v(config::ParamSpec::choice("die", "E", {"E", "N", "P"},
                                    "MT41K512M8 die revision (the module part number's suffix letter, e.g. "
                                    "MT8KTF51264HZ-1G6P1: P): the IDD currents of the energy estimate"),
          die);
        // JESD79-3F MR1 A4:A3: posted CAS additive latency 0, CL - 1 or CL - 2; RL = AL + CL,
        // WL = AL + CWL, and a RD/WR may follow its ACT after tRCD - AL.
        v(config::ParamSpec::choice("additive_latency", "0", {"0", "CL-1", "CL-2"},
                                    "posted CAS additive latency AL (MR1): RD/WR may go tRCD - AL after the ACT, "
                                    "the device holds them AL clocks"),
          additive_latency);
    }
};

// The preset PARAMS names with its die revision's currents.
Ddr3Timing ddr3_part(const Ddr3Params& params);

}  // namespace memsim::dram
