#pragma once
// A memory with one fixed latency and one bandwidth, like gem5's SimpleMemory
// (src/mem/simple_mem.cc): a request that arrives while the memory is busy waits until it is free;
// it then occupies the memory for size / bandwidth and completes `latency` after it started.
// It stays available beside the DDR3 model as the simplest target, for tests and for runs where
// DRAM timing does not matter.
#include <cstdint>

#include "models/interconnect/port.h"
#include "sim/config/param.h"
#include "sim/stats/stats.h"

namespace memsim::dram {

struct SimpleMemoryParams {
    uint64_t latency_ps;
    double bandwidth;  // bytes per second

    void visit(config::ParamVisitor& v) {
        v(config::ParamSpec::time("latency", "50ns", "time from the start of service to completion")
              .range(0, 1e12),
          latency_ps);
        // 12.8 GB/s is the peak of a 64-bit DDR3-1600 channel: 1600 MT/s x 8 bytes.
        v(config::ParamSpec::bandwidth("bandwidth", "12.8GB/s", "bytes served per second; the memory is busy "
                                                                 "size/bandwidth per request")
              .range(1, 1e15),
          bandwidth);
    }
};

class SimpleMemory final : public mem::Port {
public:
    // TIMED: declare the statistics of time too (functional runs only count).
    SimpleMemory(const SimpleMemoryParams& p, stats::Registry& r, bool timed = true);
    // Serves SIZE bytes arriving at ARRIVAL_PS; returns the completion time in ps.
    uint64_t access(uint64_t addr, uint32_t size, bool write, uint64_t arrival_ps);
    // Functional mode: counts the request, no time.
    void count(uint32_t size, bool write);
    // As a port of the memory side: timed or counted as the memory was built.
    uint64_t access(const mem::Request& r, uint64_t issue_ps) override {
        r.served_by = mem::kServedByMemory;
        if (!timed_) {
            count(r.size, mem::is_write(r.kind));
            return issue_ps;
        }
        return access(r.addr, r.size, mem::is_write(r.kind), issue_ps);
    }

private:
    SimpleMemoryParams p_;
    bool timed_;
    uint64_t busy_until_ps_ = 0;
    double ps_per_byte_;
    struct Stats {
        stats::Counter& reads;
        stats::Counter& writes;
        stats::Counter& bytes_read;
        stats::Counter& bytes_written;
        stats::Counter* queue_ps = nullptr;  // timed only
        stats::Counter* busy_ps = nullptr;   // timed only
        Stats(stats::Registry& r, bool timed);
    } stats_;
};

}  // namespace memsim::dram
