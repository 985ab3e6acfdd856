#include "models/dram/standalone.h"

#include <algorithm>

#include "models/dram/memory.h"
#include "sim/core/error.h"

namespace memsim::dram {

namespace {
// Feeds SRC to the controller CHANNEL(addr) picks, then DRAIN(last arrival)s: drive() for one
// controller or for a memory's channels.
template <class Channel, class Drain>
uint64_t feed(RequestSource& src, uint64_t until, Channel channel, Drain drain) {
    TraceRequest q;
    uint64_t n = 0, last = 0;
    while (src.next(q) && q.cycle < until) {
        // The trace is fed in order: a request that waited for a full queue holds back the ones
        // behind it, even those whose own queue has room (DRAMSim3's trace CPU does the same).
        // Only the request's own channel is brought up to its arrival: channels share nothing.
        Controller& ctl = channel(q.addr);
        uint64_t at = std::max(q.cycle, last);
        while (!ctl.can_accept(q.addr, q.write)) {
            if (!ctl.step(until)) {
                if (until != UINT64_MAX) return n;  // the window ended with the queue full
                throw SimulationError("dram: queue full and nothing to issue");
            }
            at = std::max({q.cycle, last, ctl.now() - 1});  // accepted when the slot freed
        }
        if (at >= until) return n;
        ctl.run_until(at);
        ctl.enqueue(n++, q.addr, q.write, at);
        last = at;
    }
    if (until == UINT64_MAX) drain(last);
    return n;
}
}  // namespace

uint64_t drive(Controller& ctl, RequestSource& src, uint64_t until) {
    return feed(src, until, [&](uint64_t) -> Controller& { return ctl; }, [&](uint64_t) { ctl.drain(); });
}

uint64_t drive(Channels& mem, RequestSource& src, uint64_t until) {
    // The end of the trace reaches every channel at the last arrival (as the AT target brings them
    // up), not each at its own last request.
    return feed(
        src, until, [&](uint64_t addr) -> Controller& { return mem.channel_for(addr); },
        [&](uint64_t last) {
            mem.run_until(last);
            mem.drain();
        });
}

void refuse_request_log(const config::Config& cfg) {
    if (!cfg.section<MemoryParams>("memory").request_log.empty())
        throw InputError("memory.request_log: a memory-only run reads its requests from the trace; the log is what a "
                         "machine run (a program trace) sends its memory");
}

StandaloneResult StandaloneRun(const config::Config& cfg, const std::string& trace_path, stats::Registry& reg,
                               const StandaloneOptions& opts) {
    refuse_request_log(cfg);
    auto mem = make_memory(cfg, reg, true);
    auto src = open_request_trace(trace_path, opts.format, trace_options(cfg, opts, mem->timing().tCK_ps));
    StandaloneResult res;
    res.requests = drive(*mem, *src, opts.until());
    if (opts.end_cycle) mem->idle_until(opts.end_cycle);
    res.end_ps = mem->end_ps();
    res.notes = src->notes();
    return res;
}

RequestTraceOptions trace_options(const config::Config& cfg, const StandaloneOptions& opts, uint64_t tck_ps) {
    RequestTraceOptions o;
    o.memory_size = cfg.section<MemoryParams>("memory").size;
    o.lenient = opts.lenient;
    o.clock_ps = opts.trace_clock_ps;
    o.memory_tck_ps = tck_ps;
    o.until = opts.until();
    return o;
}

}  // namespace memsim::dram
