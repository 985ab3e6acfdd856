#include "models/dram/checker.h"

#include <algorithm>
#include <deque>
#include <optional>

namespace memsim::dram {

namespace {

struct BankHistory {
    std::optional<Command> act, pre, rd, wr;  // pre: explicit PRE/PREA or the auto-precharge point
    uint64_t pre_at = 0;                      // when the last precharge began
    bool open = false;
    uint32_t row = 0;
    // A RDA/WRA closes the bank at a time that depends on tRAS and tRTP/tWR: kept pending.
    std::optional<Command> auto_pre;
    uint64_t auto_pre_at = 0;
};

struct RankHistory {
    std::vector<BankHistory> banks;
    std::deque<Command> acts;  // the last four
    std::optional<Command> rd, wr, ref, zq;
    std::optional<Command> pde, pdx;  // the last power-down entry and exit
    bool in_pd = false, pd_precharged = false;
    std::optional<Command> sre, srx;  // the last self-refresh entry and exit
    bool in_sr = false, ref_since_srx = true;
    uint64_t refs = 0;          // REFs counted against floor(cycle / tREFI) due
    int64_t balance_at_sre = 0;  // REFs owed (pulled in: negative) when the last self-refresh began
    bool debt_reported = false;
};

class Checker {
public:
    Checker(const Ddr3Timing& t, unsigned postpone, bool slow_exit)
        : t_(t), postpone_(postpone), slow_exit_(slow_exit), ranks_(t.ranks) {
        for (auto& r : ranks_) r.banks.resize(t.banks);
    }

    void check(const Command& c) {
        if (c.rank >= t_.ranks || (c.bank >= t_.banks && c.cmd != Cmd::REF && c.cmd != Cmd::ZQCS && c.cmd != Cmd::PREA)) {
            fail("address", c, c, "rank or bank out of range");
            return;
        }
        if (last_) {
            if (c.cycle <= last_->cycle) fail("command bus", *last_, c, "one command per clock, in time order");
        }
        RankHistory& r = ranks_[c.rank];
        for (auto& b : r.banks) settle(b, c.cycle);
        // JESD79-3F 4.19: in self-refresh the rank takes nothing but SRX.
        if (r.in_sr && c.cmd != Cmd::SRX) {
            fail("self-refresh", *r.sre, c, "command to a rank in self-refresh (CKE low)");
            last_ = c;
            return;
        }
        if (c.cmd == Cmd::SRX) {
            self_refresh_exit(r, c);
            last_ = c;
            return;
        }
        if (is_power_down(c.cmd)) {
            power_down(r, c);
            last_ = c;
            return;
        }
        // After SRX: tXS to any command, tXSDLL to a read (the DLL relocks).
        if (r.srx) {
            need(c, *r.srx, t_.tXS, "tXS");
            if (is_read(c.cmd)) need(c, *r.srx, t_.tXSDLL, "tXSDLL");
        }
        // JESD79-3F 4.20: CKE low, the rank takes no command until PDX, then none for tXP.
        if (r.in_pd) fail("power-down", *r.pde, c, "command to a rank in power-down (CKE low)");
        if (r.pdx) {
            need(c, *r.pdx, t_.tXP, "tXP");
            if (slow_exit_ && r.pd_precharged && is_read(c.cmd)) need(c, *r.pdx, t_.tXPDLL, "tXPDLL");
        }
        if (r.ref) need(c, *r.ref, t_.tRFC, "tRFC");
        // Refresh debt: by cycle c, floor(c / tREFI) REFs are due; at most MAX_POSTPONE may be owed
        // beyond the one being issued (JESD79-3F 4.18).
        const uint64_t due = c.cycle / t_.tREFI;
        if (due > r.refs + postpone_ + 1 && !r.debt_reported) {
            r.debt_reported = true;
            fail("refresh debt", r.ref ? *r.ref : c, c,
                 std::to_string(due) + " REFs due by now, " + std::to_string(r.refs) + " counted (at most " +
                     std::to_string(postpone_) + " may be postponed)");
        }
        if (r.zq) need(c, *r.zq, t_.tZQCS, "tZQCS");
        switch (c.cmd) {
            case Cmd::ACT: act(r, c); break;
            case Cmd::RD:
            case Cmd::RDA:
            case Cmd::WR:
            case Cmd::WRA: column(r, c); break;
            case Cmd::PRE: precharge(r.banks[c.bank], c); break;
            case Cmd::PREA:
                for (auto& b : r.banks) precharge(b, c);
                break;
            case Cmd::PDE:
            case Cmd::PDX:
            case Cmd::SRX: break;  // handled above
            case Cmd::REF:
            case Cmd::ZQCS:
            case Cmd::SRE: {
                for (auto& b : r.banks) {
                    if (b.open) fail("banks precharged", *b.act, c, "REF/ZQCS needs every bank precharged");
                    if (b.pre && b.pre_at + t_.tRP > c.cycle) need_at(c, *b.pre, b.pre_at, t_.tRP, "tRP");
                }
                if (c.cmd == Cmd::SRE) {
                    // JESD79-3F 4.19: one extra REF after a self-refresh before the next.
                    if (!r.ref_since_srx) fail("REF after self-refresh", *r.srx, c, "SRE with no REF since the last SRX");
                    r.in_sr = true;
                    r.sre = c;
                    // The balance carried through the self-refresh: REFs owed, or (negative) pulled
                    // in; one owed is the debt rule's slack (the REF of this interval, or a
                    // staggered rank's not yet due), not a postponed one.
                    const int64_t balance = int64_t(c.cycle / t_.tREFI) - int64_t(r.refs);
                    r.balance_at_sre = balance == 1 ? 0 : balance;
                } else if (c.cmd == Cmd::REF) {
                    // JESD79-3F 4.18: at most 8 REF postponed, so two REFs are at most 9 x tREFI
                    // apart (a self-refresh counts as refreshing up to its SRX).
                    uint64_t prev = std::max(r.ref ? r.ref->cycle : 0, r.srx ? r.srx->cycle : 0);
                    uint64_t limit = 9 * uint64_t(t_.tREFI);
                    if (c.cycle - prev > limit)
                        fail("tREFI", r.ref ? *r.ref : c, c,
                             "REFs more than 9 x tREFI = " + std::to_string(limit) + " apart: " +
                                 std::to_string(c.cycle - prev));
                    // JESD79-3F 4.18: up to 8 may be pulled in; more is allowed but "does not further
                    // reduce the number of regular Refresh commands required later" (the one due in
                    // this interval, and the checker's one of slack for staggered ranks, besides).
                    r.refs = std::min(r.refs + 1, c.cycle / t_.tREFI + 9);
                    r.ref = c;
                    r.ref_since_srx = true;
                } else {
                    r.zq = c;
                }
                break;
            }
        }
        last_ = c;
    }

    std::vector<Violation> violations;

private:
    const Ddr3Timing& t_;
    unsigned postpone_;
    bool slow_exit_;
    std::vector<RankHistory> ranks_;
    std::optional<Command> last_;
    struct Burst {
        Command cmd;
        uint64_t start, end;
    };
    std::optional<Burst> last_burst_;

    void fail(const std::string& rule, const Command& earlier, const Command& later, const std::string& what) {
        violations.push_back({rule, earlier, later,
                              "cycle " + to_string(later) + ": " + rule + ": " + what + " (earlier: " +
                                  to_string(earlier) + ")"});
    }
    // LATER must come at least N clocks after EARLIER.
    void need(const Command& later, const Command& earlier, uint64_t n, const char* rule) {
        need_at(later, earlier, earlier.cycle, n, rule);
    }
    void need_at(const Command& later, const Command& earlier, uint64_t from, uint64_t n, const char* rule) {
        if (later.cycle < from + n)
            fail(rule, earlier, later,
                 "needs " + std::to_string(n) + " nCK after cycle " + std::to_string(from) + ", got " +
                     std::to_string(int64_t(later.cycle) - int64_t(from)));
    }
    void settle(BankHistory& b, uint64_t now) {
        if (b.auto_pre && b.auto_pre_at <= now) {
            b.open = false;
            b.pre = b.auto_pre;
            b.pre_at = b.auto_pre_at;
            b.auto_pre.reset();
        }
    }
    void act(RankHistory& r, const Command& c) {
        BankHistory& b = r.banks[c.bank];
        if (b.open) fail("bank precharged", b.auto_pre ? *b.auto_pre : *b.act, c, "ACT to a bank with a row open");
        if (b.act) need(c, *b.act, t_.tRC, "tRC");
        if (b.pre) need_at(c, *b.pre, b.pre_at, t_.tRP, "tRP");
        if (!r.acts.empty()) need(c, r.acts.back(), t_.tRRD, "tRRD");
        if (r.acts.size() == 4) need(c, r.acts.front(), t_.tFAW, "tFAW");
        r.acts.push_back(c);
        if (r.acts.size() > 4) r.acts.pop_front();
        b.act = c;
        b.open = true;
        b.row = c.row;
    }
    void column(RankHistory& r, const Command& c) {
        BankHistory& b = r.banks[c.bank];
        bool read = is_read(c.cmd);
        const uint64_t BL2 = t_.BL / 2, RL = t_.AL + t_.CL, WL = t_.AL + t_.CWL;
        if (!b.open) {
            fail("bank open", b.pre ? *b.pre : c, c, "column command to a precharged bank");
        } else if (b.auto_pre) {
            // JESD79-3F 4.17: after RDA/WRA the bank takes no command until its precharge is done
            // (the row stays open, but only until the auto-precharge that is already decided).
            fail("auto-precharge", *b.auto_pre, c, "column command to a bank whose auto-precharge is pending");
        } else if (b.row != c.row) {
            fail("row open", *b.act, c, "column command to row " + std::to_string(c.row) + " but row " +
                                            std::to_string(b.row) + " is open");
        }
        if (b.act) need(c, *b.act, t_.tRCD - t_.AL, "tRCD");
        // Same rank (JESD79-3F 4.14-4.16).
        if (r.rd) need(c, *r.rd, read ? t_.tCCD : RL + BL2 + 2 - WL, read ? "tCCD" : "RD to WR");
        if (r.wr) need(c, *r.wr, read ? WL + BL2 + t_.tWTR : t_.tCCD, read ? "tWTR" : "tCCD");
        // Data bus: this burst must not overlap the last, and a rank change leaves tRTRS idle.
        uint64_t start = c.cycle + (read ? RL : WL), end = start + BL2;
        if (last_burst_) {
            uint64_t gap = last_burst_->cmd.rank != c.rank ? t_.tRTRS : 0;
            if (start < last_burst_->end + gap)
                fail(gap ? "tRTRS" : "data bus", last_burst_->cmd, c,
                     "burst at " + std::to_string(start) + " while the data bus is busy until " +
                         std::to_string(last_burst_->end) + (gap ? " + tRTRS" : ""));
        }
        if (!last_burst_ || end >= last_burst_->end) last_burst_ = Burst{c, start, end};
        (read ? b.rd : b.wr) = c;
        (read ? r.rd : r.wr) = c;
        if (c.cmd == Cmd::RDA || c.cmd == Cmd::WRA) {
            // Auto-precharge begins when an explicit PRE could, JESD79-3F 4.17: after tRAS from
            // the ACT and after AL + tRTP (read) or WL + BL/2 + tWR (write) from the command.
            uint64_t at = read ? c.cycle + t_.AL + t_.tRTP : c.cycle + WL + BL2 + t_.tWR;
            if (b.act) at = std::max(at, b.act->cycle + t_.tRAS);
            b.auto_pre = c;
            b.auto_pre_at = at;
        }
    }
    // Power-down entry and exit (JESD79-3F 4.20): CKE low and high each at least tCKE; entry not
    // before a burst is done (tRDPDEN = RL + BL/2 + 1, tWRPDEN = WL + BL/2 + tWR, tWRAPDEN one
    // more) nor during ZQCS; entry during tRFC is allowed (tREFPDEN = 1); at most 9 x tREFI in
    // power-down, since no refresh runs there.
    void power_down(RankHistory& r, const Command& c) {
        const uint64_t BL2 = t_.BL / 2, RL = t_.AL + t_.CL, WL = t_.AL + t_.CWL;
        if (c.cmd == Cmd::PDE) {
            if (r.in_pd) {
                fail("power-down", *r.pde, c, "PDE while the rank is already in power-down");
                return;
            }
            if (r.pdx) need(c, *r.pdx, t_.tCKE, "tCKE");
            if (r.srx) need(c, *r.srx, t_.tCKE, "tCKE");
            if (r.rd) need(c, *r.rd, RL + BL2 + 1, "tRDPDEN");
            if (r.wr) need(c, *r.wr, WL + BL2 + t_.tWR + (r.wr->cmd == Cmd::WRA ? 1 : 0), "tWRPDEN");
            if (r.zq) need(c, *r.zq, t_.tZQCS, "tZQCS");
            r.in_pd = true;
            r.pde = c;
            r.pd_precharged = true;
            for (const auto& b : r.banks)
                if (b.open) r.pd_precharged = false;
            return;
        }
        if (!r.in_pd) {
            fail("power-down", r.pdx ? *r.pdx : c, c, "PDX without a power-down to leave");
            return;
        }
        need(c, *r.pde, t_.tCKE, "tCKE");
        uint64_t limit = 9 * uint64_t(t_.tREFI);
        if (c.cycle - r.pde->cycle > limit)
            fail("tPD", *r.pde, c,
                 "in power-down " + std::to_string(c.cycle - r.pde->cycle) + " nCK, more than 9 x tREFI = " +
                     std::to_string(limit));
        r.in_pd = false;
        r.pdx = c;
    }
    // Self-refresh exit: at least tCKESR after SRE; the rank counts as refreshed up to now.
    void self_refresh_exit(RankHistory& r, const Command& c) {
        if (!r.in_sr) {
            fail("self-refresh", r.srx ? *r.srx : c, c, "SRX without a self-refresh to leave");
            return;
        }
        need(c, *r.sre, t_.tCKESR, "tCKESR");
        // The device refreshed itself meanwhile; REFs postponed before SRE stay owed after SRX (JESD79-3F
        // 4.19: "the total number of postponed Refresh commands (before and after the Self-Refresh)
        // will never exceed eight"), and REFs pulled in before it still count.
        const int64_t refs = int64_t(c.cycle / t_.tREFI) - r.balance_at_sre;
        r.refs = uint64_t(std::max<int64_t>(refs, 0));
        r.in_sr = false;
        r.srx = c;
        r.ref_since_srx = false;
    }
    void precharge(BankHistory& b, const Command& c) {
        if (b.auto_pre) fail("auto-precharge", *b.auto_pre, c, "PRE while an auto-precharge is pending");
        if (!b.open) return;  // a PRE to a precharged bank is a NOP (JESD79-3F 4.17)
        if (b.act) need(c, *b.act, t_.tRAS, "tRAS");
        if (b.rd) need(c, *b.rd, t_.AL + t_.tRTP, "tRTP");
        if (b.wr) need(c, *b.wr, t_.AL + t_.CWL + t_.BL / 2 + t_.tWR, "tWR");
        b.open = false;
        b.pre = c;
        b.pre_at = c.cycle;
    }
};

}  // namespace

std::vector<Violation> check_commands(const Ddr3Timing& t, const std::vector<Command>& cmds, unsigned max_postpone,
                                      bool slow_exit) {
    Checker k(t, max_postpone, slow_exit);
    for (const auto& c : cmds) k.check(c);
    return std::move(k.violations);
}

}  // namespace memsim::dram
