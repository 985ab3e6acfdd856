#pragma once
// The `generic` DDR3 controller (memory.model: ddr3): the controller DRAMSim3, Ramulator and
// DRAMSys users compare with. Plain C++, no SystemC. The same engine runs the MIG 7-series rules
// (memory.model: mig), whose scheduling replaces steps 2 and the write queue below (mig.h).
//
// One command bus and one data bus per channel; per rank a tRRD/tFAW activate window, refresh and
// ZQ state; per bank its open row and the earliest cycle each command may next be issued, kept the
// way JESD79-3F states each constraint (a command pushes the earliest time of the commands that
// must wait for it). The scheduler picks at each command slot:
//   1. a rank's overdue maintenance (PREA then REF; ZQCS; queue: two_level closes the banks with
//      a PRE each, as DRAMSim3 does), which blocks that rank's requests, but for those whose row
//      was activated for them and whose column command can go by the PREA's time (no wasted ACT);
//   2. FR-FCFS: among the requests of the active queue whose next command is ready soonest, a
//      row hit (column command) first, then the oldest (ACT or PRE); a PRE that would close a row
//      that queued requests still hit waits, unless those hits are younger than the request that
//      needs the PRE and the row has served row_hit_cap hits since its ACT; after those, a younger
//      hit waits for every older request of the queue (starvation bound, Ramulator's FRFCFS_Cap).
//      FCFS: only the oldest request of the active queue is served. Either way a request whose
//      row was activated for it gets its column command before the row is closed, even when the
//      controller has switched between reads and writes since (Ramulator 2's active buffer,
//      DRAMSim3's per-bank command queues; gem5 issues ACT and burst together).
//   3. idle-rank maintenance (postponed refresh, pull-in).
//   4. power-down (power_down_idle > 0): a rank with nothing queued for power_down_idle clocks
//      since its last command enters power-down (PDE: precharge power-down if every bank is
//      closed, active power-down otherwise); a request or due maintenance wakes it (PDX), and its
//      next command waits tXP (fast exit, DLL on). JESD79-3F 4.20; refresh does not run in
//      power-down, so a due REF wakes the rank first.
//   5. self-refresh (self_refresh_idle > 0): a rank no request has used for self_refresh_idle
//      clocks closes its rows and enters self-refresh (SRE), refreshed by itself, so no REF falls
//      due; a request wakes it (SRX): tXS to any command, tXSDLL to a read. JESD79-3F 4.19: at
//      least one REF between SRX and the next SRE.
// Writes are posted: a write completes when accepted into the write queue and is written later,
// when the bus turns to writes by gem5 MemCtrl's rule (watermarks and at least 16 bursts a turn)
// or Ramulator's (write_drain). A read that hits a queued write is answered from the write queue.
// queue: two_level (two_level.cpp) replaces step 2 and the watermarks by DRAMSim3's structure: a
// read queue and a write buffer feeding per-bank command queues one transaction a clock, writes
// moved in drains, the bank queues served round-robin, each by its first ready command.
//
// Two ways to drive it:
//  - event-driven (standalone traces, all arrivals known): enqueue() requests as they arrive and
//    run_until() the next arrival; requests queued together are reordered for real.
//  - mem::Port::access (loosely timed, behind the caches): each request's completion is computed
//    when it arrives. The controller first issues what its queues hold up to the arrival (posted
//    writes, refresh), then runs until this request completes, so it has issued commands beyond
//    the arrival of the next request, which the core may have sent a clock later. That request's
//    PRE, ACT and RD are then backfilled (FR-FCFS shared / per_bank queues): each placed in the
//    first free command slot at or after its arrival that every constraint with the commands
//    already issued allows, before as well as after them (tRRD, tFAW, tCCD, the turnarounds and
//    the data bus, the bank's own timing, no refresh or CKE change of the rank in between, at
//    most kBackfillWindow clocks back), as the event-driven controller would have issued it into
//    that idle slot had it known the request; what cannot be placed goes after now_ as before.
//    So near-simultaneous misses to different banks overlap, and a later row hit reads before an
//    earlier conflict, as when queued together. What stays approximate: commands already issued
//    are not undone (the event-driven controller, knowing the later request, might have chosen
//    differently in those slots), and a write drain decided with no read queued stands. MIG,
//    queue: two_level and FCFS keep arrival order: their rules fix the order commands go in.
//    A request that waited for a queue slot holds the port: later ones arrive no sooner.
#include <cstdint>
#include <deque>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "models/dram/address_map.h"
#include "models/dram/command.h"
#include "models/dram/ddr3_timing.h"
#include "models/dram/energy.h"
#include "models/dram/mig.h"
#include "models/interconnect/port.h"
#include "sim/config/param.h"
#include "sim/stats/stats.h"

namespace memsim::dram {

struct GenericControllerParams {
    std::string scheduler, page_policy, queue, address_mapping, command_trace;
    std::string write_drain = "gem5";  // gem5 | ramulator: which simulator's turnaround rule
    uint64_t min_writes_per_switch = 16, min_reads_per_switch = 16;  // write_drain: gem5
    uint64_t queue_depth, write_queue_depth, row_hit_cap, refresh_postpone, refresh_pull_in;
    std::string refresh_ranks = "staggered";  // staggered | simultaneous: when each rank's REFs fall due
    uint64_t command_queue_depth = 8;  // queue: two_level, per bank
    uint64_t power_down_idle = 0;  // nCK; 0: never
    uint64_t self_refresh_idle = 0;  // nCK; 0: never
    std::string power_down_exit = "fast";  // fast: DLL on (tXP); slow: DLL frozen in precharge power-down (tXPDLL to a read)
    double write_high_watermark, write_low_watermark;
    uint64_t frontend_latency_ps;

    void visit(config::ParamVisitor& v);
};

// Port::access: the last request that waited for a queue slot arrived at `from` (nCK) and was
// accepted at `until`; later arrivals are taken no sooner. One per memory port: the channels of a
// memory share theirs (Channels), as requests reach them through one target socket.
struct PortHold {
    uint64_t from = 0, until = 0;
};

// Which of memory.channels' channels a controller serves (models/dram/channels.h). With more than
// one, its statistics are dram.chN.* and its command trace FILE.chN.
struct ChannelSlot {
    uint32_t index = 0, count = 1;
    std::string stats_prefix() const { return count > 1 ? "dram.ch" + std::to_string(index) + "." : "dram."; }
};

class Controller final : public mem::Port {
public:
    // TIMED false: functional mode, access() only counts.
    Controller(const Ddr3Timing& t, const GenericControllerParams& p, stats::Registry& r, bool timed = true,
               ChannelSlot ch = {})
        : Controller(t, p, r, timed, false, ch) {}
    // The MIG 7-series rules (models/dram/mig.h, memory.model: mig).
    Controller(const Ddr3Timing& t, const MigParams& m, stats::Registry& r, bool timed = true, ChannelSlot ch = {});
    ~Controller() override;

    // mem::Port, loosely timed: see the header comment. Requests are split into bursts (64 B).
    uint64_t access(const mem::Request& r, uint64_t issue_ps) override;

    // Event-driven use. Whether a request for ADDR fits its queue now.
    bool can_accept(uint64_t addr, bool write) const;
    // Queues one burst arriving at ARRIVAL_CYCLE (nCK). Precondition: can_accept.
    // A write is complete when accepted: ON_DONE is called at once for it.
    void enqueue(uint64_t id, uint64_t addr, bool write, uint64_t arrival_cycle);
    // Issues every command that can go on the bus before cycle LIMIT.
    void run_until(uint64_t limit);
    // Issues one command (or passes a refresh due time); false if nothing is queued or due.
    bool step(uint64_t limit);
    // Runs until every queue is empty.
    void drain();
    // Runs to cycle END and counts the time up to it in dram.cycles: the idle end of a run, with
    // its background energy and power-down (a DRAMSim3 run lasts its -c clocks whatever the trace).
    // Nothing arrives after: rows kept open for a later hit (Port::access, closed_adaptive) close.
    void idle_until(uint64_t end);
    bool idle() const { return queued_[0] == 0 && queued_[1] == 0; }
    // Reads still waiting for their RD (their completions are not known yet).
    bool reads_queued() const { return queued_[0] != 0; }
    uint64_t now() const { return now_; }  // the next free command-bus slot, in nCK
    // The clocks counted so far in dram.cycles (to the last command or data, or an idle end).
    uint64_t cycles() const { return stats_.cycles ? stats_.cycles->value() : 0; }
    // The last completion or last write data on the bus, in ps (what dram.bandwidth_bytes_per_s divides by).
    uint64_t end_ps() const { return end_ps_; }

    // Called when a request completes: (id, completion in ps).
    std::function<void(uint64_t, uint64_t)> on_done;
    // Port::access back-pressure shared with the other channels of one memory (PortHold).
    void share_port_hold(PortHold* hold) { hold_ = hold; }
    // Keep every issued command in memory (tests and the checker).
    void keep_commands(bool on) { keep_commands_ = on; }
    const std::vector<Command>& commands() const { return commands_; }
    // The timing the controller keeps: the part's, or for MIG the distances its RTL timers give (mig.cpp).
    const Ddr3Timing& timing() const { return t_; }
    const AddressMap& address_map() const { return map_; }
    const EnergyBook& energy() const { return *energy_; }

private:
    struct Bank {
        int64_t open_row = -1;
        uint64_t t_act = 0, t_col = 0, t_pre = 0;  // earliest ACT, RD/WR, PRE
        uint32_t hits_since_act = 0;
        // The request the open row was activated for (its direction and arrival order; act_dir -1:
        // none, or already served): it is served before the row closes, whatever the write mode.
        int act_dir = -1;
        uint64_t act_seq = 0;
        // Port::access only: an auto-precharge decided "nothing queued hits" at column command
        // PROVISIONAL (its index among the commands) at cycle PROV_CYCLE, kept open until a
        // later arrival shows whether a request accepted by then hits the row. PROV_PRE: when
        // its auto-precharge starts if so (the bank's t_pre may move later meanwhile: a PDX's tXP).
        int64_t provisional = -1;
        uint64_t prov_cycle = 0, prov_pre = 0;
        uint64_t last_cmd = 0;  // the latest ACT, PRE or column command (a backfill may go behind it)
    };
    struct Rank {
        uint64_t t_act = 0;   // tRRD
        uint64_t faw[4] = {};  // the last four ACTs, for tFAW
        unsigned faw_next = 0;
        uint64_t acts = 0;
        uint64_t t_rd = 0, t_wr = 0;  // column-to-column constraints (tCCD, turnaround, tWTR)
        int64_t refresh_owed = 0;     // due minus issued; negative when pulled in
        uint64_t next_refresh = 0, next_zq = 0, last_ref = 0;
        bool zq_owed = false;
        unsigned open_banks = 0;
        uint64_t queued = 0, queued_writes = 0;
        // Power-down: whether CKE is low, the earliest PDE (tCKE after PDX, tRDPDEN / tWRPDEN
        // after a column command) and PDX (tCKE after PDE), the last command to the rank.
        bool pd = false, pd_precharged = false;  // precharged: every bank closed at entry
        uint64_t pde_at = 0, t_pde = 0, t_pdx = 0, last_cmd = 0;
        // Self-refresh: whether in it, the earliest SRX (tCKESR), the last command a request
        // needed (ACT, PRE, RD, WR), a REF since the last SRX.
        bool sr = false, ref_since_srx = true;
        uint64_t t_srx = 0, last_req = 0;
        // Port::access backfill: no command may be placed before this clock (the last REF, PREA,
        // ZQCS or CKE change + 1), and the ACTs of the last kBackfillWindow + tFAW clocks, ascending.
        uint64_t no_backfill_before = 0;
        uint64_t no_backfill_read_before = 0;  // a RD after SRX (tXSDLL) or slow-exit PDX (tXPDLL)
        std::deque<uint64_t> recent_acts;
        // MIG: when the rank's periodic-read timer asks for a pair (UINT64_MAX: stopped), the
        // ui_clk of its last RD.
        uint64_t prd_due = UINT64_MAX;
        int64_t last_rd_ui = -8;
    };
    struct Entry {
        uint64_t id, addr;
        DramAddress a;
        uint32_t bi;  // bank_index(rank, bank)
        bool write;
        uint64_t arrival;  // nCK
        uint64_t ready;    // nCK: the first command may go (MIG: after the UI/controller/PHY pipeline)
        bool claimed = true;  // MIG: holds a bank machine (else it waits in the UI's pipeline)
        uint64_t seq;      // arrival order across banks
        bool needed_act = false, needed_pre = false;
    };
    // A bank's requests in arrival order, per direction, and its next commands (cached until the
    // bank or its queue changes): the oldest row hit, and the oldest other request with whether
    // FR-FCFS holds its PRE back.
    struct BankQueue {
        std::vector<Entry> q[2];  // [0] reads, [1] writes
        bool dirty[2] = {true, true};
        int hit[2] = {-1, -1}, other[2] = {-1, -1};
        bool hold[2] = {false, false};
        // queue: two_level (two_level.cpp): the earliest arrival-side readiness (Entry::ready) of
        // the commands the bank's open row allows: any ACT, a RD / WR hit per direction, the
        // head's PRE; UINT64_MAX: none. The timing side is read live at each decision.
        bool tl_dirty = true;
        uint64_t tl_act = UINT64_MAX, tl_col[2] = {UINT64_MAX, UINT64_MAX}, tl_pre = UINT64_MAX;
    };
    struct Choice {
        uint64_t cycle = UINT64_MAX;
        int cls = 9;  // 0 maintenance and PDX, 1 column, 2 row, 3 idle maintenance, 4 PDE
        Cmd cmd = Cmd::ACT;
        uint32_t rank = 0, bank = 0;
        int entry = -1;  // in the bank's queue of direction dir
        int dir = 0;     // 0 read, 1 write
        uint64_t seq = UINT64_MAX;
    };

    Controller(const Ddr3Timing& t, const GenericControllerParams& p, stats::Registry& r, bool timed, bool mig,
               ChannelSlot ch);

    Ddr3Timing t_;
    GenericControllerParams p_;
    // MIG mode (mig.cpp): ui_clk ratio (0: the generic controller), ordering, periodic reads,
    // reads returned in request order.
    uint32_t mig_ratio_ = 0;
    bool mig_strict_ = false, last_column_write_ = false;
    uint64_t last_return_ps_ = 0;
    // MIG periodic reads (mig.cpp mig_periodic_reads): the maintenance prescaler's tick in nCK, the
    // periodic-read timer in ticks (0: off), the ranks asking for their pair, the user interface's
    // last address (the pair reads its bank, row and column).
    uint64_t mig_prescaler_ck_ = 0, mig_prd_ticks_ = 0, mig_ui_addr_ = 0;
    std::deque<uint32_t> prd_waiting_;
    unsigned prd_in_flight_ = 0;  // reads of the pair granted last, not yet done
    // MIG: no rank's maintenance (PREA, REF, ZQCS) before the last one's tRFC / tZQCS is over
    // (rank_common.v maint_wip_r); 0 for the generic controller.
    uint64_t mig_maint_free_ = 0;
    // The MIG pipeline in nCK: acceptance to the command bus, last data beat to app_rd_data_valid.
    uint64_t mig_in_ck_ = 0, mig_out_ck_ = 0;
    // MIG: the slot of the ui_clk each kind of command goes in (arb_row_col.v, by CWL's parity).
    uint32_t mig_col_slot_ = 0, mig_row_slot_ = 0, mig_pre_slot_ = 0;
    // MIG (mig.cpp rtl_distances): RD to a WR of any rank (rank_cntrl.v CASRD2CASWR; 0: the generic
    // controller, JEDEC's alone); the rank column commands are configured for (arb_row_col.v
    // rnk_config; rank 0 from the start), the last column command's cycle, and what a switch adds.
    uint64_t mig_rd_to_wr_ = 0, mig_rank_switch_ = 0, mig_last_col_ = 0;
    uint32_t mig_rank_config_ = 0;
    // MIG: accepted requests beyond the bank machines wait in the UI's pipeline registers
    // (ui_cmd.v), oldest first, and claim a bank machine when one frees (bank_common.v).
    uint64_t mig_ui_slots_ = 0, mig_claimed_ = 0, mig_claim_ck_ = 0;
    struct Waiting {
        uint32_t bi;
        int dir;
        uint64_t seq;
    };
    std::deque<Waiting> mig_unclaimed_;
    void mig_claim(uint64_t now);
    // MIG: the RTL auto-precharges only when a request to another row of the bank was accepted
    // before the column command (bank_queue.v auto_pre_r), and its next ACT may then go one ui_clk
    // before the explicit PRE's timing the engine keeps (mig.cpp). The column command choose_mig
    // chose last (seq UINT64_MAX: none), seen issued at the next decision; per bank, the t_act such
    // an auto-precharge left (UINT64_MAX: none); bank_machine_latency in nCK.
    struct MigChosen {
        uint32_t bi = 0;
        int dir = 0;
        uint64_t seq = UINT64_MAX, cycle = 0;
        uint64_t accepted_before = 0;  // requests with a smaller seq were accepted before the choice
    } mig_chosen_;
    std::vector<uint64_t> mig_ap_act_;
    uint64_t mig_bm_ck_ = 0;
    void mig_note_auto_precharge();
    // Raises the periodic-read requests due by now_ and inserts the pairs asked for; DUE: the next
    // request's clock.
    void mig_periodic_reads(uint64_t& due);
    // A RD to RANK at NOW: two in consecutive read slots reload the rank's periodic-read timer.
    void mig_note_read(uint32_t rank, uint64_t now);
    struct PendingRead {
        uint64_t seq, id, arrival, done_ps;  // done_ps UINT64_MAX until its data is back
    };
    std::deque<PendingRead> read_order_;
    static constexpr uint64_t kPeriodicId = UINT64_MAX - 1;
    AddressMap map_;
    bool timed_, frfcfs_, per_bank_queue_;
    // queue: two_level (two_level.cpp), DRAMSim3's controller: a read transaction queue and a write
    // buffer in front of the per-bank command queues (queues_, reads and writes mixed in the
    // order they were moved in, by seq).
    bool two_level_ = false;
    // The read queue [0] and the write buffer [1], kept per bank in arrival order (seq): the oldest
    // transaction that may move is the oldest head among the banks with room, and a pending line
    // is looked for in its own bank only.
    std::vector<std::deque<Entry>> waiting_[2];
    size_t waiting_n_[2] = {0, 0};
    // No bank with a transaction waiting in waiting_[d] has room in its command queue: nothing
    // of direction d can move until a transaction arrives or a column command leaves a queue.
    bool move_stuck_[2] = {false, false};
    // Per bank: reads merged into a pending read of the same burst (DRAMSim3 pending_rd_q_),
    // answered with its data.
    std::vector<std::vector<Entry>> merged_reads_;
    stats::Counter* read_merges_ = nullptr;
    uint64_t write_draining_ = 0;  // writes still to move in this drain (DRAMSim3 write_draining_)
    bool drain_held_ = false;      // a drain stopped for a read the write waits on: a read moves first
    uint32_t rr_ = 0;              // the command queue that issued last (DRAMSim3 queue_idx_)
    uint64_t next_ready_ = UINT64_MAX;  // the earliest a command-queue command may go, if none now
    // Before this clock no command can go and no choice changes unless a transaction moves in
    // (two_level.cpp, Speed); 0: decide in full.
    uint64_t quiet_until_ = 0;
    bool flushing_ = false;        // drain(): the last writes (<= 8) are written too
    stats::Counter* write_drains_ = nullptr;
    void enqueue_two_level(Entry e);
    bool move_transaction(uint64_t clk);
    void choose_two_level(Choice& best);
    // A request of direction DIR for ADDR's burst waits in bank BI (transaction or command queue).
    bool two_level_pending(uint32_t bi, uint64_t addr, int dir) const;
    // A write to ADDR behind READS_BEFORE reads of bank BI's command queue waits for one of them.
    bool waits_for_read(uint32_t bi, uint64_t addr, size_t reads_before) const;
    // Completes the reads merged into E, whose data is back at DONE_CYCLE.
    void complete_merged(const Entry& e, uint64_t done_cycle);
    // Entry E's next command (J-th in bank BI's command queue, READS_BEFORE reads ahead of it) and
    // the earliest cycle it may go; cycle UINT64_MAX while a DRAMSim3 rule holds it whatever the time.
    Choice command_queue_cycle(uint32_t bi, const Entry& e, size_t j, size_t reads_before) const;
    // Fills bank BI's tl_* readiness from its command queue.
    void refresh_command_queue(uint32_t bi);
    enum class Page { Open, Closed, OpenAdaptive, ClosedAdaptive } page_;
    std::vector<Rank> ranks_;
    std::vector<Bank> banks_;     // rank-major
    std::vector<char> blocked_;   // per rank: overdue maintenance holds its requests
    std::vector<BankQueue> queues_;  // rank-major, as banks_
    uint64_t queued_[2] = {0, 0};     // reads, writes
    uint64_t next_seq_ = 0;
    bool write_mode_ = false;
    uint64_t now_ = 0;
    uint64_t tZQI_ck_;
    // Write drain (step): from write_high_ queued writes a drain is forced; write_low_ is where it
    // may stop (ramulator: at or below it with reads waiting; gem5: writes enter on an empty read
    // queue above it, and stop below it by min_writes_per_switch). gem5 counts the bursts of the
    // current direction to hold each turn for min_*_per_switch.
    bool gem5_drain_ = false;
    uint64_t write_high_, write_low_;
    uint64_t reads_this_time_ = 0, writes_this_time_ = 0;
    uint64_t full_write_queues_ = 0;  // queue: per_bank: banks whose write queue is full
    uint64_t last_data_end_ = 0;
    uint64_t next_id_ = 0;
    // The LT caller waiting for one read.
    uint64_t waiting_id_ = UINT64_MAX, waiting_done_ps_ = 0;
    // Port::access: the last reads' arrivals and column commands (nCK), when they entered and
    // left the read queue. Each call runs its read past its column command, so the queue is empty
    // at the next arrival; the occupancy statistic counts the reads queued then from these instead.
    struct LtRead {
        uint64_t arrival, column;
    };
    uint64_t waiting_col_ = 0;  // the column command of the read access() waits for
    std::deque<LtRead> lt_reads_;
    static constexpr size_t kLtReads = 64;
    bool waiting_done_ = false;
    bool keep_commands_ = false;
    std::vector<Command> commands_;
    bool slow_exit_ = false;
    std::unique_ptr<std::ofstream> trace_out_;
    // Commands not yet written to trace_out_ (one may still turn RD into RDA), from index out_base_.
    std::deque<Command> out_buf_;
    uint64_t out_base_ = 0, cmd_count_ = 0;
    bool lt_ = false;          // driven through Port::access
    uint64_t lt_start_ = 0;    // no backfill before (a window after an event-driven start)
    PortHold own_hold_;
    PortHold* hold_ = &own_hold_;
    // Port::access: how far back a later arrival's PRE / ACT may be placed (header comment), and
    // which command slots of the last kSlotRing clocks are taken (cycle + 1, 0: none).
    static constexpr uint64_t kBackfillWindow = 128, kSlotRing = 256;
    bool backfill_ = false;    // FR-FCFS with queue: shared or per_bank
    std::vector<uint64_t> slot_used_;
    uint64_t backfill_floor() const { return now_ > kBackfillWindow ? now_ - kBackfillWindow : 0; }
    bool slot_taken(uint64_t cycle) const { return slot_used_[cycle % kSlotRing] == cycle + 1; }
    // Whether an ACT at CYCLE keeps tRRD and tFAW with the rank's ACTs before and after it.
    bool act_fits(const Rank& r, uint64_t cycle) const;
    // The column commands of the last kBackfillWindow clocks, ascending (backfill only).
    struct ColumnRec {
        uint64_t cycle;
        uint32_t rank;
        bool write;
        uint64_t addr, arrival;  // the request's burst and when it arrived
    };
    std::deque<ColumnRec> recent_cols_;
    // Whether a RD to RANK at CYCLE keeps tCCD, the turnarounds and the data bus with the column
    // commands before and after it.
    bool read_fits(uint32_t rank, uint64_t cycle) const;
    // The WR of a write to ADDR's burst that arrived by ARRIVAL and was issued at or after it:
    // a read arriving then would have been answered from the write queue. UINT64_MAX: none (or
    // issued more than 2 x kBackfillWindow clocks before now_: no longer kept).
    uint64_t queued_write_issued_since(uint64_t addr, uint64_t arrival) const;
    void update_write_mode();  // the write drain rule (write_drain), before each decision
    // Rank R has nothing the bus would serve now, so it may power down or self-refresh: nothing
    // queued, or with gem5's turnaround only writes while the bus is on reads (gem5
    // DRAMInterface::Rank::isQueueEmpty counts the current direction), so the writes gem5's rule
    // leaves below its low threshold do not keep a rank awake; a turn to writes wakes it.
    bool rank_idle(const Rank& r) const {
        return r.queued == 0 || (gem5_drain_ && !write_mode_ && r.queued == r.queued_writes);
    }
    // Places the PRE, ACT and RD of the one read queued in bank BI, arrived at ARRIVAL before
    // now_, as far as free slots allow.
    void backfill(uint32_t bi, uint64_t arrival);
    // Keeps rank R's tFAW window (the last four ACTs) and, for backfill, its recent ACTs.
    void note_act(Rank& r, uint64_t cycle);
    unsigned provisionals_ = 0;
    std::shared_ptr<EnergyBook> energy_;  // shared with the energy formulas, which outlive the controller
    struct Stats {
        stats::Counter &reads, &writes, &bytes_read, &bytes_written, &row_hits, &row_misses, &row_conflicts,
            &refreshes, &activates, &precharges, &zqcs, &write_forwards, &data_bus_cycles;
        stats::Counter *end_ps = nullptr, *cycles = nullptr;  // timed only
        stats::Counter* periodic_reads = nullptr;             // MIG only
        stats::Counter* power_down_entries = nullptr;         // timed only
        stats::Counter* self_refresh_entries = nullptr;       // timed only
        stats::Counter* backfilled = nullptr;                 // timed only
        stats::Distribution *read_latency_ns = nullptr, *read_latency_cycles = nullptr, *read_queue = nullptr,
                            *write_queue = nullptr;
        std::vector<stats::Counter*> bank_reads, bank_writes, bank_activates;
        Stats(stats::Registry& r, const std::string& prefix, const Ddr3Timing& t, bool timed);
    } stats_;
    uint64_t end_ps_ = 0;  // last completion, for the bandwidth formula

    void update_due(Rank& r);
    bool urgent(const Rank& r) const;
    bool refresh_near_limit(const Rank& r) const;
    uint32_t bank_index(uint32_t rank, uint32_t bank) const { return rank * t_.banks + bank; }
    void refresh_candidates(BankQueue& bq, int dir, const Bank& b);
    // OLDEST: oldest_seq(DIR), or kUnknownSeq until a row past row_hit_cap needs it.
    void consider_bank(Choice& best, uint32_t bi, int dir, uint64_t& oldest);
    static constexpr uint64_t kUnknownSeq = UINT64_MAX;
    // The arrival sequence number of the oldest request of DIR on a rank that may take it.
    uint64_t oldest_seq(int dir) const;
    // The earliest cycle an ACT may go to bank B of rank R for a request there at AT (tRC/tRP via
    // B, tRRD, and tFAW: the fourth-last ACT of the rank).
    uint64_t act_ready(const Bank& b, const Rank& r, uint64_t at) const {
        uint64_t faw = r.acts >= 4 ? r.faw[r.faw_next] + t_.tFAW : 0;  // the 4th-last ACT
        return std::max(std::max(at, b.t_act), std::max(r.t_act, faw));
    }
    // The next command of request E (the head of bank BI's queue of direction DIR) and the
    // earliest cycle the timing allows it: RD/WR on its open row, else ACT, else PRE.
    Choice head_command(const Entry& e, uint32_t bi, int dir) const;
    void choose_fcfs(Choice& best, int dir);
    // The index, in the queue of the direction other than DIR, of the request bank BI's open row
    // was activated for and that is still waiting for its column command; -1 if none.
    int opened_for_other(uint32_t bi, int dir) const;
    void consider_opened(Choice& best, uint32_t bi, int dir);
    // The earliest clock E's column command may go, its row being open in bank B.
    uint64_t column_ready(const Entry& e, const Bank& b) const;
    void choose_mig(Choice& best);
    // MIG: the first cycle at or after AT in CMD's command slot of the ui_clk (mig.h); else AT.
    uint64_t slot(uint64_t at, Cmd cmd) const;
    void release_reads();
    static bool better(uint64_t at, int cls, uint64_t seq, const Choice& best);
    void touch(uint32_t bi) { queues_[bi].dirty[0] = queues_[bi].dirty[1] = queues_[bi].tl_dirty = true; }
    void choose_maintenance(Choice& best, uint32_t r, bool urgent);
    // PDE, or PDX not before NOT_BEFORE.
    void choose_power_down(Choice& best, uint32_t r, uint64_t not_before = 0);
    // SRX, or the way into self-refresh: PREA, then SRE.
    void choose_self_refresh(Choice& best, uint32_t r);
    void issue_cke(const Choice& c);
    // After a power-down or self-refresh exit: no ACT, column command or PRE of RANK before READY.
    void hold_rank(uint32_t rank, uint64_t ready);
    void choose_request(Choice& best);
    void issue(const Choice& c);
    void record(uint64_t cycle, Cmd cmd, uint32_t rank, uint32_t bank, uint32_t row, uint32_t col);
    bool queued_hit(uint32_t bi, uint32_t row) const;
    bool queued_conflict(uint32_t bi, uint32_t row) const;
    void complete(const Entry& e, uint64_t done_cycle);
    void count(uint64_t bytes, bool write);
    void note_end(uint64_t ps);
    void settle_provisional(uint64_t arrival, uint64_t addr);
    void end_provisional(Bank& b);
    void flush_trace();
};

}  // namespace memsim::dram
