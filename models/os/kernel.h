#pragma once
// The simulated Linux 6.1 kernel as one piece: the page allocator over the machine's physical
// memory, SLUB on top of it, and one user process's address space, each driven by the trace
// events it owns (kalloc_events.h, process_events.h). The run loop hands every event here first.
//
// Simulated failures are results: the first SIGSEGV or OOM of the process and the kernel
// allocation failures are kept with their trace lines for the run's report.
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

#include "models/os/frame_source.h"
#include "models/os/kalloc_events.h"
#include "models/os/mm.h"
#include "models/os/page_alloc.h"
#include "models/os/process_events.h"
#include "models/os/slub.h"
#include "sim/config/config.h"

namespace memsim::os {

class Kernel {
public:
    // TRACE_FILE names the trace in the messages of events that fail.
    Kernel(const config::Config& cfg, stats::Registry& r, const std::string& trace_file);

    // Executes EV if the kernel owns it (true). For a raw access, `false` from access_allowed()
    // afterwards means the process could not perform it (SIGSEGV, OOM, or it was already dead).
    bool execute(const trace::Event& ev);
    bool access_allowed() const { return access_allowed_; }
    // With an MMU model, raw accesses fault when the MMU finds no usable translation:
    // handle_mmu_fault is the page-fault exception (handle_mm_fault) for the access at VADDR of
    // the event being executed; after a fatal result access_allowed() is false.
    void set_faults_from_mmu(bool on) { process_->set_faults_from_mmu(on); }
    AccessResult handle_mmu_fault(const trace::Event& ev, uint64_t vaddr, bool write, bool exec);
    // The range a `touch` event asks the core to access when faults come from the MMU.
    const ProcessEvents::Touch& touch_for_core() const { return process_->touch_for_core(); }
    // The first SIGSEGV or OOM, if the process met one.
    bool process_died() const { return fatal_.has_value(); }

    // The run's results in words: how the process ended, allocation failures.
    void report(std::ostream& out) const;
    // /proc-like views at the end of the run into DIR/proc: buddyinfo, pagetypeinfo, zoneinfo,
    // slabinfo, self/maps, self/smaps.
    void write_views(const std::string& dir);

    PageAllocator& pages() { return *pages_; }
    KallocEvents& kalloc() { return *kalloc_; }
    AddressSpace& mm() { return *mm_; }
    ProcessEvents& process() { return *process_; }

private:
    std::unique_ptr<PageAllocator> pages_;
    std::unique_ptr<Slub> slub_;
    std::unique_ptr<PageAllocatorFrames> frames_;
    std::unique_ptr<AddressSpace> mm_;
    std::unique_ptr<KallocEvents> kalloc_;
    std::unique_ptr<ProcessEvents> process_;
    bool access_allowed_ = true;
    struct Fatal {
        uint64_t line;
        AccessResult result;
        trace::Op op;
    };
    std::optional<Fatal> fatal_;  // the first SIGSEGV or OOM
};

}  // namespace memsim::os
