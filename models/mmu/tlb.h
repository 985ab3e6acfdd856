#pragma once
// Translation lookaside buffers: set-associative arrays of translations tagged by ASID, virtual
// page number and page size, with the global bit honoured (Intel SDM vol. 3 4.10.2; CVA6
// core/mmu_sv39/tlb.sv tags by ASID with a global flag and 2M/1G flags the same way).
//
// A Tlb is one level (ITLB, DTLB or STLB) made of one array per page size or of one array shared
// by several sizes (TlbParams). A shared array indexes each size by its own page number and is
// probed once per size it holds; hardware probes them in parallel, so that costs no time here.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/cache/replacement.h"
#include "models/mmu/params.h"

namespace memsim::mmu {

enum class PageSize : uint8_t { Size4K = 0, Size2M = 1, Size1G = 2 };
constexpr unsigned kPageSizes = 3;
constexpr unsigned page_shift(PageSize s) { return 12 + 9 * unsigned(s); }
constexpr uint64_t page_bytes(PageSize s) { return uint64_t(1) << page_shift(s); }
const char* page_size_name(PageSize s);  // "4K", "2M", "1G"

// What a translation allows, as the walk found it: the AND of R/W and U/S and the OR of NX over
// the levels on x86 (SDM 4.6), the leaf's R/W/X/U on RISC-V.
struct Perms {
    bool read = true, write = true, exec = true, user = true;
};

struct TlbEntry {
    bool valid = false;
    bool global = false;
    bool dirty = false;  // D was set when the entry was filled: a store through a clean entry walks
    PageSize size = PageSize::Size4K;
    uint16_t asid = 0;
    uint64_t vpn = 0;  // va >> page_shift(size)
    uint64_t pa = 0;   // first byte of the page
    Perms perms;
    uint64_t translate(uint64_t va) const { return pa | (va & (page_bytes(size) - 1)); }
};

// SETS x WAYS entries with a replacement policy from models/cache/replacement.h. ENTRY needs a
// `valid` member. An invalid way is filled first; otherwise the policy names the victim.
template <class Entry>
class AssocArray {
public:
    AssocArray(uint64_t entries, uint64_t assoc, const std::string& policy)
        : sets_(entries / assoc), ways_(unsigned(assoc)), pow2_((sets_ & (sets_ - 1)) == 0), e_(entries),
          policy_(cache::make_replacement(policy, {sets_, ways_})) {}
    uint64_t sets() const { return sets_; }
    // The set KEY (a page number, a walk-cache tag) maps to: KEY mod sets (a mask when a power of two).
    uint64_t set_of(uint64_t key) const { return pow2_ ? key & (sets_ - 1) : key % sets_; }
    unsigned ways() const { return ways_; }

    // The valid entry of SET for which MATCH is true (the policy sees a hit), or nullptr.
    template <class Match>
    Entry* find(uint64_t set, Match&& match) {
        Entry* row = &e_[set * ways_];
        for (unsigned w = 0; w < ways_; ++w)
            if (row[w].valid && match(row[w])) {
                policy_->on_hit(set, w);
                return &row[w];
            }
        return nullptr;
    }
    // Puts E in SET: over the entry SAME picks if there is one, else an invalid way, else the
    // victim. Returns the entry it replaced (valid false if the way was free).
    template <class Same>
    Entry insert(uint64_t set, const Entry& e, Same&& same) {
        Entry* row = &e_[set * ways_];
        unsigned way = ways_;
        for (unsigned w = 0; w < ways_ && way == ways_; ++w)
            if (row[w].valid && same(row[w])) way = w;
        for (unsigned w = 0; w < ways_ && way == ways_; ++w)
            if (!row[w].valid) way = w;
        if (way == ways_) way = policy_->victim(set);
        Entry old = row[way];
        row[way] = e;
        row[way].valid = true;
        policy_->on_fill(set, way);
        return old;
    }
    // Invalidates every valid entry for which PRED is true; returns how many.
    template <class Pred>
    uint64_t invalidate_if(Pred&& pred) {
        uint64_t n = 0;
        for (uint64_t i = 0; i < e_.size(); ++i)
            if (e_[i].valid && pred(e_[i])) {
                e_[i].valid = false;
                policy_->on_invalidate(i / ways_, unsigned(i % ways_));
                ++n;
            }
        return n;
    }
    uint64_t occupancy() const {
        uint64_t n = 0;
        for (const Entry& e : e_) n += e.valid;
        return n;
    }

private:
    uint64_t sets_;
    unsigned ways_;
    bool pow2_;
    std::vector<Entry> e_;
    std::unique_ptr<cache::ReplacementPolicy> policy_;
};

// Checks one array's geometry: ENTRIES 0 is none; else ASSOC must divide it and POLICY must suit it.
// Throws InputError naming SECTION.ENTRIES_KEY / ASSOC_KEY / replacement.
void check_array(const std::string& section, const std::string& entries_key, const std::string& assoc_key,
                 uint64_t entries, uint64_t assoc, const std::string& policy);

class Tlb {
public:
    // SECTION ("mmu.dtlb") names the keys in the InputErrors of a bad geometry.
    Tlb(const TlbParams& p, const std::string& section);

    // False when the level is disabled or holds no page size: every lookup would miss.
    bool present() const { return !arrays_.empty(); }
    bool holds(PageSize s) const { return array_of_[unsigned(s)] >= 0; }

    // The entry translating VA for ASID (a global entry matches any ASID), or nullptr.
    TlbEntry* lookup(uint64_t va, uint16_t asid);
    // Fills E's translation (replacing the entry of that page lookups of E's ASID find) if a size array holds it.
    void insert(const TlbEntry& e);

    // INVLPG over [START, END): entries of ASID and global entries whose page overlaps it.
    uint64_t flush_range(uint16_t asid, uint64_t start, uint64_t end);
    // The non-global entries of ASID (INVPCID single-context; sfence.vma x0, asid).
    uint64_t flush_asid(uint16_t asid);
    // Every non-global entry (MOV to CR3 without PCID).
    uint64_t flush_non_global();
    // Everything, global entries too (CR4.PGE toggle; sfence.vma x0, x0).
    uint64_t flush_all();
    uint64_t occupancy() const;

    // The arrays this level is made of: the page sizes each holds (bit per PageSize), its sets and ways.
    struct Shape {
        unsigned sizes;
        uint64_t sets;
        unsigned ways;
    };
    std::vector<Shape> shape() const;

private:
    struct Array {
        unsigned sizes;  // bit per PageSize
        AssocArray<TlbEntry> a;
        uint64_t held[kPageSizes] = {};  // valid entries per size: a size with none is not probed
    };
    template <class Pred>
    uint64_t invalidate_if(Pred&& pred);
    std::vector<Array> arrays_;
    int array_of_[kPageSizes] = {-1, -1, -1};
};

}  // namespace memsim::mmu
