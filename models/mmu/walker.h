#pragma once
// The hardware page-table walker and its paging-structure caches.
//
// The walk reads the kernel model's real page table (os::PageTable): from root_pa() (CR3 / satp),
// each level's 8-byte entry at table base + index * 8, with read_phys_u64, and issues one
// mem::Request{pa, 8, PageWalk} per entry on the walk port, each read starting when the one
// before completed (a walk is a chain of dependent loads). It stops at a leaf: an x86 PT entry, a
// PD entry with PS=1 (2 MiB) or a PDPT entry with PS=1 (1 GiB) (Intel SDM vol. 3 4.5); a Sv39
// entry with R, W or X set (RISC-V privileged spec 4.3.2, CVA6 core/mmu_sv39/ptw.sv).
//
// Walk caches (SDM 4.10.3) hold non-leaf entries only: the PDE cache, keyed by VA[47:21], gives
// the PT's address, so a walk that hits it reads one entry; the PDPTE cache (VA[47:30]) leaves two
// reads, the PML4E cache (VA[47:39]) three. Each entry keeps the permissions of the levels above
// it (SDM 4.10.3.1: R/W and U/S ANDed, XD ORed) and is tagged by ASID (PCID), never global.
#include <cstdint>
#include <memory>

#include "models/interconnect/port.h"
#include "models/mmu/params.h"
#include "models/mmu/tlb.h"
#include "models/os/pagetable.h"

namespace memsim::mmu {

enum class Fault : uint8_t {
    None,
    NotPresent,   // a non-present entry on the way (x86 P=0, RISC-V V=0), or a non-canonical address
    Protection,   // present, but the access is not allowed (write to read-only, fetch from NX, supervisor page)
    AccessDirty,  // hardware_ad false: A clear, or D clear on a store (CVA6: a page fault, the kernel sets them)
};
const char* fault_name(Fault f);

struct WalkCacheEntry {
    bool valid = false;
    uint16_t asid = 0;
    uint64_t tag = 0;       // VA bits above the level this entry maps
    uint64_t table_pa = 0;  // the next-level table
    Perms perms;            // accumulated over this entry and the ones above
};

// One paging-structure cache: the entries of one table level (LEVEL 3 = PML4, 2 = PDPT, 1 = PD;
// levels counted from the leaf as os::PageTable does).
class WalkCache {
public:
    WalkCache(unsigned level, uint64_t entries, uint64_t assoc, const std::string& policy)
        : level_(level), a_(entries, assoc, policy) {}
    unsigned level() const { return level_; }
    // The bits of VA that select an entry of this level: VA[47:12+9*level] on x86.
    uint64_t tag(uint64_t va) const { return va >> (12 + 9 * level_); }
    const WalkCacheEntry* lookup(uint64_t va, uint16_t asid);
    void insert(uint64_t va, uint16_t asid, uint64_t table_pa, const Perms& perms);
    uint64_t flush_asid(uint16_t asid);
    uint64_t flush_va(uint64_t va, uint16_t asid);  // the entry of ASID that translates VA
    uint64_t flush_all();
    uint64_t occupancy() const { return a_.occupancy(); }

private:
    unsigned level_;
    AssocArray<WalkCacheEntry> a_;
};

struct WalkResult {
    Fault fault = Fault::None;
    TlbEntry entry;           // the translation (valid when fault is None)
    uint64_t done_ps = 0;     // when the last entry read (or A/D write) completed
    unsigned reads = 0;       // entries read through the walk port
    unsigned first_level = 0; // the level of the first entry read (after walk-cache hits)
    unsigned ad_updates = 0;  // A/D writes issued (PteUpdate requests)
    // Walk-cache lookups, by cache level: probed deepest first until one hits.
    bool pwc_probed[4] = {}, pwc_hit[4] = {};
};

class Walker {
public:
    // InputErrors naming mmu.pwc.* for a bad walk-cache geometry. Untimed (functional mode):
    // every request is issued at 0 and the walk takes no time.
    Walker(const MmuParams& mp, const PwcParams& pwc, uint64_t cycle_ps, bool timed);

    // Walks PT for VA (KIND: Read, Write or Ifetch, a user-mode access) starting at START_PS; the
    // entry reads go out on PORT. Sets A (and D on a store) in the leaf when hardware_ad.
    WalkResult walk(os::PageTable& pt, uint64_t va, uint16_t asid, mem::AccessKind kind, uint64_t start_ps,
                    mem::Port& port);

    // INVLPG, INVPCID single-context and MOV to CR3 all drop the walk-cache entries of the PCID
    // (SDM 4.10.4.1: INVLPG "regardless of the linear addresses to which they correspond").
    void flush_asid(uint16_t asid);
    void flush_all();
    // Drops the entries that would be used to translate VA (a page fault does: SDM 4.10.4.1).
    void flush_va(uint64_t va, uint16_t asid);
    const WalkCache* cache(unsigned level) const { return level < 4 ? caches_[level].get() : nullptr; }

private:
    bool hardware_ad_;
    bool timed_;
    uint64_t pwc_ps_;
    // Issues R on PORT at T; the time the next access of the walk may start.
    uint64_t issue(mem::Port& port, uint64_t pa, mem::AccessKind k, uint64_t t) {
        uint64_t done = port.access(mem::Request{pa, 8, k}, t);
        return timed_ ? done : 0;
    }
    std::unique_ptr<WalkCache> caches_[4];  // index = level; [0] always empty (PT entries are leaves)
};

}  // namespace memsim::mmu
