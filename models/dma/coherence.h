#pragma once
// Where the DMA engine's bursts meet the CPU's caches: a mem::Port between the engine and the
// memory that snoops the cache hierarchy (an IO-coherent device) or does not (a non-coherent one).
//
//   snooping (x86: the platform keeps inbound DMA coherent with the caches unless a PCIe request
//   sets the No Snoop attribute; Arm: a device on an ACE-Lite port of a CCI/CCN/CMN interconnect):
//     - a read of a line some CPU cache holds dirty: the owner answers the snoop with the data and
//       writes the line back to memory (posted), keeping it clean; the burst completes with the
//       snoop's answer and does not read memory (ACE-Lite ReadOnce served from the owner's snoop
//       response; memsim adds the write-back so that the line is clean after, as a CPU clean would
//       leave it, and the DRAM sees that write).
//     - a write: the CPU copies of the lines it covers are invalidated (ACE WriteLineUnique, Intel's
//       full-line ItoM); a line it covers only in part is written back first if dirty, then
//       invalidated (ACE WriteUnique: the bytes the device does not write must survive).
//     - timing: a burst whose lines no CPU cache holds goes straight on (a snoop filter or
//       inclusive LLC answers in parallel with the memory access); one that finds a line completes
//       no earlier than `snoop_latency` after its issue. A burst that goes to memory goes at its
//       issue time, so the memory sees every initiator's requests in time order.
//   not snooping: the burst goes straight to memory. Its write leaves every cached copy of the
//     lines stale (Cache::mark_stale: a CPU read of one counts in cache.*.stale_reads, the bug of a
//     driver that reads a streaming buffer without dma_unmap_single); its read of a line a CPU cache
//     holds dirty reads old data from memory (dma.stale_device_reads: a missing dma_map_single clean).
//
// The snoop is a direct call on the plain Cache objects at the burst's time, in functional mode and
// under SystemC alike (the CacheSc shells wrap the same objects): there is no TLM snoop channel,
// and a snoop does not contend with the core's accesses for the caches' ports.
#include <cstdint>
#include <string>

#include "models/cache/hierarchy.h"
#include "models/interconnect/port.h"
#include "sim/config/param.h"
#include "sim/stats/stats.h"

namespace memsim::dma {

// Section "dma.coherence".
struct CoherenceParams {
    std::string snoop = "auto";
    uint64_t snoop_latency_ps = 20000;

    void visit(config::ParamVisitor& v) {
        v(config::ParamSpec::choice("snoop", "auto", {"auto", "always", "never"},
                                    "whether the interconnect snoops the CPU caches for the engine's bursts: auto "
                                    "follows os.dma.coherent (the kernel's view of the device, the device tree's "
                                    "dma-coherent); always/never set the hardware apart from the kernel's view, to see "
                                    "what a wrong dma-coherent costs"),
          snoop);
        // Two LLC lookups at 4 GHz (42 cycles each): the snoop filter's and the owner's response.
        // A round figure, not a measurement: set it from the platform's.
        v(config::ParamSpec::time("snoop_latency", "20ns",
                                  "a burst whose snoop finds a line in a CPU cache completes no earlier than this "
                                  "after its issue (a read of dirty lines gets their data then, from the owner); a "
                                  "burst that finds none is not delayed")
              .range(0, 1e9),
          snoop_latency_ps);
    }
};

class CoherentPort final : public mem::Port {
public:
    // MEMORY: where the bursts go. CACHES: the CPU's hierarchy, or null (nothing to snoop). SNOOP:
    // the interconnect snoops (see above). TIMED: false for functional mode.
    CoherentPort(mem::Port& memory, cache::Hierarchy* caches, bool snoop, uint64_t snoop_latency_ps,
                 stats::Registry& r, bool timed);

    uint64_t access(const mem::Request& r, uint64_t issue_ps) override;
    bool snooping() const { return snoop_; }

private:
    mem::Port& memory_;
    cache::Hierarchy* caches_;
    bool snoop_;
    uint64_t snoop_ps_;
    bool timed_;
    struct Stats {
        stats::Counter &snoop_hits, &snoop_writebacks, &snoop_invalidations, &stale_lines, &stale_device_reads;
        Stats(stats::Registry& r, cache::Hierarchy* caches);
    } stats_;
};

// "auto" follows the kernel's view (os.dma.coherent).
bool snoops(const CoherenceParams& p, bool kernel_coherent);

}  // namespace memsim::dma
