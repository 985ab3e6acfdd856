#include "models/cache/cache_params.h"

#include "models/cache/prefetcher.h"
#include "models/cache/replacement.h"
#include "sim/config/schema.h"

namespace memsim::cache {

namespace {
bool name_in(const std::string& text, const std::vector<std::string>& names, const char* what, std::string* why,
             const char* also = nullptr) {
    if (also && text == also) return true;
    std::string known = also ? also : "";
    for (const auto& n : names) {
        if (n == text) return true;
        known += (known.empty() ? "" : ", ") + n;
    }
    *why = std::string("expected a ") + what + " (one of " + known + ")";  // the loader adds: got "TEXT"
    return false;
}
}  // namespace

bool replacement_name_ok(const std::string& text, std::string* why) {
    return name_in(text, replacement_names(), "replacement policy", why);
}
bool prefetcher_name_ok(const std::string& text, std::string* why) {
    return name_in(text, prefetcher_names(), "prefetcher", why, "none");
}

MEMSIM_REGISTER_PARAMS(CacheParams, "cache", "the cache model");

// L1s are VIPT on x86 (32 KiB / 8 ways = one 4 KiB page per way, so the index is in the page
// offset) and have 10 fill buffers (the core's max_outstanding). The cachegrind model reads
// size/assoc/line of cache.l1i and cache.l1d too (its --I1/--D1).
MEMSIM_REGISTER_PARAMS(CacheLevelParams, "cache.l1i", "L1 instruction cache (also cachegrind's --I1)",
                       {{"indexing", "vipt"}});
MEMSIM_REGISTER_PARAMS(CacheLevelParams, "cache.l1d", "L1 data cache (also cachegrind's --D1)",
                       {{"indexing", "vipt"}});
// Skylake client L2: 1 MiB 16-way (Skylake-SP), 14 cycles, non-inclusive of L1, a 16-entry
// superqueue for its misses (Intel optimization manual, 2.2 Skylake microarchitecture).
MEMSIM_REGISTER_PARAMS(CacheLevelParams, "cache.l2", "L2 cache, private to the core, below L1I and L1D",
                       {{"size", "1MiB"}, {"assoc", "16"}, {"hit_latency", "14"}, {"mshrs", "16"}});
// Intel client LLC: 8 MiB 16-way, ~42 cycles, inclusive of L1 and L2 (client parts through
// Coffee Lake; Skylake-SP and later server parts are non-inclusive). 32 outstanding misses: a guess
// at the ring's queues, not a documented figure.
MEMSIM_REGISTER_PARAMS(CacheLevelParams, "cache.llc", "last-level cache, below L2",
                       {{"size", "8MiB"},
                        {"assoc", "16"},
                        {"hit_latency", "42"},
                        {"mshrs", "32"},
                        {"inclusion", "inclusive"}});

}  // namespace memsim::cache
