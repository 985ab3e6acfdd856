#pragma once
// Executes a trace's process events on an address space: `mmap ID LENGTH [PROT]`, `munmap ID`,
// `madvise ID OFFSET LENGTH ADVICE`, `touch ID [OFFSET LENGTH] [r|w]`, and the raw accesses
// `read/write/modify/ifetch ADDR SIZE` (every page they cover). IDs come from mmap, or from a
// user-space allocator model that registers the ranges its IDs name (register_range).
//
// After a simulated SIGSEGV with os.on_segv = stop, the process is dead: its later events are
// counted (os.events.skipped) and not executed; stopped() tells the caller.
#include <cstdint>
#include <unordered_map>

#include "models/os/mm.h"
#include "sim/trace/event.h"

namespace memsim::os {

class ProcessEvents {
public:
    ProcessEvents(AddressSpace& mm, const MmParams& p, stats::Registry& r);

    // Executes EV if it is one of the process events above (true); false for events other models
    // own, and for touch/madvise of IDs nobody registered here.
    bool execute(const trace::Event& ev);
    // With an MMU model the hardware finds the missing translations: raw accesses are not faulted
    // here in advance, the MMU delivers each fault through fault() while the core issues them.
    void set_faults_from_mmu(bool on) { faults_from_mmu_ = on; }
    // A page fault the MMU raised at VADDR during the current line (handle_mm_fault): its result
    // joins the line's, and a SIGSEGV stops the process as one found in advance would.
    AccessResult fault(uint64_t vaddr, bool write, bool exec);
    // With the MMU's faults, a `touch` is performed by the core: the range it must access, set by
    // the touch event just executed (length 0 otherwise).
    struct Touch {
        uint64_t start = 0, length = 0;
        bool write = false;
    };
    const Touch& touch_for_core() const { return touch_; }

    // The interface for the libc model: ID names [START, START + LENGTH) for touch events.
    void register_range(uint64_t id, uint64_t start, uint64_t length) { ids_[id] = {start, length, 0, false}; }
    void release_range(uint64_t id) { ids_.erase(id); }

    struct IdRange {
        uint64_t start, length;
        uint64_t minor_faults;  // faults taken by touches of this ID
        bool mapped;            // created by an mmap event (munmap applies)
    };
    const IdRange* range(uint64_t id) const {
        auto it = ids_.find(id);
        return it == ids_.end() ? nullptr : &it->second;
    }

    // What the last executed line did.
    struct LineResult {
        uint64_t line = 0;
        AccessResult access;  // touch and raw accesses
        int64_t ret = 0;      // mmap: the address; munmap/madvise: 0 or -errno
        bool skipped = false; // the process had stopped
    };
    const LineResult& last() const { return last_; }
    bool stopped() const { return stopped_; }
    AddressSpace& mm() { return mm_; }

private:
    AddressSpace& mm_;
    bool stop_on_segv_;
    bool stopped_ = false;
    bool faults_from_mmu_ = false;
    Touch touch_;
    IdRange* touching_ = nullptr;  // the ID whose touch the core is performing
    std::unordered_map<uint64_t, IdRange> ids_;
    LineResult last_;
    struct Stats {
        stats::Counter& events;
        stats::Counter& skipped;
        stats::Counter& errors;
        explicit Stats(stats::Registry& r);
    } stats_;
    void after_access(const AccessResult& r);
};

}  // namespace memsim::os
