#pragma once
// Builders for the DDR3 controller tests: a controller on a preset with its command trace kept,
// and the check that the independent checker finds nothing wrong in it.
#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "models/dram/checker.h"
#include "models/dram/controller.h"
#include "sim/stats/stats.h"

namespace memsim::dram::testing {

inline GenericControllerParams generic_defaults() {
    GenericControllerParams p;
    p.scheduler = "frfcfs";
    p.page_policy = "open";
    p.queue = "shared";
    p.address_mapping = "RoBaRaCoCh";
    p.queue_depth = 32;
    p.write_queue_depth = 32;
    p.row_hit_cap = 16;
    p.refresh_postpone = 0;
    p.refresh_pull_in = 0;
    // The hand-worked cases were worked with Ramulator's turnaround (any queued write goes when no
    // read waits); gem5's has tests of its own (bandwidth_test.cpp).
    p.write_drain = "ramulator";
    p.write_high_watermark = 0.85;
    p.write_low_watermark = 0.5;
    p.frontend_latency_ps = 0;
    p.power_down_idle = 0;
    p.power_down_exit = "fast";
    p.self_refresh_idle = 0;
    return p;
}

// The background energy (pJ over [0, END)) recounted from a command trace alone, apart from the
// controller's EnergyBook: each rank's clocks by state (a bank open or none, CKE high, power-down
// or self-refresh) times the part's IDD current (TN-41-01). A RDA/WRA closes its bank when an
// explicit PRE could have gone (JESD79-3F 4.17: tRAS lockout, AL + tRTP or WL + BL/2 + tWR).
inline double recount_background_pj(const Ddr3Timing& t, const std::vector<Command>& cmds, bool slow_exit,
                                    uint64_t end) {
    struct Change {
        uint64_t cycle;
        int open;  // +1 ACT, -1 a bank closes, 0: CKE state
        int cke;   // 0 high, 1 power-down, 2 self-refresh
    };
    std::vector<std::vector<Change>> ranks(t.ranks);
    std::vector<bool> open(size_t(t.ranks) * t.banks, false);
    std::vector<uint64_t> act_at(open.size(), 0);
    for (const auto& c : cmds) {
        const size_t bi = size_t(c.rank) * t.banks + c.bank;
        auto& r = ranks[c.rank];
        auto close = [&](size_t b, uint64_t at) {
            if (open[b]) r.push_back({at, -1, 0});
            open[b] = false;
        };
        switch (c.cmd) {
            case Cmd::ACT:
                r.push_back({c.cycle, +1, 0});
                open[bi] = true;
                act_at[bi] = c.cycle;
                break;
            case Cmd::PRE: close(bi, c.cycle); break;
            case Cmd::PREA:
                for (uint32_t k = 0; k < t.banks; ++k) close(size_t(c.rank) * t.banks + k, c.cycle);
                break;
            case Cmd::RDA:
            case Cmd::WRA: {
                const uint64_t burst_done = c.cmd == Cmd::RDA ? c.cycle + t.AL + t.tRTP
                                                              : c.cycle + t.AL + t.CWL + t.BL / 2 + t.tWR;
                close(bi, std::max(burst_done, act_at[bi] + t.tRAS));
                break;
            }
            case Cmd::PDE: r.push_back({c.cycle, 0, 1}); break;
            case Cmd::SRE: r.push_back({c.cycle, 0, 2}); break;
            case Cmd::PDX:
            case Cmd::SRX: r.push_back({c.cycle, 0, 0}); break;
            default: break;
        }
    }
    const Ddr3Power& p = t.power;
    const double k = p.VDD * double(t.tCK_ps) / 1000.0 * double(t.devices_per_rank());  // pJ per mA-clock
    double pj = 0;
    for (auto& r : ranks) {
        std::stable_sort(r.begin(), r.end(), [](const Change& a, const Change& b) { return a.cycle < b.cycle; });
        uint64_t since = 0;
        int banks_open = 0, cke = 0;
        auto count = [&](uint64_t to) {
            if (to <= since) return;
            const double ma = cke == 2 ? p.IDD6
                              : cke == 1 ? (banks_open ? p.IDD3P : slow_exit ? p.IDD2P0 : p.IDD2P1)
                                         : (banks_open ? p.IDD3N : p.IDD2N);
            pj += k * ma * double(to - since);
            since = to;
        };
        for (const auto& c : r) {
            count(std::min(c.cycle, end));
            if (c.open) banks_open += c.open;
            else cke = c.cke;
        }
        count(end);
    }
    return pj;
}

struct Rig {
    stats::Registry reg;
    Ddr3Timing t;
    GenericControllerParams p;
    std::unique_ptr<Controller> ctl;
    explicit Rig(const std::string& part = "MT8KTF51264HZ-1G6", GenericControllerParams params = generic_defaults())
        : t(ddr3_preset(part)), p(std::move(params)) {
        ctl = std::make_unique<Controller>(t, p, reg);
        ctl->keep_commands(true);
    }
    uint64_t addr(uint32_t rank, uint32_t bank, uint32_t row, uint32_t col = 0) const {
        return ctl->address_map().encode({rank, bank, row, col});
    }
    uint64_t read(uint64_t addr, uint64_t issue_ps) {
        return ctl->access(mem::Request{addr, 64, mem::AccessKind::Read}, issue_ps);
    }
    uint64_t write(uint64_t addr, uint64_t issue_ps) {
        return ctl->access(mem::Request{addr, 64, mem::AccessKind::Writeback}, issue_ps);
    }
    double stat(const std::string& n) const { return reg.value(n); }
    // The controller's background energy over its dram.cycles equals the recount from its commands.
    void require_background_recounted() const {
        const double recount =
            recount_background_pj(t, ctl->commands(), p.power_down_exit == "slow", uint64_t(stat("dram.cycles")));
        REQUIRE(stat("dram.energy.background") == Approx(recount).epsilon(1e-12));
    }
    // The checker's verdict on everything issued so far.
    void require_clean(unsigned postpone = 0) const {
        auto v = check_commands(t, ctl->commands(), postpone, p.power_down_exit == "slow");
        for (size_t i = 0; i < v.size() && i < 10; ++i) UNSCOPED_INFO(v[i].message);
        REQUIRE(v.empty());
    }
};

// A hand-made command trace the checker must reject: the first violation's rule and the cycles of
// the two commands it names.
struct Broken {
    const char* trace;
    const char* rule;
    uint64_t earlier, later;
};

// CHECK_TRACE (a trace's text -> the checker's violations) rejects every row of TABLE as it says.
template <class CheckTrace>
void require_rejected(const std::vector<Broken>& table, CheckTrace check_trace) {
    for (const auto& row : table) {
        INFO(row.trace);
        auto v = check_trace(row.trace);
        REQUIRE(v.size() >= 1);
        CHECK(v[0].rule == row.rule);
        CHECK(v[0].earlier.cycle == row.earlier);
        CHECK(v[0].later.cycle == row.later);
    }
}

}  // namespace memsim::dram::testing

#include <vector>

#include "models/dram/standalone.h"

namespace memsim::dram::testing {

class VectorSource final : public RequestSource {
public:
    std::vector<TraceRequest> reqs;
    size_t i = 0;
    bool next(TraceRequest& out) override {
        if (i == reqs.size()) return false;
        out = reqs[i++];
        return true;
    }
};

// Deterministic addresses for load tests (splitmix64).
inline uint64_t mix(uint64_t& s) {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

}  // namespace memsim::dram::testing
