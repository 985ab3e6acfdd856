#pragma once
// The DDR3 core energy estimate of Micron TN-41-01 ("Calculating Memory System Power for DDR3"),
// the method DRAMPower and DRAMSim3 follow, from the part's IDD currents (ddr3_timing.h), per rank
// of devices_per_rank devices:
//   ACT (with its PRE)  VDD x (IDD0 x tRC - (IDD3N x tRAS + IDD2N x (tRC - tRAS))) x tCK
//   RD / WR burst       VDD x (IDD4R|IDD4W - IDD3N) x BL/2 x tCK
//   REF                 VDD x (IDD5B - IDD3N) x tRFC x tCK
//   background, each clock by the rank's state: active standby IDD3N (a bank open), precharge
//   standby IDD2N, active power-down IDD3P, precharge power-down IDD2P1 (fast exit, DLL on) or
//   IDD2P0 (slow exit, DLL frozen), self-refresh IDD6 (no REF is issued meanwhile).
// mA x V x ns = pJ. Left out: I/O and termination (VDDQ, ODT), the DLL and temperature beyond the
// datasheet's conditions, ZQ calibration, and the IDD values' spread (they are datasheet maxima).
//
// The controller reports each command and state change as it issues it, at the command's clock:
// a bank's close may lie ahead (an auto-precharge starts when tRAS and tRTP/tWR allow), and
// through Port::access an ACT or PRE may be placed in a free slot behind commands already
// reported (controller.h, "backfill"). The background is kept per rank as the clocks in each
// state up to `settle`d time, the changes after it waiting in clock order.
#include <cstdint>
#include <deque>
#include <vector>

#include "models/dram/ddr3_timing.h"

namespace memsim::dram {

class EnergyBook {
public:
    // SLOW_EXIT: precharge power-down freezes the DLL (IDD2P0) rather than keeping it on (IDD2P1).
    EnergyBook(const Ddr3Timing& t, bool slow_exit);

    // A bank of RANK opens at CYCLE (ACT).
    void act(uint32_t rank, uint64_t cycle);
    // A bank of RANK stops being open at AT (a PRE, or an auto-precharge ahead).
    void close(uint32_t rank, uint64_t at);
    void column(bool write) { ++(write ? writes_ : reads_); }
    void refresh() { ++refreshes_; }
    // CKE state of RANK from CYCLE on.
    enum class Cke : uint8_t { High, PowerDown, SelfRefresh };
    void cke(uint32_t rank, uint64_t cycle, Cke state);
    // Counts the clocks before TO: no change is reported before TO afterwards (the caller's
    // promise; the changes are kept until then, in clock order).
    void settle(uint64_t to);

    // Energies in pJ; the background over [0, END) clocks.
    double act_pj() const { return double(acts_) * e_act_; }
    double read_pj() const { return double(reads_) * e_rd_; }
    double write_pj() const { return double(writes_) * e_wr_; }
    double refresh_pj() const { return double(refreshes_) * e_ref_; }
    double background_pj(uint64_t end) const;
    double total_pj(uint64_t end) const { return act_pj() + read_pj() + write_pj() + refresh_pj() + background_pj(end); }
    // Clocks spent in power-down over [0, END), summed over ranks.
    uint64_t power_down_cycles(uint64_t end) const;
    uint64_t self_refresh_cycles(uint64_t end) const;

    // Per-command and per-clock energies of one rank (pJ), for tests and the docs.
    double e_act() const { return e_act_; }
    double e_read() const { return e_rd_; }
    double e_write() const { return e_wr_; }
    double e_refresh() const { return e_ref_; }

private:
    struct Tally {
        uint64_t act_stb = 0, pre_stb = 0, act_pd = 0, pre_pd = 0, sr = 0;
    };
    // A change of a rank's state at a clock: a bank opens (+1) or closes (-1), or CKE changes.
    struct Change {
        uint64_t cycle;
        int8_t open;  // +1, -1, or 0 for a CKE change
        Cke cke;
    };
    struct RankBook {
        uint64_t since = 0;  // clocks before this are in `done`
        Cke cke = Cke::High;
        unsigned open = 0;            // banks open at `since`
        std::deque<Change> ahead;     // changes at or after `since`, by clock (equal clocks: as reported)
        Tally done;
    };
    void add(uint32_t rank, Change c);
    std::vector<RankBook> ranks_;
    double e_act_, e_rd_, e_wr_, e_ref_;
    double p_act_stb_, p_pre_stb_, p_act_pd_, p_pre_pd_, p_sr_;  // pJ per clock
    uint64_t acts_ = 0, reads_ = 0, writes_ = 0, refreshes_ = 0;

    // Brings R (or a copy) to clock TO: the stretches since R.since by state, changes on the way.
    static void advance(RankBook& r, uint64_t to);
    RankBook at_end(const RankBook& r, uint64_t end) const;
};

}  // namespace memsim::dram
