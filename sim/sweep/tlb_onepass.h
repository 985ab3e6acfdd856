#pragma once
// Many geometries of one LRU TLB level in one pass over a run's TLB reference stream
// (models/mmu/lookup_log.h). As for caches (onepass.h; Mattson et al. 1970), an A-way LRU set holds
// its A most recently used entries, so one stack per set, kept to the largest associativity, serves
// every geometry with the same sets and page sizes: a reference at stack distance d hits iff d < A.
//
// TLBs are also flushed (INVLPG, ASID flushes, the page of a fault), which plain LRU stacks do not
// know. An invalidated entry leaves a hole where it was in the stack. Invariant: an A-way set holds
// the valid entries among the top A positions (a hole there is an invalid way). A reference at
// distance d with the highest hole at h < d shifts only the positions above h down (every A > h
// fills its invalid way and evicts nothing, as AssocArray::insert fills an invalid way first;
// every A <= h evicts its LRU entry, now pushed to position A) and leaves a hole at d (for A > d it
// was a hit and the invalid way stays). Positions never filled are holes too.
//
// An array may hold several page sizes (Tlb::shape): each size is indexed by its own page number,
// as the real array is. Counts are those of mmu.<level>.accesses, hits and misses; a test checks
// them against the Tlb class itself on random streams, and a sweep checks them against one full
// run of each trace.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "models/mmu/lookup_log.h"
#include "models/mmu/tlb.h"

namespace memsim::sweep {

// One set-associative LRU stack with holes, truncated at DEPTH positions.
class TlbStack {
public:
    TlbStack(uint64_t sets, unsigned depth);
    // The entry KEY in set SET becomes the most recently used; returns its distance before (DEPTH if
    // it was not among the DEPTH positions).
    unsigned ref(uint64_t set, uint64_t key);
    // The distance of the first entry of SET that MATCH accepts, or DEPTH; nothing moves.
    template <class Match>
    unsigned find(uint64_t set, Match&& match) const {
        const uint64_t* s = &keys_[set * depth_];
        for (unsigned d = 0; d < depth_; ++d)
            if (s[d] != kHole && match(s[d])) return d;
        return depth_;
    }
    // Every entry PRED accepts becomes a hole.
    template <class Pred>
    void invalidate_if(Pred&& pred) {
        for (uint64_t& k : keys_)
            if (k != kHole && pred(k)) k = kHole;
    }
    uint64_t sets() const { return sets_; }
    uint64_t set_of(uint64_t vpn) const { return pow2_ ? vpn & (sets_ - 1) : vpn % sets_; }

    static constexpr uint64_t kHole = ~uint64_t(0);

private:
    uint64_t sets_;
    unsigned depth_;
    bool pow2_;
    std::vector<uint64_t> keys_;
};

struct TlbCounts {
    uint64_t accesses = 0, hits = 0, misses = 0;
};

class MultiTlb {
public:
    // LEVEL's geometry at every point. Throws InputError (as mmu::Tlb does, naming SECTION's keys)
    // for a geometry a run would refuse; the caller checks them first to fail those points alone.
    MultiTlb(mmu::TlbLevel level, const std::vector<mmu::TlbParams>& points, const std::string& section);
    // Records of other levels are ignored, flushes apply to every level.
    void observe(const mmu::TlbLogRecord& r);
    const TlbCounts& counts(size_t point) const { return counts_[point]; }
    size_t stacks() const { return stacks_.size(); }

private:
    struct Array {
        size_t stack;
        unsigned ways;
        unsigned sizes;
    };
    struct PointShape {
        std::vector<Array> arrays;
        int array_of[mmu::kPageSizes] = {-1, -1, -1};
    };
    mmu::TlbLevel level_;
    std::vector<TlbStack> stacks_;
    std::vector<unsigned> stack_sizes_;  // page sizes each stack's arrays hold
    std::vector<PointShape> points_;
    std::vector<TlbCounts> counts_;
    std::vector<unsigned> dist_;  // per stack: this reference's distance
    std::vector<unsigned> probe_dist_;  // per stack and page size: a probe's distance

    void reference(const mmu::TlbLogRecord& r, bool counted);
    void probe(const mmu::TlbLogRecord& r);
};

}  // namespace memsim::sweep
