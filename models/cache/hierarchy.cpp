#include "models/cache/hierarchy.h"

#include <algorithm>

#include "sim/core/error.h"

namespace memsim::cache {

const std::vector<std::string>& Hierarchy::level_names() {
    static const std::vector<std::string> names{"l1i", "l1d", "l2", "llc"};
    return names;
}

Hierarchy::Hierarchy(const config::Config& cfg, stats::Registry& r, uint64_t cycle_ps, bool timed,
                     mem::Port& memory) {
    auto params = [&](const std::string& n) { return cfg.section<CacheLevelParams>("cache." + n); };
    for (const char* l1 : {"l1i", "l1d"})
        if (params(l1).inclusion == "exclusive")
            throw InputError(std::string("cache.") + l1 + ".inclusion: exclusive describes a level below others; "
                                                         "an L1 has no level above it");

    // Built bottom up, so each level knows the one below it.
    mem::Port* below = &memory;
    Cache* below_cache = nullptr;
    auto l2p = params("l2"), llcp = params("llc");
    uint8_t l1_level = 1, l2_level = 2, llc_level = uint8_t(l2p.enabled ? 3 : 2);
    Cache* llc = nullptr;
    Cache* l2 = nullptr;
    if (llcp.enabled) {
        owned_.push_back(std::make_unique<Cache>("llc", llcp, llc_level, cycle_ps, timed, below, r));
        llc = owned_.back().get();
        below = below_cache = llc;
    }
    if (l2p.enabled) {
        owned_.push_back(std::make_unique<Cache>("l2", l2p, l2_level, cycle_ps, timed, below, r));
        l2 = owned_.back().get();
        if (llc) llc->add_upper(l2);
        below = below_cache = l2;
    }
    Cache* l1[2] = {nullptr, nullptr};
    const char* l1_names[2] = {"l1i", "l1d"};
    for (int i = 0; i < 2; ++i) {
        auto p = params(l1_names[i]);
        if (!p.enabled) continue;
        owned_.push_back(std::make_unique<Cache>(l1_names[i], p, l1_level, cycle_ps, timed, below, r));
        l1[i] = owned_.back().get();
        if (below_cache) below_cache->add_upper(l1[i]);
    }
    icache_ = l1[0] ? static_cast<mem::Port*>(l1[0]) : below;
    dcache_ = l1[1] ? static_cast<mem::Port*>(l1[1]) : below;
    for (Cache* c : {l1[0], l1[1], l2, llc})
        if (c) levels_.push_back(c);
    for (Cache* c : {l1[1], l2, llc})
        if (c) data_levels_.push_back(c);
    for (Cache* c : data_levels_) {  // line sizes are powers of two
        unsigned bits = 0;
        while ((uint64_t(1) << bits) < c->line_size()) ++bits;
        min_line_bits_ = c == data_levels_.front() ? bits : std::min(min_line_bits_, bits);
    }
    for (Cache* c : {l2, llc})
        if (c && c->params().inclusion == "exclusive" && !l1[0] && !l1[1] && !(c == llc && l2))
            throw InputError("cache." + c->name() + ".inclusion: exclusive needs a level above it to fill it "
                             "with victims, and every level above is disabled");
}

Cache* Hierarchy::level(const std::string& name) {
    for (Cache* c : levels_)
        if (c->name() == name) return c;
    return nullptr;
}

uint64_t Hierarchy::mark_stale(uint64_t addr, uint64_t size) {
    uint64_t n = 0;
    for (Cache* c : data_levels_) n += c->mark_stale(addr, size);
    return n;
}

uint64_t Hierarchy::dirty_lines(uint64_t addr, uint64_t size) const {
    if (size == 0 || data_levels_.empty()) return 0;
    uint64_t n = 0;
    for (uint64_t l = addr >> min_line_bits_; l <= (addr + size - 1) >> min_line_bits_; ++l)
        for (const Cache* c : data_levels_)
            if (c->dirty(l << min_line_bits_)) {
                ++n;
                break;
            }
    return n;
}

uint64_t Hierarchy::stale_reads() const {
    uint64_t n = 0;
    for (const Cache* c : levels_) n += c->stats().stale_reads.value();
    return n;
}

}  // namespace memsim::cache
