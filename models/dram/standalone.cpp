#include "models/dram/standalone.h"

#include <algorithm>

#include "models/dram/memory.h"
#include "sim/core/error.h"

namespace memsim::dram {

std::unique_ptr<Controller> make_controller(const config::Config& cfg, stats::Registry& reg, bool timed) {
    auto mem = cfg.section<MemoryParams>("memory");
    if (mem.model != "ddr3" && mem.model != "mig")
        throw InputError("memory.model is '" + mem.model + "': a DRAM controller needs memory.model: ddr3 or mig");
    Ddr3Timing t = ddr3_preset(cfg.section<Ddr3Params>("memory.ddr3").part);
    if (mem.size > t.capacity())
        throw InputError("memory.size (" + std::to_string(mem.size) + " bytes) is larger than the " + t.part + " (" +
                         std::to_string(t.capacity()) + " bytes)");
    if (mem.model == "mig")
        return std::make_unique<Controller>(t, cfg.section<MigParams>("memory.mig"), reg, timed);
    return std::make_unique<Controller>(t, cfg.section<GenericControllerParams>("memory.generic"), reg, timed);
}

uint64_t drive(Controller& ctl, RequestSource& src) {
    TraceRequest q;
    uint64_t n = 0;
    while (src.next(q)) {
        uint64_t at = q.cycle;
        while (!ctl.can_accept(q.addr, q.write)) {
            if (!ctl.step(UINT64_MAX)) throw SimulationError("dram: queue full and nothing to issue");
            at = std::max(q.cycle, ctl.now() - 1);  // accepted when the slot freed
        }
        ctl.run_until(at);
        ctl.enqueue(n++, q.addr, q.write, at);
    }
    ctl.drain();
    return n;
}

StandaloneResult StandaloneRun(const config::Config& cfg, const std::string& trace_path, stats::Registry& reg,
                               const std::string& format, uint64_t end_cycle) {
    auto ctl = make_controller(cfg, reg, true);
    auto src = open_request_trace(trace_path, format);
    StandaloneResult res;
    res.requests = drive(*ctl, *src);
    if (end_cycle) ctl->idle_until(end_cycle);
    res.end_ps = ctl->end_ps();
    return res;
}

}  // namespace memsim::dram
