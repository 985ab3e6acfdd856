#pragma once
// A memory with one latency and one bandwidth for the DMA tests, by the rule of gem5's SimpleMemory:
// a request waits until the memory is free, occupies it for size / bandwidth, and completes
// `latency` after it started. It logs every request so that tests can compare tables.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "models/interconnect/port.h"

namespace memsim::dma::testing {

constexpr uint64_t ns = 1000;  // ps

struct FakeMemory final : mem::Port {
    uint64_t latency_ps = 50 * ns;
    uint64_t ps_per_64_bytes = 5 * ns;  // 12.8 GB/s
    uint64_t busy_until = 0;
    struct Seen {
        uint64_t addr;
        uint32_t size;
        bool write;
        uint64_t issue_ps;
        uint64_t done_ps;
    };
    std::vector<Seen> log;
    uint64_t access(const mem::Request& r, uint64_t issue_ps) override {
        uint64_t start = std::max(issue_ps, busy_until);
        busy_until = start + ps_per_64_bytes * r.size / 64;
        uint64_t done = start + latency_ps;
        log.push_back({r.addr, r.size, mem::is_write(r.kind), issue_ps, done});
        r.served_by = mem::kServedByMemory;
        return done;
    }
};

}  // namespace memsim::dma::testing
