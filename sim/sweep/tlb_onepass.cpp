#include "sim/sweep/tlb_onepass.h"

#include <algorithm>

#include "sim/core/error.h"

namespace memsim::sweep {

namespace {

using mmu::PageSize;
using mmu::TlbLogType;

// An entry as one word: page number (45 bits: a 57-bit address in 4 KiB pages), page size,
// global bit and ASID, so that the stacks compare words. A global entry matches every ASID, so a
// TLB never holds two of the same page (the lookup hits the first): its ASID is left out.
constexpr unsigned kVpnBits = 45;
uint64_t make_key(uint64_t vpn, PageSize size, bool global, uint16_t asid) {
    if (vpn >> kVpnBits) throw SimulationError("TLB log: a page number beyond 57-bit virtual addresses");
    if (global) asid = 0;
    return vpn | uint64_t(size) << kVpnBits | uint64_t(global) << (kVpnBits + 2) | uint64_t(asid) << (kVpnBits + 3);
}
uint64_t key_vpn(uint64_t k) { return k & ((uint64_t(1) << kVpnBits) - 1); }
PageSize key_size(uint64_t k) { return PageSize((k >> kVpnBits) & 3); }
bool key_global(uint64_t k) { return (k >> (kVpnBits + 2)) & 1; }
uint16_t key_asid(uint64_t k) { return uint16_t(k >> (kVpnBits + 3)); }

}  // namespace

TlbStack::TlbStack(uint64_t sets, unsigned depth)
    : sets_(sets), depth_(depth), pow2_((sets & (sets - 1)) == 0), keys_(sets * depth, kHole) {}

unsigned TlbStack::ref(uint64_t set, uint64_t key) {
    uint64_t* s = &keys_[set * depth_];
    if (s[0] == key) return 0;
    unsigned d = depth_, hole = depth_;
    for (unsigned i = 0; i < depth_; ++i) {
        if (s[i] == key) {
            d = i;
            break;
        }
        if (hole == depth_ && s[i] == kHole) hole = i;
    }
    // Shift the positions above STOP down by one into STOP: the block's own place (a plain LRU
    // move), the highest hole above it (an invalid way filled), or the last position (its entry
    // leaves the deepest array).
    unsigned stop = std::min(d, hole);
    if (stop == depth_) stop = depth_ - 1;
    if (d < depth_ && hole < d) s[d] = kHole;
    for (unsigned j = stop; j > 0; --j) s[j] = s[j - 1];
    s[0] = key;
    return d;
}

MultiTlb::MultiTlb(mmu::TlbLevel level, const std::vector<mmu::TlbParams>& points, const std::string& section)
    : level_(level), points_(points.size()), counts_(points.size()) {
    std::map<std::pair<unsigned, uint64_t>, size_t> index;  // (sizes, sets) -> stack
    std::vector<unsigned> depth;
    std::vector<uint64_t> sets;
    for (size_t p = 0; p < points.size(); ++p) {
        mmu::Tlb tlb(points[p], section);  // a run's checks and messages
        for (const auto& a : tlb.shape()) {
            auto key = std::make_pair(a.sizes, a.sets);
            auto it = index.find(key);
            if (it == index.end()) {
                it = index.emplace(key, depth.size()).first;
                depth.push_back(0);
                sets.push_back(a.sets);
                stack_sizes_.push_back(a.sizes);
            }
            depth[it->second] = std::max(depth[it->second], a.ways);
            PointShape& ps = points_[p];
            for (unsigned s = 0; s < mmu::kPageSizes; ++s)
                if (a.sizes & (1u << s)) ps.array_of[s] = int(ps.arrays.size());
            ps.arrays.push_back({it->second, a.ways, a.sizes});
        }
    }
    for (size_t i = 0; i < depth.size(); ++i) stacks_.emplace_back(sets[i], depth[i]);
    dist_.assign(stacks_.size(), 0);
    probe_dist_.assign(stacks_.size() * mmu::kPageSizes, 0);
}

void MultiTlb::reference(const mmu::TlbLogRecord& r, bool counted) {
    const unsigned bit = 1u << unsigned(r.size);
    const uint64_t vpn = r.vpn(), key = make_key(vpn, r.size, r.global, r.asid);
    for (size_t k = 0; k < stacks_.size(); ++k)
        if (stack_sizes_[k] & bit) dist_[k] = stacks_[k].ref(stacks_[k].set_of(vpn), key);
    if (!counted) return;
    // The first of COUNT identical references is at its distance; the others at distance 0.
    const uint64_t repeats = r.count - 1;
    for (size_t p = 0; p < points_.size(); ++p) {
        const PointShape& ps = points_[p];
        if (ps.arrays.empty()) continue;  // the level holds nothing: never looked up (Mmu::translate)
        TlbCounts& c = counts_[p];
        c.accesses += r.count;
        int a = ps.array_of[unsigned(r.size)];
        if (a < 0) {
            c.misses += r.count;  // this size is never filled here
            continue;
        }
        bool hit = dist_[ps.arrays[size_t(a)].stack] < ps.arrays[size_t(a)].ways;
        c.hits += hit + repeats;
        c.misses += !hit;
    }
}

void MultiTlb::probe(const mmu::TlbLogRecord& r) {
    // Tlb::lookup: each size the array holds, by its own page number, a global entry for any ASID.
    for (size_t k = 0; k < stacks_.size(); ++k)
        for (unsigned s = 0; s < mmu::kPageSizes; ++s) {
            if (!(stack_sizes_[k] & (1u << s))) continue;
            const uint64_t vpn = r.a >> mmu::page_shift(PageSize(s));
            probe_dist_[k * mmu::kPageSizes + s] = stacks_[k].find(stacks_[k].set_of(vpn), [&](uint64_t e) {
                return key_vpn(e) == vpn && key_size(e) == PageSize(s) && (key_global(e) || key_asid(e) == r.asid);
            });
        }
    for (size_t p = 0; p < points_.size(); ++p) {
        const PointShape& ps = points_[p];
        if (ps.arrays.empty()) continue;
        bool hit = false;
        for (const Array& a : ps.arrays)
            for (unsigned s = 0; s < mmu::kPageSizes; ++s)
                if (a.sizes & (1u << s)) hit |= probe_dist_[a.stack * mmu::kPageSizes + s] < a.ways;
        TlbCounts& c = counts_[p];
        c.accesses += r.count;
        c.hits += hit ? r.count : 0;
        c.misses += hit ? 0 : r.count;
    }
}

void MultiTlb::observe(const mmu::TlbLogRecord& r) {
    switch (r.type) {
        case TlbLogType::Ref:
            if (r.level == level_) reference(r, true);
            return;
        case TlbLogType::Touch:
            if (r.level == level_) reference(r, false);
            return;
        case TlbLogType::Probe:
            if (r.level == level_) probe(r);
            return;
        case TlbLogType::FlushRange:
            // Tlb::flush_range: ASID's entries and global ones whose page overlaps [a, b).
            for (auto& st : stacks_)
                st.invalidate_if([&](uint64_t e) {
                    const uint64_t first = key_vpn(e) << mmu::page_shift(key_size(e));
                    const uint64_t last = first + mmu::page_bytes(key_size(e));
                    return (key_global(e) || key_asid(e) == r.asid) && first < r.b && r.a < last;
                });
            return;
        case TlbLogType::FlushAsid:
            for (auto& st : stacks_) st.invalidate_if([&](uint64_t e) { return !key_global(e) && key_asid(e) == r.asid; });
            return;
        case TlbLogType::FlushNonGlobal:
            for (auto& st : stacks_) st.invalidate_if([](uint64_t e) { return !key_global(e); });
            return;
        case TlbLogType::FlushAll:
            for (auto& st : stacks_) st.invalidate_if([](uint64_t) { return true; });
            return;
    }
}

}  // namespace memsim::sweep
