// Random replacement: a victim drawn uniformly from the set's ways by a per-array xorshift64*
// generator (Marsaglia 2003; Vigna 2016), seeded by the configuration so runs repeat exactly.
#include "models/cache/replacement.h"

namespace memsim::cache {
namespace {

class Random final : public ReplacementPolicy {
public:
    explicit Random(const ReplacementSpec& s) : ways_(s.ways), state_(s.seed ? s.seed : 0x9E3779B97F4A7C15ull) {}
    void on_hit(uint64_t, unsigned) override {}
    void on_fill(uint64_t, unsigned) override {}
    unsigned victim(uint64_t) override {
        state_ ^= state_ >> 12;
        state_ ^= state_ << 25;
        state_ ^= state_ >> 27;
        return unsigned(((state_ * 0x2545F4914F6CDD1Dull) >> 32) % ways_);
    }

private:
    unsigned ways_;
    uint64_t state_;
};

const ReplacementRegistrar reg("random", "a way chosen at random (seeded, repeatable)", [](const ReplacementSpec& s) {
    return std::make_unique<Random>(s);
});

}  // namespace
}  // namespace memsim::cache
