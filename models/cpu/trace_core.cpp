#include "models/cpu/trace_core.h"

#include <algorithm>
#include <cmath>

#include "sim/config/schema.h"

namespace memsim::cpu {

MEMSIM_REGISTER_PARAMS(CoreParams, "cpu", "trace-driven in-order core");

const char* stall_cause_name(StallCause c) {
    static const char* const names[kStallCauses] = {"l1", "l2", "l3", "memory", "tlb", "page_walk", "page_fault"};
    return names[unsigned(c)];
}

TraceCore::Stats::Stats(stats::Registry& r, bool timed)
    : events(r.counter("cpu.events", "events", "trace events executed by the core")),
      accesses(r.counter("cpu.accesses", "accesses", "memory accesses issued")),
      reads(r.counter("cpu.reads", "accesses", "data reads issued (a modify counts one read and one write)")),
      writes(r.counter("cpu.writes", "accesses", "data writes issued")),
      ifetches(r.counter("cpu.ifetches", "accesses", "instruction fetches issued")),
      bytes_read(r.counter("cpu.bytes_read", "bytes", "bytes read, instruction fetches included")),
      bytes_written(r.counter("cpu.bytes_written", "bytes", "bytes written")),
      compute_cycles(r.counter("cpu.compute_cycles", "cycles", "cycles of compute events")),
      kernel_cycles(r.counter("cpu.kernel_cycles", "cycles",
                              "kernel work priced by other models: cache maintenance of streaming DMA mappings")),
      thread_switches(r.counter("cpu.thread_switches", "events", "thread events that changed the running thread")) {
    if (timed) {
        cycles = &r.counter("cpu.cycles", "cycles", "cycles from the first event to the last completion");
        stall_cycles = &r.counter("cpu.stall_cycles", "cycles",
                                  "cycles the core waited for a free slot among the outstanding accesses");
        latency = &r.distribution("cpu.access_latency_ns", "ns", "issue to completion of each access");
        static const char* const why[kStallCauses] = {
            "served by the first cache level", "served by the second cache level",
            "served by the third cache level", "served by memory (every cache missed, or none)",
            "their translation missed the L1 TLB and hit the STLB", "their translation took a page walk",
            "they raised a page fault that the kernel handled"};
        for (unsigned c = 0; c < kStallCauses; ++c)
            stall_by_cause[c] = &r.counter(std::string("cpu.stall_cycles.") + stall_cause_name(StallCause(c)), "cycles",
                                           std::string("cycles the core stalled on accesses ") + why[c]);
    }
}

TraceCore::TraceCore(const CoreParams& p, stats::Registry& r, bool timed)
    : p_(p),
      timed_(timed),
      cycle_ps_(std::max<uint64_t>(1, uint64_t(std::llround(1e12 / p.frequency)))),
      in_flight_(p.max_outstanding, 0),
      in_flight_cause_(p.max_outstanding, StallCause::L1),
      in_flight_seq_(p.max_outstanding, 0),
      stats_(r, timed) {}

bool TraceCore::execute(const trace::Event& ev, MemoryPort& port) {
    using trace::Op;
    switch (ev.op) {
        case Op::Read: issue(ev.addr, ev.size, false, false, port); break;
        case Op::Write: issue(ev.addr, ev.size, true, false, port); break;
        case Op::Ifetch: issue(ev.addr, ev.size, false, true, port); break;
        case Op::Modify:  // a read-modify-write: the line is read, then written back
            issue(ev.addr, ev.size, false, false, port, true);
            issue(ev.addr, ev.size, true, false, port);
            break;
        case Op::Compute:
            stats_.compute_cycles += ev.cycles;
            now_ps_ += ev.cycles * cycle_ps_;
            break;
        case Op::Thread:
            if (ev.tid != current_tid_) ++stats_.thread_switches;
            current_tid_ = ev.tid;
            break;
        default: return false;
    }
    ++stats_.events;
    return true;
}

void TraceCore::issue(uint64_t addr, uint64_t size, bool write, bool ifetch, MemoryPort& port, bool rmw) {
    abandon_ = false;
    for (uint64_t done = 0; done < size;) {
        auto chunk = uint32_t(std::min<uint64_t>(size - done, p_.max_access_size));
        Access a{addr + done, chunk, write, ifetch, rmw};
        if (conc_) {
            if (abandon_) break;  // an earlier part's fault killed the process (in its own thread)
            issue_at(a, port);
        } else if (!timed_) {
            port.access(a, 0);
        } else {
            // In-order issue: wait for the oldest access if every slot is in flight.
            uint64_t& slot = in_flight_[oldest_];
            if (slot > now_ps_) {
                uint64_t stall = (slot - now_ps_ + cycle_ps_ - 1) / cycle_ps_;
                *stats_.stall_cycles += stall;
                *stats_.stall_by_cause[unsigned(in_flight_cause_[oldest_])] += stall;
                now_ps_ = slot;
            }
            uint64_t done_ps = port.access(a, now_ps_);
            stats_.latency->sample(double(done_ps - now_ps_) / 1000.0);
            slot = done_ps;
            in_flight_cause_[oldest_] = a.cause;
            oldest_ = (oldest_ + 1) % in_flight_.size();
            now_ps_ += cycle_ps_;
        }
        // An access whose page fault killed the process was never performed.
        if (abandon_) break;
        ++stats_.accesses;
        if (write) {
            ++stats_.writes;
            stats_.bytes_written += chunk;
        } else {
            ++(ifetch ? stats_.ifetches : stats_.reads);
            stats_.bytes_read += chunk;
        }
        done += chunk;
    }
}

void TraceCore::issue_at(const Access& a, MemoryPort& port) {
    const size_t k = oldest_;
    while (in_flight_[k] == mem::Concurrency::kPending) conc_->wait_completion();
    uint64_t& slot = in_flight_[k];
    if (slot > now_ps_) {
        uint64_t stall = (slot - now_ps_ + cycle_ps_ - 1) / cycle_ps_;
        *stats_.stall_cycles += stall;
        *stats_.stall_by_cause[unsigned(in_flight_cause_[k])] += stall;
        now_ps_ = slot;
    }
    // (after kernel work that waited at the memory, the present may be past the core's time)
    now_ps_ = std::max(now_ps_, conc_->now_ps());
    conc_->wait_until(now_ps_);
    slot = mem::Concurrency::kPending;
    in_flight_seq_[k] = next_seq_;
    Access mine = a;
    mine.seq = next_seq_++;
    conc_->spawn([this, mine, k, issue = now_ps_, &port] {
        const uint64_t done = port.access(mine, issue);
        stats_.latency->sample(double(done - issue) / 1000.0);
        in_flight_cause_[k] = mine.cause;
        in_flight_[k] = done;
        conc_->completed();
    });
    oldest_ = (oldest_ + 1) % in_flight_.size();
    now_ps_ += cycle_ps_;
}

void TraceCore::wait_in_flight() {
    if (!conc_) return;
    for (uint64_t& t : in_flight_) {
        while (t == mem::Concurrency::kPending) conc_->wait_completion();
        now_ps_ = std::max(now_ps_, t);
    }
}

void TraceCore::wait_older(uint64_t seq) {
    for (;;) {
        bool older = false;
        for (size_t k = 0; k < in_flight_.size(); ++k)
            older |= in_flight_[k] == mem::Concurrency::kPending && in_flight_seq_[k] < seq;
        if (!older) break;
        conc_->wait_completion();
    }
}

void TraceCore::drain() {
    wait_in_flight();
    if (!timed_) return;
    for (uint64_t t : in_flight_) now_ps_ = std::max(now_ps_, t);
    stats_.cycles->set((now_ps_ + cycle_ps_ - 1) / cycle_ps_);
}

}  // namespace memsim::cpu
