#pragma once
// Virtual memory areas (struct vm_area_struct) and the sorted set of them (Linux 6.1's maple
// tree; here a std::map keyed by start, with the last VMA found cached as the old vmacache did).
#include <cstddef>
#include <cstdint>
#include <map>

namespace memsim::os {

// vm_flags bits, values of Linux 6.1 include/linux/mm.h.
namespace vm {
constexpr uint64_t kRead = 0x1, kWrite = 0x2, kExec = 0x4, kShared = 0x8;
constexpr uint64_t kMayRead = 0x10, kMayWrite = 0x20, kMayExec = 0x40;
constexpr uint64_t kGrowsDown = 0x100;
constexpr uint64_t kSeqRead = 0x8000, kRandRead = 0x10000, kDontCopy = 0x20000;
constexpr uint64_t kAccount = 0x100000, kNoReserve = 0x200000;
constexpr uint64_t kWipeOnFork = 0x2000000, kDontDump = 0x4000000, kSoftDirty = 0x8000000;
constexpr uint64_t kHugePage = 0x20000000, kNoHugePage = 0x40000000, kMergeable = 0x80000000;
constexpr uint64_t kAccessFlags = kRead | kWrite | kExec;
}  // namespace vm

// What backs a VMA. Image VMAs stand for the program's file mapping (counted as file RSS);
// Raw ones for the pages a raw access trace touches with no mmap event (os.unmapped_access: map):
// the program's code, libraries and data as much as its heap and stack, so they fault as a private
// file mapping does (a read maps a page of its own, read-only, a write a private copy), not as
// anonymous memory, whose reads would all share the zero page; everything else is anonymous.
enum class VmaKind : uint8_t { Anon, ImageText, ImageData, Raw };

// Whether a page of V whose PTE is WRITABLE or not is a page-cache page (file RSS): the image's
// text, and read-only pages of its data or of raw memory (a write replaced them with private ones).
inline bool file_page(VmaKind k, bool writable) {
    return k == VmaKind::ImageText || ((k == VmaKind::ImageData || k == VmaKind::Raw) && !writable);
}

struct Vma {
    uint64_t start = 0, end = 0;  // [start, end), page aligned
    uint64_t flags = 0;           // vm::*
    uint64_t pgoff = 0;           // vm_pgoff: start >> 12 at creation for anonymous memory
    uint64_t anon_vma = 0;        // 0 until the first fault (anon_vma_prepare); split halves share it
    VmaKind kind = VmaKind::Anon;

    uint64_t size() const { return end - start; }
    bool contains(uint64_t a) const { return a >= start && a < end; }
    bool accessible() const { return flags & vm::kAccessFlags; }  // vma_is_accessible
};

// is_mergeable_vma + is_mergeable_anon_vma + the pgoff rule of can_vma_merge_{before,after}
// (mm/mmap.c): A directly followed by B can become one VMA. VM_SOFTDIRTY is ignored.
bool vmas_mergeable(const Vma& a, const Vma& b);

class VmaTree {
public:
    using Map = std::map<uint64_t, Vma>;
    using iterator = Map::iterator;

    // find_vma: the first VMA with end > ADDR, or nullptr.
    Vma* find(uint64_t addr);
    // vma_lookup: the VMA containing ADDR, or nullptr. The fast path of every fault.
    Vma* lookup(uint64_t addr) {
        if (cache_ && cache_->contains(addr)) return cache_;
        Vma* v = find(addr);
        return v && v->start <= addr ? v : nullptr;
    }
    Vma* prev(const Vma& v);  // the VMA before V
    Vma* next(const Vma& v);  // the VMA after V
    Vma* first_intersecting(uint64_t start, uint64_t end);  // find_vma_intersection

    Vma& insert(const Vma& v);
    void erase(const Vma& v);
    // split_vma: V becomes [V.start, AT) and a new VMA [AT, V.end) is returned.
    Vma& split(Vma& v, uint64_t at);
    // Merges V with its neighbours when compatible (vma_merge): with both when prev, V and next
    // agree; otherwise with prev first, or with next first when PREFER_NEXT (mmap_region's order).
    Vma& merge(Vma& v, bool prefer_next = false);
    // Splits so that no VMA straddles START or END.
    void split_at(uint64_t start, uint64_t end);

    size_t count() const { return map_.size(); }  // map_count
    Map& map() { return map_; }
    const Map& map() const { return map_; }
    iterator begin() { return map_.begin(); }
    iterator end() { return map_.end(); }

private:
    Map map_;
    Vma* cache_ = nullptr;
    uint64_t next_anon_vma_ = 1;
    friend class AddressSpace;
};

}  // namespace memsim::os
