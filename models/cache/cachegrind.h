#pragma once
// What valgrind's cachegrind simulates (valgrind 3.19 cachegrind/cg_sim.c), so memsim's counts can
// be checked against the tool users know: I1, D1 and a unified LL, each set-associative with true
// LRU, write-allocate, no write-backs; the tag is the whole block number; every L1 miss looks up
// the LL with the same address; an access that straddles two lines looks both up, counts once and
// misses if either misses; a modify (lackey `M`) counts as one read; virtual addresses, no kernel.
//
// The first piece of the cache model (issue #5): the hierarchy with MSHRs, policies and timing
// over TLM builds on the same set-associative core.
#include <cstdint>
#include <string>
#include <vector>

#include "models/cache/cache_params.h"
#include "sim/config/param.h"
#include "sim/stats/stats.h"
#include "sim/trace/event.h"

namespace memsim::cache {

// One cache's geometry. cachegrind's --I1/--D1/--LL=size,assoc,line.
struct CacheGeometry {
    uint64_t size;
    uint64_t assoc;
    uint64_t line;

    void visit(config::ParamVisitor& v) {
        v(config::ParamSpec::size("size", "32KiB", "capacity").range(256, double(1ull << 40)), size);
        v(config::ParamSpec::count("assoc", "8", "ways", "associativity").range(1, 1024), assoc);
        v(config::ParamSpec::size("line", "64B", "line size").range(16, 4096).pow2(), line);
    }
};

// A set-associative cache with true LRU (cg_sim.c cachesim_setref): each set an MRU-first array.
class LruCache {
public:
    // Throws InputError (naming NAME) unless the number of sets is a power of two.
    LruCache(const CacheGeometry& g, const std::string& name);
    // SIZE bytes at ADDR: true if it missed (either line, for an access that straddles two).
    bool access(uint64_t addr, uint64_t size);

private:
    unsigned line_bits_;
    uint64_t sets_mask_;
    unsigned assoc_;
    std::vector<uint64_t> tags_;  // sets x assoc, MRU first; ~0 is empty
    bool ref(uint64_t block);
};

class Cachegrind {
public:
    Cachegrind(const CacheGeometry& i1, const CacheGeometry& d1, const CacheGeometry& ll, stats::Registry& r);
    // Counts EV if it is an access (ifetch, read, write, modify); other events are not its.
    void observe(const trace::Event& ev);
    // "events: Ir I1mr ILmr Dr D1mr DLmr Dw D1mw DLmw" and "summary: ..." as cachegrind.out ends.
    std::string summary() const;

private:
    LruCache i1_, d1_, ll_;
    struct Counts {
        stats::Counter &Ir, &I1mr, &ILmr, &Dr, &D1mr, &DLmr, &Dw, &D1mw, &DLmw;
        explicit Counts(stats::Registry& r);
    } c_;
};

}  // namespace memsim::cache
