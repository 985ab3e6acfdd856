// Speed of the generic DDR3 controller (MT8KTF51264HZ-1G6, FR-FCFS, open page, 32-entry queues):
// requests simulated per host CPU second, for random and sequential reads in the event-driven mode
// (a saturating trace, as a DRAMSim3 trace run) with both queue structures (two_level, as
// configs/dram-only.yaml; shared) and for random reads through mem::Port::access (loosely timed,
// one request at a time, as behind the caches). Target: >= 1 M requests/s on
// random reads (issue #7; DRAMSim3 manages about 0.1 M/s on these machines).
//
//   build/dram_bench [REQUESTS]
//   build/dram_bench --trace FILE [--config YAML] [--set KEY=VALUE]...
//       a standalone run over a DRAMSim3 / Ramulator / DRAMSys trace (configs/dram-only.yaml by
//       default), printing the dram.* statistics (the comparison with DRAMSim3 in docs/dram.md).
//       --cycles N: the run lasts at least N clocks (DRAMSim3's -c), idle after the trace.
//       --port: each request goes through mem::Port::access at its cycle instead, one at a time in
//       the trace's order (as behind the caches: loosely timed, with backfill); a machine run's
//       memory.request_log replayed both ways shows what the loosely timed path changes.
//       --compare [--show N]: both ways on the same trace, read by read: mean latencies, how
//       many reads differ by more than 20 clocks either way, and the N (default 5) reads the
//       loosely timed path delays most and the N it serves soonest.
#include <algorithm>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "models/dram/standalone.h"
#include "sim/config/config.h"

using namespace memsim;
using namespace memsim::dram;

namespace {

// The generic controller as memory.generic declares it (FR-FCFS, open page, RoBaRaCoCh), with
// QUEUE: two_level (configs/dram-only.yaml's, DRAMSim3's structure) or shared (gem5's).
GenericControllerParams params(const char* queue = "two_level") {
    auto p = config::Config().section<GenericControllerParams>("memory.generic");
    p.queue = queue;
    return p;
}

class Synthetic final : public RequestSource {
public:
    Synthetic(uint64_t n, bool random, uint64_t bytes) : n_(n), random_(random), bytes_(bytes) {}
    bool next(TraceRequest& out) override {
        if (i_ == n_) return false;
        uint64_t a;
        if (random_) {
            s_ ^= s_ << 13;
            s_ ^= s_ >> 7;
            s_ ^= s_ << 17;
            a = s_ % bytes_;
        } else {
            a = (i_ * 64) % bytes_;
        }
        out = {0, a & ~63ull, false};
        ++i_;
        return true;
    }

private:
    uint64_t n_, i_ = 0, s_ = 88172645463325252ull;
    bool random_;
    uint64_t bytes_;
};

// Host CPU time of this process: the machine is shared, so wall time would count other jobs.
double cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

void event_driven(const char* name, uint64_t n, bool random, const char* queue) {
    stats::Registry reg;
    Ddr3Timing t = ddr3_preset("MT8KTF51264HZ-1G6");
    Controller ctl(t, params(queue), reg);
    Synthetic src(n, random, t.capacity());
    double t0 = cpu_seconds();
    drive(ctl, src);
    double s = cpu_seconds() - t0;
    std::printf("%-34s %9.2f M requests/s   simulated %6.2f GB/s, avg read latency %6.1f ns\n", name,
                double(n) / s / 1e6, reg.value("dram.bandwidth_bytes_per_s") / 1e9,
                reg.value("dram.read_latency_avg_ns"));
}

void mig_random(uint64_t n) {
    stats::Registry reg;
    Ddr3Timing t = ddr3_preset("MT8KTF51264HZ-1G6");
    MigParams m;
    m.phy_ratio = "4:1";
    m.ordering = "NORM";
    m.mem_addr_order = "BANK_ROW_COLUMN";
    m.bank_machines = 4;
    m.periodic_read_ps = 1000000;
    m.frontend_latency_ps = 0;
    Controller ctl(t, m, reg);
    Synthetic src(n, true, t.capacity());
    double t0 = cpu_seconds();
    drive(ctl, src);
    double s = cpu_seconds() - t0;
    std::printf("%-34s %9.2f M requests/s   simulated %6.2f GB/s, avg read latency %6.1f ns\n",
                "random reads, mig 4:1, saturating", double(n) / s / 1e6, reg.value("dram.bandwidth_bytes_per_s") / 1e9,
                reg.value("dram.read_latency_avg_ns"));
}

void loosely_timed(uint64_t n) {
    stats::Registry reg;
    Ddr3Timing t = ddr3_preset("MT8KTF51264HZ-1G6");
    Controller ctl(t, params("shared"), reg);  // memory.generic's default, behind the caches
    uint64_t s = 88172645463325252ull, when = 0;
    double t0 = cpu_seconds();
    for (uint64_t i = 0; i < n; ++i) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        // A blocking requester: the next read issues 5 ns after the previous completes.
        when = ctl.access(mem::Request{(s % t.capacity()) & ~63ull, 64, mem::AccessKind::Read}, when) + 5000;
    }
    double sec = cpu_seconds() - t0;
    std::printf("%-34s %9.2f M requests/s   avg read latency %6.1f ns\n", "random reads, shared, Port::access",
                double(n) / sec / 1e6, reg.value("dram.read_latency_avg_ns"));
}

}  // namespace

int compare_run(const config::Config& cfg, const std::string& trace, size_t show);

int trace_run(int argc, char** argv) {
    std::string trace, yaml = std::string(MEMSIM_SOURCE_DIR) + "/configs/dram-only.yaml";
    std::vector<std::string> sets;
    uint64_t cycles = 0, show = 5;
    bool port = false, compare = false;
    for (int i = 1; i < argc; i += 2) {
        std::string a = argv[i];
        if (a == "--port" || a == "--compare") {
            (a == "--port" ? port : compare) = true;
            --i;
            continue;
        }
        if (i + 1 == argc) {
            std::fprintf(stderr, "dram_bench: %s needs a value\n", a.c_str());
            return 2;
        }
        if (a == "--trace") trace = argv[i + 1];
        else if (a == "--config") yaml = argv[i + 1];
        else if (a == "--set") sets.push_back(argv[i + 1]);
        else if (a == "--cycles") cycles = std::strtoull(argv[i + 1], nullptr, 10);
        else if (a == "--show") show = std::strtoull(argv[i + 1], nullptr, 10);
        else {
            std::fprintf(stderr, "dram_bench: unknown option %s\n", a.c_str());
            return 2;
        }
    }
    try {
        config::Config cfg;
        cfg.load_file(yaml);
        for (const auto& s : sets) cfg.set(s);
        if (compare) return compare_run(cfg, trace, show);
        stats::Registry reg;
        double t0 = cpu_seconds();
        StandaloneResult res;
        if (port) {
            auto mem = make_memory(cfg, reg);
            auto src = open_request_trace(trace);
            const uint64_t tck = mem->timing().tCK_ps;
            TraceRequest q;
            while (src->next(q)) {
                mem->access(mem::Request{q.addr, 64, q.write ? mem::AccessKind::Writeback : mem::AccessKind::Read},
                            q.cycle * tck);
                ++res.requests;
            }
            mem->drain();
            if (cycles) mem->idle_until(cycles);
        } else {
            res = StandaloneRun(cfg, trace, reg, {"auto", cycles});
        }
        double s = cpu_seconds() - t0;
        for (const auto& [name, v] : reg.flatten())
            if (name.find(".rank") == std::string::npos) std::printf("%-36s %.6g\n", name.c_str(), v);
        std::printf("%-36s %.3f (%.2f M requests/s)\n", "host_cpu_seconds", s, double(res.requests) / s / 1e6);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "dram_bench: %s\n", e.what());
        return 2;
    }
    return 0;
}

// Every request of TRACE event-driven and through Port::access, compared read by read; SHOW: how
// many of the reads Port::access delays most to list.
int compare_run(const config::Config& cfg, const std::string& trace, size_t show) {
    try {
        std::vector<TraceRequest> reqs;
        auto src = open_request_trace(trace);
        for (TraceRequest q; src->next(q);) reqs.push_back(q);
        std::vector<uint64_t> ev(reqs.size()), lt(reqs.size());
        uint64_t tck = 0;
        {
            stats::Registry reg;
            auto mem = make_memory(cfg, reg);
            tck = mem->timing().tCK_ps;
            mem->set_on_done([&](uint64_t id, uint64_t ps) { ev[id] = ps; });
            class Replay final : public RequestSource {
            public:
                explicit Replay(const std::vector<TraceRequest>& r) : r_(r) {}
                bool next(TraceRequest& out) override {
                    if (i_ == r_.size()) return false;
                    out = r_[i_++];
                    return true;
                }

            private:
                const std::vector<TraceRequest>& r_;
                size_t i_ = 0;
            } replay(reqs);
            drive(*mem, replay);
        }
        {
            stats::Registry reg;
            auto mem = make_memory(cfg, reg);
            for (size_t i = 0; i < reqs.size(); ++i)
                lt[i] = mem->access(
                    mem::Request{reqs[i].addr, 64, reqs[i].write ? mem::AccessKind::Writeback : mem::AccessKind::Read},
                    reqs[i].cycle * tck);
        }
        double sum_ev = 0, sum_lt = 0;
        uint64_t n = 0, later = 0, sooner = 0;
        std::vector<size_t> worst;
        for (size_t i = 0; i < reqs.size(); ++i) {
            if (reqs[i].write) continue;
            ++n;
            sum_ev += double(ev[i]) / double(tck) - double(reqs[i].cycle);
            sum_lt += double(lt[i]) / double(tck) - double(reqs[i].cycle);
            later += lt[i] > ev[i] + 20 * tck;
            sooner += ev[i] > lt[i] + 20 * tck;
            worst.push_back(i);
        }
        std::sort(worst.begin(), worst.end(), [&](size_t a, size_t b) {
            return int64_t(lt[a] - ev[a]) > int64_t(lt[b] - ev[b]);
        });
        std::printf("%llu reads: mean latency event-driven %.2f nCK, Port::access %.2f nCK (%+.2f %%); Port::access "
                    "more than 20 nCK later: %llu, sooner: %llu\n",
                    static_cast<unsigned long long>(n), sum_ev / double(n), sum_lt / double(n),
                    100 * (sum_lt - sum_ev) / sum_ev, static_cast<unsigned long long>(later),
                    static_cast<unsigned long long>(sooner));
        auto print = [&](size_t i) {
            std::printf("  request %zu (0x%llx at clock %llu): event-driven done %llu, Port::access %llu\n", i,
                        static_cast<unsigned long long>(reqs[i].addr), static_cast<unsigned long long>(reqs[i].cycle),
                        static_cast<unsigned long long>(ev[i] / tck), static_cast<unsigned long long>(lt[i] / tck));
        };
        if (show) std::printf("latest through Port::access:\n");
        for (size_t k = 0; k < show && k < worst.size(); ++k) print(worst[k]);
        if (show) std::printf("soonest through Port::access:\n");
        for (size_t k = 0; k < show && k < worst.size(); ++k) print(worst[worst.size() - 1 - k]);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "dram_bench: %s\n", e.what());
        return 2;
    }
    return 0;
}

int main(int argc, char** argv) {
    if (argc > 1 && (std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h")) {
        std::printf("usage: dram_bench [REQUESTS]\n"
                    "       dram_bench --trace FILE [--config YAML] [--set KEY=VALUE]... [--cycles N]\n"
                    "                  [--port | --compare [--show N]]\n"
                    "(the comment at the top of bench/dram_bench.cpp says what each prints)\n");
        return 0;
    }
    if (argc > 1 && std::string(argv[1]).rfind("--", 0) == 0) return trace_run(argc, argv);
    uint64_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 2'000'000;
    std::printf("dram_bench: %llu requests each, MT8KTF51264HZ-1G6, generic FR-FCFS open page\n",
                static_cast<unsigned long long>(n));
    event_driven("random reads, two_level, saturating", n, true, "two_level");
    event_driven("sequential reads, two_level, saturating", n, false, "two_level");
    event_driven("random reads, shared, saturating", n, true, "shared");
    event_driven("sequential reads, shared, saturating", n, false, "shared");
    loosely_timed(n);
    mig_random(n);
    std::printf("target: >= 1 M requests/s on random reads (DRAMSim3 side by side on the same traces: "
                "bench/dram_vs_dramsim3.py --dramsim3 DIR; 0.11 M/s on its saturating random reads here)\n");
    return 0;
}
