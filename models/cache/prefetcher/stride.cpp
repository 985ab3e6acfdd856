// Stride prefetching (Chen and Baer, "Effective hardware-based data prefetching for
// high-performance processors", IEEE TC 1995: the reference prediction table). Traces carry no
// program counter for data accesses (lackey logs do not), so the table is keyed by the 4 KiB page
// of the access instead of the load's PC, as a region-based stride detector is: each entry keeps the
// last line touched in its page and the last stride; when the same non-zero stride is seen twice
// in a row the entry is confident and each further access fetches DEGREE lines starting
// DISTANCE strides ahead.
#include <vector>

#include "models/cache/prefetcher.h"

namespace memsim::cache {
namespace {

constexpr unsigned kEntries = 64;  // direct-mapped by page number; ChampSim's ip_stride has 1024 by IP
constexpr unsigned kPageBits = 12;

class Stride final : public Prefetcher {
public:
    explicit Stride(const PrefetcherSpec& s) : s_(s), table_(kEntries) {}
    void observe(uint64_t block, bool, bool, std::vector<uint64_t>& out) override {
        uint64_t page = block >> (kPageBits - s_.line_bits);
        Entry& e = table_[page % kEntries];
        if (!e.valid || e.page != page) {
            e = Entry{true, page, block, 0, false};
            return;
        }
        int64_t stride = int64_t(block - e.last);
        if (stride == 0) return;  // the same line again says nothing about the stride
        e.confident = stride == e.stride;
        e.stride = stride;
        e.last = block;
        if (!e.confident) return;
        for (unsigned i = 0; i < s_.degree; ++i) out.push_back(block + uint64_t(stride * int64_t(s_.distance + i)));
    }

private:
    struct Entry {
        bool valid = false;
        uint64_t page = 0;
        uint64_t last = 0;  // line
        int64_t stride = 0;  // lines
        bool confident = false;
    };
    PrefetcherSpec s_;
    std::vector<Entry> table_;
};

const PrefetcherRegistrar reg("stride", "per-4KiB-page stride detector (Chen and Baer 1995, keyed by page for "
                                        "PC-less traces): a stride seen twice fetches ahead along it",
                              [](const PrefetcherSpec& s) { return std::make_unique<Stride>(s); });

}  // namespace
}  // namespace memsim::cache
