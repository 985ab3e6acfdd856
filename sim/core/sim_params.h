#pragma once
// The `sim` section: how a run is carried out, as opposed to the machine it simulates.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/config/param.h"

namespace memsim {

struct SimParams {
    std::string mode;
    std::string protocol;
    uint64_t quantum_ps;
    std::string trace;
    std::string trace_format;
    uint64_t sample_every_events;
    uint64_t sample_every_ps;
    std::vector<std::string> sample_stats;
    bool sample_buddyinfo;

    void visit(config::ParamVisitor& v) {
        using config::ParamSpec;
        v(ParamSpec::choice("mode", "timing", {"timing", "functional"},
                            "timing: SystemC/TLM models with simulated time; functional: the same models untimed, "
                            "for counts"),
          mode);
        v(ParamSpec::choice("protocol", "lt", {"lt", "at"},
                            "timing mode: how the machine's accesses reach the memory. lt: each access runs to "
                            "completion when the core issues it, the DDR3 controller answering at once (loosely "
                            "timed, with backfill); at: each outstanding access runs in a SystemC thread of its own "
                            "and waits at the memory's approximately-timed TLM-2.0 target, so the controller sees "
                            "every arrival before it decides (the DMA engine's requests too; slower)"),
          protocol);
        // 1 us: long enough that a loosely-timed initiator rarely yields, short enough that
        // initiators sharing a target stay within a microsecond of each other.
        v(ParamSpec::time("quantum", "1us", "TLM-2.0 global quantum for temporal decoupling").range(1000, 1e12),
          quantum_ps);
        v(ParamSpec::string("trace", "traces/default.lackey.zst",
                            "trace replayed when --trace is not given; relative to the config file that sets it, "
                            "or to memsim's source tree for the default"),
          trace);
        v(ParamSpec::choice("trace_format", "auto",
                            {"auto", "text", "binary", "mtrace", "lackey", "dramsim3", "ramulator", "stl"},
                            "format of the trace; auto recognises each by content (not on standard input: dramsim3, "
                            "ramulator and stl there need naming); dramsim3, ramulator and stl are memory-request "
                            "traces that drive the DDR3 controller alone"),
          trace_format);
        v(ParamSpec::count("sample_every_events", "0", "events", "time-series row every N events (0: off)"),
          sample_every_events);
        v(ParamSpec::time("sample_every", "0s", "time-series row every T of simulated time (0s: off)"),
          sample_every_ps);
        v(ParamSpec::list("sample_stats", "", "statistics sampled into timeseries.csv, as globs (empty: all)"),
          sample_stats);
        v(ParamSpec::boolean("sample_buddyinfo", "false",
                             "declare os.buddyinfo.ZONE.orderN (free blocks, as /proc/buddyinfo) so the time series "
                             "can sample them"),
          sample_buddyinfo);
    }
};

}  // namespace memsim
