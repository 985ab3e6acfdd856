// The SystemC path of the cache model against the plain one: the same data accesses (the first
// million of traces/sort-words.lackey.zst) go through L1D -> L2 -> memory twice, once as plain
// Caches calling each other and once as CacheSc modules bound by TLM-2.0 sockets
// (L1D's initiator to L2's multi-passthrough target, L2's to a TlmPortTarget before the memory).
// Every access must complete at the same time and report the same serving level; prints both
// speeds and exits 1 on the first difference.
//   cache_sc_bench [TRACE] [ACCESSES]
#include <ctime>
#include <cstdio>
#include <string>
#include <vector>

#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>

#include "models/cache/cache_sc.h"
#include "models/interconnect/tlm_port_sc.h"
#include "sim/config/config.h"
#include "sim/trace/reader.h"

using namespace memsim;

namespace {
constexpr uint64_t kCyclePs = 333;      // 3 GHz
constexpr uint64_t kMemPs = 50000;      // memory.simple's 50 ns, without its bandwidth limit

struct FixedMemory final : mem::Port {
    uint64_t access(const mem::Request& r, uint64_t issue_ps) override {
        r.served_by = mem::kServedByMemory;
        return issue_ps + kMemPs;
    }
};

struct Rec {
    uint64_t addr;
    uint32_t size;
    mem::AccessKind kind;
};
struct Result {
    uint64_t done;
    uint8_t served_by;
};

// A blocking core: each access issues one cycle after the previous one completed.
// On-CPU time of this thread (the build machine is shared; wall time counts other processes).
double cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

std::vector<Result> drive(mem::Port& port, const std::vector<Rec>& recs, void (*sync)(uint64_t) = nullptr) {
    std::vector<Result> out;
    out.reserve(recs.size());
    uint64_t t = 0;
    for (const Rec& r : recs) {
        mem::Request q{r.addr, r.size, r.kind};
        uint64_t done = port.access(q, t);
        out.push_back({done, q.served_by});
        t = done + kCyclePs;
        if (sync) sync(t);
    }
    return out;
}

// The quantum: the driver runs ahead of SystemC time by at most 1 us, then waits.
void sync_quantum(uint64_t t) {
    uint64_t now = uint64_t(sc_core::sc_time_stamp().value());
    if (t - now > 1000000) sc_core::wait(sc_core::sc_time(double(t - now), sc_core::SC_PS));
}

struct Driver : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<Driver> socket;
    mem::TlmInitiatorPort port;
    const std::vector<Rec>& recs;
    std::vector<Result> results;
    double seconds = 0;
    SC_HAS_PROCESS(Driver);
    Driver(sc_core::sc_module_name n, const std::vector<Rec>& r) : sc_module(n), socket("socket"), port(socket), recs(r) {
        SC_THREAD(run);
    }
    void run() {
        double t0 = cpu_seconds();
        results = drive(port, recs, &sync_quantum);
        seconds = cpu_seconds() - t0;
    }
};

cache::CacheLevelParams params(const config::Config& cfg, const char* level) {
    auto p = cfg.section<cache::CacheLevelParams>(std::string("cache.") + level);
    p.inclusion = "non_inclusive";
    return p;
}
}  // namespace

int sc_main(int argc, char** argv) {
    std::string path = argc > 1 ? argv[1] : std::string(MEMSIM_SOURCE_DIR) + "/traces/sort-words.lackey.zst";
    size_t limit = argc > 2 ? std::stoul(argv[2]) : 1000000;
    std::vector<Rec> recs;
    auto reader = trace::open_trace(path);
    trace::Event ev;
    while (recs.size() < limit && reader->next(ev)) {
        if (ev.op == trace::Op::Read) recs.push_back({ev.addr, uint32_t(ev.size), mem::AccessKind::Read});
        if (ev.op == trace::Op::Write || ev.op == trace::Op::Modify)
            recs.push_back({ev.addr, uint32_t(ev.size), mem::AccessKind::Write});
    }
    config::Config cfg;
    // Small levels, so the run has misses, evictions and write-backs to compare.
    auto l1p = params(cfg, "l1d");
    l1p.size = 4096;
    l1p.assoc = 4;
    auto l2p = params(cfg, "l2");
    l2p.size = 32768;

    FixedMemory memory;
    stats::Registry plain_stats;
    cache::Cache pl2("l2", l2p, 2, kCyclePs, true, &memory, plain_stats);
    cache::Cache pl1("l1d", l1p, 1, kCyclePs, true, &pl2, plain_stats);
    pl2.add_upper(&pl1);
    double t0 = cpu_seconds();
    std::vector<Result> plain = drive(pl1, recs);
    double plain_s = cpu_seconds() - t0;

    stats::Registry sc_stats;
    cache::Cache sl2("l2", l2p, 2, kCyclePs, true, nullptr, sc_stats);
    cache::Cache sl1("l1d", l1p, 1, kCyclePs, true, nullptr, sc_stats);
    sl2.add_upper(&sl1);
    Driver driver("driver", recs);
    cache::CacheSc l1("l1d", sl1);
    cache::CacheSc l2("l2", sl2);
    mem::TlmPortTarget mem("memory", memory);
    driver.socket.bind(l1.target);
    l1.initiator.bind(l2.target);
    l2.initiator.bind(mem.socket);
    sc_core::sc_start();

    for (size_t i = 0; i < recs.size(); ++i) {
        if (plain[i].done != driver.results[i].done || plain[i].served_by != driver.results[i].served_by) {
            std::printf("access %zu (0x%llx): plain done %llu served_by %u, SystemC done %llu served_by %u\n", i,
                        (unsigned long long)recs[i].addr, (unsigned long long)plain[i].done, plain[i].served_by,
                        (unsigned long long)driver.results[i].done, driver.results[i].served_by);
            return 1;
        }
    }
    std::printf("%zu data accesses through L1D (4 KiB) and L2 (32 KiB): the same completion and level for each\n",
                recs.size());
    std::printf("l1d misses %.0f, l2 misses %.0f, l2 write-backs received %.0f; simulated %.3f ms\n",
                sc_stats.value("cache.l1d.misses"), sc_stats.value("cache.l2.misses"),
                sc_stats.value("cache.l2.accesses.writeback"), double(plain.back().done) / 1e9);
    std::printf("plain:   %.1f M accesses/s\nSystemC: %.1f M accesses/s (%.1fx slower)\n", double(recs.size()) / plain_s / 1e6,
                double(recs.size()) / driver.seconds / 1e6, driver.seconds / plain_s);
    return 0;
}
