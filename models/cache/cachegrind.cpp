#include "models/cache/cachegrind.h"

#include <fmt/format.h>

#include "sim/config/schema.h"
#include "sim/core/error.h"

namespace memsim::cache {

// cache.l1i and cache.l1d are the hierarchy's CacheLevelParams (cache_params.cpp), whose size,
// assoc and line Cachegrind reads as its I1 and D1; cachegrind's defaults for a modern x86 (and
// the values the issue names) are 32 KiB 8-way I1 and D1, 1 MiB 16-way LL, 64-byte lines.
MEMSIM_REGISTER_PARAMS(CacheGeometry, "cache.ll", "last-level cache (cachegrind --LL)",
                       {{"size", "1MiB"}, {"assoc", "16"}});

LruCache::LruCache(const CacheGeometry& g, const std::string& name) : assoc_(unsigned(g.assoc)) {
    uint64_t sets = g.size / (g.assoc * g.line);
    if (sets == 0 || (sets & (sets - 1)) != 0 || sets * g.assoc * g.line != g.size)
        throw InputError(fmt::format("{}: size {} / (assoc {} x line {}) must be a power-of-two number of sets",
                                     name, g.size, g.assoc, g.line));
    line_bits_ = 0;
    while ((uint64_t(1) << line_bits_) < g.line) ++line_bits_;
    sets_mask_ = sets - 1;
    tags_.assign(sets * g.assoc, ~uint64_t(0));
}

bool LruCache::ref(uint64_t block) {
    uint64_t* set = &tags_[(block & sets_mask_) * assoc_];
    if (set[0] == block) return false;
    for (unsigned i = 1; i < assoc_; ++i) {
        if (set[i] == block) {  // hit: move to MRU
            for (unsigned j = i; j > 0; --j) set[j] = set[j - 1];
            set[0] = block;
            return false;
        }
    }
    for (unsigned j = assoc_ - 1; j > 0; --j) set[j] = set[j - 1];  // miss: the LRU way goes
    set[0] = block;
    return true;
}

bool LruCache::access(uint64_t addr, uint64_t size) {
    uint64_t b1 = addr >> line_bits_, b2 = (addr + (size ? size - 1 : 0)) >> line_bits_;
    if (b1 == b2) return ref(b1);
    // cg_sim.c: a straddling access looks up both lines (both LRU states move), misses if either.
    bool m1 = ref(b1);
    bool m2 = ref(b2);
    return m1 || m2;
}

Cachegrind::Counts::Counts(stats::Registry& r)
    : Ir(r.counter("cachegrind.Ir", "refs", "instruction fetches")),
      I1mr(r.counter("cachegrind.I1mr", "misses", "I1 misses")),
      ILmr(r.counter("cachegrind.ILmr", "misses", "LL misses of instruction fetches")),
      Dr(r.counter("cachegrind.Dr", "refs", "data reads (a modify counts one)")),
      D1mr(r.counter("cachegrind.D1mr", "misses", "D1 read misses")),
      DLmr(r.counter("cachegrind.DLmr", "misses", "LL misses of data reads")),
      Dw(r.counter("cachegrind.Dw", "refs", "data writes")),
      D1mw(r.counter("cachegrind.D1mw", "misses", "D1 write misses")),
      DLmw(r.counter("cachegrind.DLmw", "misses", "LL misses of data writes")) {}

Cachegrind::Cachegrind(const CacheGeometry& i1, const CacheGeometry& d1, const CacheGeometry& ll, stats::Registry& r)
    : i1_(i1, "cache.l1i"), d1_(d1, "cache.l1d"), ll_(ll, "cache.ll"), c_(r) {}

void Cachegrind::observe(const trace::Event& ev) {
    using trace::Op;
    switch (ev.op) {
        case Op::Ifetch:
            ++c_.Ir;
            if (i1_.access(ev.addr, ev.size)) {
                ++c_.I1mr;
                if (ll_.access(ev.addr, ev.size)) ++c_.ILmr;
            }
            break;
        case Op::Read:
        case Op::Modify:
            ++c_.Dr;
            if (d1_.access(ev.addr, ev.size)) {
                ++c_.D1mr;
                if (ll_.access(ev.addr, ev.size)) ++c_.DLmr;
            }
            break;
        case Op::Write:
            ++c_.Dw;
            if (d1_.access(ev.addr, ev.size)) {
                ++c_.D1mw;
                if (ll_.access(ev.addr, ev.size)) ++c_.DLmw;
            }
            break;
        default: break;
    }
}

std::string Cachegrind::summary() const {
    return fmt::format("events: Ir I1mr ILmr Dr D1mr DLmr Dw D1mw DLmw\nsummary: {} {} {} {} {} {} {} {} {}\n",
                       c_.Ir.value(), c_.I1mr.value(), c_.ILmr.value(), c_.Dr.value(), c_.D1mr.value(),
                       c_.DLmr.value(), c_.Dw.value(), c_.D1mw.value(), c_.DLmw.value());
}

}  // namespace memsim::cache
