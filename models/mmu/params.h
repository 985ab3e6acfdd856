#pragma once
// The MMU's parameters: sections mmu, mmu.itlb, mmu.dtlb, mmu.stlb and mmu.pwc. Defaults describe
// a recent x86-64 core (Intel Skylake; sources in docs/mmu.md and
// /work/shared/reference/caches-and-mmu.md); configs/cva6.yaml sets the CVA6 (Sv39) numbers.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/config/param.h"

namespace memsim::mmu {

struct MmuParams {
    std::string model;
    uint64_t max_walks;
    std::string walk_level;
    uint64_t stlb_latency;
    uint64_t pwc_latency;
    bool hardware_ad;
    uint64_t asid_bits;

    void visit(config::ParamVisitor& v) {
        v(config::ParamSpec::choice("model", "none", {"none", "tlb"},
                                    "none: no translation, the caches see the trace's virtual addresses; tlb: "
                                    "TLBs, walk caches and a page walker over the kernel model's page tables"),
          model);
        // Skylake: two page walks in parallel (Intel optimization manual, Skylake client cache and memory
        // subsystem: "can handle two page walks in parallel"); CVA6 ptw.sv: one.
        v(config::ParamSpec::count("max_walks", "2", "walks", "page walks in flight at once; a walk that finds "
                                                             "every walker busy waits for the first to finish")
              .range(1, 64),
          max_walks);
        v(config::ParamSpec::choice("walk_level", "l1d", {"l1d", "l2", "llc", "memory"},
                                    "the cache level the walker's page-table reads and A/D writes enter"),
          walk_level);
        // ChampSim's STLB latency is 8 cycles; measured L1-miss/STLB-hit costs on Intel cores are 7-12.
        v(config::ParamSpec::count("stlb_latency", "8", "cycles", "added by an L1 TLB miss that looks up the STLB")
              .range(0, 1000),
          stlb_latency);
        v(config::ParamSpec::count("pwc_latency", "1", "cycles",
                                   "added to every walk when any page-walk cache is configured (the lookup)")
              .range(0, 1000),
          pwc_latency);
        // x86 sets A/D itself with a locked write (SDM vol. 3 4.8); CVA6 (no Svadu) raises a page fault.
        v(config::ParamSpec::boolean("hardware_ad", "true",
                                     "the walker sets the accessed/dirty bits (x86); false: a clear A, or a clear "
                                     "D on a store, is a page fault for the kernel (CVA6)"),
          hardware_ad);
        // x86 PCID: 12 bits; RV64 satp.ASID: 16 bits. 0: no ASIDs, a context switch flushes.
        v(config::ParamSpec::count("asid_bits", "12", "bits",
                                   "width of the address-space identifier tagging TLB and walk-cache entries; 0 = "
                                   "none (every context switch flushes non-global entries, as CR3 without PCID)")
              .range(0, 16),
          asid_bits);
    }
};

// One TLB level. Page sizes named in `shared` live in one array of `entries`/`assoc` (Zen 2's L1
// DTLB, CVA6, Skylake's STLB for 4K and 2M); every other size has its own array of
// entries_<size>/assoc_<size> (Skylake's L1 DTLB). 0 entries: that size is not held here.
// assoc == entries: fully associative.
struct TlbParams {
    bool enabled;
    std::vector<std::string> shared;
    uint64_t entries, assoc;
    uint64_t entries_4k, assoc_4k, entries_2m, assoc_2m, entries_1g, assoc_1g;
    std::string replacement;

    void visit(config::ParamVisitor& v) {
        v(config::ParamSpec::boolean("enabled", "true", "false: this level is absent (misses go to the next)"),
          enabled);
        v(config::ParamSpec::list("shared", "", "page sizes held together in one array (4K, 2M, 1G)"), shared);
        v(config::ParamSpec::count("entries", "0", "entries", "entries of the shared array").range(0, 1 << 20),
          entries);
        v(config::ParamSpec::count("assoc", "0", "ways", "associativity of the shared array").range(0, 1 << 20),
          assoc);
        v(config::ParamSpec::count("entries_4k", "64", "entries", "entries of the 4 KiB array (0 = none)")
              .range(0, 1 << 20),
          entries_4k);
        v(config::ParamSpec::count("assoc_4k", "4", "ways", "associativity of the 4 KiB array").range(0, 1 << 20),
          assoc_4k);
        v(config::ParamSpec::count("entries_2m", "32", "entries", "entries of the 2 MiB array (0 = none)")
              .range(0, 1 << 20),
          entries_2m);
        v(config::ParamSpec::count("assoc_2m", "4", "ways", "associativity of the 2 MiB array").range(0, 1 << 20),
          assoc_2m);
        v(config::ParamSpec::count("entries_1g", "4", "entries", "entries of the 1 GiB array (0 = none)")
              .range(0, 1 << 20),
          entries_1g);
        v(config::ParamSpec::count("assoc_1g", "4", "ways", "associativity of the 1 GiB array").range(0, 1 << 20),
          assoc_1g);
        v(config::ParamSpec::string("replacement", "lru",
                                    "replacement policy of every array (lru, fifo, random, tree_plru, srrip)"),
          replacement);
    }
};

// Paging-structure caches (Intel SDM vol. 3 4.10.3): non-leaf entries only, each keyed by the
// address bits that select it. pml4: VA[47:39] -> the PDPT; pdpt: VA[47:30] -> the PD; pde:
// VA[47:21] -> the PT. Under Sv39 the root entries (VA[38:30]) use the pdpt cache and the level-1
// entries the pde cache; the pml4 cache is unused. 0 entries: no such cache.
struct PwcParams {
    uint64_t entries_pml4, assoc_pml4, entries_pdpt, assoc_pdpt, entries_pde, assoc_pde;
    std::string replacement;

    void visit(config::ParamVisitor& v) {
        // Intel publishes no sizes; ChampSim's defaults: PSCL4 1x4, PSCL3 2x4, PSCL2 4x8.
        v(config::ParamSpec::count("entries_pml4", "4", "entries", "PML4E cache entries (0 = none)").range(0, 1 << 16),
          entries_pml4);
        v(config::ParamSpec::count("assoc_pml4", "4", "ways", "PML4E cache associativity").range(0, 1 << 16),
          assoc_pml4);
        v(config::ParamSpec::count("entries_pdpt", "8", "entries", "PDPTE cache entries (0 = none)").range(0, 1 << 16),
          entries_pdpt);
        v(config::ParamSpec::count("assoc_pdpt", "4", "ways", "PDPTE cache associativity").range(0, 1 << 16),
          assoc_pdpt);
        v(config::ParamSpec::count("entries_pde", "32", "entries", "PDE cache entries (0 = none)").range(0, 1 << 16),
          entries_pde);
        v(config::ParamSpec::count("assoc_pde", "8", "ways", "PDE cache associativity").range(0, 1 << 16), assoc_pde);
        v(config::ParamSpec::string("replacement", "lru", "replacement policy of the walk caches"), replacement);
    }
};

}  // namespace memsim::mmu
