#pragma once
// One level of a cache hierarchy: a set-associative tag array (valid, dirty and prefetched bits
// per line) with a replacement policy chosen by name, write-back or write-through, write-allocate
// or not, MSHRs, an inclusion policy towards the levels above it and an optional prefetcher. It is
// a mem::Port and sends its misses, fills and write-backs to the Port below (`next`): another
// Cache, a TLM adapter (cache_sc.h) or a memory.
//
// Timing is loosely timed, as the core's (models/cpu/trace_core.h): access(req, issue) updates the
// state at once and returns when the request completes.
//   - A hit completes at issue + hit_latency.
//   - A miss looks up (hit_latency), takes an MSHR and goes down; it completes when the line is
//     filled, the time the level below returns.
//   - MSHRs (Kroft, ISCA 1981; gem5 src/mem/cache/mshr.hh): a demand to a line still in flight (its
//     fill time after the issue) is a secondary miss; it merges with the primary and completes at
//     the same fill, sending nothing down. A primary miss that finds every MSHR holding a line in
//     flight waits for the earliest fill (mshr.full_stalls counts those cycles). The state is
//     updated at the miss, so the tag array keeps each line's fill time and finding a secondary
//     miss's MSHR is the tag lookup; the MSHRs themselves only count lines in flight.
//   - Write-backs of dirty victims are posted: they occupy the level below but do not delay the
//     requester, and so are the writes a write-through or no-write-allocate level passes down (a
//     write buffer drains them). They leave right after the miss that causes them goes down, at
//     the same time. Real caches (gem5 too) evict at the fill, later; but the levels below serve
//     requests in the order they are called, so a write-back stamped with a future fill time
//     would hold back the requests other accesses send before that time.
// A write miss that allocates asks the level below for the line as a read (read-for-ownership,
// gem5's ReadExReq): the level that holds the line dirty is the one that took the write.
//
// Functional mode (timed false): the same state changes and counts; no time, no MSHR waits or
// merges (nothing is ever in flight), access returns 0.
//
// Under the approximately-timed machine (sim.protocol: at, set_concurrency), a miss's call below
// may suspend while other accesses run through this level, so a miss allocates its line before
// it goes down, with its fill pending (Concurrency::kPending) and its victim evicted then; a demand
// that finds a line pending waits for its fill and merges (a secondary miss), one that finds it
// gone (evicted while in flight) misses again. An MSHR is held pending until its fill, and a miss
// that finds all pending waits for one. Posted writes and prefetches run in threads of their own,
// as a write buffer and a prefetch queue do; the prefetcher still observes each demand in program
// order.
//
// Maintenance by address (maintain(): Arm DC CVAC / DC IVAC / DC CIVAC to the point of coherence;
// on x86 CLWB is a clean, CLFLUSH / CLFLUSHOPT a clean and invalidate, and no instruction
// invalidates one line without writing it back): one operation per line of a physical
// range, through every level given, dirty data written to memory once through the lowest level's
// port as a Writeback. The same walk serves a device's snoops (snoop: true counts them apart), and
// mark_stale() flags the copies a non-snooping device's write left behind: a demand read that hits
// one counts in stale_reads (the driver bug of reading a streaming buffer without
// dma_unmap_single / dma_sync_single_for_cpu).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/cache/cache_params.h"
#include "models/cache/prefetcher.h"
#include "models/cache/replacement.h"
#include "models/interconnect/concurrency.h"
#include "models/interconnect/port.h"
#include "sim/stats/stats.h"

namespace memsim::cache {

// A cache maintenance operation by address, to the point of coherence.
enum class CacheOp : uint8_t {
    Clean,            // DC CVAC, CLWB: dirty data written to memory, the line stays valid and clean
    Invalidate,       // DC IVAC: the line is dropped, dirty data with it
    CleanInvalidate,  // DC CIVAC, CLFLUSH(OPT): written back if dirty, then dropped
};

// What a maintenance walk did.
struct MaintenanceResult {
    uint64_t lines = 0;          // operations: lines of the range (at the smallest line size)
    uint64_t present = 0;        // of those, lines some level held
    uint64_t writebacks = 0;     // lines written to memory (one per line, whatever levels held it dirty)
    uint64_t invalidations = 0;  // valid copies dropped, summed over the levels
    uint64_t done_ps = 0;        // the last operation and the last write-back complete (0 untimed)
};

class Cache final : public mem::Port {
public:
    // NAME is the level's ("l2"): statistics go under cache.NAME., errors name cache.NAME.KEY.
    // LEVEL is what req.served_by says when this level served a request (1 for L1, ...).
    // CYCLE_PS: the core clock's period, which hit_latency counts. Throws InputError for a
    // geometry or policy that cannot be built.
    Cache(const std::string& name, const CacheLevelParams& p, uint8_t level, uint64_t cycle_ps, bool timed,
          mem::Port* next, stats::Registry& r);
    ~Cache() override;

    uint64_t access(const mem::Request& req, uint64_t issue_ps) override;

    void set_next(mem::Port* next) { next_ = next; }
    // The approximately-timed machine's threads (above); null: loosely timed.
    void set_concurrency(mem::Concurrency* c) { conc_ = c; }
    // UPPER is a level directly above this one: an inclusive level back-invalidates it, an
    // exclusive one is filled with its victims.
    void add_upper(Cache* upper);

    const std::string& name() const { return name_; }
    uint8_t level() const { return level_; }
    bool vipt() const { return p_.vipt(); }
    const CacheLevelParams& params() const { return p_; }
    uint64_t line_size() const { return uint64_t(1) << line_bits_; }

    // State, for tests and the MMU glue: whether ADDR's line is present, and dirty.
    bool contains(uint64_t addr) const { return find(addr >> line_bits_) >= 0; }
    bool dirty(uint64_t addr) const;
    // Whether ADDR's line here is a copy a non-snooping device has since written in memory.
    bool stale(uint64_t addr) const;

    // OP over every line of [ADDR, ADDR + SIZE) in this level alone, dirty lines to `next`.
    MaintenanceResult maintain(CacheOp op, uint64_t addr, uint64_t size, uint64_t issue_ps, uint64_t ps_per_line = 0) {
        return maintain(std::vector<Cache*>{this}, op, addr, size, issue_ps, ps_per_line);
    }
    // OP over every line of [ADDR, ADDR + SIZE) in LEVELS (top first, non-empty), as a loop of DC
    // operations: operation k issues at ISSUE_PS + k x PS_PER_LINE, looks the line up in every level
    // (the per-line cost covers the lookups) and, if any level held it dirty (and OP cleans), sends
    // one Writeback of the line to the lowest level's `next` (memory) at the end of its PS_PER_LINE;
    // done_ps is the later of the last operation's end and the last write-back's completion (the
    // DSB that ends Linux's dcache_by_line_op). Lines are walked at the smallest line size of
    // LEVELS (CTR_EL0.DminLine). SNOOP: a device's snoop, counted in snoop.* instead of
    // maintenance.*.
    static MaintenanceResult maintain(const std::vector<Cache*>& levels, CacheOp op, uint64_t addr, uint64_t size,
                                      uint64_t issue_ps, uint64_t ps_per_line = 0, bool snoop = false);
    // Flags the copies of [ADDR, ADDR + SIZE) held here as stale; returns how many.
    uint64_t mark_stale(uint64_t addr, uint64_t size);

    struct Stats {
        stats::Counter &accesses, &hits, &misses;  // demand: every kind but writeback and prefetch
        stats::Counter* accesses_by[mem::kAccessKinds];
        stats::Counter* misses_by[mem::kAccessKinds];
        stats::Counter &evictions, &writebacks, &prefetches_issued, &prefetches_useful, &mshr_merges,
            &mshr_full_stalls, &back_invalidations;
        stats::Counter &maintenance_lookups, &maintenance_writebacks, &maintenance_invalidations;
        stats::Counter &snoop_lookups, &snoop_writebacks, &snoop_invalidations, &stale_reads;
        Stats(stats::Registry& r, const std::string& prefix);
    };
    const Stats& stats() const { return stats_; }

private:
    // Per-line flags. kStale: a non-snooping device wrote the line in memory after it was filled.
    static constexpr uint8_t kDirty = 1, kPrefetched = 2, kStale = 4;
    static constexpr uint64_t kInvalid = ~uint64_t(0);

    std::string name_;
    CacheLevelParams p_;
    uint8_t level_;
    uint64_t cycle_ps_;
    bool timed_;
    bool write_back_, write_allocate_, inclusive_, exclusive_;
    mem::Port* next_;
    mem::Concurrency* conc_ = nullptr;
    Cache* lower_ = nullptr;      // the level this one is an upper of (add_upper)
    std::vector<Cache*> uppers_;  // the levels above this one
    unsigned line_bits_;
    uint64_t set_mask_;
    unsigned ways_;
    uint64_t hit_ps_;
    std::unique_ptr<ReplacementPolicy> repl_;
    std::unique_ptr<Prefetcher> prefetcher_;
    std::vector<uint64_t> prefetch_out_;  // scratch

    // The tag array, sets x ways: the whole line number (kInvalid when empty), as cachegrind keeps
    // it, so a lookup compares one word; flags beside it. Timed only: when each line's data
    // arrives (its fill) and which level it came from.
    std::vector<uint64_t> tags_;
    std::vector<uint8_t> flags_;
    std::vector<uint64_t> fill_ps_;
    std::vector<uint8_t> fill_from_;
    std::vector<uint64_t> mshr_busy_until_;  // timed only: each MSHR's fill time

    // The handshake of an exclusive level with the levels above it, which it serves through
    // `next` but which are Caches too: upper_fill_ is set by an upper just before it asks for a
    // line to fill, so only such requests move a line up; moved_dirty_ is set when the line that
    // moved up was dirty, and the upper fills it dirty.
    bool upper_fill_ = false;
    bool moved_dirty_ = false;
    // Set when this level served a fill with a stale line: the level above fills its copy stale.
    // The level above clears it before it asks (announce_fill), so a hit sets it only when stale.
    bool served_stale_ = false;
    bool take_served_stale() {
        if (!lower_ || !lower_->served_stale_) return false;
        lower_->served_stale_ = false;
        return true;
    }
    // This level's part of one maintenance operation or snoop on the line holding ADDR: returns
    // 0 when absent, 1 when present, 3 when present and dirty (before OP).
    unsigned maintain_line(uint64_t addr, CacheOp op, bool snoop);
    void announce_fill() {
        if (!lower_) return;
        lower_->served_stale_ = false;
        if (lower_->exclusive_) lower_->upper_fill_ = true;
    }

    Stats stats_;

    // The slot of the line last looked up or filled: consecutive accesses to one line (an
    // instruction stream, a copy loop) find it with one compare instead of a search of the set.
    uint64_t mru_slot_ = 0;

    int64_t find(uint64_t block) const {
        const uint64_t* t = &tags_[(block & set_mask_) * ways_];
        for (unsigned w = 0; w < ways_; ++w)
            if (t[w] == block) return int64_t((block & set_mask_) * ways_ + w);
        return -1;
    }
    int64_t lookup(uint64_t block) {
        if (tags_[mru_slot_] == block) return int64_t(mru_slot_);
        int64_t slot = find(block);
        if (slot >= 0) mru_slot_ = uint64_t(slot);
        return slot;
    }
    uint64_t access_line(uint64_t block, mem::AccessKind kind, uint32_t bytes, uint64_t issue_ps, uint8_t& served_by);
    // Approximately timed: BLOCK's slot once its fill is known, or -1 if it left meanwhile.
    int64_t wait_for_fill(uint64_t block);
    // Approximately timed: a fill that was pending is known (DONE, from level FROM; FLAGS added).
    void fill_known(uint64_t block, uint64_t done, uint8_t from, uint8_t flags);
    // One prefetch fill of BLOCK requested at AT_PS (run_prefetcher's; in a thread of its own
    // when approximately timed).
    void prefetch(uint64_t block, uint64_t at_ps);
    uint64_t miss(uint64_t block, mem::AccessKind kind, uint32_t bytes, uint64_t issue_ps, bool for_upper,
                  uint8_t& served_by);
    uint64_t receive_writeback(uint64_t block, uint64_t issue_ps);
    // An exclusive level's fill: a victim of the level above, clean or dirty.
    void fill_victim(uint64_t block, bool dirty, uint64_t at_ps);
    // Installs BLOCK, whose data arrives at FILL_PS from level FROM, in an invalid way or else
    // the policy's victim's, which leaves at EVICT_PS; returns its slot.
    uint64_t allocate(uint64_t block, uint8_t flags, uint64_t fill_ps, uint8_t from, uint64_t evict_ps);
    void evict(uint64_t block, bool dirty, uint64_t at_ps);
    // Removes every line of [addr, addr + bytes) here and above, adding their number to LINES;
    // true if any was dirty.
    bool back_invalidate(uint64_t addr, uint64_t bytes, unsigned& lines);
    // An MSHR free at AT_PS or, if none is, the first to free (START_PS says when).
    unsigned take_mshr(uint64_t at_ps, uint64_t& start_ps);
    void run_prefetcher(uint64_t block, bool miss, bool prefetch_hit, uint64_t at_ps);
    // Sends a request below that the requester does not wait for (write buffer).
    void post(uint64_t block, mem::AccessKind kind, uint32_t bytes, uint64_t at_ps);
};

}  // namespace memsim::cache
