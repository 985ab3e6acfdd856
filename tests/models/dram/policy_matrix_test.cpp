// Every combination of scheduler, page policy, queue structure and part, on random and
// row-local mixed traffic in both driving modes: the independent checker finds no violation, every
// request completes, and hits + misses + conflicts account for every DRAM access.
#include <catch2/catch.hpp>

#include "tests/models/dram/dram_test_util.h"

using namespace memsim;
using namespace memsim::dram;
using memsim::dram::testing::mix;
using memsim::dram::testing::Rig;
using memsim::dram::testing::VectorSource;

namespace {
struct Combo {
    const char *part, *scheduler, *page, *queue, *mapping;
};
const Combo kCombos[] = {
    {"MT8KTF51264HZ-1G6", "frfcfs", "open", "shared", "RoBaRaCoCh"},
    {"MT8KTF51264HZ-1G6", "fcfs", "closed", "per_bank", "RoRaBaCoCh"},
    {"MT16KTF1G64HZ-1G6", "frfcfs", "open_adaptive", "shared", "RoBaRaCoCh"},
    {"MT16KTF1G64HZ-1G6", "frfcfs", "closed_adaptive", "per_bank", "RoRaBaCoCh"},
    {"MT16KTF1G64HZ-1G6", "fcfs", "open", "shared", "RoCoBaRaCh"},
    {"MT8KTF51264HZ-1G9@1320ps", "frfcfs", "open", "per_bank", "RoBaRaCoCh"},
    {"MT8KTF51264HZ-1G9@1320ps", "fcfs", "open_adaptive", "shared", "RoRaBaCoCh"},
};

// Addresses within a few rows so that hits, misses and conflicts all occur.
uint64_t pick(uint64_t& s, uint64_t capacity) {
    uint64_t r = mix(s);
    if (r % 4 == 0) return (r >> 8) % capacity & ~63ull;  // anywhere
    return (r >> 8) % (1u << 20) & ~63ull;                 // the first MiB: 128 rows' worth
}
}  // namespace

TEST_CASE("Every policy combination keeps JEDEC timing on mixed traffic", "[dram][generic][matrix]") {
    for (const auto& c : kCombos) {
        // mode 0: event-driven; 1: Port::access in arrival order, postponing and pulling in
        // refreshes, every rank's due at once; 2: Port::access with arrivals up
        // to 100 ns out of order (a page walk's access is sent after later ones) and power-down
        // after 20 idle clocks, so backfilled commands meet refresh and CKE changes.
        for (int mode = 0; mode < 3; ++mode) {
            auto p = memsim::dram::testing::generic_defaults();
            p.scheduler = c.scheduler;
            p.page_policy = c.page;
            p.queue = c.queue;
            p.address_mapping = c.mapping;
            p.queue_depth = std::string(c.queue) == "per_bank" ? 4 : 16;
            p.write_queue_depth = p.queue_depth;
            p.refresh_postpone = mode == 1 ? 8 : 0;
            p.refresh_pull_in = mode == 1 ? 8 : 0;
            p.refresh_ranks = mode == 1 ? "simultaneous" : "staggered";  // (differs on the dual-rank parts)
            if (mode == 2) p.power_down_idle = 20;
            Rig r(c.part, p);
            uint64_t s = 11, reads = 0, writes = 0;
            const uint64_t cap = r.t.capacity();
            if (mode == 0) {
                VectorSource src;
                uint64_t cycle = 0;
                for (int i = 0; i < 20000; ++i) {
                    cycle += mix(s) % 12;  // bursts and gaps
                    bool w = mix(s) % 3 == 0;
                    (w ? writes : reads) += 1;
                    src.reqs.push_back({cycle, pick(s, cap), w});
                }
                drive(*r.ctl, src);
            } else {
                uint64_t t = 0;
                for (int i = 0; i < 20000; ++i) {
                    t += mix(s) % 20000;  // 0..20 ns apart
                    bool w = mix(s) % 3 == 0;
                    (w ? writes : reads) += 1;
                    uint64_t late = mode == 2 && mix(s) % 4 == 0 ? std::min<uint64_t>(t, mix(s) % 100000) : 0;
                    uint64_t done = w ? r.write(pick(s, cap), t - late) : r.read(pick(s, cap), t - late);
                    REQUIRE(done >= t - late);
                }
                r.ctl->drain();
            }
            INFO(c.part << " " << c.scheduler << " " << c.page << " " << c.queue << " " << c.mapping
                        << (mode == 2   ? " Port::access out of order, power-down"
                            : mode == 1 ? " Port::access, postpone/pull-in 8"
                                        : " event-driven"));
            // Backfill (FR-FCFS only) happens on this traffic: the checker below sees those commands.
            if (mode && std::string(c.scheduler) == "frfcfs") CHECK(r.stat("dram.backfilled_commands") > 0);
            CHECK(r.stat("dram.reads") == reads);
            CHECK(r.stat("dram.writes") == writes);
            CHECK(r.ctl->idle());
            // Each DRAM column command is one classified access; merged writes and reads
            // answered from the write queue never reach the DRAM.
            uint64_t column = 0;
            for (const auto& cmd : r.ctl->commands()) column += is_column(cmd.cmd);
            CHECK(r.stat("dram.row_hits") + r.stat("dram.row_misses") + r.stat("dram.row_conflicts") == column);
            r.require_clean(mode == 1 ? 8 : 0);
        }
    }
}
