#include "models/dma/coherence.h"

#include <algorithm>

#include "sim/config/schema.h"

namespace memsim::dma {

MEMSIM_REGISTER_PARAMS(CoherenceParams, "dma.coherence",
                       "the DMA engine against the CPU caches: snooped (IO-coherent) or not, and the snoop's cost");

bool snoops(const CoherenceParams& p, bool kernel_coherent) {
    if (p.snoop == "always") return true;
    if (p.snoop == "never") return false;
    return kernel_coherent;
}

CoherentPort::Stats::Stats(stats::Registry& r, cache::Hierarchy* caches)
    : snoop_hits(r.counter("dma.snoop.hits", "bursts", "bursts whose snoop found a line in a CPU cache")),
      snoop_writebacks(r.counter("dma.snoop.writebacks", "lines",
                                 "dirty CPU lines written to memory before a snooped burst (a read, or a write "
                                 "covering part of the line)")),
      snoop_invalidations(r.counter("dma.snoop.invalidations", "lines",
                                    "CPU cache copies invalidated by snooped writes (over all levels)")),
      stale_lines(r.counter("dma.stale_lines", "lines",
                            "CPU cache copies a non-snooped write left stale (over all levels)")),
      stale_device_reads(r.counter("dma.stale_device_reads", "lines",
                                   "lines a non-snooped read took from memory while a CPU cache held them dirty "
                                   "(the device read old data: a missing clean, dma_map_single TO_DEVICE)")) {
    r.formula("dma.stale_reads", "accesses",
              "CPU demand reads served with a stale line (cache.*.stale_reads): data a non-snooping device wrote "
              "that the CPU did not see, for want of an invalidate (dma_unmap_single FROM_DEVICE)",
              [caches] { return caches ? double(caches->stale_reads()) : 0.0; });
}

CoherentPort::CoherentPort(mem::Port& memory, cache::Hierarchy* caches, bool snoop, uint64_t snoop_latency_ps,
                           stats::Registry& r, bool timed)
    : memory_(memory), caches_(caches), snoop_(snoop), snoop_ps_(snoop_latency_ps), timed_(timed), stats_(r, caches) {}

uint64_t CoherentPort::access(const mem::Request& r, uint64_t issue_ps) {
    if (!caches_ || r.size == 0) return memory_.access(r, issue_ps);
    const bool write = mem::is_write(r.kind);
    if (!snoop_) {
        if (write)
            stats_.stale_lines += caches_->mark_stale(r.addr, r.size);
        else
            stats_.stale_device_reads += caches_->dirty_lines(r.addr, r.size);
        return memory_.access(r, issue_ps);
    }
    // A read's write-backs leave when the snoop has answered; a write's go at its issue, before it,
    // so that memory takes the CPU's bytes before the device's (memory serves in call order).
    const uint64_t answer_ps = timed_ ? issue_ps + snoop_ps_ : 0;
    cache::MaintenanceResult m;
    if (!write) {
        m = caches_->snoop(cache::CacheOp::Clean, r.addr, r.size, answer_ps);
    } else {
        // Lines the write covers whole are dropped, dirty or not; a partly covered line at either
        // end keeps the CPU's other bytes: written back, then dropped.
        const uint64_t line = caches_->min_line_size();
        const uint64_t end = r.addr + r.size;
        const uint64_t head = std::min(end, (r.addr + line - 1) & ~(line - 1));  // end of a partial first line
        const uint64_t tail = std::max(head, end & ~(line - 1));                // start of a partial last line
        auto add = [&m](const cache::MaintenanceResult& x) {
            m.lines += x.lines;
            m.present += x.present;
            m.writebacks += x.writebacks;
            m.invalidations += x.invalidations;
        };
        if (head > r.addr) add(caches_->snoop(cache::CacheOp::CleanInvalidate, r.addr, head - r.addr, issue_ps));
        if (tail > head) add(caches_->snoop(cache::CacheOp::Invalidate, head, tail - head, issue_ps));
        if (end > tail) add(caches_->snoop(cache::CacheOp::CleanInvalidate, tail, end - tail, issue_ps));
    }
    if (!m.present) return memory_.access(r, issue_ps);
    ++stats_.snoop_hits;
    stats_.snoop_writebacks += m.writebacks;
    stats_.snoop_invalidations += m.invalidations;
    // Every line of a read dirty in a CPU cache: the owner's snoop response carries the data (its
    // write-back to memory is posted beside it); memory is not read.
    if (!write && m.writebacks == m.lines) return answer_ps;
    // Otherwise the memory access goes at the burst's issue, in time order with everyone's
    // requests (a request stamped later would hold back the ones stamped before it that follow),
    // and the burst completes no earlier than the snoop's answer.
    const uint64_t done = memory_.access(r, issue_ps);
    return timed_ ? std::max(done, answer_ps) : done;
}

}  // namespace memsim::dma
