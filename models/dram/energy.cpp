#include "models/dram/energy.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace memsim::dram {

EnergyBook::EnergyBook(const Ddr3Timing& t, bool slow_exit) : ranks_(t.ranks) {
    const Ddr3Power& p = t.power;
    // mA x V x ns = pJ, for the devices of one rank.
    const double k = p.VDD * double(t.tCK_ps) / 1000.0 * double(t.devices_per_rank());
    e_act_ = k * (p.IDD0 * t.tRC - (p.IDD3N * t.tRAS + p.IDD2N * (t.tRC - t.tRAS)));
    e_rd_ = k * (p.IDD4R - p.IDD3N) * t.burst_cycles();
    e_wr_ = k * (p.IDD4W - p.IDD3N) * t.burst_cycles();
    e_ref_ = k * (p.IDD5B - p.IDD3N) * t.tRFC;
    p_act_stb_ = k * p.IDD3N;
    p_pre_stb_ = k * p.IDD2N;
    p_act_pd_ = k * p.IDD3P;
    p_pre_pd_ = k * (slow_exit ? p.IDD2P0 : p.IDD2P1);
    p_sr_ = k * p.IDD6;
}

void EnergyBook::advance(RankBook& r, uint64_t to) {
    if (to <= r.since) return;
    auto add = [&r](uint64_t n) {
        if (r.cke == Cke::SelfRefresh) r.done.sr += n;
        else if (r.cke == Cke::PowerDown) (r.open ? r.done.act_pd : r.done.pre_pd) += n;
        else (r.open ? r.done.act_stb : r.done.pre_stb) += n;
    };
    for (; !r.ahead.empty() && r.ahead.front().cycle < to; r.ahead.pop_front()) {
        const Change& c = r.ahead.front();
        add(c.cycle - r.since);
        r.since = c.cycle;
        if (c.open > 0) ++r.open;
        else if (c.open < 0) --r.open;
        else r.cke = c.cke;
    }
    add(to - r.since);
    r.since = to;
}

EnergyBook::RankBook EnergyBook::at_end(const RankBook& r, uint64_t end) const {
    RankBook c = r;
    advance(c, end);
    return c;
}

void EnergyBook::add(uint32_t rank, Change c) {
    RankBook& r = ranks_[rank];
    // A change before `since` would re-count clocks already counted: settle's promise broken.
    if (c.cycle < r.since) throw std::logic_error("EnergyBook: a change at clock " + std::to_string(c.cycle) +
                                                  " reported after clock " + std::to_string(r.since) + " was settled");
    if (r.ahead.empty() || r.ahead.back().cycle <= c.cycle) {  // in order: the usual case
        r.ahead.push_back(c);
        return;
    }
    auto at = std::upper_bound(r.ahead.begin(), r.ahead.end(), c.cycle,
                               [](uint64_t cycle, const Change& x) { return cycle < x.cycle; });
    r.ahead.insert(at, c);
}

void EnergyBook::act(uint32_t rank, uint64_t cycle) {
    add(rank, {cycle, +1, Cke::High});
    ++acts_;
}

void EnergyBook::close(uint32_t rank, uint64_t at) { add(rank, {at, -1, Cke::High}); }

void EnergyBook::cke(uint32_t rank, uint64_t cycle, Cke state) { add(rank, {cycle, 0, state}); }

void EnergyBook::settle(uint64_t to) {
    for (auto& r : ranks_) advance(r, to);
}

double EnergyBook::background_pj(uint64_t end) const {
    double e = 0;
    for (const auto& rank : ranks_) {
        const Tally d = at_end(rank, end).done;
        e += double(d.act_stb) * p_act_stb_ + double(d.pre_stb) * p_pre_stb_ + double(d.act_pd) * p_act_pd_ +
             double(d.pre_pd) * p_pre_pd_ + double(d.sr) * p_sr_;
    }
    return e;
}

uint64_t EnergyBook::power_down_cycles(uint64_t end) const {
    uint64_t n = 0;
    for (const auto& rank : ranks_) {
        const Tally d = at_end(rank, end).done;
        n += d.act_pd + d.pre_pd;
    }
    return n;
}

uint64_t EnergyBook::self_refresh_cycles(uint64_t end) const {
    uint64_t n = 0;
    for (const auto& rank : ranks_) n += at_end(rank, end).done.sr;
    return n;
}

}  // namespace memsim::dram
