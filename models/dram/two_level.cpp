// queue: two_level, DRAMSim3's controller structure (umd-memsys/DRAMSim3 src/controller.cc,
// src/command_queue.cc): a read transaction queue (queue_depth) and a write buffer
// (write_queue_depth) in front of per-bank command queues (command_queue_depth). Each clock the
// controller issues at most one command from the command queues, then moves at most one
// transaction into its bank's command queue (Controller::ClockTick, ScheduleTransaction). Every
// command still goes through Controller::issue, the same timing engine as queue: shared.
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
    bool pending_write = false;
    for (const auto& w : write_buf_)
        if (w.addr / burst == e.addr / burst) pending_write = true;
    for (const auto& w : queues_[e.bi].q[1])
        if (w.addr / burst == e.addr / burst) pending_write = true;
    const uint64_t at_ps = e.arrival * t_.tCK_ps + p_.frontend_latency_ps;
    if (e.write) {
        count(burst, true);
        if (!pending_write) {
            write_buf_.push_back(e);
            ++queued_[1];
            ++ranks_[e.a.rank].queued;
        }
        note_end(at_ps);
        if (on_done) on_done(e.id, at_ps);
        return;
    }
    if (pending_write) {
        count(burst, false);
        ++stats_.write_forwards;
        complete(e, e.arrival);
        return;
    }
    read_q_.push_back(e);
    ++queued_[0];
    ++ranks_[e.a.rank].queued;
}

bool Controller::two_level_pending_read(uint32_t bi, uint64_t addr) const {
    const uint64_t burst = t_.burst_bytes();
    for (const auto& r : read_q_)
        if (r.addr / burst == addr / burst) return true;
    for (const auto& r : queues_[bi].q[0])
        if (r.addr / burst == addr / burst) return true;
    return false;
}

bool Controller::move_transaction(uint64_t clk) {
    const size_t in_cmd_queues = queued_[0] + queued_[1] - read_q_.size() - write_buf_.size();
    if (write_draining_ == 0) {
        // DRAMSim3: drain when the buffer is full, or holds more than 8 with the command queues
        // empty; exactly the writes held now are moved before reads move again. At the end of
        // a run (drain()) the last few writes are written too, where DRAMSim3 would leave them.
        if (write_buf_.size() >= p_.write_queue_depth ||
            (write_buf_.size() > kIdleDrainWrites && in_cmd_queues == 0) ||
            (flushing_ && !write_buf_.empty() && read_q_.empty() && in_cmd_queues == 0)) {
            write_draining_ = write_buf_.size();
            if (write_drains_) ++*write_drains_;
        }
    }
    auto& tq = write_draining_ ? write_buf_ : read_q_;
    for (auto it = tq.begin(); it != tq.end(); ++it) {
        BankQueue& bq = queues_[it->bi];
        if (bq.q[0].size() + bq.q[1].size() >= p_.command_queue_depth) continue;
        if (it->write) {
            // A read of this line waits (it arrived before the write): the drain stops.
            if (two_level_pending_read(it->bi, it->addr)) {
                write_draining_ = 0;
                return true;
            }
            --write_draining_;
        }
        Entry e = *it;
        tq.erase(it);
        e.seq = next_seq_++;  // the order in the command queue
        e.ready = std::max(clk, e.arrival) + 1;  // issued at the earliest the next clock
        bq.q[e.write ? 1 : 0].push_back(e);
        touch(e.bi);
        return true;
    }
    return false;
}

void Controller::choose_two_level(Choice& best) {
    // DRAMSim3 GetCommandToIssue: the bank queues in turn from the one after the last that
    // issued; the first queue with a ready command issues its first ready command
    // (GetFirstReadyInQueue), in the order the queue holds them.
    next_ready_ = UINT64_MAX;
    const uint32_t n = uint32_t(queues_.size());
    const uint64_t burst = t_.burst_bytes();
    for (uint32_t k = 1; k <= n; ++k) {
        const uint32_t bi = (rr_ + k) % n;
        if (blocked_[bi / t_.banks]) continue;
        const BankQueue& bq = queues_[bi];
        const auto &rq = bq.q[0], &wq = bq.q[1];
        if (rq.empty() && wq.empty()) continue;
        const Bank& b = banks_[bi];
        // Reads and writes each sit in their own vector in move order (seq): walk both merged.
        size_t i0 = 0, i1 = 0;
        for (size_t j = 0; i0 < rq.size() || i1 < wq.size(); ++j) {
            const int dir = i1 >= wq.size() || (i0 < rq.size() && rq[i0].seq < wq[i1].seq) ? 0 : 1;
            const size_t idx = dir ? i1++ : i0++;
            const Entry& e = bq.q[dir][idx];
            Choice c = head_command(e, bi, dir);
            c.entry = int(idx);
            if (c.cmd == Cmd::PRE) {
                // ArbitratePrecharge: only for the queue's first command, and not while a queued
                // command hits the open row, unless the row has served row_hit_cap hits since its
                // ACT (DRAMSim3: 4).
                if (j != 0) continue;
                bool hit = false;
                for (const auto& q : bq.q)
                    for (const auto& o : q) hit = hit || int64_t(o.a.row) == b.open_row;
                if (hit && b.hits_since_act < p_.row_hit_cap) continue;
            } else if (c.cmd == Cmd::WR) {
                // HasRWDependency: a write waits for an earlier read of the same line.
                bool dep = false;
                for (size_t h = 0; h < i0 && !dep; ++h) dep = rq[h].addr / burst == e.addr / burst;
                if (dep) continue;
            }
            if (c.cycle > now_) {
                next_ready_ = std::min(next_ready_, c.cycle);
                continue;
            }
            if (better(c.cycle, c.cls, c.seq, best)) best = c;
            return;
        }
    }
}

}  // namespace memsim::dram
