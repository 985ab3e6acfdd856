#pragma once
// A trace-driven core: it replays the accesses and compute gaps of a trace in program order.
// In-order issue, one memory access per cycle, at most `max_outstanding` accesses in flight (the
// line-fill buffers / MSHRs of a real core): an access that finds them all busy waits for the
// oldest to complete. There are no register dependencies in a trace, so loads do not block the
// core beyond that limit. Time is kept in picoseconds with the cycle rounded to a whole ps, as
// gem5's ticks are (3 GHz: 333 ps).
//
// The core is plain C++: in timing mode its SystemC shell (trace_core_sc.h) carries its requests
// over a TLM-2.0 socket; in functional mode it runs untimed and only counts.
#include <cstdint>
#include <vector>

#include "models/interconnect/concurrency.h"
#include "sim/config/param.h"
#include "sim/stats/stats.h"
#include "sim/trace/event.h"

namespace memsim::cpu {

struct CoreParams {
    double frequency;
    uint64_t max_outstanding;
    uint64_t max_access_size;

    void visit(config::ParamVisitor& v) {
        v(config::ParamSpec::frequency("frequency", "3GHz", "core clock").range(1e6, 1e11), frequency);
        // 10 outstanding L1D misses: Intel's line-fill buffers since Nehalem (Intel optimization manual).
        v(config::ParamSpec::count("max_outstanding", "10", "accesses", "accesses in flight at once")
              .range(1, 1024),
          max_outstanding);
        v(config::ParamSpec::size("max_access_size", "64B",
                                  "largest single access; a larger read/write event is issued as consecutive "
                                  "accesses of this size, as a copy loop would")
              .range(1, 4096)
              .pow2(),
          max_access_size);
    }
};

// What an access waited for, set by the port that served it: the core charges the cycles it
// stalls on an access to that access's cause (the slowest step on its way: a page fault before a
// page walk before an STLB lookup, then the level that finally served it).
enum class StallCause : uint8_t { L1, L2, L3, Memory, Tlb, PageWalk, PageFault };
constexpr unsigned kStallCauses = 7;
const char* stall_cause_name(StallCause c);  // "l1", "l2", "l3", "memory", "tlb", "page_walk", "page_fault"

// One request from the core to the memory system.
struct Access {
    uint64_t addr;
    uint32_t size;
    bool write;
    bool ifetch;
    // The read of a read-modify-write: translated with write intent, as x86 checks an RMW
    // instruction's access once, as a write (the fault's error code has W set).
    bool rmw = false;
    mutable StallCause cause = StallCause::Memory;
    // Program order (sim.protocol: at): the access's number among those the core issued.
    uint64_t seq = 0;
};

// Where the core's accesses go. Returns the completion time (ps) of an access issued at ISSUE_PS.
class MemoryPort {
public:
    virtual ~MemoryPort() = default;
    virtual uint64_t access(const Access& a, uint64_t issue_ps) = 0;
};

class TraceCore {
public:
    TraceCore(const CoreParams& p, stats::Registry& r, bool timed);

    // Executes EV if it is one of the core's (read, write, modify, ifetch, compute, thread);
    // returns false for events other models own.
    bool execute(const trace::Event& ev, MemoryPort& port);
    // An access the software models make on the process's behalf (the allocator's metadata,
    // calloc's clearing, realloc's copy): issued like a trace's own, in program order.
    void access(uint64_t addr, uint64_t size, bool write, MemoryPort& port) { issue(addr, size, write, false, port); }
    // Waits for the accesses still in flight; the core's time is then the end of the run.
    void drain();
    // CYCLES of kernel work on the process's behalf that another model priced (the cache
    // maintenance of a streaming DMA mapping): the core is busy that long.
    void spend_kernel_cycles(uint64_t cycles) {
        stats_.kernel_cycles += cycles;
        if (timed_) now_ps_ += cycles * cycle_ps_;
    }
    // Ends the event being executed: its remaining accesses are not issued (the process died on
    // a page fault the MMU raised in one of them).
    void abandon_event() { abandon_ = true; }
    uint64_t now_ps() const { return now_ps_; }
    uint64_t cycle_ps() const { return cycle_ps_; }

    // The approximately-timed machine (sim.protocol: at; the caller is a SystemC thread): each
    // access runs in a thread of its own from its issue, the core issuing the next a cycle later
    // as before and waiting for a slot's access only when it needs the slot again. Null: each
    // access runs to completion when issued (loosely timed).
    void set_concurrency(mem::Concurrency* c) { conc_ = c; }
    // Approximately timed: waits until the accesses in flight have completed; the core's time is
    // then at least the last completion (a system call that changes mappings starts after them).
    void wait_in_flight();
    // Approximately timed, in the thread of access SEQ: waits until every access issued before it
    // has completed (a page fault is taken in program order).
    void wait_older(uint64_t seq);

private:
    CoreParams p_;
    bool timed_;
    uint64_t cycle_ps_;
    uint64_t now_ps_ = 0;
    std::vector<uint64_t> in_flight_;  // completion times, a ring of max_outstanding slots
    std::vector<StallCause> in_flight_cause_;
    size_t oldest_ = 0;
    uint64_t current_tid_ = 0;
    bool abandon_ = false;
    mem::Concurrency* conc_ = nullptr;
    std::vector<uint64_t> in_flight_seq_;  // approximately timed: each slot's access, by Access::seq
    uint64_t next_seq_ = 0;

    // Approximately timed: issues A into the oldest slot.
    void issue_at(const Access& a, MemoryPort& port);

    void issue(uint64_t addr, uint64_t size, bool write, bool ifetch, MemoryPort& port, bool rmw = false);

    struct Stats {
        stats::Counter& events;
        stats::Counter& accesses;
        stats::Counter& reads;
        stats::Counter& writes;
        stats::Counter& ifetches;
        stats::Counter& bytes_read;
        stats::Counter& bytes_written;
        stats::Counter& compute_cycles;
        stats::Counter& kernel_cycles;
        stats::Counter& thread_switches;
        stats::Counter* cycles = nullptr;        // timed only
        stats::Counter* stall_cycles = nullptr;  // timed only
        stats::Counter* stall_by_cause[kStallCauses] = {};  // timed only
        stats::Distribution* latency = nullptr;  // timed only
        Stats(stats::Registry& r, bool timed);
    } stats_;
};

}  // namespace memsim::cpu
