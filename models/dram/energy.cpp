#include "models/dram/energy.h"

#include <algorithm>
#include <utility>

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
    for (auto& r : ranks_) {
        r.open_at.assign(t.banks, 0);
        r.close_at.assign(t.banks, 0);
    }
}

EnergyBook::Tally EnergyBook::tally(const RankBook& r, uint64_t a, uint64_t b) const {
    Tally out;
    if (b <= a) return out;
    // Clocks of [a, b) with at least one bank open: the union of the banks' open stretches.
    std::pair<uint64_t, uint64_t> iv[16];
    size_t n = 0;
    for (size_t k = 0; k < r.open_at.size() && n < 16; ++k) {
        uint64_t lo = std::max(a, r.open_at[k]), hi = std::min(b, r.close_at[k]);
        if (lo < hi) iv[n++] = {lo, hi};
    }
    std::sort(iv, iv + n);
    uint64_t active = 0, reach = a;
    for (size_t i = 0; i < n; ++i) {
        uint64_t lo = std::max(iv[i].first, reach);
        if (iv[i].second > lo) {
            active += iv[i].second - lo;
            reach = iv[i].second;
        }
    }
    uint64_t idle = (b - a) - active;
    if (r.pd) {
        out.act_pd = active;
        out.pre_pd = idle;
    } else {
        out.act_stb = active;
        out.pre_stb = idle;
    }
    return out;
}

void EnergyBook::advance(RankBook& r, uint64_t to) {
    if (to <= r.since) return;
    Tally t = tally(r, r.since, to);
    r.done.act_stb += t.act_stb;
    r.done.pre_stb += t.pre_stb;
    r.done.act_pd += t.act_pd;
    r.done.pre_pd += t.pre_pd;
    r.since = to;
}

void EnergyBook::act(uint32_t rank, uint32_t bank, uint64_t cycle) {
    RankBook& r = ranks_[rank];
    advance(r, cycle);
    r.open_at[bank] = cycle;
    r.close_at[bank] = UINT64_MAX;
    ++acts_;
}

void EnergyBook::close(uint32_t rank, uint32_t bank, uint64_t now, uint64_t at) {
    RankBook& r = ranks_[rank];
    advance(r, now);
    r.close_at[bank] = std::max(at, r.since);
}

void EnergyBook::power_down(uint32_t rank, uint64_t cycle, bool enter) {
    RankBook& r = ranks_[rank];
    advance(r, cycle);
    r.pd = enter;
}

double EnergyBook::background_pj(uint64_t end) const {
    double e = 0;
    for (const auto& r : ranks_) {
        Tally open = tally(r, r.since, end);
        e += double(r.done.act_stb + open.act_stb) * p_act_stb_ + double(r.done.pre_stb + open.pre_stb) * p_pre_stb_ +
             double(r.done.act_pd + open.act_pd) * p_act_pd_ + double(r.done.pre_pd + open.pre_pd) * p_pre_pd_;
    }
    return e;
}

uint64_t EnergyBook::power_down_cycles(uint64_t end) const {
    uint64_t n = 0;
    for (const auto& r : ranks_) {
        Tally open = tally(r, r.since, end);
        n += r.done.act_pd + r.done.pre_pd + open.act_pd + open.pre_pd;
    }
    return n;
}

}  // namespace memsim::dram
