// First-in first-out: the victim is the way filled longest ago; hits do not change the order
// (round-robin replacement of ARM's Cortex-A caches behaves the same on a full set).
#include <vector>

#include "models/cache/replacement.h"

namespace memsim::cache {
namespace {

class Fifo final : public ReplacementPolicy {
public:
    explicit Fifo(const ReplacementSpec& s) : ways_(s.ways), stamp_(s.sets * s.ways, 0) {}
    void on_hit(uint64_t, unsigned) override {}
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

const ReplacementRegistrar reg("fifo", "first in, first out (hits do not reorder)", [](const ReplacementSpec& s) {
    return std::make_unique<Fifo>(s);
});

}  // namespace
}  // namespace memsim::cache
