#include "sim/sweep/onepass.h"

#include <algorithm>

namespace memsim::sweep {

std::vector<std::pair<std::string, uint64_t>> CachegrindCounts::named() const {
    return {{"cachegrind.Ir", Ir},     {"cachegrind.I1mr", I1mr}, {"cachegrind.ILmr", ILmr},
            {"cachegrind.Dr", Dr},     {"cachegrind.D1mr", D1mr}, {"cachegrind.DLmr", DLmr},
            {"cachegrind.Dw", Dw},     {"cachegrind.D1mw", D1mw}, {"cachegrind.DLmw", DLmw}};
}

LruStack::LruStack(uint64_t sets, unsigned line_bits, unsigned depth)
    : line_bits_(line_bits), depth_(depth), sets_mask_(sets - 1), tags_(sets * depth, ~uint64_t(0)) {}

unsigned LruStack::ref(uint64_t block) {
    uint64_t* set = &tags_[(block & sets_mask_) * depth_];
    if (set[0] == block) return 0;
    unsigned d = 1;
    while (d < depth_ && set[d] != block) ++d;
    // Found at d: move it to the top. Not found: it enters at the top and the deepest goes.
    unsigned from = d < depth_ ? d : depth_ - 1;
    for (unsigned j = from; j > 0; --j) set[j] = set[j - 1];
    set[0] = block;
    return d;
}

size_t MultiCachegrind::stack_for(bool instr, const cache::CacheGeometry& g, std::map<StackKey, size_t>& index,
                                  std::vector<unsigned>& depth) {
    uint64_t sets = g.size / (g.assoc * g.line);
    unsigned line_bits = 0;
    while ((uint64_t(1) << line_bits) < g.line) ++line_bits;
    auto key = std::make_tuple(instr, sets, line_bits);
    auto it = index.find(key);
    if (it == index.end()) {
        it = index.emplace(key, depth.size()).first;
        kind_stacks_[instr ? 0 : 1].push_back(depth.size());
        depth.push_back(0);
    }
    depth[it->second] = std::max(depth[it->second], unsigned(g.assoc));
    return it->second;
}

MultiCachegrind::MultiCachegrind(const std::vector<CachegrindConfig>& points) : counts_(points.size()) {
    std::map<StackKey, size_t> index;
    std::vector<unsigned> depth;
    std::vector<StackKey> keys;
    for (const auto& p : points) {
        // The same checks and messages as a separate run (cache::LruCache's constructor).
        cache::LruCache check_i1(p.i1, "cache.l1i"), check_d1(p.d1, "cache.l1d");
        i1_.push_back({stack_for(true, p.i1, index, depth), unsigned(p.i1.assoc)});
        d1_.push_back({stack_for(false, p.d1, index, depth), unsigned(p.d1.assoc)});
        ll_.push_back(std::make_unique<cache::LruCache>(p.ll, "cache.ll"));
    }
    keys.resize(depth.size());
    for (const auto& [k, i] : index) keys[i] = k;
    for (size_t i = 0; i < depth.size(); ++i)
        stacks_.emplace_back(std::get<1>(keys[i]), std::get<2>(keys[i]), depth[i]);
    dist_.assign(stacks_.size(), 0);
}

void MultiCachegrind::distances(uint64_t addr, uint64_t size, bool instr) {
    // Only the stacks this kind of access uses move (I1 stacks for fetches, D1 stacks for data),
    // as two separate caches would.
    for (size_t k : kind_stacks_[instr ? 0 : 1]) {
        LruStack& s = stacks_[k];
        uint64_t b1 = addr >> s.line_bits(), b2 = (addr + (size ? size - 1 : 0)) >> s.line_bits();
        // cg_sim.c: a straddling access looks up both lines and misses if either misses, so its
        // distance for "hit iff d < A" is the larger of the two.
        unsigned d1 = s.ref(b1);
        dist_[k] = b1 == b2 ? d1 : std::max(d1, s.ref(b2));
    }
}

void MultiCachegrind::observe(const trace::Event& ev) {
    using trace::Op;
    bool instr = ev.op == Op::Ifetch;
    bool write = ev.op == Op::Write;
    if (!instr && !write && ev.op != Op::Read && ev.op != Op::Modify) return;
    distances(ev.addr, ev.size, instr);
    const auto& d = dist_;
    const auto& refs = instr ? i1_ : d1_;
    for (size_t p = 0; p < counts_.size(); ++p) {
        CachegrindCounts& c = counts_[p];
        bool l1_miss = d[refs[p].stack] >= refs[p].assoc;
        bool ll_miss = l1_miss && ll_[p]->access(ev.addr, ev.size);
        if (instr) {
            ++c.Ir;
            c.I1mr += l1_miss;
            c.ILmr += ll_miss;
        } else if (write) {
            ++c.Dw;
            c.D1mw += l1_miss;
            c.DLmw += ll_miss;
        } else {
            ++c.Dr;
            c.D1mr += l1_miss;
            c.DLmr += ll_miss;
        }
    }
}

}  // namespace memsim::sweep
