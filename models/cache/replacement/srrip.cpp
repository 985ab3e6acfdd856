// Static re-reference interval prediction (SRRIP-HP, Jaleel et al., ISCA 2010): a 2-bit RRPV per
// way; a fill predicts a long re-reference interval (RRPV 2), a hit a near-immediate one (0); the
// victim is the first way with a distant prediction (3), ageing the whole set until one has it.
#include <vector>

#include "models/cache/replacement.h"

namespace memsim::cache {
namespace {

constexpr uint8_t kMaxRrpv = 3;  // 2 bits

class Srrip final : public ReplacementPolicy {
public:
    explicit Srrip(const ReplacementSpec& s) : ways_(s.ways), rrpv_(s.sets * s.ways, kMaxRrpv) {}
    void on_hit(uint64_t set, unsigned way) override { rrpv_[set * ways_ + way] = 0; }
    void on_fill(uint64_t set, unsigned way) override { rrpv_[set * ways_ + way] = kMaxRrpv - 1; }
    void on_invalidate(uint64_t set, unsigned way) override { rrpv_[set * ways_ + way] = kMaxRrpv; }
    unsigned victim(uint64_t set) override {
        uint8_t* r = &rrpv_[set * ways_];
        for (;;) {
            for (unsigned w = 0; w < ways_; ++w)
                if (r[w] == kMaxRrpv) return w;
            for (unsigned w = 0; w < ways_; ++w) ++r[w];
        }
    }

private:
    unsigned ways_;
    std::vector<uint8_t> rrpv_;
};

const ReplacementRegistrar reg("srrip", "static re-reference interval prediction, 2-bit (Jaleel et al. 2010)",
                               [](const ReplacementSpec& s) { return std::make_unique<Srrip>(s); });

}  // namespace
}  // namespace memsim::cache
