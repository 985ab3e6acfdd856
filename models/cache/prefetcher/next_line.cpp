// Next-line prefetching, tagged (Smith, "Cache Memories", ACM Computing Surveys 1982; Intel's L1
// "DCU prefetcher"): a demand miss, or the first demand hit on a line a prefetch brought, fetches
// the DEGREE lines starting DISTANCE lines ahead. A stream thus stays ahead of its demand.
#include "models/cache/prefetcher.h"

namespace memsim::cache {
namespace {

class NextLine final : public Prefetcher {
public:
    explicit NextLine(const PrefetcherSpec& s) : s_(s) {}
    void observe(uint64_t block, bool miss, bool prefetch_hit, std::vector<uint64_t>& out) override {
        if (!miss && !prefetch_hit) return;
        for (unsigned i = 0; i < s_.degree; ++i) out.push_back(block + s_.distance + i);
    }

private:
    PrefetcherSpec s_;
};

const PrefetcherRegistrar reg("next_line", "tagged next-line: a miss or a first hit on a prefetched line fetches "
                                           "the following lines",
                              [](const PrefetcherSpec& s) { return std::make_unique<NextLine>(s); });

}  // namespace
}  // namespace memsim::cache
