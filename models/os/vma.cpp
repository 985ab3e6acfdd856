#include "models/os/vma.h"

#include <iterator>

namespace memsim::os {

bool vmas_mergeable(const Vma& a, const Vma& b) {
    if (a.end != b.start || a.kind != b.kind) return false;
    if ((a.flags ^ b.flags) & ~vm::kSoftDirty) return false;
    // is_mergeable_anon_vma: compatible when either has none yet (no fork, so the chain is singular).
    if (a.anon_vma && b.anon_vma && a.anon_vma != b.anon_vma) return false;
    return a.pgoff + (a.size() >> 12) == b.pgoff;
}

Vma* VmaTree::find(uint64_t addr) {
    auto it = map_.upper_bound(addr);
    if (it != map_.begin()) {
        auto p = std::prev(it);
        if (p->second.end > addr) return cache_ = &p->second;
    }
    return it == map_.end() ? nullptr : &it->second;
}

Vma* VmaTree::prev(const Vma& v) {
    auto it = map_.find(v.start);
    return it == map_.begin() ? nullptr : &std::prev(it)->second;
}

Vma* VmaTree::next(const Vma& v) {
    auto it = std::next(map_.find(v.start));
    return it == map_.end() ? nullptr : &it->second;
}

Vma* VmaTree::first_intersecting(uint64_t start, uint64_t end) {
    Vma* v = find(start);
    return v && v->start < end ? v : nullptr;
}

Vma& VmaTree::insert(const Vma& v) {
    cache_ = nullptr;
    return map_.emplace(v.start, v).first->second;
}

void VmaTree::erase(const Vma& v) {
    cache_ = nullptr;
    map_.erase(v.start);
}

Vma& VmaTree::split(Vma& v, uint64_t at) {
    Vma hi = v;
    hi.start = at;
    hi.pgoff = v.pgoff + ((at - v.start) >> 12);
    v.end = at;
    return insert(hi);
}

void VmaTree::split_at(uint64_t start, uint64_t end) {
    if (Vma* v = find(start); v && v->start < start) split(*v, start);
    if (Vma* v = find(end); v && v->start < end) split(*v, end);
}

Vma& VmaTree::merge(Vma& v, bool prefer_next) {
    Vma* p = prev(v);
    Vma* n = next(v);
    bool mp = p && vmas_mergeable(*p, v);
    bool mn = n && vmas_mergeable(v, *n);
    if (mp && mn && !(p->anon_vma && n->anon_vma && p->anon_vma != n->anon_vma)) {
        p->end = n->end;
        if (!p->anon_vma) p->anon_vma = v.anon_vma ? v.anon_vma : n->anon_vma;
        erase(*n);
        erase(v);
        return *p;
    }
    if (mn && (prefer_next || !mp)) {
        Vma merged = v;
        merged.end = n->end;
        if (!merged.anon_vma) merged.anon_vma = n->anon_vma;
        erase(*n);
        erase(v);
        return insert(merged);
    }
    if (mp) {
        p->end = v.end;
        if (!p->anon_vma) p->anon_vma = v.anon_vma;
        erase(v);
        return *p;
    }
    return v;
}

}  // namespace memsim::os
