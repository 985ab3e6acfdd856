#pragma once
// The DDR3 controller from a configuration, and standalone DRAM runs: a memory-request trace
// (DRAMSim3, Ramulator or DRAMSys format, models/dram/request_trace.h) drives the controller
// alone, in its event-driven mode where every arrival is known and queued requests reorder.
#include <cstdint>
#include <memory>
#include <string>

#include "models/dram/channels.h"
#include "models/dram/request_trace.h"
#include "sim/config/config.h"
#include "sim/stats/stats.h"

namespace memsim::dram {

// Feeds SRC to MEM: each request arrives at its cycle, or, when its queue is full, when a slot
// frees (the trace waits, as DRAMSim3's trace CPU does); then drains. Returns the requests fed.
// UNTIL < UINT64_MAX: a window of UNTIL clocks instead: requests arriving at or after it are not
// fed, nothing is issued from it on, and what is still queued then stays unserved (DRAMSim3's -c).
uint64_t drive(Channels& mem, RequestSource& src, uint64_t until = UINT64_MAX);
uint64_t drive(Controller& ctl, RequestSource& src, uint64_t until = UINT64_MAX);  // one controller

// A memory-only run reads its requests from a trace: memory.request_log (what a machine run sends
// its memory) is refused there, before anything is opened. Throws InputError.
void refuse_request_log(const config::Config& cfg);

struct StandaloneResult {
    uint64_t requests = 0;  // fed to the controller
    uint64_t end_ps = 0;  // the last read completion or write data on the bus
    TraceNotes notes;  // requests beyond memory.size, late lines, skipped lines
};

// How a standalone run reads its trace and how long it lasts.
struct StandaloneOptions {
    std::string format = "auto";  // auto, dramsim3, ramulator or stl
    // > 0: the run lasts at least that many clocks (idle after the trace: background energy,
    // power-down); with WINDOW exactly that many, cut off inside the trace if it is longer, as
    // DRAMSim3's -c (drive() with UNTIL); requests not served by then count nowhere.
    uint64_t end_cycle = 0;
    bool window = false;
    bool lenient = false;         // malformed trace lines skipped and counted (TraceNotes)
    uint64_t trace_clock_ps = 0;  // a trace clock's period (DRAMSys's player clock); 0: the memory's
    // The first clock not fed (drive()'s UNTIL).
    uint64_t until() const { return window && end_cycle ? end_cycle : UINT64_MAX; }
};

// What open_request_trace needs from the configuration and OPTS (the memory's size, its tCK_PS).
RequestTraceOptions trace_options(const config::Config& cfg, const StandaloneOptions& opts, uint64_t tck_ps);

// A standalone DRAM run: make_memory(cfg) driven by the trace at TRACE_PATH; statistics go to REG
// (dram.*).
StandaloneResult StandaloneRun(const config::Config& cfg, const std::string& trace_path, stats::Registry& reg,
                               const StandaloneOptions& opts = {});

}  // namespace memsim::dram
