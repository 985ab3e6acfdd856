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
        for (int mode = 0; mode < 2; ++mode) {
            auto p = memsim::dram::testing::generic_defaults();
            p.scheduler = c.scheduler;
            p.page_policy = c.page;
            p.queue = c.queue;
            p.address_mapping = c.mapping;
            p.queue_depth = std::string(c.queue) == "per_bank" ? 4 : 16;
            p.write_queue_depth = p.queue_depth;
            p.refresh_postpone = mode ? 8 : 0;
            p.refresh_pull_in = mode ? 8 : 0;
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
                    uint64_t done = w ? r.write(pick(s, cap), t) : r.read(pick(s, cap), t);
                    REQUIRE(done >= t);
                }
                r.ctl->drain();
            }
            INFO(c.part << " " << c.scheduler << " " << c.page << " " << c.queue << " " << c.mapping
                        << (mode ? " Port::access, postpone/pull-in 8" : " event-driven"));
            CHECK(r.stat("dram.reads") == reads);
            CHECK(r.stat("dram.writes") == writes);
            CHECK(r.ctl->idle());
            // Each DRAM column command is one classified access; merged writes and reads
            // answered from the write queue never reach the DRAM.
            uint64_t column = 0;
            for (const auto& cmd : r.ctl->commands()) column += is_column(cmd.cmd);
            CHECK(r.stat("dram.row_hits") + r.stat("dram.row_misses") + r.stat("dram.row_conflicts") == column);
            r.require_clean(mode ? 8 : 0);
        }
    }
}
