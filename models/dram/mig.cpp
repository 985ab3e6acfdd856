// The MIG 7-series rules of models/dram/mig.h, as a mode of the command engine.
#include "models/dram/mig.h"

#include <algorithm>

#include "models/dram/controller.h"
#include "sim/config/schema.h"

namespace memsim::dram {

void MigParams::visit(config::ParamVisitor& v) {
    using config::ParamSpec;
    v(ParamSpec::choice("phy_ratio", "4:1", {"4:1", "2:1"},
                        "PHY to controller clock ratio: memory clocks per ui_clk (UG586 'nCK_PER_CLK')"),
      phy_ratio);
    v(ParamSpec::count("bank_machines", "4", "machines", "bank machines: requests accepted at once (nBANK_MACHS)")
          .range(2, 8),
      bank_machines);
    v(ParamSpec::choice("ordering", "NORM", {"NORM", "STRICT"},
                        "NORM: column commands reorder except writes among writes; STRICT: arrival order"),
      ordering);
    v(ParamSpec::choice("mem_addr_order", "BANK_ROW_COLUMN", {"BANK_ROW_COLUMN", "ROW_BANK_COLUMN"},
                        "how app_addr is sliced, rank on top (UG586 MEM_ADDR_ORDER)"),
      mem_addr_order);
    v(ParamSpec::time("periodic_read_interval", "1us",
                      "tPRDI: a rank's periodic-read timer, in 200 ns maintenance ticks (rounded down); a pair of "
                      "reads is inserted when it runs out (reloaded by reads in consecutive read slots); 0: off")
          .range(0, 1e12),
      periodic_read_ps);
    // The pipeline between app_en/app_rdy and the DDR3 pins and back, in ui_clk cycles, counted in
    // the generated RTL (mig_7series v1_8; UG586 and the Xilinx answer records publish no figure:
    // AR# 45644 says to measure read latency in simulation with the target traffic).
    // ui_cmd.v: app_en/app_addr are registered twice (app_en_r1, app_en_r2) before use_addr
    // offers the request to the bank machines.
    v(ParamSpec::count("ui_cmd_latency", "2", "ui_clk",
                       "app_en accepted to the request reaching a bank machine (ui_cmd.v: app_en_r1, app_en_r2)")
          .range(0, 64),
      ui_cmd_latency);
    // bank_queue.v / bank_state.v: the accepting bank machine leaves idle_r one clock after
    // use_addr and only then requests its ACT (act_req needs ~idle_r, rts_row follows it); the
    // row arbiter registers its grant (arb_row_col.v: granted_row_r, round_robin_arb.v: grant_r),
    // so the ACT leaves the controller the clock after the request.
    v(ParamSpec::count("bank_machine_latency", "2", "ui_clk",
                       "use_addr to the bank machine's first command leaving the controller (bank_queue.v "
                       "idle_r, then arb_row_col.v's registered grant)")
          .range(0, 64),
      bank_machine_latency);
    // mc.v: CMD_PIPE_PLUS1 = "ON" (the generated designs' value) registers every command once more
    // on the MC/PHY interface. It and the PHY's command path delay the whole command stream, so
    // they are added to read completions; the command trace shows the controller's issue clock.
    v(ParamSpec::count("cmd_pipe_latency", "1", "ui_clk",
                       "the MC/PHY interface register (mc.v CMD_PIPE_PLUS1 = \"ON\")")
          .range(0, 64),
      cmd_pipe_latency);
    // The PHY's command path (PHY_CONTROL, OUT_FIFO, PHASER_OUT, OSERDESE2) is hard blocks that
    // Xilinx does not document for use outside MIG: no published latency, none countable in RTL.
    v(ParamSpec::count("phy_cmd_latency", "0", "ui_clk",
                       "MC/PHY interface to the command on the DDR3 pins (hard PHY blocks: not published; 0 = "
                       "not modelled)")
          .range(0, 64),
      phy_cmd_latency);
    // The read path ISERDESE2 -> IN_FIFO -> phy_rd_data is hard blocks too, and its offset is set
    // at calibration (ddr_calib_top.v: calib_rd_data_offset from the DQS-found stage), so it
    // depends on the board's flight times: not published.
    v(ParamSpec::count("phy_read_latency", "0", "ui_clk",
                       "last data beat on DQ to phy_rddata_valid (hard PHY blocks, set by calibration: not "
                       "published; 0 = not modelled)")
          .range(0, 64),
      phy_read_latency);
    // ui_rd_data.v: in NORM the read buffer registers app_rd_data_valid (one clock, bypass path
    // when the data is the next in order); in STRICT without ECC rd_data_en drives
    // app_rd_data_valid directly, so this applies to NORM only.
    v(ParamSpec::count("ui_read_latency", "1", "ui_clk",
                       "phy_rddata_valid to app_rd_data_valid in NORM ordering (ui_rd_data.v register; STRICT: "
                       "0)")
          .range(0, 64),
      ui_read_latency);
    v(ParamSpec::time("frontend_latency", "0ns", "a further fixed delay added to every completion")
          .range(0, 1e9),
      frontend_latency_ps);
    v(ParamSpec::string("command_trace", "", "file to write the DRAM command trace to; empty: none"), command_trace);
}

MEMSIM_REGISTER_PARAMS(MigParams, "memory.mig", "the MIG 7-series DDR3 controller (memory.model: mig)");

namespace {

// The generic engine's settings that MIG's rules amount to.
// CHANNELS > 1: one MIG per channel, each serving its own contiguous address range (MIG has no
// channel interleave; a design with two MIG cores gives each its own range in the address map),
// so Ch goes above the MIG's own order.
GenericControllerParams engine_params(const MigParams& m, uint32_t channels) {
    GenericControllerParams p;
    p.scheduler = "frfcfs";          // unused in MIG mode
    p.page_policy = "closed_adaptive";  // open only while an accepted request hits the row
    p.queue = "shared";
    p.address_mapping = m.mem_addr_order == "ROW_BANK_COLUMN" ? "RaRoBaCo" : "RaBaRoCo";
    p.address_mapping = channels > 1 ? "Ch" + p.address_mapping : p.address_mapping + "Ch";
    p.command_trace = m.command_trace;
    p.queue_depth = m.bank_machines;
    p.write_queue_depth = m.bank_machines;
    p.row_hit_cap = 1;
    // mc.v nREFRESH_BANK = 1 (rank_cntrl.v's default of 8 is overridden): the refresh bank holds one
    // REF, requested as soon as a refresh tick empties it, so none is postponed or pulled in.
    p.refresh_postpone = 0;
    p.refresh_pull_in = 0;
    p.write_high_watermark = 1;
    p.write_low_watermark = 0;
    p.frontend_latency_ps = m.frontend_latency_ps;
    p.power_down_idle = 0;
    p.power_down_exit = "fast";
    p.self_refresh_idle = 0;  // MIG 7 series keeps CKE high: no self-refresh (Xilinx AR# 34396, docs/dram.md)
    return p;
}

uint32_t round_up(uint32_t n, uint32_t k) { return (n + k - 1) / k * k; }

// The command slots of a ui_clk (arb_row_col.v, 1T addressing): with CWL even the column
// command goes in slot 0 and ACT, REF and ZQCS (the row slot) in slot 1; with CWL odd the row
// slot is 0 and the column slot 1. At 4:1 a PRE has its own arbiter and slot 2
// (pre_4_1_1T_arb); at 2:1 it shares the row slot. Slot 3 is unused in 1T.
struct Slots {
    uint32_t col, row, pre;
};
Slots command_slots(uint32_t k, uint32_t cwl) {
    const bool even = cwl % 2 == 0;
    Slots s{even ? 0u : 1u, even ? 1u : 0u, 0};
    s.pre = k == 4 ? 2 : s.row;
    return s;
}

// ACT to RD/WR of the same bank in nCK. bank_state.v counts tRCD in ui_clk as nRCD_CLKS (at
// 4:1: nRCD/4 + 1 with CWL even, (nRCD - 2)/4 + 1 with CWL odd; at 2:1: (nRCD + 2)/2 and
// nRCD/2), the column command leaving the controller nRCD_CLKS ui_clk after the ACT (its timer
// ends, col_wait_r, rts_col, the column arbiter's registered grant), in its own slot: so at
// CWL 8, 4:1, tRCD 11 the RD is ACT + 3 x 4 - 1 = 11 nCK, exactly tRCD.
uint32_t act_to_column(uint32_t nRCD, uint32_t k, uint32_t cwl) {
    const bool even = cwl % 2 == 0;
    uint32_t clks;
    if (k == 4) clks = even ? nRCD / 4 + 1 : (nRCD > 2 ? (nRCD - 2) / 4 + 1 : 1);
    else clks = even ? (nRCD + 2) / 2 : nRCD / 2;
    clks = std::max(clks, 1u);
    const Slots s = command_slots(k, cwl);
    return clks * k + s.col - s.row;
}

// The distances the generated RTL (mig_7series_v1_8, 1T) puts between two commands, in nCK on the
// DDR3 pins from the first command's slot to the second's. Each timer is loaded when its command
// leaves the controller (sending_col / sending_row / sending_pre, the arbiter's registered grant);
// the command it holds back raises its request the ui_clk the timer lets it and leaves the next.
// The engine adds the device's latencies to some (RD->PRE: AL + tRTP, WR->PRE: WL + BL/2 + tWR,
// WR->RD: WL + BL/2 + tWTR), so those are taken off again in in_ui_clk.
struct RtlDistances {
    uint32_t rd_to_pre, wr_to_pre, wr_to_rd, pre_to_act, act_to_act, faw, rd_to_wr, rank_switch;
};
RtlDistances rtl_distances(const Ddr3Timing& t, uint32_t k) {
    const Slots s = command_slots(k, t.CWL);
    auto clks = [k](uint32_t n) { return (n + k - 1) / k; };  // n/k + (n%k ? 1 : 0), as mc.v and rank_cntrl.v write it
    // mc.v: nRTP, nWTR, nRRD = max(4, cdiv(t, tCK)); nWR = cdiv(15000, tCK), 9 -> 10 and 11 -> 12
    // (MR0 has no write recovery of 9 or 11).
    const uint32_t nRTP = std::max(t.tRTP, 4u), nWTR = std::max(t.tWTR, 4u), nRRD = std::max(t.tRRD, 4u);
    const uint32_t nWR = t.tWR == 9 ? 10 : t.tWR == 11 ? 12 : t.tWR;
    const uint32_t bl2 = t.burst_cycles();
    // bank_state.v: nRTP_CLKS = nRTP/4 + 2 (4:1), nRTP/2 + 1 (2:1). rtp_timer is loaded at the column
    // command with nRTP_CLKS - 1, end_rtp (timer at 1) sets pre_wait_r the next clock, pre_request
    // raises rts_pre (4:1, its own arbiter) or rts_row (2:1), and the PRE leaves a clock later:
    // nRTP_CLKS + 1 ui_clk after the RD, in the PRE's slot.
    const uint32_t nRTP_CLKS = k == 4 ? nRTP / 4 + 2 : nRTP / 2 + 1;
    // bank_mach.v: nWTP = CWL + BL/2 + nWR, nWTP_CLKS = nWTP/4 + 2 (4:1), nWTP/2 + 1 (2:1).
    // bank_state.v reuses the RAS timer for it: loaded with nWTP_CLKS - 2 at the WR (unless tRAS still
    // holds longer), ras_timer_zero_r nWTP_CLKS - 1 clocks later, the PRE the clock after; the
    // rtp_timer runs for writes too.
    const uint32_t nWTP_CLKS = k == 4 ? (t.CWL + bl2 + nWR) / 4 + 2 : (t.CWL + bl2 + nWR) / 2 + 1;
    // rank_cntrl.v: CASWR2CASRD = CWL + BL/2 + nWTR in ui_clk rounded up; wtr_cnt is loaded with
    // CASWR2CASRD_CLKS - 1 at the WR and inhbt_rd falls with it, so the RD's rts_col rises
    // CASWR2CASRD_CLKS - 1 clocks after the WR and the RD leaves the clock after, in the same slot.
    const uint32_t wr_to_rd_clks = clks(t.CWL + bl2 + nWTR);
    // bank_state.v: nRP_CLKS = nRP in ui_clk rounded up; rp_timer is loaded with nRP_CLKS - 2 at the
    // PRE (start_pre), precharge_bm_end at 1, bm_end (bank_queue.v pre_bm_end_r) a clock later; the
    // next bank machine of the bank becomes head_r the clock after, raises rts_row, and its ACT
    // leaves the clock after that: nRP_CLKS + 1 ui_clk (3 when nRP_CLKS <= 2: precharge_bm_end is
    // then start_pre itself).
    const uint32_t nRP_CLKS = std::max(clks(t.tRP), 2u);
    // bank_state.v inhbt_act_rrd: no bank machine of the rank raises rts_row while another sends an
    // ACT, so ACTs are at least 2 ui_clk apart. rank_cntrl.v covers the rest of tRRD only when
    // nADD_RRD = nRRD - 2 x nCK_PER_CLK > 0: add_rrd counts nRRD_CLKS (nADD_RRD in ui_clk rounded
    // up) from the ACT and holds inhbt_act_faw_r (registered) until it runs out, so the next ACT
    // leaves nRRD_CLKS + 2 ui_clk after the first.
    const uint32_t add_rrd = nRRD > 2 * k ? clks(nRRD - 2 * k) : 0;
    // rank_cntrl.v: the SRL delays each ACT by nFAW_CLKS - 2 clocks (shift depth nFAW_CLKS - 3) before
    // faw_cnt forgets it; inhbt_act_faw_r is registered: the fifth ACT leaves nFAW_CLKS ui_clk after
    // the first, nFAW_CLKS = nFAW in ui_clk rounded up.
    // rank_cntrl.v rtw_timer: CASRD2CASWR = CL + BL/2 + DQRD2DQWR_DLY - CWL with mc.v's
    // DQRD2DQWR_DLY = 4 (JEDEC's minimum has 2), in ui_clk rounded up; rtw_cnt is loaded with
    // CASRD2CASWR_CLKS - 1 by any read on the column bus (col_rd_wr && |sending_col: every rank's
    // machine, read_this_rank is left unused) and inhbt_wr falls with it, so a WR to any rank leaves
    // CASRD2CASWR_CLKS ui_clk after the RD, in the same slot.
    const uint32_t rd_to_wr_clks = clks(t.CL + bl2 + 4 - t.CWL);
    // arb_row_col.v: column commands go only to the rank rnk_config holds (bank_state.v: rts_col needs
    // rnk_config_match). A bank machine of another rank, its column command otherwise ready
    // (col_wait_r), raises rtc; rnk_config_strobe fires in a ui_clk without column request
    // (~granted_col_ns: at the earliest the one the last column command leaves in), and its shift
    // register holds rnk_config_kill_rts_col for RNK2RNK_DLY_CLKS = 12 nCK in ui_clk rounded up; the
    // column request rises the ui_clk after and its command leaves the one after that. So a column
    // command to another rank leaves RNK2RNK_DLY_CLKS + 2 ui_clk after the last column command at
    // the earliest, and RNK2RNK_DLY_CLKS + 1 ui_clk after it would have left without the switch.
    const uint32_t rnk2rnk_clks = clks(12);
    return RtlDistances{
        k * (nRTP_CLKS + 1) + s.pre - s.col,
        k * std::max(nWTP_CLKS, nRTP_CLKS + 1) + s.pre - s.col,
        k * wr_to_rd_clks,
        k * (nRP_CLKS + 1) + s.row - s.pre,
        k * (2 + add_rrd),
        k * clks(t.tFAW),
        k * rd_to_wr_clks,
        k * (rnk2rnk_clks + 1),
    };
}

// The maintenance timers of mc.v and rank_common.v, counted in ticks of a prescaler of
// MAINT_PRESCALER_DIV = MAINT_PRESCALER_PERIOD (200 ns) / (tCK x nCK_PER_CLK) ui_clk, rounded down:
// a refresh tick every REFRESH_TIMER_DIV = (tREFI - (tRCD + (CL + 4) x tCK + tRP) x nBANK_MACHS) /
// 200 ns prescaler ticks (rounded down: "all transactions can complete before tREFI expires"),
// one for every rank at once; ZQCS every ZQ_TIMER_DIV = tZQI / 200 ns (128 ms). In nCK.
constexpr uint64_t kPrescalerPs = 200'000;  // mc.v MAINT_PRESCALER_PERIOD
uint64_t prescaler_ck(const Ddr3Timing& t, uint32_t k) { return kPrescalerPs / (t.tCK_ps * k) * k; }
struct MaintenanceTimers {
    uint64_t refresh, zq;
};
MaintenanceTimers maintenance_timers(const Ddr3Timing& t, uint32_t k, uint32_t bank_machines) {
    const uint64_t held = (t.tRCD_ps + (t.CL + 4) * t.tCK_ps + t.tRP_ps) * bank_machines;
    const uint64_t refresh_div = t.tREFI_ps > held ? (t.tREFI_ps - held) / kPrescalerPs : 0;
    return {std::max<uint64_t>(refresh_div, 1) * prescaler_ck(t, k), t.tZQI_ps / kPrescalerPs * prescaler_ck(t, k)};
}

// The controller's timers: the RTL's distances above written into the JEDEC fields the engine
// keeps, so that its bookkeeping (per bank t_pre / t_act, per rank t_rd / t_act / the four-ACT
// window) gives them exactly once the command-slot rounding (slot()) is applied. CL, CWL and AL are
// the device's and stay; tREFI and tZQI become the refresh and ZQ ticks of maintenance_timers
// (the checker still holds the trace to the part's own tREFI). tRCD is the slot-to-slot distance of
// act_to_column. tRAS in whole ui_clk gives the RTL's ACT to PRE with the slots (bank_mach.v
// nRAS_CLKS, the RAS timer loaded with nRAS_CLKS - 2 at the ACT: the PRE nRAS_CLKS ui_clk later,
// its slot after the ACT's). tRC has no timer of its own in the RTL (a bank's next ACT follows its
// PRE): kept in whole ui_clk, as the energy book's ACT figure uses it with tRAS. tCCD, tRFC,
// tZQCS, tRTRS: JEDEC's rounded up to whole ui_clk (not counted in the RTL here).
Ddr3Timing in_ui_clk(Ddr3Timing t, uint32_t k, uint32_t bank_machines) {
    const uint32_t rcd = act_to_column(t.tRCD, k, t.CWL);
    const RtlDistances d = rtl_distances(t, k);
    for (uint32_t* f : {&t.tRAS, &t.tRC, &t.tCCD, &t.tRFC, &t.tZQCS, &t.tRTRS}) *f = round_up(*f, k);
    // MIG runs the device with AL 0 (mc.v nAL); with an AL set, the engine's AL terms may exceed
    // the RTL's distance, and then they hold.
    auto less = [](uint32_t a, uint32_t b) { return a > b ? a - b : 0u; };
    const uint32_t wl_bl2 = t.WL() + t.burst_cycles();
    t.tRCD = rcd;
    t.tRTP = less(d.rd_to_pre, t.AL);
    t.tWR = less(d.wr_to_pre, wl_bl2);
    t.tWTR = less(d.wr_to_rd, wl_bl2);
    t.tRP = d.pre_to_act;
    t.tRRD = d.act_to_act;
    t.tFAW = d.faw;
    const MaintenanceTimers maint = maintenance_timers(t, k, bank_machines);
    t.tREFI = uint32_t(maint.refresh);
    t.tZQI_ps = maint.zq * t.tCK_ps;
    return t;
}

}  // namespace

Controller::Controller(const Ddr3Timing& t, const MigParams& m, stats::Registry& r, bool timed, ChannelSlot ch)
    : Controller(in_ui_clk(t, m.phy_ratio == "2:1" ? 2 : 4, m.bank_machines), engine_params(m, ch.count), r, timed,
                 true, ch) {
    mig_ratio_ = m.phy_ratio == "2:1" ? 2 : 4;
    gem5_drain_ = false;  // no write queue: bank machines take reads and writes alike
    const Slots slots = command_slots(mig_ratio_, t.CWL);
    mig_col_slot_ = slots.col;
    mig_row_slot_ = slots.row;
    mig_pre_slot_ = slots.pre;
    mig_strict_ = m.ordering == "STRICT";
    // rank_common.v: one refresh tick for every rank (the generic engine staggers them).
    for (auto& rank : ranks_) rank.next_refresh = t_.tREFI;
    const RtlDistances d = rtl_distances(t, mig_ratio_);
    mig_rd_to_wr_ = d.rd_to_wr;
    mig_rank_switch_ = d.rank_switch;
    // mc.v PERIODIC_RD_TIMER_DIV = tPRDI / MAINT_PRESCALER_PERIOD. When calibration completes each
    // rank asks for a pair (rank_cntrl.v sets the request during init); the model's clock 0 is
    // after it, its reads having reloaded the timers there.
    mig_prescaler_ck_ = prescaler_ck(t, mig_ratio_);
    mig_prd_ticks_ = m.periodic_read_ps / kPrescalerPs;
    if (mig_prd_ticks_)
        for (auto& rank : ranks_) rank.prd_due = mig_prd_ticks_ * mig_prescaler_ck_;
    // Before the controller decides: the UI and the bank machine; a bank machine is held from
    // acceptance (app_rdy counts them). After: the command stream's way to the pins, which delays
    // every command alike and so the data, then the read data's way back to app_rd_data.
    mig_in_ck_ = (m.ui_cmd_latency + m.bank_machine_latency) * mig_ratio_;
    // ui_cmd.v's registers (app_en_r1, app_en_r2) hold accepted requests while app_rdy is low;
    // a request there claims a bank machine when one frees: app_rdy_r rises the next ui_clk,
    // use_addr claims it (bank_common.v accept_req), then bank_machine_latency.
    mig_ui_slots_ = m.ui_cmd_latency;
    mig_claim_ck_ = (1 + m.bank_machine_latency) * mig_ratio_;
    mig_bm_ck_ = m.bank_machine_latency * mig_ratio_;
    mig_ap_act_.assign(banks_.size(), UINT64_MAX);
    mig_out_ck_ = (m.cmd_pipe_latency + m.phy_cmd_latency + m.phy_read_latency + (mig_strict_ ? 0 : m.ui_read_latency)) *
                  mig_ratio_;
    stats_.periodic_reads = &r.counter(ch.stats_prefix() + "mig.periodic_reads", "reads", "reads MIG inserted to keep the PHY tracking");
}

void Controller::mig_claim(uint64_t now) {
    while (mig_claimed_ < p_.queue_depth && !mig_unclaimed_.empty()) {
        Waiting w = mig_unclaimed_.front();
        mig_unclaimed_.pop_front();
        for (Entry& e : queues_[w.bi].q[w.dir])
            if (e.seq == w.seq) {
                uint64_t freed = (now + mig_ratio_ - 1) / mig_ratio_ * mig_ratio_;
                e.ready = std::max(e.ready, freed + mig_claim_ck_);
                e.claimed = true;
                ++mig_claimed_;
                touch(w.bi);
            }
    }
}

uint64_t Controller::slot(uint64_t at, Cmd cmd) const {
    if (!mig_ratio_) return at;
    uint32_t want = mig_row_slot_;  // ACT, REF, ZQCS
    if (cmd == Cmd::RD || cmd == Cmd::WR || cmd == Cmd::RDA || cmd == Cmd::WRA) want = mig_col_slot_;
    else if (cmd == Cmd::PRE || cmd == Cmd::PREA) want = mig_pre_slot_;
    const uint64_t base = at - at % mig_ratio_;
    return base + want >= at ? base + want : base + mig_ratio_ + want;
}

// Periodic reads (rank_cntrl.v, rank_common.v, bank_common.v, bank_compare.v). Each rank's timer is
// reloaded with PERIODIC_RD_TIMER_DIV when the rank reads in two consecutive read slots
// (int_read_this_rank: a column read this ui_clk and the last at 4:1, two ui_clk ago at 2:1; tCCD
// apart either way) and counts prescaler ticks down; the tick that finds it at one raises the
// rank's request, which such a pair of reads also clears. One request at a time is granted (round
// robin in the RTL, in order of asking here); its insertion stays up until a second acknowledge, so
// a request is two reads, to the rank asking at the bank, row and column on the user interface's
// address inputs, each taking a bank machine. Lone reads leave the timer running: a rank read only
// now and then still gets its pairs.
void Controller::mig_periodic_reads(uint64_t& due) {
    for (uint32_t i = 0; i < ranks_.size(); ++i) {
        Rank& r = ranks_[i];
        if (r.prd_due == UINT64_MAX) continue;
        if (now_ < r.prd_due) {
            due = std::min(due, r.prd_due);
            continue;
        }
        // The timer stops at zero until reloaded, and a reload withdraws the request: a rank asks
        // once at a time.
        r.prd_due = UINT64_MAX;
        prd_waiting_.push_back(i);
    }
    // One rank's pair at a time (rank_common.v grants one request, the next after the second
    // acknowledge); here the next once the last pair is read, so that two ranks' pairs do not
    // interleave (their reads would then not be consecutive, and no timer would reload). The RTL
    // inserts the pair ahead of requests the user interface holds for a bank machine; the model
    // waits until it holds none (bank queues and STRICT ordering go by arrival here), then lets
    // the pair take bank machines at once.
    if (!prd_waiting_.empty() && mig_unclaimed_.empty() && prd_in_flight_ == 0) {
        const uint32_t rank = prd_waiting_.front();
        prd_waiting_.pop_front();
        DramAddress a = map_.decode(mig_ui_addr_);
        a.rank = rank;
        const uint64_t addr = map_.encode(a);
        enqueue(kPeriodicId, addr, false, now_);
        enqueue(kPeriodicId, addr, false, now_);
        prd_in_flight_ = 2;
    }
}

void Controller::mig_note_read(uint32_t rank, uint64_t now) {
    Rank& r = ranks_[rank];
    const int64_t ui = int64_t(now / mig_ratio_);
    if (ui - r.last_rd_ui == (mig_ratio_ == 4 ? 1 : 2)) {
        // Reloaded: the next request comes on the PERIODIC_RD_TIMER_DIV-th tick after this clock.
        r.prd_due = (now / mig_prescaler_ck_ + mig_prd_ticks_) * mig_prescaler_ck_;
        auto asking = std::find(prd_waiting_.begin(), prd_waiting_.end(), rank);
        if (asking != prd_waiting_.end()) prd_waiting_.erase(asking);
    }
    r.last_rd_ui = ui;
}

// Whether the column command chosen at the last decision went, and if it closed its bank, whether
// the RTL would have auto-precharged: a request of the bank held a bank machine from an earlier
// ui_clk (accepted at use_addr = its readiness, at a ui_clk edge, - bank_machine_latency; bank_queue.v sets
// auto_pre_r at accept_req while allow_auto_pre, i.e. before sending_col). Then bank_state.v
// starts the rp timer at pre_wait_r (start_pre with auto_pre_r), one ui_clk before an explicit
// PRE could leave (rts_pre / rts_row, the registered grant): the bank's next ACT one ui_clk earlier.
void Controller::mig_note_auto_precharge() {
    MigChosen& m = mig_chosen_;
    if (m.seq == UINT64_MAX) return;
    const uint64_t seq = m.seq;
    m.seq = UINT64_MAX;
    for (const Entry& e : queues_[m.bi].q[m.dir])
        if (e.seq == seq) return;  // not issued (maintenance went first, or past run_until's limit)
    if (banks_[m.bi].open_row >= 0) return;  // kept open for a queued hit (or Port::access's provisional RD)
    const uint64_t ui = m.cycle - m.cycle % mig_ratio_;
    for (const auto& q : queues_[m.bi].q)
        for (const Entry& e : q)
            if (e.claimed && e.seq < m.accepted_before &&
                (e.ready + mig_ratio_ - 1) / mig_ratio_ * mig_ratio_ < ui + mig_bm_ck_) {
                mig_ap_act_[m.bi] = banks_[m.bi].t_act;
                return;
            }
}

void Controller::choose_mig(Choice& best) {
    mig_note_auto_precharge();
    uint64_t oldest = UINT64_MAX, oldest_write = UINT64_MAX;
    for (const auto& bq : queues_) {
        for (int d = 0; d < 2; ++d)
            if (!bq.q[d].empty()) oldest = std::min(oldest, bq.q[d].front().seq);
        if (!bq.q[1].empty()) oldest_write = std::min(oldest_write, bq.q[1].front().seq);
    }
    // Same bus direction as the last column command first (col_mach.v), then the oldest.
    auto consider = [this](Choice& into, const Choice& c) {
        bool turn = c.cls == 1 && last_column_write_ != (c.dir == 1);
        bool into_turn = into.cls == 1 && last_column_write_ != (into.dir == 1);
        if (c.cycle < into.cycle ||
            (c.cycle == into.cycle &&
             (c.cls < into.cls ||
              (c.cls == into.cls && (turn < into_turn || (turn == into_turn && c.seq < into.seq))))))
            into = c;
    };
    // The column commands of the rank rnk_config holds (arb_row_col.v), apart while a switch to
    // another rank may start first (at switch_start, UINT64_MAX: none waits).
    Choice configured;
    uint64_t switch_start = UINT64_MAX;
    for (uint32_t bi = 0; bi < queues_.size(); ++bi) {
        const BankQueue& bq = queues_[bi];
        if (blocked_[bi / t_.banks]) continue;
        // A rank-bank serves its requests in arrival order (bank_queue.v).
        int dir;
        if (bq.q[0].empty() && bq.q[1].empty()) continue;
        if (bq.q[0].empty()) dir = 1;
        else if (bq.q[1].empty()) dir = 0;
        else dir = bq.q[1].front().seq < bq.q[0].front().seq;
        const Entry& e = bq.q[dir].front();
        if (!e.claimed) continue;  // still in the UI's pipeline
        Choice c = head_command(e, bi, dir);
        if (c.cmd == Cmd::ACT && mig_ap_act_[bi] == banks_[bi].t_act) {
            // The RTL's auto-precharge (mig_note_auto_precharge); an ACT or REF since moved t_act on.
            Bank early = banks_[bi];
            early.t_act -= mig_ratio_;
            c.cycle = act_ready(early, ranks_[e.a.rank], std::max(now_, e.ready));
        }
        // NORM keeps writes in order; STRICT keeps every column command in order.
        if (c.cls == 1 && (mig_strict_ ? e.seq != oldest : (e.write && e.seq != oldest_write))) continue;
        c.cycle = slot(c.cycle, c.cmd);
        if (c.cls == 1 && c.rank != mig_rank_config_) {
            // The rank switch (mig.cpp rtl_distances): it starts the ui_clk after the last column
            // command at the earliest, and once the command would otherwise be ready (rtc needs
            // col_wait_r, not the rank's timers).
            const uint64_t start =
                std::max(mig_last_col_ + mig_ratio_, slot(std::max(e.ready, banks_[bi].t_col), c.cmd));
            c.cycle = std::max(c.cycle, start + mig_rank_switch_);
            switch_start = std::min(switch_start, start);
        }
        consider(c.cls == 1 && c.rank == mig_rank_config_ ? configured : best, c);
    }
    // The configured rank's column commands go first only if one requests before the switch
    // starts (rnk_config_strobe needs a ui_clk without column request); once started, they wait.
    if (configured.cycle <= switch_start) consider(best, configured);
    if (best.cls == 1 && best.entry >= 0)
        mig_chosen_ = MigChosen{bank_index(best.rank, best.bank), best.dir, best.seq, best.cycle, next_seq_};
}

}  // namespace memsim::dram
