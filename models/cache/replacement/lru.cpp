// True LRU: each way carries the time of its last use; the victim is the least recent.
// (cachegrind keeps the same order as an MRU-first array: cg_sim.c cachesim_setref.)
#include <vector>

#include "models/cache/replacement.h"

namespace memsim::cache {
namespace {

class Lru final : public ReplacementPolicy {
public:
    explicit Lru(const ReplacementSpec& s) : ways_(s.ways), stamp_(s.sets * s.ways, 0) {}
    void on_hit(uint64_t set, unsigned way) override { stamp_[set * ways_ + way] = ++clock_; }
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

const ReplacementRegistrar reg("lru", "true least-recently-used", [](const ReplacementSpec& s) {
    return std::make_unique<Lru>(s);
});

}  // namespace
}  // namespace memsim::cache
