#include "models/mmu/tlb.h"

#include <fmt/format.h>

#include "sim/core/error.h"

namespace memsim::mmu {

const char* page_size_name(PageSize s) {
    switch (s) {
        case PageSize::Size4K: return "4K";
        case PageSize::Size2M: return "2M";
        case PageSize::Size1G: return "1G";
    }
    return "?";
}

void check_array(const std::string& section, const std::string& entries_key, const std::string& assoc_key,
                 uint64_t entries, uint64_t assoc, const std::string& policy) {
    if (entries == 0) return;
    if (assoc == 0 || assoc > entries || entries % assoc != 0)
        throw InputError(fmt::format("{}.{}: {} entries cannot be split into sets of {}.{} = {} ways (the ways "
                                     "must divide the entries; {} = {} for fully associative)",
                                     section, entries_key, entries, section, assoc_key, assoc, assoc_key, entries));
    std::string why = cache::replacement_check(policy, {entries / assoc, unsigned(assoc)});
    if (!why.empty()) throw InputError(fmt::format("{}.replacement: {}", section, why));
}

namespace {
bool parse_size(const std::string& s, PageSize& out) {
    std::string u;
    for (char c : s) u += char(std::toupper(static_cast<unsigned char>(c)));
    if (u == "4K" || u == "4KIB") out = PageSize::Size4K;
    else if (u == "2M" || u == "2MIB") out = PageSize::Size2M;
    else if (u == "1G" || u == "1GIB") out = PageSize::Size1G;
    else return false;
    return true;
}
}  // namespace

Tlb::Tlb(const TlbParams& p, const std::string& section) {
    if (!p.enabled) return;
    unsigned shared = 0;
    for (const std::string& s : p.shared) {
        PageSize ps;
        if (!parse_size(s, ps))
            throw InputError(fmt::format("{}.shared: '{}' is not a page size (expected 4K, 2M or 1G)", section, s));
        shared |= 1u << unsigned(ps);
    }
    if (shared) {
        if (p.entries == 0)
            throw InputError(fmt::format("{}.entries: the shared array of {}.shared needs entries", section, section));
        check_array(section, "entries", "assoc", p.entries, p.assoc, p.replacement);
        arrays_.push_back({shared, AssocArray<TlbEntry>(p.entries, p.assoc, p.replacement), {}});
        for (unsigned s = 0; s < kPageSizes; ++s)
            if (shared & (1u << s)) array_of_[s] = 0;
    }
    const uint64_t entries[kPageSizes] = {p.entries_4k, p.entries_2m, p.entries_1g};
    const uint64_t assoc[kPageSizes] = {p.assoc_4k, p.assoc_2m, p.assoc_1g};
    for (unsigned s = 0; s < kPageSizes; ++s) {
        if (shared & (1u << s) || entries[s] == 0) continue;
        std::string n = PageSize(s) == PageSize::Size4K ? "4k" : PageSize(s) == PageSize::Size2M ? "2m" : "1g";
        check_array(section, "entries_" + n, "assoc_" + n, entries[s], assoc[s], p.replacement);
        array_of_[s] = int(arrays_.size());
        arrays_.push_back({1u << s, AssocArray<TlbEntry>(entries[s], assoc[s], p.replacement), {}});
    }
}

TlbEntry* Tlb::lookup(uint64_t va, uint16_t asid) {
    for (Array& a : arrays_)
        for (unsigned s = 0; s < kPageSizes; ++s) {
            if (!(a.sizes & (1u << s)) || !a.held[s]) continue;
            const auto size = PageSize(s);
            const uint64_t vpn = va >> page_shift(size);
            TlbEntry* e = a.a.find(a.a.set_of(vpn), [&](const TlbEntry& x) {
                return x.vpn == vpn && x.size == size && (x.global || x.asid == asid);
            });
            if (e) return e;
        }
    return nullptr;
}

void Tlb::insert(const TlbEntry& e) {
    int i = array_of_[unsigned(e.size)];
    if (i < 0) return;
    Array& a = arrays_[size_t(i)];
    // The entry it replaces: the one of the same page that lookups of E's ASID would find (a global
    // entry is found whatever the ASID), so that no page is ever held twice.
    TlbEntry old = a.a.insert(a.a.set_of(e.vpn), e, [&](const TlbEntry& x) {
        return x.size == e.size && x.vpn == e.vpn && (x.asid == e.asid || x.global || e.global);
    });
    if (old.valid) --a.held[unsigned(old.size)];
    ++a.held[unsigned(e.size)];
}

template <class Pred>
uint64_t Tlb::invalidate_if(Pred&& pred) {
    uint64_t n = 0;
    for (Array& a : arrays_)
        n += a.a.invalidate_if([&](const TlbEntry& x) {
            if (!pred(x)) return false;
            --a.held[unsigned(x.size)];
            return true;
        });
    return n;
}

uint64_t Tlb::flush_range(uint16_t asid, uint64_t start, uint64_t end) {
    return invalidate_if([&](const TlbEntry& x) {
        uint64_t first = x.vpn << page_shift(x.size), last = first + page_bytes(x.size);
        return (x.global || x.asid == asid) && first < end && start < last;
    });
}

uint64_t Tlb::flush_asid(uint16_t asid) {
    return invalidate_if([&](const TlbEntry& x) { return !x.global && x.asid == asid; });
}

uint64_t Tlb::flush_non_global() {
    return invalidate_if([](const TlbEntry& x) { return !x.global; });
}

uint64_t Tlb::flush_all() {
    return invalidate_if([](const TlbEntry&) { return true; });
}

std::vector<Tlb::Shape> Tlb::shape() const {
    std::vector<Shape> v;
    for (const Array& a : arrays_) v.push_back({a.sizes, a.a.sets(), a.a.ways()});
    return v;
}

uint64_t Tlb::occupancy() const {
    uint64_t n = 0;
    for (const Array& a : arrays_) n += a.a.occupancy();
    return n;
}

}  // namespace memsim::mmu
