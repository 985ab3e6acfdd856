#include "models/cpu/memory_path.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "models/mmu/mmu.h"
#include "sim/core/error.h"

namespace memsim::cpu {
namespace {

constexpr uint64_t kPageSize = 4096;

// The slower of two causes: a fault outweighs a walk, a walk an STLB lookup, and any of them the
// level that served the data (L1 < L2 < L3 < memory).
unsigned rank(StallCause c) {
    switch (c) {
        case StallCause::L1: return 0;
        case StallCause::L2: return 1;
        case StallCause::L3: return 2;
        case StallCause::Memory: return 3;
        case StallCause::Tlb: return 4;
        case StallCause::PageWalk: return 5;
        case StallCause::PageFault: return 6;
    }
    return 0;
}
void worsen(StallCause& cause, StallCause c) {
    if (rank(c) > rank(cause)) cause = c;
}
StallCause served_cause(uint8_t served_by) {
    switch (served_by) {
        case 1: return StallCause::L1;
        case 2: return StallCause::L2;
        case 3: return StallCause::L3;
        default: return StallCause::Memory;
    }
}

}  // namespace

MemoryPath::Stats::Stats(stats::Registry& r)
    : faults(r.counter("cpu.mmu_faults", "faults", "page faults the MMU raised and the kernel handled (the access retried)")),
      handler_accesses(r.counter("cpu.fault_handler_accesses", "accesses",
                                 "the fault handler's own memory accesses: clear_page writes (copy_page reads "
                                 "and writes) and PTE writes")),
      page_splits(r.counter("cpu.page_split_accesses", "accesses",
                            "accesses that crossed a page boundary and were translated as two")) {}

MemoryPath::MemoryPath(mmu::Mmu* mmu, Ports ports, Indexing indexing, FaultHandler on_fault, uint64_t fault_ps,
                       uint64_t cycle_ps, uint32_t line, bool timed, stats::Registry& r)
    : mmu_(mmu && mmu->enabled() ? mmu : nullptr),
      ports_(ports),
      indexing_(indexing),
      on_fault_(std::move(on_fault)),
      fault_ps_(fault_ps),
      cycle_ps_(cycle_ps),
      line_(line),
      timed_(timed),
      stats_(r) {}

uint64_t MemoryPath::access(const Access& a, uint64_t issue_ps) {
    StallCause cause = StallCause::L1;
    bool died = false;
    uint64_t done;
    uint64_t end = a.addr + a.size;
    uint64_t boundary = (a.addr & ~(kPageSize - 1)) + kPageSize;
    if (!mmu_ || end <= boundary) {
        done = part(a, a.addr, a.size, issue_ps, cause, died);
    } else {
        ++stats_.page_splits;
        // Both halves issue together; the access completes with the later.
        done = part(a, a.addr, uint32_t(boundary - a.addr), issue_ps, cause, died);
        if (!died) done = std::max(done, part(a, boundary, uint32_t(end - boundary), issue_ps, cause, died));
    }
    a.cause = cause;
    return timed_ ? std::max(done, issue_ps) : issue_ps;
}

uint64_t MemoryPath::part(const Access& a, uint64_t va, uint32_t size, uint64_t t, StallCause& cause, bool& died) {
    const mem::AccessKind kind = a.ifetch ? mem::AccessKind::Ifetch : a.write ? mem::AccessKind::Write : mem::AccessKind::Read;
    const bool write_intent = a.write || a.rmw;
    uint64_t pa = va;
    uint64_t start = t;
    if (mmu_) {
        // A handled fault leaves a usable entry, so the retry translates; a second fault on the same
        // access would mean the kernel and the MMU disagree on the entry (a modelling error).
        bool in_order = !conc_;
        for (int attempt = 0;; ++attempt) {
            const uint64_t handled = stats_.faults.value();  // faults handled before this walk read the tables
            mmu::Translation tr = mmu_->translate(va, write_intent ? mem::AccessKind::Write : kind, t, *ports_.walk);
            if (tr.fault != mmu::Fault::None && !in_order) {
                // The fault is taken at this access's turn. If another access's fault was handled
                // since the walk began it may have mapped this page: the access translates again.
                in_order = true;
                if (!in_order_(a.seq)) {
                    died = true;
                    return tr.done_ps;
                }
                tr.done_ps = std::max(tr.done_ps, conc_->now_ps());
                if (stats_.faults.value() != handled) {
                    t = tr.done_ps;
                    --attempt;
                    continue;
                }
            }
            if (tr.fault == mmu::Fault::None) {
                pa = tr.pa;
                start = timed_ ? tr.done_ps : 0;
                const bool vipt = a.ifetch ? indexing_.ifetch_vipt : indexing_.data_vipt;
                if (timed_ && tr.source == mmu::Source::L1 && !vipt) start += cycle_ps_;
                if (tr.source == mmu::Source::Stlb) worsen(cause, StallCause::Tlb);
                if (tr.source == mmu::Source::Walk) worsen(cause, StallCause::PageWalk);
                break;
            }
            if (attempt == 2)
                throw SimulationError(fmt::format("MMU: the access at {:#x} faults again after the kernel handled its fault", va));
            worsen(cause, StallCause::PageFault);
            ++stats_.faults;
            FaultOutcome f = on_fault_(va, write_intent, a.ifetch);
            if (f.fatal) {
                died = true;
                return timed_ ? tr.done_ps + fault_ps_ : 0;
            }
            t = replay_handler(f, timed_ ? tr.done_ps + fault_ps_ : 0);
        }
    }
    mem::Request req{pa, size, kind};
    uint64_t done = (a.ifetch ? ports_.ifetch : ports_.data)->access(req, start);
    worsen(cause, served_cause(req.served_by));
    return done;
}

uint64_t MemoryPath::replay_handler(const FaultOutcome& f, uint64_t t) {
    // The handler's loads and stores drain as the core's do: a few in flight at once (10, the
    // line-fill buffers), one issued per cycle; it returns when the last has completed.
    std::array<uint64_t, 10> in_flight{};
    size_t k = 0;
    uint64_t end = t;
    auto access = [&](uint64_t pa, uint32_t size, mem::AccessKind kind) {
        ++stats_.handler_accesses;
        if (conc_) {
            uint64_t& slot = in_flight[k];
            while (slot == mem::Concurrency::kPending) conc_->wait_completion();
            t = std::max(t, slot);
            conc_->wait_until(t);
            slot = mem::Concurrency::kPending;
            conc_->spawn([this, &slot, pa, size, kind, at = t] {
                slot = ports_.data->access(mem::Request{pa, size, kind}, at);
                conc_->completed();
            });
            k = (k + 1) % in_flight.size();
            t += cycle_ps_;
            return;
        }
        if (timed_) t = std::max(t, in_flight[k]);
        mem::Request req{pa, size, kind};
        uint64_t done = ports_.data->access(req, t);
        if (timed_) {
            in_flight[k] = done;
            k = (k + 1) % in_flight.size();
            end = std::max(end, done);
            t += cycle_ps_;
        }
    };
    const bool copy = f.copied_from_pa != ~uint64_t(0);
    for (uint64_t off = 0; off < f.cleared_bytes; off += line_) {
        if (copy) access(f.copied_from_pa + off, line_, mem::AccessKind::Read);  // copy_page's loads
        access(f.cleared_pa + off, line_, mem::AccessKind::Write);               // clear_page / copy_page
    }
    if (f.pte_pa) access(f.pte_pa, 8, mem::AccessKind::Write);  // set_pte_at
    if (conc_) {
        for (uint64_t& slot : in_flight) {
            while (slot == mem::Concurrency::kPending) conc_->wait_completion();
            end = std::max(end, slot);
        }
    }
    return timed_ ? std::max(end, t) : 0;
}

}  // namespace memsim::cpu
