#pragma once
// The core's way to memory, as its load/store unit sees it: the MMU translates each access (L1
// TLB, STLB, a page walk through the caches); a page fault it raises goes to the kernel, whose
// handler runs — its cost in core cycles (os.mm.fault_cycles) plus its own memory accesses:
// clear_page of a new page (copy_page's loads and stores when it copies a page-cache page) and
// the write of the PTE — before the access is retried
// (arch/x86/mm/fault.c: the faulting instruction restarts); the physical access then goes to the
// instruction or data side of the cache hierarchy, or straight to memory when there is none.
//
// Without an MMU model the trace's virtual addresses go down untranslated, as cachegrind's do.
// An access that crosses a page is split at the page boundary: each part is translated apart.
// Functional mode runs the same steps with no time.
#include <cstdint>
#include <functional>

#include "models/cpu/trace_core.h"
#include "models/interconnect/concurrency.h"
#include "models/interconnect/port.h"
#include "sim/stats/stats.h"

namespace memsim::mmu {
class Mmu;
}

namespace memsim::cpu {

// What the kernel's fault handler did, for the path to replay its memory traffic.
struct FaultOutcome {
    bool fatal = false;        // SIGSEGV or OOM: the access is not performed
    uint64_t cleared_pa = 0;   // a page the handler allocated and cleared (clear_page), if any
    uint64_t cleared_bytes = 0;
    uint64_t copied_from_pa = ~uint64_t(0);  // cleared_pa was copied from this page instead (copy_page)
    uint64_t pte_pa = 0;       // the entry it wrote (set_pte_at / set_pmd_at), 0 if none
};
using FaultHandler = std::function<FaultOutcome(uint64_t va, bool write, bool exec)>;

class MemoryPath final : public MemoryPort {
public:
    struct Ports {
        mem::Port* ifetch;  // the L1I, or memory
        mem::Port* data;    // the L1D, or memory
        mem::Port* walk;    // where page walks read: a cache level or memory
    };
    // Whether the L1I / L1D is virtually indexed: its set lookup overlaps the L1 TLB's, so an L1
    // TLB hit adds no time. A physically indexed L1 (or no cache) waits one cycle for the L1 TLB.
    struct Indexing {
        bool ifetch_vipt = false, data_vipt = false;
    };
    // MMU may be null or disabled (no translation). FAULT_PS: the handler's own time; LINE: the
    // size of the handler's clearing writes (the L1D line).
    MemoryPath(mmu::Mmu* mmu, Ports ports, Indexing indexing, FaultHandler on_fault, uint64_t fault_ps,
               uint64_t cycle_ps, uint32_t line, bool timed, stats::Registry& r);

    uint64_t access(const Access& a, uint64_t issue_ps) override;
    // Ports may be rebound once the SystemC netlist exists (timing mode's sockets).
    void set_ports(Ports p) { ports_ = p; }

    // The approximately-timed machine (sim.protocol: at): accesses run concurrently, each in a
    // thread of its own. A page fault waits (IN_ORDER, given the access's Access::seq) until every
    // access issued before it has completed, as a core takes a fault at retirement, and the
    // access is then translated again (an older access's fault may have mapped the page): faults
    // are taken in program order and counted once. IN_ORDER returns false when the process died
    // meanwhile: the access is dropped. The handler's own accesses run ten at a time, each in a
    // thread of its own.
    using InOrder = std::function<bool(uint64_t seq)>;
    void set_concurrency(mem::Concurrency* c, InOrder in_order) {
        conc_ = c;
        in_order_ = std::move(in_order);
    }

private:
    mmu::Mmu* mmu_;
    Ports ports_;
    Indexing indexing_;
    FaultHandler on_fault_;
    uint64_t fault_ps_, cycle_ps_;
    uint32_t line_;
    bool timed_;
    mem::Concurrency* conc_ = nullptr;
    InOrder in_order_;
    struct Stats {
        stats::Counter& faults;
        stats::Counter& handler_accesses;
        stats::Counter& page_splits;
        explicit Stats(stats::Registry& r);
    } stats_;

    // One part of an access that lies in one page. Returns its completion time; sets CAUSE to the
    // part's slowest step if that is slower than what CAUSE holds. False in DIED when a fault
    // killed the process.
    uint64_t part(const Access& a, uint64_t va, uint32_t size, uint64_t t, StallCause& cause, bool& died);
    // The handler's own accesses, issued one per cycle from T; returns when it can return.
    uint64_t replay_handler(const FaultOutcome& f, uint64_t t);
};

}  // namespace memsim::cpu
