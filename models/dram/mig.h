#pragma once
// `memory.model: mig`: the Xilinx MIG 7-series DDR3 controller's scheduling rules, run by the same
// command engine as the generic controller (models/dram/controller.h). What is taken from MIG
// (UG586; the generated RTL: bank_queue.v, bank_state.v, rank_cntrl.v, col_mach.v, ui_*.v;
// /work/shared/reference/dram-and-mig.md):
//  - bank machines (2..8, default 4), one per accepted request, from acceptance to its column
//    command: a request is accepted (app_rdy) only while one is free; reads and writes share them.
//  - requests to one rank-bank are served in arrival order; across banks row commands reorder.
//  - a row stays open only while an accepted request hits it, else auto-precharge.
//  - ORDERING NORM: column commands reorder except writes among writes; STRICT: arrival order.
//  - the controller's timers count ui_clk cycles (nCK_PER_CLK = 4 or 2 memory clocks) and
//    commands sit in fixed slots of the ui_clk by CWL's parity (arb_row_col.v, 1T): CWL even,
//    column commands in slot 0 and ACT / REF / ZQCS in slot 1; CWL odd, the other way round; at
//    4:1 PRE in slot 2 (its own arbiter), at 2:1 in the row slot. The distances between commands
//    are the RTL timers' (mig.cpp, rtl_distances and act_to_column): ACT to column nRCD_CLKS
//    (bank_state.v), RD to PRE nRTP_CLKS + 1, WR to PRE nWTP_CLKS (bank_mach.v), PRE to the
//    bank's next ACT nRP_CLKS + 1, WR to RD of the rank CASWR2CASRD_CLKS, RD to WR of any rank
//    CASRD2CASWR_CLKS, ACT to ACT at least 2 ui_clk (rank_cntrl.v), five ACTs per nFAW_CLKS;
//    tRAS, tRFC, tZQCS in whole ui_clk. Column commands go to one rank at a time (arb_row_col.v
//    rnk_config): one to another rank waits for the switch, RNK2RNK_DLY_CLKS + 2 ui_clk after
//    the last column command and RNK2RNK_DLY_CLKS + 1 after it would have gone, and the
//    configured rank's go first unless they come after the switch started. A bank closes
//    when the RTL's explicit PRE would close it, or one ui_clk sooner when a request to another
//    row of the bank was accepted before the column command (the RTL's auto-precharge,
//    bank_queue.v auto_pre_r). The command trace shows RDA/WRA for every close after a column
//    command (the RTL sends RD/WR + PRE when nothing waited).
//  - among ready column commands, the bus direction of the last one first (col_mach.v), then age.
//  - read data returned in request order (the user interface's read buffer).
//  - MEM_ADDR_ORDER BANK_ROW_COLUMN or ROW_BANK_COLUMN, rank on top; app_addr counts 8-byte words,
//    so byte address = app_addr x 8 and a 64-byte burst advances app_addr by 8.
//  - one REF per refresh tick of the maintenance prescaler (mc.v REFRESH_TIMER_DIV: tREFI less what
//    the bank machines may hold, in 200 ns ticks; 7.6 us at DDR3-1600 with 4 bank machines), every
//    rank at that tick, one rank's maintenance at a time (the next after the last's tRFC), none
//    pulled in (nREFRESH_BANK = 1); ZQCS every 640,000 ticks (128 ms).
//  - periodic reads per rank: a timer of periodic_read_interval (tPRDI, 1 us = 5 ticks) that only
//    reads in consecutive read slots reload; when it runs out, two reads to that rank at the user
//    interface's last address (mig_periodic_reads).
//  - the user-interface, controller and PHY pipeline, in ui_clk cycles (mig.cpp's visit() cites
//    each default): a request accepted (app_en with app_rdy) has its bank machine's first
//    command leave the controller ui_cmd + bank_machine ui_clk later (idle_r, the row arbiter's
//    registered grant); every command reaches the DDR3 pins
//    cmd_pipe + phy_cmd ui_clk after the controller issues it (the command trace shows the issue
//    clock); read data is on app_rd_data (app_rd_data_valid) phy_read + ui_read ui_clk after the
//    ui_clk edge at or after its last beat on DQ.
// Not modelled: calibration, the write-data path (app_wdf_rdy), STARVE_LIMIT, app_ref_req /
// app_zq_req; the first column command after reset configuring rnk_config (rank 0 is taken as
// configured); the periodic pair's priority over requests the user interface holds (it waits
// until none is held) and its wait for idle bank machines; the few ui_clk the RTL takes to hand
// maintenance from one rank to the next.
#include <cstdint>
#include <string>

#include "sim/config/param.h"

namespace memsim::dram {

struct MigParams {
    std::string phy_ratio, ordering, mem_addr_order, command_trace;
    uint64_t bank_machines, periodic_read_ps, frontend_latency_ps;
    // Pipeline stages in ui_clk cycles (see visit() for the source of each default).
    uint64_t ui_cmd_latency = 2, bank_machine_latency = 2, cmd_pipe_latency = 1, phy_cmd_latency = 0,
             phy_read_latency = 0, ui_read_latency = 1;
    void visit(config::ParamVisitor& v);
};

}  // namespace memsim::dram
