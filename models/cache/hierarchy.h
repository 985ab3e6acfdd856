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

    // Cache maintenance by address to the point of coherence (Cache::maintain) over the data side:
    // L1D, L2, LLC. The L1I is left alone: it holds nothing dirty, and Arm's DC operations do not
    // reach it (instruction-cache maintenance, IC IVAU, is a separate kernel path).
    MaintenanceResult maintain(CacheOp op, uint64_t addr, uint64_t size, uint64_t issue_ps, uint64_t ps_per_line = 0) {
        return Cache::maintain(data_levels_, op, addr, size, issue_ps, ps_per_line);
    }
    // The same walk for a snooping device's access (counted in cache.*.snoop.*).
    MaintenanceResult snoop(CacheOp op, uint64_t addr, uint64_t size, uint64_t issue_ps) {
        return Cache::maintain(data_levels_, op, addr, size, issue_ps, 0, true);
    }
    // A non-snooping device wrote [ADDR, ADDR + SIZE) in memory: the data side's copies go stale.
    // Returns the copies flagged.
    uint64_t mark_stale(uint64_t addr, uint64_t size);
    // Lines of [ADDR, ADDR + SIZE) (at the smallest line size) some data level holds dirty.
    uint64_t dirty_lines(uint64_t addr, uint64_t size) const;
    // The smallest line of the data side (CTR_EL0.DminLine): the unit of maintenance walks.
    uint64_t min_line_size() const { return uint64_t(1) << min_line_bits_; }
    // Demand reads of stale lines, over all levels (cache.*.stale_reads).
    uint64_t stale_reads() const;

private:
    std::vector<std::unique_ptr<Cache>> owned_;
    std::vector<Cache*> levels_;
    std::vector<Cache*> data_levels_;  // levels_ without the L1I
    unsigned min_line_bits_ = 6;
    mem::Port* icache_ = nullptr;
    mem::Port* dcache_ = nullptr;
};

}  // namespace memsim::cache
