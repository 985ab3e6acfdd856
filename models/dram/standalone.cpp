#include "models/dram/standalone.h"

#include <algorithm>

#include "models/dram/memory.h"
#include "sim/core/error.h"

namespace memsim::dram {

std::unique_ptr<Controller> make_controller(const config::Config& cfg, stats::Registry& reg, bool timed) {
    auto mem = cfg.section<MemoryParams>("memory");
    if (mem.model != "ddr3" && mem.model != "mig")
        throw InputError("memory.model is '" + mem.model + "': a DRAM controller needs memory.model: ddr3 or mig");
    Ddr3Timing t = ddr3_part(cfg.section<Ddr3Params>("memory.ddr3"));
    if (mem.model == "mig" && t.AL != 0)
        throw InputError("memory.ddr3.additive_latency: the MIG model runs with AL 0 (its slot and timer rules are "
                         "taken from the RTL at AL 0); use memory.model: ddr3 for posted CAS");
    if (mem.size > t.capacity())
        throw InputError("memory.size (" + std::to_string(mem.size) + " bytes) is larger than the " + t.part + " (" +
                         std::to_string(t.capacity()) + " bytes)");
    if (mem.model == "mig")
        return std::make_unique<Controller>(t, cfg.section<MigParams>("memory.mig"), reg, timed);
    return std::make_unique<Controller>(t, cfg.section<GenericControllerParams>("memory.generic"), reg, timed);
}

uint64_t drive(Controller& ctl, RequestSource& src, uint64_t until) {
    TraceRequest q;
    uint64_t n = 0, last = 0;
    while (src.next(q) && q.cycle < until) {
        // The trace is fed in order: a request that waited for a full queue holds back the ones
        // behind it, even those whose own queue has room (DRAMSim3's trace CPU does the same).
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
    if (until == UINT64_MAX) ctl.drain();
    return n;
}

StandaloneResult StandaloneRun(const config::Config& cfg, const std::string& trace_path, stats::Registry& reg,
                               const std::string& format, uint64_t end_cycle, bool window) {
    auto ctl = make_controller(cfg, reg, true);
    auto src = open_request_trace(trace_path, format);
    StandaloneResult res;
    res.requests = drive(*ctl, *src, window && end_cycle ? end_cycle : UINT64_MAX);
    if (end_cycle) ctl->idle_until(end_cycle);
    res.end_ps = ctl->end_ps();
    return res;
}

}  // namespace memsim::dram
