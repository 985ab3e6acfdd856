// How fast the functional cache hierarchy runs: the accesses of a bundled lackey log (sort of a
// word list, 6.65 M accesses) are loaded into memory, then replayed through the default
// L1I/L1D/L2/LLC hierarchy (functional mode) and through a plain direct-mapped 32 KiB tag array,
// the least a cache lookup can cost. Prints accesses per second of CPU time for both and their
// ratio.
// The timed hierarchy's speed is printed too.
//   cache_bench [TRACE] [PASSES]
#include <ctime>
#include <cstdio>
#include <string>
#include <vector>

#include "models/cache/hierarchy.h"
#include "sim/trace/reader.h"

using namespace memsim;

namespace {
struct Rec {
    uint64_t addr;
    uint32_t size;
    mem::AccessKind kind;
};

struct NullMemory final : mem::Port {
    uint64_t requests = 0;
    uint64_t access(const mem::Request& r, uint64_t) override {
        ++requests;
        r.served_by = mem::kServedByMemory;
        return 0;
    }
};

// On-CPU time of this thread: the build machine is shared, and wall time would count the time
// other processes ran.
double cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}
}  // namespace

int main(int argc, char** argv) {
    std::string path = argc > 1 ? argv[1] : std::string(MEMSIM_SOURCE_DIR) + "/traces/sort-words.lackey.zst";
    int passes = argc > 2 ? std::stoi(argv[2]) : 3;

    std::vector<Rec> recs;
    auto reader = trace::open_trace(path);
    trace::Event ev;
    while (reader->next(ev)) {
        using trace::Op;
        switch (ev.op) {
            case Op::Ifetch: recs.push_back({ev.addr, uint32_t(ev.size), mem::AccessKind::Ifetch}); break;
            case Op::Read: recs.push_back({ev.addr, uint32_t(ev.size), mem::AccessKind::Read}); break;
            case Op::Write:
            case Op::Modify: recs.push_back({ev.addr, uint32_t(ev.size), mem::AccessKind::Write}); break;
            default: break;
        }
    }
    std::printf("%s: %zu accesses, %d passes each\n", path.c_str(), recs.size(), passes);

    // The hierarchy at its declared defaults, functional (no time).
    config::Config cfg;
    stats::Registry reg;
    NullMemory memory;
    cache::Hierarchy h(cfg, reg, 333, false, memory);
    mem::Port& ic = h.icache();
    mem::Port& dc = h.dcache();
    double best_h = 1e30;
    for (int p = 0; p < passes; ++p) {
        double t0 = cpu_seconds();
        for (const Rec& r : recs) {
            mem::Request q{r.addr, r.size, r.kind};
            (r.kind == mem::AccessKind::Ifetch ? ic : dc).access(q, 0);
        }
        best_h = std::min(best_h, cpu_seconds() - t0);
    }

    // The same hierarchy timed (a fresh one, memory answering in 50 ns), each access issued one
    // 3 GHz cycle after the previous one completed, as a blocking core would.
    stats::Registry treg;
    struct FixedMemory final : mem::Port {
        uint64_t access(const mem::Request& r, uint64_t issue_ps) override {
            r.served_by = mem::kServedByMemory;
            return issue_ps + 50000;
        }
    } fixed;
    cache::Hierarchy th(cfg, treg, 333, true, fixed);
    double best_t = 1e30;
    uint64_t now = 0;
    for (int p = 0; p < passes; ++p) {
        double t0 = cpu_seconds();
        for (const Rec& r : recs) {
            mem::Request q{r.addr, r.size, r.kind};
            now = (r.kind == mem::AccessKind::Ifetch ? th.icache() : th.dcache()).access(q, now) + 333;
        }
        best_t = std::min(best_t, cpu_seconds() - t0);
    }

    // The reference: one direct-mapped 32 KiB tag array of 64-byte lines, one compare per access.
    std::vector<uint64_t> tags(512, ~uint64_t(0));
    uint64_t ref_misses = 0;
    double best_r = 1e30;
    for (int p = 0; p < passes; ++p) {
        double t0 = cpu_seconds();
        for (const Rec& r : recs) {
            uint64_t block = r.addr >> 6;
            uint64_t& t = tags[block & 511];
            ref_misses += t != block;
            t = block;
        }
        best_r = std::min(best_r, cpu_seconds() - t0);
    }

    double n = double(recs.size());
    double h_rate = n / best_h, r_rate = n / best_r;
    std::printf("hierarchy L1I/L1D/L2/LLC (functional): %.1f M accesses/s (%.3f s a pass)\n", h_rate / 1e6, best_h);
    std::printf("hierarchy L1I/L1D/L2/LLC (timed):      %.1f M accesses/s (%.3f s a pass)\n", n / best_t / 1e6,
                best_t);
    std::printf("direct-mapped tag array (reference):   %.1f M accesses/s (%.3f s a pass)\n", r_rate / 1e6, best_r);
    std::printf("ratio reference / hierarchy: %.1f\n", r_rate / h_rate);
    for (const char* s : {"l1i", "l1d", "l2", "llc"})
        std::printf("cache.%s: %.0f accesses, %.0f misses (all passes)\n", s, reg.value(std::string("cache.") + s + ".accesses"),
                    reg.value(std::string("cache.") + s + ".misses"));
    std::printf("memory requests %llu; reference misses %llu\n", (unsigned long long)memory.requests,
                (unsigned long long)ref_misses);
    return 0;
}
