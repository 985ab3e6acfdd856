#pragma once
// A sparse image of a process's memory at 8-byte granularity, for the allocator's metadata: chunk
// headers, links, bins. Pages are allocated on first write; a word never written reads 0, as fresh
// anonymous memory does. A small direct-mapped cache of page pointers keeps lookups off the hash
// map in the common case (the allocator works on a few pages at a time).
#include <cstdint>
#include <cstring>
#include <memory>
#include <unordered_map>

namespace memsim::libc {

class WordMemory {
public:
    static constexpr unsigned kPageShift = 12;
    static constexpr uint64_t kWordsPerPage = (uint64_t(1) << kPageShift) / 8;

    uint64_t get(uint64_t addr) {
        const uint64_t* page = lookup(addr >> kPageShift, false);
        return page ? page[(addr >> 3) & (kWordsPerPage - 1)] : 0;
    }
    void set(uint64_t addr, uint64_t v) { lookup(addr >> kPageShift, true)[(addr >> 3) & (kWordsPerPage - 1)] = v; }
    // Forget [ADDR, ADDR+LEN) (page granular, whole pages inside only): the memory went back to the
    // kernel and reads zero when it comes back.
    void discard(uint64_t addr, uint64_t len) {
        uint64_t first = (addr + (uint64_t(1) << kPageShift) - 1) >> kPageShift;
        uint64_t end = (addr + len) >> kPageShift;
        if (end <= first) return;
        if (end - first > pages_.size()) {
            for (auto it = pages_.begin(); it != pages_.end();) {
                if (it->first >= first && it->first < end) it = pages_.erase(it);
                else ++it;
            }
        } else {
            for (uint64_t pn = first; pn < end; ++pn) pages_.erase(pn);
        }
        for (auto& c : cache_) c = {~0ull, nullptr};
    }
    size_t pages() const { return pages_.size(); }

private:
    struct Slot {
        uint64_t pn = ~0ull;
        uint64_t* words = nullptr;
    };
    static constexpr unsigned kCacheSlots = 64;
    Slot cache_[kCacheSlots];
    std::unordered_map<uint64_t, std::unique_ptr<uint64_t[]>> pages_;

    uint64_t* lookup(uint64_t pn, bool create) {
        Slot& s = cache_[pn & (kCacheSlots - 1)];
        if (s.pn == pn) return s.words;
        auto it = pages_.find(pn);
        if (it == pages_.end()) {
            if (!create) return nullptr;
            it = pages_.emplace(pn, std::unique_ptr<uint64_t[]>(new uint64_t[kWordsPerPage]())).first;
        }
        s = {pn, it->second.get()};
        return s.words;
    }
};

}  // namespace memsim::libc
