#pragma once
// Builders shared by the cache tests: a level's parameters from the declared defaults, and a
// memory with one fixed latency that records what reaches it.
#include <vector>

#include "models/cache/cache.h"
#include "sim/config/config.h"

namespace memsim::cache::test {

// The tests run the core at 1 GHz: a cycle is 1000 ps, so times read as cycles x 1000.
constexpr uint64_t kCycle = 1000;
// Memory answers 100 cycles after a request arrives, however busy it is.
constexpr uint64_t kMemPs = 100 * kCycle;

inline CacheLevelParams level(uint64_t size, uint64_t assoc, uint64_t hit_cycles = 4) {
    auto p = config::Config().section<CacheLevelParams>("cache.l2");  // declared defaults, PIPT
    p.size = size;
    p.assoc = assoc;
    p.line = 64;
    p.hit_latency = hit_cycles;
    p.inclusion = "non_inclusive";
    return p;
}

struct FakeMemory final : mem::Port {
    struct Seen {
        uint64_t addr;
        uint32_t size;
        mem::AccessKind kind;
        uint64_t at_ps;
    };
    std::vector<Seen> seen;
    uint64_t access(const mem::Request& r, uint64_t issue_ps) override {
        seen.push_back({r.addr, r.size, r.kind, issue_ps});
        r.served_by = mem::kServedByMemory;
        return issue_ps + kMemPs;
    }
    size_t count(mem::AccessKind k) const {
        size_t n = 0;
        for (const auto& s : seen) n += s.kind == k;
        return n;
    }
};

// One 8-byte access of KIND to ADDR at AT through P; its completion time, and in *SERVED the
// level that answered.
inline uint64_t go(mem::Port& p, uint64_t addr, mem::AccessKind kind, uint64_t at = 0, uint8_t* served = nullptr) {
    mem::Request r{addr, 8, kind};
    uint64_t done = p.access(r, at);
    if (served) *served = r.served_by;
    return done;
}

}  // namespace memsim::cache::test
