#pragma once
// The MMU: the one entry point that turns a user process's virtual addresses into physical ones,
// as an x86-64 core (Skylake-like by default) or CVA6 (Sv39) does, over the kernel model's real
// page tables (models/os/pagetable.h). What is modelled, what is left out and how it was checked:
// docs/mmu.md.
//
//   L1 ITLB (fetches) / L1 DTLB (loads, stores)   a hit adds no time: the lookup overlaps the L1
//        | miss                                    cache access (VIPT), as on the cores modelled
//   STLB (mmu.stlb)                               + stlb_latency cycles
//        | miss
//   page walk (walker.h)                          waits for a free walker (max_walks), then
//                                                 + pwc_latency + the chained entry reads on the
//                                                 walk port (and the A/D write when one is needed)
//
// A walk fills the STLB and the L1 TLB. A store through an L1/STLB entry whose D bit was clear
// walks again to set D (x86's dirty-bit assist) or faults (hardware_ad false, CVA6).
//
// Faults: translate returns the fault and changes nothing but the counters; the translations of
// that page are dropped from the TLBs and walk caches (SDM vol. 3 4.10.4.1: a page fault
// invalidates them; Linux RISC-V's update_mmu_cache flushes the page too). The caller runs the
// kernel's fault handler (os::AddressSpace::access) and calls translate again.
//
// Times are picoseconds, LT style: translate is called with the time the access is issued and
// returns when its translation is known; the walk port's requests are issued one after the other,
// each at the completion time of the one before. Functional mode (timed false) keeps the same
// state and counts, passes 0 as the issue time and returns done_ps 0.
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "models/interconnect/concurrency.h"
#include "models/interconnect/port.h"
#include "models/mmu/lookup_log.h"
#include "models/mmu/params.h"
#include "models/mmu/tlb.h"
#include "models/mmu/walker.h"
#include "models/os/pagetable.h"
#include "sim/config/config.h"
#include "sim/stats/stats.h"

namespace memsim::mmu {

// Where a translation was found.
enum class Source : uint8_t { None, L1, Stlb, Walk };

struct Translation {
    uint64_t pa = 0;                      // physical address (the VA itself when mmu.model is none)
    uint64_t done_ps = 0;                 // when the translation is known (issue_ps on an L1 hit)
    Fault fault = Fault::None;            // not None: pa is meaningless; run the fault handler and retry
    PageSize page_size = PageSize::Size4K;
    Source source = Source::None;         // None: no translation (model none, or a fault)
};

class Mmu {
public:
    // Reads sections mmu, mmu.itlb, mmu.dtlb, mmu.stlb and mmu.pwc; throws InputError naming the
    // key for a bad geometry or replacement policy. With mmu.model none it translates nothing
    // (translate returns the VA) and declares no statistics. CYCLE_PS: the core's clock period.
    Mmu(const config::Config& cfg, stats::Registry& r, uint64_t cycle_ps, bool timed);
    ~Mmu();
    Mmu(const Mmu&) = delete;
    Mmu& operator=(const Mmu&) = delete;

    bool enabled() const { return enabled_; }
    const MmuParams& params() const { return p_; }

    // A CR3 / satp write: walks now start at PT's root and TLB entries are tagged with ASID (taken
    // modulo 2^asid_bits). With asid_bits 0 a change of table flushes every non-global TLB entry
    // and the walk caches, as MOV to CR3 does without PCID (SDM 4.10.4.1). The walker writes A/D
    // bits into PT, hence non-const. PT must outlive its use.
    void set_context(os::PageTable* pt, uint16_t asid);

    // Translates VA for KIND (Read, Write or Ifetch; a user-mode access) issued at ISSUE_PS; page
    // walks read PT entries through WALK_PORT (PageWalk and PteUpdate requests, 8 bytes each).
    // One page: an access that straddles a page boundary is two translations (the caller splits
    // it). Other kinds (Prefetch) are checked as loads. After a fault the caller's handler must
    // change the page table (or give up): a retry that faults again means the kernel refused, so
    // bound the retries (one handler call per fault is what Linux does).
    Translation translate(uint64_t va, mem::AccessKind kind, uint64_t issue_ps, mem::Port& walk_port);

    // TLB maintenance as Linux 6.1 issues it. flush_range: flush_tlb_range / flush_tlb_page, i.e.
    // INVLPG per page (ASID's entries and global ones overlapping [START, END), plus every walk-cache
    // entry of ASID: SDM 4.10.4.1). Whether a long range is flushed page by page or as a whole
    // (flush_tlb_mm_range's tlb_single_page_flush_ceiling) is the kernel's choice: it calls
    // flush_asid instead (os::AddressSpace::tlb_finish).
    void flush_range(uint16_t asid, uint64_t start, uint64_t end);
    // Non-global TLB entries and walk-cache entries of ASID (INVPCID single-context, sfence.vma x0, asid).
    void flush_asid(uint16_t asid);
    // Everything, global entries too (INVPCID all-context incl. globals, sfence.vma x0, x0).
    void flush_all();

    // Logs every TLB reference and flush from now on to LOG (lookup_log.h), or stops with nullptr.
    // LOG must outlive its use.
    void set_lookup_log(TlbLookupLog* log) { log_ = log; }

    // The approximately-timed machine (sim.protocol: at): a walk may suspend at its entry reads
    // while other accesses translate, so a walker is held pending until its walk ends and a walk
    // that finds every walker pending waits for one. Null: loosely timed.
    void set_concurrency(mem::Concurrency* c) { conc_ = c; }

    // Views for tests and reports.
    Tlb& itlb() { return *itlb_; }
    Tlb& dtlb() { return *dtlb_; }
    Tlb& stlb() { return *stlb_; }
    const Walker& walker() const { return *walker_; }
    uint16_t asid() const { return asid_; }

private:
    MmuParams p_;
    bool enabled_;
    bool timed_;
    uint64_t cycle_ps_;
    uint16_t asid_mask_;
    os::PageTable* pt_ = nullptr;
    uint16_t asid_ = 0;
    std::unique_ptr<Tlb> itlb_, dtlb_, stlb_;
    std::unique_ptr<Walker> walker_;
    std::vector<uint64_t> walker_free_ps_;  // when each of the max_walks walkers is next free
    mem::Concurrency* conc_ = nullptr;

    struct TlbStats {
        stats::Counter &accesses, &hits, &misses;
        TlbStats(stats::Registry& r, const std::string& name, const std::string& what);
    };
    struct Stats {
        TlbStats itlb, dtlb, stlb;
        stats::Counter& walks;
        stats::Counter& walk_memory_accesses;
        stats::Counter* pwc_hits[4] = {};
        stats::Counter* pwc_misses[4] = {};
        stats::Counter& not_present;
        stats::Counter& protection;
        stats::Counter& access_dirty;
        stats::Counter& ad_updates;
        stats::Counter& flushes;
        stats::Distribution* walk_latency_ns = nullptr;  // timed only
        stats::Counter* walk_queue_cycles = nullptr;     // timed only
        Stats(stats::Registry& r, bool timed);
    };
    std::unique_ptr<Stats> st_;

    enum class Check : uint8_t { Ok, NeedsDirty, Denied };
    Check check(const TlbEntry& e, mem::AccessKind kind) const;
    Translation fault(uint64_t va, Fault f, uint64_t t);
    // What one translation did, for the lookup log: whether the L1 TLB hit (then the STLB was not
    // asked), whether a walk filled the TLBs, and the entry the L1 ends up holding.
    struct LoggedPath {
        bool l1_hit = false, walked = false;
        TlbEntry entry;
    };
    TlbLookupLog* log_ = nullptr;
    Translation translate_tlbs(uint64_t va, mem::AccessKind kind, uint64_t issue_ps, mem::Port& walk_port,
                               LoggedPath* path);
    Translation walk(uint64_t va, mem::AccessKind kind, uint64_t t, mem::Port& port, Tlb& l1, LoggedPath* path);
};

}  // namespace memsim::mmu
