#pragma once
// Policies that evict the way with the oldest time stamp: true LRU stamps on every use, FIFO only
// on the fill (lru.cpp, fifo.cpp).
#include <vector>

#include "models/cache/replacement.h"

namespace memsim::cache {

template <bool kStampOnHit>
class OldestStamp final : public ReplacementPolicy {
public:
    explicit OldestStamp(const ReplacementSpec& s) : ways_(s.ways), stamp_(s.sets * s.ways, 0) {}
    void on_hit(uint64_t set, unsigned way) override {
        if (kStampOnHit) stamp_[set * ways_ + way] = ++clock_;
    }
    void on_fill(uint64_t set, unsigned way) override { stamp_[set * ways_ + way] = ++clock_; }
    void on_invalidate(uint64_t set, unsigned way) override { stamp_[set * ways_ + way] = 0; }
    unsigned victim(uint64_t set) override {
        const uint64_t* s = &stamp_[set * ways_];
        unsigned v = 0;
        for (unsigned w = 1; w < ways_; ++w)
            if (s[w] < s[v]) v = w;
        return v;
    }

private:
    unsigned ways_;
    uint64_t clock_ = 0;
    std::vector<uint64_t> stamp_;
};

}  // namespace memsim::cache
