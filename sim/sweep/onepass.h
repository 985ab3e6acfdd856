#pragma once
// Many cachegrind caches in one pass over a trace. LRU has the inclusion property (Mattson,
// Gecsei, Slutz & Traiger, "Evaluation techniques for storage hierarchies", IBM Systems Journal
// 9(2), 1970): within a set, an A-way LRU cache holds exactly the A most recently used blocks, so
// one stack per set, kept to the largest associativity, gives each access's stack distance d and
// every cache with the same sets and line hits iff d < A. One stack simulation per distinct
// (sets, line) then serves every L1 of the sweep; each point's LL (which sees only that point's L1
// misses, as in cg_sim.c) is simulated directly, on those misses alone.
//
// Counts are cachegrind's nine (models/cache/cachegrind.h), equal to a separate run of each point
// (tests/e2e/sweep_test.cpp checks it point by point).
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "models/cache/cachegrind.h"
#include "sim/trace/event.h"

namespace memsim::sweep {

struct CachegrindConfig {
    cache::CacheGeometry i1, d1, ll;
};

struct CachegrindCounts {
    uint64_t Ir = 0, I1mr = 0, ILmr = 0, Dr = 0, D1mr = 0, DLmr = 0, Dw = 0, D1mw = 0, DLmw = 0;
    // As stats.json names them: cachegrind.Ir ... cachegrind.DLmw.
    std::vector<std::pair<std::string, uint64_t>> named() const;
};

// A set-associative LRU stack truncated at DEPTH ways: ref() gives the block's stack distance
// within its set (0 = MRU), or DEPTH if it was not among the DEPTH most recent.
class LruStack {
public:
    LruStack(uint64_t sets, unsigned line_bits, unsigned depth);
    unsigned ref(uint64_t block);
    unsigned line_bits() const { return line_bits_; }

private:
    unsigned line_bits_, depth_;
    uint64_t sets_mask_;
    std::vector<uint64_t> tags_;
};

class MultiCachegrind {
public:
    // Throws InputError (as cache::LruCache does) if a geometry is not a power-of-two number of sets.
    explicit MultiCachegrind(const std::vector<CachegrindConfig>& points);
    void observe(const trace::Event& ev);
    const CachegrindCounts& counts(size_t point) const { return counts_[point]; }
    // Distinct L1 stacks simulated (for the report: "N stacks for M points").
    size_t stacks() const { return stacks_.size(); }

private:
    struct L1Ref {
        size_t stack;    // index into stacks_
        unsigned assoc;  // hits iff the distance is below this
    };
    std::vector<LruStack> stacks_;
    std::vector<L1Ref> i1_, d1_;
    std::vector<std::unique_ptr<cache::LruCache>> ll_;
    std::vector<CachegrindCounts> counts_;
    std::vector<size_t> kind_stacks_[2];  // the distinct stacks of I1 [0] and of D1 [1]
    std::vector<unsigned> dist_;          // per stack: this access's distance

    using StackKey = std::tuple<bool, uint64_t, unsigned>;  // (instruction side, sets, line bits)
    size_t stack_for(bool instr, const cache::CacheGeometry& g, std::map<StackKey, size_t>& index,
                     std::vector<unsigned>& depth);
    void distances(uint64_t addr, uint64_t size, bool instr);
};

}  // namespace memsim::sweep
