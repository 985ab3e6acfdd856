#include "models/cache/cache.h"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "sim/core/error.h"

namespace memsim::cache {

using mem::AccessKind;

namespace {
constexpr unsigned kPageBits = 12;  // hardware prefetchers stay within a 4 KiB page (physical
                                    // addresses beyond it are unknown to them: Intel optimization manual)

// cpu.ifetches, looked up among the counters when read (a formula may not ask Registry::value,
// which evaluates every formula).
double instructions(const stats::Registry& r) {
    for (const auto& s : r.all())
        if (s.kind == stats::Kind::Counter && s.name == "cpu.ifetches") return double(s.counter->value());
    return 0;
}
}  // namespace

Cache::Stats::Stats(stats::Registry& r, const std::string& p)
    : accesses(r.counter(p + "accesses", "accesses",
                         "demand accesses (reads, writes, ifetches, page walks; not write-backs or prefetches "
                         "from above), one per line touched")),
      hits(r.counter(p + "hits", "accesses", "demand accesses that found their line present and filled")),
      misses(r.counter(p + "misses", "accesses",
                       "demand accesses that missed, including secondary misses merged in an MSHR")),
      evictions(r.counter(p + "evictions", "lines", "valid lines replaced to make room for a fill")),
      writebacks(r.counter(p + "writebacks", "lines", "dirty lines sent to the level below")),
      prefetches_issued(r.counter(p + "prefetches.issued", "lines", "prefetch fills sent below by this level")),
      prefetches_useful(r.counter(p + "prefetches.useful", "lines", "prefetched lines later hit by a demand access")),
      mshr_merges(r.counter(p + "mshr.merges", "accesses",
                            "secondary misses to a line already in flight, completed by its fill")),
      mshr_full_stalls(r.counter(p + "mshr.full_stalls", "cycles", "cycles misses waited for a free MSHR")),
      back_invalidations(r.counter(p + "back_invalidations", "lines",
                                   "lines invalidated in the levels above because this inclusive level evicted "
                                   "them")),
      maintenance_lookups(r.counter(p + "maintenance.lookups", "lines",
                                    "lines looked up by cache maintenance by address (DC CVAC/IVAC/CIVAC: the "
                                    "kernel's streaming DMA mappings)")),
      maintenance_writebacks(r.counter(p + "maintenance.writebacks", "lines",
                                       "dirty lines here cleaned by maintenance (their data went to memory)")),
      maintenance_invalidations(r.counter(p + "maintenance.invalidations", "lines",
                                          "valid lines here invalidated by maintenance")),
      snoop_lookups(r.counter(p + "snoop.lookups", "lines", "lines looked up by a snooping device's accesses")),
      snoop_writebacks(r.counter(p + "snoop.writebacks", "lines",
                                 "dirty lines here written to memory for a snooping device's read or partial write")),
      snoop_invalidations(r.counter(p + "snoop.invalidations", "lines",
                                    "lines here invalidated by a snooping device's write")),
      stale_reads(r.counter(p + "stale_reads", "accesses",
                            "demand reads served here with a line a non-snooping device had since written in "
                            "memory (a missing dma_unmap_single / dma_sync_single_for_cpu)")) {
    for (unsigned k = 0; k < mem::kAccessKinds; ++k) {
        const char* kind = mem::kind_name(AccessKind(k));
        accesses_by[k] = &r.counter(p + "accesses." + kind, "accesses", fmt::format("{} requests received", kind));
        misses_by[k] = &r.counter(p + "misses." + kind, "accesses", fmt::format("{} requests that missed", kind));
    }
    r.formula(p + "mpki", "misses/kinst", "demand misses per 1000 instructions (cpu.ifetches); 0 without them",
              [&r, m = &misses] {
                  double i = instructions(r);
                  return i > 0 ? double(m->value()) * 1000.0 / i : 0.0;
              });
}

Cache::Cache(const std::string& name, const CacheLevelParams& p, uint8_t level, uint64_t cycle_ps, bool timed,
             mem::Port* next, stats::Registry& r)
    : name_(name),
      p_(p),
      level_(level),
      cycle_ps_(cycle_ps),
      timed_(timed),
      write_back_(p.write_back()),
      write_allocate_(p.write_allocate),
      inclusive_(p.inclusion == "inclusive"),
      exclusive_(p.inclusion == "exclusive"),
      next_(next),
      ways_(unsigned(p.assoc)),
      hit_ps_(p.hit_latency * cycle_ps),
      stats_(r, "cache." + name + ".") {
    const std::string key = "cache." + name;
    uint64_t sets = p.size / (p.assoc * p.line);
    if (sets == 0 || (sets & (sets - 1)) != 0 || sets * p.assoc * p.line != p.size)
        throw InputError(fmt::format("{}.size: {} bytes / ({} ways x {}-byte lines) must be a power-of-two number "
                                     "of sets",
                                     key, p.size, p.assoc, p.line));
    // VIPT without aliases: the set index must come from the page offset, which translation does
    // not change, so every way may hold at most one page (Hennessy & Patterson, 6th ed., B.3).
    if (p.vipt() && p.size / p.assoc > (uint64_t(1) << kPageBits))
        throw InputError(fmt::format(
            "{}.indexing: vipt needs size / assoc <= the 4 KiB page, got {} / {} = {} bytes per way: the set index "
            "would use virtual address bits above the page offset, so one physical line could sit in two sets "
            "under two virtual aliases; raise {}.assoc to {}, lower {}.size to {} bytes, or use indexing: pipt",
            key, p.size, p.assoc, p.size / p.assoc, key, p.size >> kPageBits, key, p.assoc << kPageBits));
    line_bits_ = 0;
    while ((uint64_t(1) << line_bits_) < p.line) ++line_bits_;
    set_mask_ = sets - 1;
    ReplacementSpec rs{sets, ways_, 1};
    if (std::string why = replacement_check(p.replacement, rs); !why.empty())
        throw InputError(key + ".replacement: " + why);
    repl_ = make_replacement(p.replacement, rs);
    try {
        prefetcher_ = make_prefetcher(p.prefetcher, {line_bits_, unsigned(p.prefetch_degree), unsigned(p.prefetch_distance)});
    } catch (const std::invalid_argument& e) {
        throw InputError(key + ".prefetcher: " + e.what());
    }
    if (exclusive_ && !write_back_)
        throw InputError(key + ".inclusion: an exclusive level holds the victims of the levels above, dirty ones "
                               "too, so it must be write_policy: write_back");
    tags_.assign(sets * ways_, kInvalid);
    flags_.assign(sets * ways_, 0);
    if (timed_) {
        fill_ps_.assign(sets * ways_, 0);
        fill_from_.assign(sets * ways_, level_);
        mshr_busy_until_.assign(p.mshrs, 0);
    }
}

Cache::~Cache() = default;

void Cache::add_upper(Cache* upper) {
    uppers_.push_back(upper);
    upper->lower_ = this;
}

bool Cache::dirty(uint64_t addr) const {
    int64_t slot = find(addr >> line_bits_);
    return slot >= 0 && (flags_[size_t(slot)] & kDirty);
}

bool Cache::stale(uint64_t addr) const {
    int64_t slot = find(addr >> line_bits_);
    return slot >= 0 && (flags_[size_t(slot)] & kStale);
}

uint64_t Cache::mark_stale(uint64_t addr, uint64_t size) {
    if (size == 0) return 0;
    uint64_t n = 0;
    for (uint64_t b = addr >> line_bits_; b <= (addr + size - 1) >> line_bits_; ++b)
        if (int64_t slot = find(b); slot >= 0) {
            flags_[size_t(slot)] |= kStale;
            ++n;
        }
    return n;
}

unsigned Cache::maintain_line(uint64_t addr, CacheOp op, bool snoop) {
    ++(snoop ? stats_.snoop_lookups : stats_.maintenance_lookups);
    const uint64_t block = addr >> line_bits_;
    const int64_t slot = find(block);
    if (slot < 0) return 0;
    const auto s = size_t(slot);
    const bool was_dirty = flags_[s] & kDirty;
    if (was_dirty && op != CacheOp::Invalidate) ++(snoop ? stats_.snoop_writebacks : stats_.maintenance_writebacks);
    if (op == CacheOp::Clean) {
        flags_[s] &= uint8_t(~kDirty);
    } else {
        const uint64_t set = block & set_mask_;
        tags_[s] = kInvalid;
        flags_[s] = 0;
        repl_->on_invalidate(set, unsigned(uint64_t(slot) - set * ways_));
        ++(snoop ? stats_.snoop_invalidations : stats_.maintenance_invalidations);
    }
    return was_dirty ? 3 : 1;
}

MaintenanceResult Cache::maintain(const std::vector<Cache*>& levels, CacheOp op, uint64_t addr, uint64_t size,
                                  uint64_t issue_ps, uint64_t ps_per_line, bool snoop) {
    MaintenanceResult r;
    if (levels.empty() || size == 0) return r;
    Cache* lowest = levels.back();
    const bool timed = lowest->timed_;
    unsigned bits = levels.front()->line_bits_;
    for (const Cache* c : levels) bits = std::min(bits, c->line_bits_);
    const uint64_t first = addr >> bits, last = (addr + size - 1) >> bits;
    const uint64_t t0 = timed ? issue_ps : 0;
    r.done_ps = t0;
    for (uint64_t l = first; l <= last; ++l) {
        const uint64_t a = l << bits;
        unsigned state = 0;
        Cache* dirty_in = nullptr;  // the lowest level that held the line dirty: its line size goes down
        for (Cache* c : levels) {
            unsigned s = c->maintain_line(a, op, snoop);
            state |= s;
            if (s == 3) dirty_in = c;
            if (s && op != CacheOp::Clean) ++r.invalidations;
        }
        ++r.lines;
        const uint64_t end = timed ? t0 + (l - first + 1) * ps_per_line : 0;
        r.done_ps = std::max(r.done_ps, end);
        if (state) ++r.present;
        if (dirty_in && op != CacheOp::Invalidate) {
            ++r.writebacks;
            const uint64_t line = dirty_in->line_size();
            mem::Request w{a & ~(line - 1), uint32_t(line), AccessKind::Writeback};
            uint64_t done = lowest->next_->access(w, end);
            if (timed) r.done_ps = std::max(r.done_ps, done);
        }
    }
    return r;
}

uint64_t Cache::access(const mem::Request& req, uint64_t issue_ps) {
    uint64_t first = req.addr >> line_bits_;
    uint64_t last = (req.addr + (req.size ? req.size - 1 : 0)) >> line_bits_;
    uint8_t served = 0;
    if (first == last) {
        uint64_t done = access_line(first, req.kind, req.size, issue_ps, served);
        req.served_by = served;
        return done;
    }
    // A request that straddles lines is served line by line, all issued at once (as a core's
    // load/store unit splits a misaligned access); it completes with its last line and reports
    // the deepest level any line came from.
    uint64_t done = 0;
    uint64_t end = req.addr + req.size;
    for (uint64_t b = first; b <= last; ++b) {
        uint64_t lo = std::max(req.addr, b << line_bits_), hi = std::min(end, (b + 1) << line_bits_);
        uint8_t s = 0;
        done = std::max(done, access_line(b, req.kind, uint32_t(hi - lo), issue_ps, s));
        served = std::max(served, s);
    }
    req.served_by = served;
    return done;
}

uint64_t Cache::access_line(uint64_t block, AccessKind kind, uint32_t bytes, uint64_t issue_ps, uint8_t& served_by) {
    ++*stats_.accesses_by[unsigned(kind)];
    if (kind == AccessKind::Writeback) {
        served_by = level_;
        return receive_writeback(block, issue_ps);
    }
    const bool demand = kind != AccessKind::Prefetch;
    if (demand) ++stats_.accesses;
    // Only a level above this exclusive one takes the line up; a page walker or a core reading
    // here directly leaves it in place.
    const bool for_upper = upper_fill_;
    upper_fill_ = false;
    const uint64_t lookup_ps = issue_ps + hit_ps_;
    int64_t slot = lookup(block);
    // Approximately timed, the prefetcher observes each demand at its lookup, in the order they
    // come, before it waits for a pending fill or goes down (its fills run apart).
    bool observed = false;
    if (conc_ && slot >= 0 && fill_ps_[size_t(slot)] == mem::Concurrency::kPending) {
        if (prefetcher_ && demand) {
            run_prefetcher(block, true, flags_[size_t(slot)] & kPrefetched, lookup_ps);
            observed = true;
        }
        slot = wait_for_fill(block);
        served_stale_ = false;  // what others' accesses left meanwhile is not this answer's
    }
    if (slot < 0) {
        if (demand) ++stats_.misses;
        ++*stats_.misses_by[unsigned(kind)];
        if (conc_ && prefetcher_ && demand && !observed) run_prefetcher(block, true, false, lookup_ps);
        const uint64_t done = miss(block, kind, bytes, issue_ps, for_upper, served_by);
        if (!conc_ && prefetcher_ && demand) run_prefetcher(block, true, false, lookup_ps);
        return done;
    }

    const auto s = size_t(slot);
    const uint64_t set = block & set_mask_;
    const auto way = unsigned(uint64_t(slot) - set * ways_);
    uint8_t& f = flags_[s];
    bool prefetched = false;
    if (f & (kPrefetched | kStale)) [[unlikely]] {  // one test on the common path for both marks
        prefetched = f & kPrefetched;
        if (demand && prefetched) {
            ++stats_.prefetches_useful;
            f &= uint8_t(~kPrefetched);
        }
        if (f & kStale) {
            // A line a non-snooping device overwrote in memory: the reader gets the old data, and
            // a level above filling from it holds the old data too (take_served_stale).
            served_stale_ = true;
            if (demand && !mem::is_write(kind)) ++stats_.stale_reads;
        }
    }
    uint64_t done = timed_ ? lookup_ps : 0;
    served_by = level_;
    const bool in_flight = timed_ && fill_ps_[s] > issue_ps;
    if (in_flight) {  // a secondary miss: it merges with the MSHR that fetches the line
        if (demand) ++stats_.misses;
        ++*stats_.misses_by[unsigned(kind)];
        ++stats_.mshr_merges;
        done = std::max(done, fill_ps_[s]);
        served_by = fill_from_[s];
    } else if (demand) {
        ++stats_.hits;
    }
    repl_->on_hit(set, way);
    if (mem::is_write(kind)) {
        if (write_back_)
            f |= kDirty;
        else
            post(block, kind, bytes, lookup_ps);
    }
    if (exclusive_ && for_upper) {
        // Exclusive: the line moves up into the requesting level and leaves this one (AMD's
        // victim L3; gem5's "mostly exclusive" clusivity invalidates on a hit from above).
        moved_dirty_ = f & kDirty;
        tags_[s] = kInvalid;
        f = 0;
        repl_->on_invalidate(set, way);
    }
    if (prefetcher_ && demand && !observed) run_prefetcher(block, in_flight, prefetched, lookup_ps);
    return done;
}

uint64_t Cache::miss(uint64_t block, AccessKind kind, uint32_t bytes, uint64_t issue_ps, bool for_upper,
                     uint8_t& served_by) {
    const uint64_t lookup_ps = issue_ps + hit_ps_;
    const bool write = mem::is_write(kind);
    if (write && (!write_allocate_ || exclusive_)) {
        // No-write-allocate (or an exclusive level, filled only by victims): the write goes
        // below through the write buffer and the line is not fetched.
        post(block, kind, bytes, lookup_ps);
        served_by = level_;
        served_stale_ = false;
        return timed_ ? lookup_ps : 0;
    }
    uint64_t start_ps = lookup_ps;
    unsigned mshr = 0;
    for (;;) {
        if (timed_) mshr = take_mshr(lookup_ps, start_ps);
        // Approximately timed, take_mshr may have waited while another miss brought the line in
        // or sent it below.
        const int64_t slot = conc_ && !exclusive_ ? find(block) : -1;
        if (slot < 0) break;
        const auto s = size_t(slot);
        if (fill_ps_[s] == mem::Concurrency::kPending) {
            conc_->wait_completion();
            continue;
        }
        // A secondary miss after all: it completes with the other's fill.
        ++stats_.mshr_merges;
        repl_->on_hit(block & set_mask_, unsigned(s - (block & set_mask_) * ways_));
        if (write) {
            if (write_back_) flags_[s] |= kDirty;
            else post(block, kind, bytes, lookup_ps);
        }
        served_by = fill_from_[s];
        served_stale_ = flags_[s] & kStale;
        return std::max(lookup_ps, fill_ps_[s]);
    }
    if (conc_) {
        // Approximately timed, other accesses run here while this one waits below: the MSHR and
        // the line are taken now, the fill pending (the victim leaves now too).
        mshr_busy_until_[mshr] = mem::Concurrency::kPending;
        if (!exclusive_) {
            allocate(block, write && write_back_ ? kDirty : 0, mem::Concurrency::kPending, level_, start_ps);
            if (write && !write_back_) post(block, kind, bytes, start_ps);  // write-through: the write follows the fill
        }
    }
    mem::Request fill{block << line_bits_, uint32_t(line_size()), write ? AccessKind::Read : kind};
    announce_fill();
    uint64_t done = next_->access(fill, start_ps);
    served_by = fill.served_by;
    served_stale_ = take_served_stale();  // (the level above cleared it before asking)
    if (timed_) mshr_busy_until_[mshr] = done;
    // A line an exclusive level below moved up keeps its dirtiness here.
    bool dirty = false;
    if (lower_ && lower_->exclusive_) {
        dirty = lower_->moved_dirty_;
        lower_->moved_dirty_ = false;
    }
    if (exclusive_) {  // not filled here: the line goes on up, dirty or not
        moved_dirty_ = for_upper && dirty;
        if (conc_) conc_->completed();  // (the MSHR)
        return timed_ ? done : 0;
    }
    if (dirty && !write_back_) {  // a write-through level holds nothing dirty: the data goes below
        post(block, AccessKind::Writeback, uint32_t(line_size()), start_ps);
        dirty = false;
    }
    uint8_t flags = (write && write_back_) || dirty ? kDirty : 0;
    if (served_stale_) flags |= kStale;
    if (conc_) {
        fill_known(block, done, served_by, flags);
        return done;
    }
    allocate(block, flags, done, served_by, start_ps);
    if (write && !write_back_) post(block, kind, bytes, start_ps);  // write-through: the write follows the fill
    return timed_ ? done : 0;
}

int64_t Cache::wait_for_fill(uint64_t block) {
    for (;;) {
        const int64_t slot = find(block);
        if (slot < 0 || fill_ps_[size_t(slot)] != mem::Concurrency::kPending) return slot;
        conc_->wait_completion();
    }
}

void Cache::fill_known(uint64_t block, uint64_t done, uint8_t from, uint8_t flags) {
    if (const int64_t slot = find(block); slot >= 0 && fill_ps_[size_t(slot)] == mem::Concurrency::kPending) {
        fill_ps_[size_t(slot)] = done;
        fill_from_[size_t(slot)] = from;
        flags_[size_t(slot)] |= flags;
    }
    conc_->completed();
}

uint64_t Cache::receive_writeback(uint64_t block, uint64_t issue_ps) {
    // A dirty line evicted above. A write-back level takes it (a whole line: nothing to fetch), as
    // gem5 allocates on WritebackDirty; a write-through level passes it on.
    const uint64_t done = timed_ ? issue_ps + hit_ps_ : 0;
    if (int64_t slot = find(block); slot >= 0) {
        const uint64_t set = block & set_mask_;
        repl_->on_hit(set, unsigned(uint64_t(slot) - set * ways_));
        if (write_back_)
            flags_[size_t(slot)] |= kDirty;
        else
            post(block, AccessKind::Writeback, uint32_t(line_size()), done);
        return done;
    }
    ++*stats_.misses_by[unsigned(AccessKind::Writeback)];
    if (write_back_)
        allocate(block, kDirty, done, level_, done);
    else
        post(block, AccessKind::Writeback, uint32_t(line_size()), done);
    return done;
}

void Cache::fill_victim(uint64_t block, bool dirty, uint64_t at_ps) {
    if (dirty) ++*stats_.accesses_by[unsigned(AccessKind::Writeback)];
    if (int64_t slot = find(block); slot >= 0) {
        if (dirty) flags_[size_t(slot)] |= kDirty;
        return;
    }
    if (dirty) ++*stats_.misses_by[unsigned(AccessKind::Writeback)];
    allocate(block, dirty ? kDirty : 0, at_ps, level_, at_ps);
}

uint64_t Cache::allocate(uint64_t block, uint8_t flags, uint64_t fill_ps, uint8_t from, uint64_t evict_ps) {
    const uint64_t set = block & set_mask_;
    const uint64_t base = set * ways_;
    unsigned way = ways_;
    for (unsigned w = 0; w < ways_; ++w) {
        if (tags_[base + w] == kInvalid) {  // an invalid way is filled first, as hardware does
            way = w;
            break;
        }
    }
    uint64_t victim = kInvalid;
    bool victim_dirty = false;
    if (way == ways_) {
        way = repl_->victim(set);
        victim = tags_[base + way];
        victim_dirty = flags_[base + way] & kDirty;
        ++stats_.evictions;
    }
    const uint64_t s = base + way;
    tags_[s] = block;
    flags_[s] = flags;
    if (timed_) {
        fill_ps_[s] = fill_ps;
        fill_from_[s] = from;
    }
    repl_->on_fill(set, way);
    mru_slot_ = s;
    // The victim leaves after the new line is in place: what it sets off below (a write-back,
    // an exclusive level's fill, back-invalidations) cannot disturb this set's new line.
    if (victim != kInvalid) evict(victim, victim_dirty, evict_ps);
    return s;
}

void Cache::evict(uint64_t block, bool dirty, uint64_t at_ps) {
    if (inclusive_) {
        // Inclusion: no level above may keep a line this level no longer has (Baer and Wang,
        // ISCA 1988); a dirty copy above holds the newest data, which goes below with the victim.
        unsigned lines = 0;
        for (Cache* u : uppers_) dirty |= u->back_invalidate(block << line_bits_, line_size(), lines);
        stats_.back_invalidations += lines;
    }
    if (lower_ && lower_->exclusive_) {
        // An exclusive level below is filled by every victim, clean ones too (gem5's
        // WritebackClean towards a victim cache).
        if (dirty) ++stats_.writebacks;
        lower_->fill_victim(block, dirty, at_ps);
        return;
    }
    if (dirty) {
        ++stats_.writebacks;
        post(block, AccessKind::Writeback, uint32_t(line_size()), at_ps);
    }
}

bool Cache::back_invalidate(uint64_t addr, uint64_t bytes, unsigned& lines) {
    bool dirty = false;
    for (uint64_t b = addr >> line_bits_; b <= (addr + bytes - 1) >> line_bits_; ++b) {
        int64_t slot = find(b);
        if (slot < 0) continue;
        const auto s = size_t(slot);
        const uint64_t set = b & set_mask_;
        dirty |= (flags_[s] & kDirty) != 0;
        tags_[s] = kInvalid;
        flags_[s] = 0;
        repl_->on_invalidate(set, unsigned(uint64_t(slot) - set * ways_));
        ++lines;
    }
    for (Cache* u : uppers_) dirty |= u->back_invalidate(addr, bytes, lines);
    return dirty;
}

unsigned Cache::take_mshr(uint64_t at_ps, uint64_t& start_ps) {
    for (;;) {
        unsigned earliest = 0;
        for (unsigned m = 0; m < mshr_busy_until_.size(); ++m) {
            if (mshr_busy_until_[m] <= at_ps) {
                start_ps = at_ps;
                return m;
            }
            if (mshr_busy_until_[m] < mshr_busy_until_[earliest]) earliest = m;
        }
        // Every MSHR holds a line in flight: the miss waits for the first fill (gem5 blocks the
        // cache's request port until an MSHR frees: Blocked_NoMSHRs). Approximately timed, the
        // fills may not be known yet: it waits for one.
        if (mshr_busy_until_[earliest] == mem::Concurrency::kPending) {
            conc_->wait_completion();
            continue;
        }
        start_ps = std::max(mshr_busy_until_[earliest], at_ps);
        stats_.mshr_full_stalls += (start_ps - at_ps + cycle_ps_ - 1) / cycle_ps_;
        return earliest;
    }
}

void Cache::run_prefetcher(uint64_t block, bool miss, bool prefetch_hit, uint64_t at_ps) {
    prefetch_out_.clear();
    prefetcher_->observe(block, miss, prefetch_hit, prefetch_out_);
    const unsigned page_lines = line_bits_ < kPageBits ? kPageBits - line_bits_ : 0;
    for (uint64_t b : prefetch_out_) {
        if ((b >> page_lines) != (block >> page_lines)) continue;
        if (conc_) conc_->spawn([this, b, at_ps] { prefetch(b, at_ps); });  // a prefetch queue
        else prefetch(b, at_ps);
    }
}

void Cache::prefetch(uint64_t b, uint64_t at_ps) {
    if (find(b) >= 0) return;
    unsigned mshr = 0;
    if (timed_) {
        // A prefetch never waits for an MSHR: with none free it is dropped (demand first).
        while (mshr < mshr_busy_until_.size() && mshr_busy_until_[mshr] > at_ps) ++mshr;
        if (mshr == mshr_busy_until_.size()) return;
    }
    ++stats_.prefetches_issued;
    if (conc_) {  // approximately timed: the MSHR and the line are taken before it goes below, as miss() does
        mshr_busy_until_[mshr] = mem::Concurrency::kPending;
        allocate(b, kPrefetched, mem::Concurrency::kPending, level_, at_ps);
    }
    mem::Request r{b << line_bits_, uint32_t(line_size()), AccessKind::Prefetch};
    announce_fill();
    uint64_t done = next_->access(r, timed_ ? at_ps : 0);
    if (timed_) mshr_busy_until_[mshr] = done;
    uint8_t flags = kPrefetched;
    if (take_served_stale()) flags |= kStale;
    if (lower_ && lower_->exclusive_ && lower_->moved_dirty_) {
        flags |= kDirty;
        lower_->moved_dirty_ = false;
    }
    if (conc_) fill_known(b, done, r.served_by, flags);
    else allocate(b, flags, done, r.served_by, at_ps);
}

void Cache::post(uint64_t block, AccessKind kind, uint32_t bytes, uint64_t at_ps) {
    mem::Request r{block << line_bits_, bytes, kind};
    if (conc_) {
        // Approximately timed: the write buffer drains on its own; the requester goes on.
        conc_->spawn([this, r, at_ps] { next_->access(r, at_ps); });
        return;
    }
    next_->access(r, timed_ ? at_ps : 0);
}

}  // namespace memsim::cache
