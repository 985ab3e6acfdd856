// queue: two_level, DRAMSim3's controller structure (umd-memsys/DRAMSim3 src/controller.cc,
// src/command_queue.cc): a read transaction queue (queue_depth) and a write buffer
// (write_queue_depth) in front of per-bank command queues (command_queue_depth). Each clock the
// controller issues at most one command from the command queues, then moves at most one
// transaction into its bank's command queue (Controller::ClockTick, ScheduleTransaction). Every
// command still goes through Controller::issue, the same timing engine as queue: shared.
//
// Speed: DRAMSim3 looks at every queue every clock. Here a clock in which no command can go and
// a transaction moves costs only the move: the last full decision knew when the next command,
// refresh or power-down change could come at the earliest (quiet_until_), and a moved
// transaction can only bring that forward by its own first command (the rules below never
// release a held command because another one arrived). Anything else that changes what could
// issue (a command, a request reaching an idle rank, a provisional auto-precharge settled) ends
// the quiet stretch.
#include <algorithm>

#include "models/dram/controller.h"

namespace memsim::dram {

namespace {
// DRAMSim3 ScheduleTransaction: with every command queue empty a drain starts once more than 8
// writes wait (a constant in its source, not a configuration key).
constexpr size_t kIdleDrainWrites = 8;
}  // namespace

void Controller::enqueue_two_level(Entry e) {
    // DRAMSim3 AddTransaction: a write is complete when accepted; a second write to a pending
    // line (in the buffer or a command queue, until its WR issues) merges; a read of a pending
    // line is answered from it.
    const uint64_t burst = t_.burst_bytes();
    const bool pending_write = two_level_pending(e.bi, e.addr, 1);
    const uint64_t at_ps = e.arrival * t_.tCK_ps + p_.frontend_latency_ps;
    if (e.write) {
        count(burst, true);
        if (!pending_write) {
            waiting_[1][e.bi].push_back(e);
            ++waiting_n_[1];
            move_stuck_[1] = false;
            ++queued_[1];
            ++ranks_[e.a.rank].queued_writes;
            if (ranks_[e.a.rank].queued++ == 0) quiet_until_ = 0;  // maintenance and power-down choices change
        }
        note_end(at_ps);
        if (on_done) on_done(e.id, at_ps);
        return;
    }
    if (pending_write) {
        // DRAMSim3 answers it the clock after it arrives (complete_cycle = clk_ + 1).
        count(burst, false);
        ++stats_.write_forwards;
        complete(e, e.arrival + 1);
        return;
    }
    if (two_level_pending(e.bi, e.addr, 0)) {
        // DRAMSim3 keeps every read of a pending address (pending_rd_q_) but queues only the
        // first; its RD answers them all (IssueCommand).
        merged_reads_[e.bi].push_back(e);
        return;
    }
    waiting_[0][e.bi].push_back(e);
    ++waiting_n_[0];
    move_stuck_[0] = false;
    ++queued_[0];
    if (ranks_[e.a.rank].queued++ == 0) quiet_until_ = 0;
}

bool Controller::two_level_pending(uint32_t bi, uint64_t addr, int dir) const {
    const uint64_t burst = t_.burst_bytes();
    for (const auto& r : waiting_[dir][bi])
        if (r.addr / burst == addr / burst) return true;
    for (const auto& r : queues_[bi].q[dir])
        if (r.addr / burst == addr / burst) return true;
    return false;
}

bool Controller::waits_for_read(uint32_t bi, uint64_t addr, size_t reads_before) const {
    // DRAMSim3 HasRWDependency: a write waits for an earlier read of the same line.
    const uint64_t burst = t_.burst_bytes();
    const auto& rq = queues_[bi].q[0];
    for (size_t h = 0; h < reads_before; ++h)
        if (rq[h].addr / burst == addr / burst) return true;
    return false;
}

void Controller::complete_merged(const Entry& e, uint64_t done_cycle) {
    const uint64_t burst = t_.burst_bytes();
    auto& m = merged_reads_[e.bi];
    std::vector<Entry> done;
    for (size_t i = 0; i < m.size();) {
        if (m[i].addr / burst == e.addr / burst) {
            done.push_back(m[i]);
            m.erase(m.begin() + std::ptrdiff_t(i));
        } else {
            ++i;
        }
    }
    for (const Entry& d : done) {
        count(burst, false);
        ++*read_merges_;
        complete(d, done_cycle);
    }
}

bool Controller::move_transaction(uint64_t clk) {
    const size_t writes = waiting_n_[1];
    const size_t in_cmd_queues = queued_[0] + queued_[1] - waiting_n_[0] - writes;
    if (write_draining_ == 0 && (!drain_held_ || !waiting_n_[0])) {
        // DRAMSim3: drain when the buffer is full, or holds more than 8 with the command queues
        // empty; exactly the writes held now are moved before reads move again. At the end of
        // a run (drain()) the last few writes are written too, where DRAMSim3 would leave them.
        if (writes >= p_.write_queue_depth || (writes > kIdleDrainWrites && in_cmd_queues == 0) ||
            (flushing_ && writes && !waiting_n_[0] && in_cmd_queues == 0)) {
            write_draining_ = writes;
            if (write_drains_) ++*write_drains_;
        }
    }
    // DRAMSim3 moves the oldest transaction of the queue whose command queue has room.
    const int from = write_draining_ ? 1 : 0;
    if (move_stuck_[from]) return false;
    uint32_t oldest = UINT32_MAX;
    uint64_t oldest_seq = UINT64_MAX;
    for (uint32_t bi = 0; bi < queues_.size(); ++bi) {
        const auto& w = waiting_[from][bi];
        const BankQueue& bq = queues_[bi];
        if (!w.empty() && w.front().seq < oldest_seq && bq.q[0].size() + bq.q[1].size() < p_.command_queue_depth) {
            oldest = bi;
            oldest_seq = w.front().seq;
        }
    }
    if (oldest == UINT32_MAX) {
        move_stuck_[from] = true;
        return false;
    }
    auto& tq = waiting_[from][oldest];
    if (from) {
        // A read of this line waits (it arrived before the write): the drain stops. DRAMSim3 may
        // start it again at the next clock (buffer still full) and stop at the same write, for
        // ever, the read never moving: here reads move until one has before a drain may start.
        if (two_level_pending(oldest, tq.front().addr, 0)) {
            write_draining_ = 0;
            drain_held_ = true;
            return true;
        }
        --write_draining_;
    }
    Entry e = tq.front();
    tq.pop_front();
    --waiting_n_[from];
    if (!from) drain_held_ = false;
    e.seq = next_seq_++;  // the order in the command queue
    e.ready = std::max(clk, e.arrival) + 1;  // issued at the earliest the next clock
    BankQueue& bq = queues_[oldest];
    bq.q[from].push_back(e);
    touch(oldest);
    // The only command this move can make ready sooner is the moved entry's own.
    if (quiet_until_ && !blocked_[e.a.rank]) {
        const size_t j = bq.q[0].size() + bq.q[1].size() - 1;
        quiet_until_ = std::min(quiet_until_, command_queue_cycle(oldest, e, j, bq.q[0].size() - (from ? 0 : 1)).cycle);
    }
    return true;
}

Controller::Choice Controller::command_queue_cycle(uint32_t bi, const Entry& e, size_t j, size_t reads_before) const {
    const BankQueue& bq = queues_[bi];
    const Bank& b = banks_[bi];
    const Rank& r = ranks_[e.a.rank];
    Choice c;
    c.rank = e.a.rank;
    c.bank = e.a.bank;
    c.dir = e.write ? 1 : 0;
    c.seq = e.seq;
    uint64_t at;
    if (b.open_row == int64_t(e.a.row)) {
        c.cls = 1;
        c.cmd = e.write ? Cmd::WR : Cmd::RD;
        at = std::max(b.t_col, e.write ? r.t_wr : r.t_rd);
        if (e.write && waits_for_read(bi, e.addr, reads_before)) return c;  // cycle UINT64_MAX
    } else if (b.open_row < 0) {
        c.cls = 2;
        c.cmd = Cmd::ACT;
        at = act_ready(b, r, 0);
    } else {
        // ArbitratePrecharge: only for the queue's first command, and not while a queued command
        // hits the open row, unless the row has served row_hit_cap hits since its ACT
        // (DRAMSim3: 4).
        if (j != 0) return c;
        if (b.hits_since_act < p_.row_hit_cap)
            for (const auto& q : bq.q)
                for (const auto& o : q)
                    if (int64_t(o.a.row) == b.open_row) return c;
        c.cls = 2;
        c.cmd = Cmd::PRE;
        at = b.t_pre;
    }
    c.cycle = std::max({at, now_, e.ready});
    return c;
}

void Controller::refresh_command_queue(uint32_t bi) {
    BankQueue& bq = queues_[bi];
    const Bank& b = banks_[bi];
    const auto &rq = bq.q[0], &wq = bq.q[1];
    bq.tl_act = bq.tl_col[0] = bq.tl_col[1] = bq.tl_pre = UINT64_MAX;
    bq.tl_dirty = false;
    if (rq.empty() && wq.empty()) return;
    if (b.open_row < 0) {
        for (const auto& q : bq.q)
            for (const auto& e : q) bq.tl_act = std::min(bq.tl_act, e.ready);
        return;
    }
    for (const auto& e : rq)
        if (int64_t(e.a.row) == b.open_row) bq.tl_col[0] = std::min(bq.tl_col[0], e.ready);
    size_t reads_before = 0;
    for (const auto& e : wq) {
        while (reads_before < rq.size() && rq[reads_before].seq < e.seq) ++reads_before;
        if (int64_t(e.a.row) == b.open_row && !waits_for_read(bi, e.addr, reads_before))
            bq.tl_col[1] = std::min(bq.tl_col[1], e.ready);
    }
    const Entry& head = wq.empty() || (!rq.empty() && rq[0].seq < wq[0].seq) ? rq[0] : wq[0];
    if (int64_t(head.a.row) != b.open_row && command_queue_cycle(bi, head, 0, 0).cycle != UINT64_MAX)
        bq.tl_pre = head.ready;
}

void Controller::choose_two_level(Choice& best) {
    // DRAMSim3 GetCommandToIssue: the bank queues in turn from the one after the last that
    // issued; the first queue with a ready command issues its first ready command
    // (GetFirstReadyInQueue), in the order the queue holds them (command_queue_cycle's rules).
    // Every entry of a bank shares its timing (one ACT time for a closed bank, one RD and one
    // WR time for its open row), so the bank's earliest command is known from its tl_* without
    // looking at each entry; only a bank with a command ready now is walked.
    next_ready_ = UINT64_MAX;
    const uint32_t n = uint32_t(queues_.size());
    uint32_t bi = rr_, rank = rr_ / t_.banks, in_rank = rr_ % t_.banks;
    for (uint32_t k = 1; k <= n; ++k) {
        if (++bi == n) bi = rank = in_rank = 0;  // (rr_ + k) % n, its rank and bank
        else if (++in_rank == t_.banks) in_rank = 0, ++rank;
        if (blocked_[rank]) continue;
        BankQueue& bq = queues_[bi];
        const auto &rq = bq.q[0], &wq = bq.q[1];
        if (rq.empty() && wq.empty()) continue;
        if (bq.tl_dirty) refresh_command_queue(bi);
        const Bank& b = banks_[bi];
        const Rank& r = ranks_[rank];
        uint64_t earliest;
        if (b.open_row < 0) {
            earliest = std::max(act_ready(b, r, 0), bq.tl_act);
        } else {
            earliest = std::min({std::max({b.t_col, r.t_rd, bq.tl_col[0]}), std::max({b.t_col, r.t_wr, bq.tl_col[1]}),
                                 std::max(b.t_pre, bq.tl_pre)});
        }
        if (earliest > now_) {
            next_ready_ = std::min(next_ready_, earliest);
            continue;
        }
        size_t i0 = 0, i1 = 0;
        for (size_t j = 0; i0 < rq.size() || i1 < wq.size(); ++j) {
            const int dir = i1 >= wq.size() || (i0 < rq.size() && rq[i0].seq < wq[i1].seq) ? 0 : 1;
            const size_t idx = dir ? i1++ : i0++;
            Choice c = command_queue_cycle(bi, bq.q[dir][idx], j, i0);
            if (c.cycle > now_) continue;
            c.entry = int(idx);
            if (better(c.cycle, c.cls, c.seq, best)) best = c;
            return;
        }
    }
}

}  // namespace memsim::dram
