#pragma once
// The cache hierarchy of one core, built from the configuration (cache.model: hierarchy): L1I and
// L1D, both above L2, above the LLC, above memory. L2 and LLC may be disabled (a machine of two
// or three levels); a level's misses then go to the next enabled level, or to memory. The core
// sends its instruction fetches to icache() and its data accesses to dcache(); the MMU's page
// walker picks its level by name (level("l2")).
#include <memory>
#include <string>
#include <vector>

#include "models/cache/cache.h"
#include "sim/config/config.h"

namespace memsim::cache {

class Hierarchy {
public:
    // CYCLE_PS: the core clock's period (hit latencies are in its cycles). MEMORY: where the last
    // level's misses and write-backs go. Throws InputError naming the key of a bad level.
    Hierarchy(const config::Config& cfg, stats::Registry& r, uint64_t cycle_ps, bool timed, mem::Port& memory);

    mem::Port& icache() { return *icache_; }
    mem::Port& dcache() { return *dcache_; }
    // "l1i", "l1d", "l2" or "llc"; nullptr when that level is disabled (or the name unknown).
    Cache* level(const std::string& name);
    // The enabled levels, top first: l1i, l1d, l2, llc.
    const std::vector<Cache*>& levels() const { return levels_; }

    static const std::vector<std::string>& level_names();

private:
    std::vector<std::unique_ptr<Cache>> owned_;
    std::vector<Cache*> levels_;
    mem::Port* icache_ = nullptr;
    mem::Port* dcache_ = nullptr;
};

}  // namespace memsim::cache
