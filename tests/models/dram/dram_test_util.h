#pragma once
// Builders for the DDR3 controller tests: a controller on a preset with its command trace kept,
// and the check that the independent checker finds nothing wrong in it.
#include <catch2/catch.hpp>

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
    p.write_high_watermark = 0.85;
    p.write_low_watermark = 0.5;
    p.frontend_latency_ps = 0;
    p.power_down_idle = 0;
    p.power_down_exit = "fast";
    p.self_refresh_idle = 0;
    return p;
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
