// Tree pseudo-LRU: WAYS-1 bits per set form a binary tree whose bits point away from the most
// recently used half; the victim is found by following them from the root. As in CVA6's
// tlb.sv / plru_tree and the caches of many embedded cores. Needs a power-of-two number of ways.
//
// Bit layout: node 0 is the root, node n's children are 2n+1 (left, ways with the lower numbers)
// and 2n+2. A bit of 0 means "the victim is on the left".
#include <vector>

#include "models/cache/replacement.h"

namespace memsim::cache {
namespace {

class TreePlru final : public ReplacementPolicy {
public:
    explicit TreePlru(const ReplacementSpec& s) : ways_(s.ways), bits_(s.sets * s.ways, 0) {
        while ((1u << levels_) < ways_) ++levels_;
    }
    void on_hit(uint64_t set, unsigned way) override { touch(set, way); }
    void on_fill(uint64_t set, unsigned way) override { touch(set, way); }
    unsigned victim(uint64_t set) override {
        const uint8_t* b = &bits_[set * ways_];
        unsigned node = 0;
        for (unsigned l = 0; l < levels_; ++l) node = 2 * node + 1 + b[node];
        return node - (ways_ - 1);
    }

private:
    unsigned ways_;
    unsigned levels_ = 0;
    std::vector<uint8_t> bits_;  // WAYS-1 used per set (one byte each: simple and fast enough)

    // Every node on the path to WAY points to the other side.
    void touch(uint64_t set, unsigned way) {
        uint8_t* b = &bits_[set * ways_];
        unsigned node = way + ways_ - 1;
        while (node) {
            unsigned parent = (node - 1) / 2;
            bool is_left = node == 2 * parent + 1;
            b[parent] = is_left ? 1 : 0;
            node = parent;
        }
    }
};

const ReplacementRegistrar reg(
    "tree_plru", "tree pseudo-LRU (ways a power of two)",
    [](const ReplacementSpec& s) { return std::make_unique<TreePlru>(s); },
    [](const ReplacementSpec& s) {
        return (s.ways & (s.ways - 1)) ? "tree_plru needs a power-of-two associativity, not " + std::to_string(s.ways)
                                       : std::string();
    });

}  // namespace
}  // namespace memsim::cache
