// The generic controller's choice of the next command: refresh and ZQ due times, overdue and idle
// maintenance, FR-FCFS over each bank's cached candidates, FCFS. The MIG rules choose in mig.cpp;
// issuing a command and its bookkeeping are in controller.cpp.
#include <algorithm>

#include "models/dram/controller.h"

namespace memsim::dram {

void Controller::update_due(Rank& r) {
    while (now_ >= r.next_refresh) {
        if (!r.sr) ++r.refresh_owed;  // in self-refresh the device refreshes itself
        r.next_refresh += t_.tREFI;
    }
    if (now_ >= r.next_zq) {
        r.zq_owed = true;
        r.next_zq += tZQI_ck_;
    }
}

bool Controller::refresh_near_limit(const Rank& r) const {
    // After pulling in, the dues alone could leave more than 9 x tREFI between two REFs, which
    // JESD79-3F 4.18 forbids: refresh when that time draws near (a pull-in if none is owed yet).
    return r.refresh_owed > -int64_t(p_.refresh_pull_in) &&
           now_ + 2 * (t_.tRFC + t_.tRP + t_.tRAS) >= r.last_ref + 9 * uint64_t(t_.tREFI);
}

bool Controller::urgent(const Rank& r) const {
    return r.zq_owed || r.refresh_owed > int64_t(p_.refresh_postpone) || refresh_near_limit(r);
}

void Controller::choose_maintenance(Choice& best, uint32_t ri, bool urgent) {
    Rank& r = ranks_[ri];
    Choice c;
    c.cls = urgent ? 0 : 3;
    c.rank = ri;
    if (r.open_banks && two_level_) {
        // DRAMSim3 FinishRefresh: one PRE per open bank, the earliest ready first, in bank order
        // (ChannelState::GetReadyCommand), rather than a PREA.
        for (uint32_t k = 0; k < t_.banks; ++k) {
            const Bank& b = banks_[bank_index(ri, k)];
            if (b.open_row < 0) continue;
            const uint64_t at = std::max(now_, b.t_pre);
            if (at < c.cycle) {
                c.cycle = at;
                c.bank = k;
            }
        }
        c.cmd = Cmd::PRE;  // entry -1: not a request's
    } else if (r.open_banks) {
        // PREA once every open bank may be precharged (tRAS, tRTP, write recovery).
        uint64_t at = now_;
        for (uint32_t k = 0; k < t_.banks; ++k) at = std::max(at, banks_[bank_index(ri, k)].t_pre);  // pending auto-precharges begun too
        // A row activated for a request is read or written by it first (choose_request) when its
        // column command can go by the PREA's own time, which then moves by tRTP or write recovery
        // at most: Ramulator serves its activated requests first; otherwise the ACT is wasted.
        // One that other ranks' bursts hold later is closed unused: the refresh is not held for
        // it (JEDEC: at most 9 x tREFI between REFs).
        if (!mig_ratio_)
            for (uint32_t k = 0; k < t_.banks; ++k) {
                const uint32_t bi = bank_index(ri, k);
                const int dir = banks_[bi].act_dir;
                if (dir < 0) continue;
                const int idx = opened_for_other(bi, dir ^ 1);
                if (idx >= 0 && column_ready(queues_[bi].q[dir][size_t(idx)], banks_[bi]) <= at) return;
            }
        c.cmd = Cmd::PREA;
        c.cycle = slot(std::max(at, mig_maint_free_), c.cmd);
    } else {
        // MIG serves one rank's maintenance at a time (mig.cpp): another rank's waits for it.
        uint64_t at = std::max(now_, mig_maint_free_);
        for (uint32_t k = 0; k < t_.banks; ++k) at = std::max(at, banks_[bank_index(ri, k)].t_act);  // tRP after PRE, tRFC / tZQCS after REF / ZQCS
        c.cmd = r.zq_owed && r.refresh_owed <= 0 && !refresh_near_limit(r) ? Cmd::ZQCS : Cmd::REF;
        c.cycle = slot(at, c.cmd);
    }
    if (better(c.cycle, c.cls, c.seq, best)) best = c;
}

void Controller::choose_power_down(Choice& best, uint32_t ri, uint64_t not_before) {
    const Rank& r = ranks_[ri];
    Choice c;
    c.rank = ri;
    if (r.pd) {
        c.cls = 0;
        c.cmd = Cmd::PDX;
        c.cycle = slot(std::max({now_, r.t_pdx, not_before}), c.cmd);
    } else {
        c.cls = 4;
        c.cmd = Cmd::PDE;
        c.cycle = slot(std::max({now_, r.last_cmd + p_.power_down_idle, r.t_pde}), c.cmd);
    }
    if (better(c.cycle, c.cls, c.seq, best)) best = c;
}

void Controller::choose_self_refresh(Choice& best, uint32_t ri) {
    const Rank& r = ranks_[ri];
    Choice c;
    c.rank = ri;
    if (r.sr) {
        c.cls = 0;
        c.cmd = Cmd::SRX;
        c.cycle = slot(std::max(now_, r.t_srx), c.cmd);
    } else {
        // Self-refresh is entered from idle: rows closed first (PREA), then SRE once every bank
        // may take a command (tRP, tRFC, tZQCS, tXP all push the banks' next ACT).
        c.cls = 3;
        uint64_t at = std::max(now_, r.last_req + p_.self_refresh_idle);
        c.cmd = r.open_banks ? Cmd::PREA : Cmd::SRE;
        for (uint32_t k = 0; k < t_.banks; ++k) {
            const Bank& b = banks_[bank_index(ri, k)];
            at = std::max(at, r.open_banks ? b.t_pre : b.t_act);
        }
        c.cycle = slot(at, c.cmd);
    }
    if (better(c.cycle, c.cls, c.seq, best)) best = c;
}

void Controller::refresh_candidates(BankQueue& bq, int dir, const Bank& b) {
    const auto& q = bq.q[dir];
    int hit = -1, other = -1;
    for (int i = 0; i < int(q.size()) && (hit < 0 || other < 0); ++i) {
        if (b.open_row == int64_t(q[size_t(i)].a.row)) {
            if (hit < 0) hit = i;
        } else if (other < 0) {
            other = i;
        }
    }
    bq.hit[dir] = hit;
    bq.other[dir] = other;
    // FR-FCFS: a PRE that would close a row queued requests still hit waits, unless those hits
    // are all younger than the request that needs it and the row has served row_hit_cap hits.
    bq.hold[dir] = hit >= 0 && other >= 0 &&
                   (q[size_t(hit)].seq < q[size_t(other)].seq || b.hits_since_act < p_.row_hit_cap);
    bq.dirty[dir] = false;
}

Controller::Choice Controller::head_command(const Entry& e, uint32_t bi, int dir) const {
    const Bank& b = banks_[bi];
    const Rank& r = ranks_[e.a.rank];
    Choice c;
    c.rank = e.a.rank;
    c.bank = e.a.bank;
    c.entry = 0;
    c.dir = dir;
    c.seq = e.seq;
    uint64_t at = std::max(now_, e.ready);
    if (b.open_row == int64_t(e.a.row)) {
        c.cls = 1;
        c.cmd = e.write ? Cmd::WR : Cmd::RD;
        c.cycle = std::max(at, std::max(b.t_col, e.write ? r.t_wr : r.t_rd));
    } else if (b.open_row < 0) {
        c.cls = 2;
        c.cmd = Cmd::ACT;
        c.cycle = act_ready(b, r, at);
    } else {
        c.cls = 2;
        c.cmd = Cmd::PRE;
        c.cycle = std::max(at, b.t_pre);
    }
    return c;
}

// The earliest command wins; at the same cycle a column command before a row command, then the
// oldest request.
bool Controller::better(uint64_t at, int cls, uint64_t seq, const Choice& best) {
    return at < best.cycle || (at == best.cycle && (cls < best.cls || (cls == best.cls && seq < best.seq)));
}

uint64_t Controller::oldest_seq(int dir) const {
    // Queues are in arrival order: the oldest of each bank is its first.
    uint64_t oldest = UINT64_MAX;
    for (uint32_t bi = 0; bi < queues_.size(); ++bi)
        if (!blocked_[bi / t_.banks] && !queues_[bi].q[dir].empty())
            oldest = std::min(oldest, queues_[bi].q[dir].front().seq);
    return oldest;
}

void Controller::consider_bank(Choice& best, uint32_t bi, int dir, uint64_t& oldest) {
    BankQueue& bq = queues_[bi];
    const auto& q = bq.q[dir];
    if (q.empty()) return;
    const Bank& b = banks_[bi];
    if (bq.dirty[dir]) refresh_candidates(bq, dir, b);
    const uint32_t rank = bi / t_.banks;
    const Rank& r = ranks_[rank];
    auto take = [&](uint64_t at, int cls, Cmd cmd, int entry, uint64_t seq) {
        if (!better(at, cls, seq, best)) return;
        best.cycle = at;
        best.cls = cls;
        best.cmd = cmd;
        best.rank = rank;
        best.bank = bi % t_.banks;
        best.entry = entry;
        best.dir = dir;
        best.seq = seq;
    };
    // Once the row has served row_hit_cap hits, a younger hit no longer goes before an older
    // request of another bank or rank (Ramulator's FRFCFS_Cap: such a hit counts as not ready and
    // the oldest request is served first); without it a stream of hits to one rank starves another
    // rank's request, whose column command is always a rank switch (tRTRS) later than the next hit.
    if (bq.hit[dir] >= 0) {
        const Entry& e = q[size_t(bq.hit[dir])];
        uint64_t at = std::max(std::max(now_, e.ready), std::max(b.t_col, e.write ? r.t_wr : r.t_rd));
        bool capped = b.hits_since_act >= p_.row_hit_cap;
        if (capped && oldest == kUnknownSeq) oldest = oldest_seq(dir);
        if (!capped || e.seq <= oldest) take(at, 1, e.write ? Cmd::WR : Cmd::RD, bq.hit[dir], e.seq);
    }
    if (bq.other[dir] >= 0) {
        const Entry& e = q[size_t(bq.other[dir])];
        uint64_t at = std::max(now_, e.ready);
        if (b.open_row < 0) {
            take(act_ready(b, r, at), 2, Cmd::ACT, bq.other[dir], e.seq);
        } else if (!bq.hold[dir] && opened_for_other(bi, dir) < 0) {
            take(std::max(at, b.t_pre), 2, Cmd::PRE, bq.other[dir], e.seq);
        }
    }
}

void Controller::choose_fcfs(Choice& best, int dir) {
    // Only the oldest request of the active direction is served.
    uint32_t oldest = UINT32_MAX;
    uint64_t seq = UINT64_MAX;
    for (uint32_t bi = 0; bi < queues_.size(); ++bi) {
        const auto& q = queues_[bi].q[dir];
        if (!q.empty() && !blocked_[bi / t_.banks] && q.front().seq < seq) {
            seq = q.front().seq;
            oldest = bi;
        }
    }
    if (oldest == UINT32_MAX) return;
    Choice c = head_command(queues_[oldest].q[dir].front(), oldest, dir);
    if (c.cmd == Cmd::PRE && opened_for_other(oldest, dir) >= 0) return;  // consider_opened serves it first
    if (better(c.cycle, c.cls, c.seq, best)) best = c;
}

int Controller::opened_for_other(uint32_t bi, int dir) const {
    const Bank& b = banks_[bi];
    if (b.act_dir < 0 || b.act_dir == dir || b.open_row < 0) return -1;
    const auto& q = queues_[bi].q[b.act_dir];
    for (size_t i = 0; i < q.size(); ++i)
        if (q[i].seq == b.act_seq) return int64_t(q[i].a.row) == b.open_row ? int(i) : -1;
    return -1;
}

uint64_t Controller::column_ready(const Entry& e, const Bank& b) const {
    const Rank& r = ranks_[e.a.rank];
    return std::max(std::max(now_, e.ready), std::max(b.t_col, e.write ? r.t_wr : r.t_rd));
}

void Controller::consider_opened(Choice& best, uint32_t bi, int dir) {
    int idx = opened_for_other(bi, dir);
    if (idx < 0) return;
    const Entry& e = queues_[bi].q[dir ^ 1][size_t(idx)];
    const uint64_t at = column_ready(e, banks_[bi]);
    if (!better(at, 1, e.seq, best)) return;
    best.cycle = at;
    best.cls = 1;
    best.cmd = e.write ? Cmd::WR : Cmd::RD;
    best.rank = e.a.rank;
    best.bank = bi % t_.banks;
    best.entry = idx;
    best.dir = dir ^ 1;
    best.seq = e.seq;
}

void Controller::choose_request(Choice& best) {
    if (mig_ratio_) {
        choose_mig(best);
        return;
    }
    if (two_level_) {
        choose_two_level(best);
        return;
    }
    int dir = write_mode_ ? 1 : 0;
    if (queued_[dir ^ 1])
        for (uint32_t bi = 0; bi < queues_.size(); ++bi)
            if (!blocked_[bi / t_.banks]) consider_opened(best, bi, dir);
    // A rank held for its refresh or ZQCS still serves the requests its open rows were activated
    // for, in either direction, before its PREA (choose_maintenance).
    for (uint32_t ri = 0; ri < t_.ranks; ++ri) {
        // (Not a rank in power-down or self-refresh: one may hold a row opened for a write that
        // gem5's turnaround left waiting, rank_idle; it goes once the rank is woken.)
        if (!blocked_[ri] || ranks_[ri].pd || ranks_[ri].sr) continue;
        for (uint32_t bi = bank_index(ri, 0); bi < bank_index(ri + 1, 0); ++bi)
            if (banks_[bi].act_dir >= 0) consider_opened(best, bi, banks_[bi].act_dir ^ 1);
    }
    if (!queued_[dir]) return;
    if (!frfcfs_) {
        choose_fcfs(best, dir);
        return;
    }
    uint64_t oldest = kUnknownSeq;  // found when a capped row needs it
    for (uint32_t bi = 0; bi < queues_.size(); ++bi)
        if (!blocked_[bi / t_.banks]) consider_bank(best, bi, dir, oldest);
}

}  // namespace memsim::dram
