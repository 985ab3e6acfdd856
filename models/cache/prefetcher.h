#pragma once
// Hardware prefetchers of a cache level. A prefetcher watches the demand accesses of its level
// (line by line, hit or miss) and names the lines it wants fetched; the cache fills them marked
// "prefetched" and counts a prefetch useful when a demand access later hits such a line. Each
// prefetcher is one file in prefetcher/ that registers itself by name, as the replacement policies
// do, so the configuration chooses it (`prefetcher: stride`) and adding one touches no list.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace memsim::cache {

struct PrefetcherSpec {
    unsigned line_bits;  // log2 of the line size
    unsigned degree;     // lines per trigger
    unsigned distance;   // how far ahead the first one is (lines, or strides)
};

class Prefetcher {
public:
    virtual ~Prefetcher() = default;
    // A demand access to line BLOCK (byte address >> line_bits) that hit or MISSed;
    // PREFETCH_HIT: it hit a line a prefetch brought. Appends the lines to fetch to OUT.
    virtual void observe(uint64_t block, bool miss, bool prefetch_hit, std::vector<uint64_t>& out) = 0;
};

using PrefetcherFactory = std::function<std::unique_ptr<Prefetcher>(const PrefetcherSpec&)>;

struct PrefetcherRegistrar {
    PrefetcherRegistrar(const char* name, const char* description, PrefetcherFactory make);
};

// The registered names, sorted ("none" is not one: it means no prefetcher).
std::vector<std::string> prefetcher_names();
// nullptr for "none"; throws std::invalid_argument naming the known ones for an unknown NAME.
std::unique_ptr<Prefetcher> make_prefetcher(const std::string& name, const PrefetcherSpec& spec);

}  // namespace memsim::cache
