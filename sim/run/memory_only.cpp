// `memsim run` on a memory-request trace (DRAMSim3, Ramulator, DRAMSys STL): the DDR3 controller
// alone, driven event by event (models/dram/standalone.h), as those simulators run their traces.
#include <chrono>
#include <cstdio>
#include <ostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "models/dram/memory.h"
#include "models/dram/standalone.h"
#include "sim/config/param.h"
#include "sim/config/units.h"
#include "sim/core/error.h"
#include "sim/core/version.h"
#include "sim/run/run.h"

namespace memsim::run {

namespace {
// `sim.memory_only`: how a memory-request trace run is carried out.
struct MemoryOnlyParams {
    uint64_t cycles, trace_clock;
    std::string interface;
    void visit(config::ParamVisitor& v) {
        using config::ParamSpec;
        // The same controller either way; tlm_at proves the AT target (at_target_sc.h) on a trace.
        v(ParamSpec::choice("interface", "direct", {"direct", "tlm_at"},
                            "direct: the trace drives the controller's queues; tlm_at: a SystemC initiator sends "
                            "it over TLM-2.0 AT (BEGIN_REQ/END_REQ/BEGIN_RESP) to the controller's AT target"),
          interface);
        // DRAMSim3's dramsim3main -c N runs N clocks whatever the trace holds, and its statistics
        // (bandwidth, latency, energy) cover those clocks: the same window here compares with it.
        v(ParamSpec::count("cycles", "0", "nCK",
                           "run exactly this many memory clocks, cut off inside the trace or idle after it "
                           "(DRAMSim3's -c); 0: the whole trace")
              .range(0, 1e15),
          cycles);
        // DRAMSys's StlPlayer counts its clocks at the trace player's clkMhz: 800 MHz in its DDR3
        // example (the memory's own), 200 MHz in its DDR4 and LPDDR4 ones.
        v(ParamSpec::time("trace_clock", "0",
                          "period of the trace's clocks (DRAMSys: 1 / the player's clkMhz); a request arrives at the "
                          "first memory clock at or after its time; 0: memory clocks")
              .range(0, 1e9),
          trace_clock);
    }
};
MEMSIM_REGISTER_PARAMS(MemoryOnlyParams, "sim.memory_only", "memory-request trace runs (memsim run --trace-format "
                                                            "dramsim3|ramulator|stl)");
}  // namespace

bool is_memory_request_format(const std::string& format) {
    return format == "dramsim3" || format == "ramulator" || format == "stl";
}

int run_memory_only(const config::Config& cfg, const std::string& trace_path, const std::string& format,
                    const RunRequest& req, std::ostream& out, StandaloneRunner at_runner) {
    auto host_start = std::chrono::steady_clock::now();
    auto memory = cfg.section<dram::MemoryParams>("memory");
    if (memory.model != "ddr3" && memory.model != "mig")
        throw InputError(SourceLocation{trace_path},
                         "a " + format + " memory-request trace drives a DDR3 controller alone: set memory.model "
                         "to ddr3 or mig (configs/dram-only.yaml, configs/dram-only-mig.yaml), not '" +
                             memory.model + "'");
    const auto params = cfg.section<MemoryOnlyParams>("sim.memory_only");
    const uint64_t cycles = params.cycles;
    StandaloneRunner runner = dram::StandaloneRun;
    if (params.interface == "tlm_at") {
        if (!at_runner) throw InputError("sim.memory_only.interface: tlm_at needs memsim's SystemC build");
        runner = at_runner;
    }
    stats::Registry stats;
    dram::StandaloneOptions opts;
    opts.format = format;
    opts.end_cycle = cycles;
    opts.window = cycles > 0;
    opts.lenient = req.lenient;
    opts.trace_clock_ps = params.trace_clock;
    dram::StandaloneResult res = runner(cfg, trace_path, stats, opts);
    stats.formula("sim.time_ps", "ps", "simulated time: the last read completion or write on the bus",
                  [&] { return double(res.end_ps); });
    double host_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - host_start).count();

    out << fmt::format("memsim {}: memory-only run of {} ({}, {} requests{}) on memory.model {}\n", MEMSIM_VERSION,
                       trace_path, format, res.requests,
                       cycles ? fmt::format(" in a window of {} clocks", cycles) : std::string(), memory.model);
    out << fmt::format("  simulated time      {}\n", units::format_time(res.end_ps));
    out << fmt::format("  bandwidth           {:.4g} GB/s\n", stats.value("dram.bandwidth_bytes_per_s") / 1e9);
    if (stats.value("dram.reads") > 0)
        out << fmt::format("  read latency        {:.2f} ns average, {:.2f} ns p99\n",
                           stats.value("dram.read_latency_avg_ns"), stats.value("dram.read_latency_p99_ns"));
    else
        out << "  read latency        none (no read was served)\n";
    // What the trace held that the run did not stop for: said in the summary, and on stderr once
    // (not with --quiet), never silently.
    const dram::TraceNotes& notes = res.notes;
    auto warn = [&](uint64_t line, const std::string& what) {
        if (!req.quiet)
            std::fprintf(stderr, "%s:%llu: warning: %s\n", trace_path.c_str(), (unsigned long long)line, what.c_str());
    };
    if (notes.beyond_size) {
        // Not an error: DRAMSim3 and Ramulator map such addresses the same way (only the part's
        // address bits count), and traces made for a larger memory are common.
        out << fmt::format("  beyond memory.size  {} requests at or beyond {} (the first on line {}): served where the "
                           "DIMM's address lines put them\n",
                           notes.beyond_size, units::format_size(memory.size), notes.first_beyond_line);
        warn(notes.first_beyond_line,
             fmt::format("address {:#x} is at or beyond memory.size ({}): the controller decodes only the DIMM's "
                         "address lines, and an address beyond the DIMM's capacity aliases onto a lower one "
                         "(requests at or beyond it: {}; is the trace made for a larger memory?)",
                         notes.first_beyond_addr, units::format_size(memory.size), notes.beyond_size));
    }
    if (notes.late_requests) {
        out << fmt::format("  late lines          {} with a clock before the line before (the first on line {}): "
                           "sent at once, as DRAMSys and DRAMSim3 send them\n",
                           notes.late_requests, notes.first_late_line);
        warn(notes.first_late_line,
             fmt::format("the clock goes back from the line before: sent at once, as DRAMSys's StlPlayer and "
                         "DRAMSim3 send a line behind schedule (lines like it: {})",
                         notes.late_requests));
    }
    if (notes.skipped_lines) {
        out << fmt::format("  skipped lines       {} malformed (--lenient; the first on line {})\n", notes.skipped_lines,
                           notes.first_skipped_line);
        if (!req.quiet)
            std::fprintf(stderr, "%s (skipped with --lenient; malformed lines: %llu)\n",
                         notes.first_skipped_error.c_str(), (unsigned long long)notes.skipped_lines);
    }
    out << fmt::format("  host time           {:.3f} s ({:.3g}M requests/s)\n\n", host_s,
                       double(res.requests) / host_s / 1e6);
    stats.print_table(out);

    if (!req.out_dir.empty())
        write_stats_json(req.out_dir, stats, cfg,
                         {{"memsim_version", MEMSIM_VERSION}, {"trace", trace_path}, {"trace_format", format},
                          {"requests", res.requests}, {"requests_beyond_size", notes.beyond_size},
                          {"late_lines", notes.late_requests}, {"skipped_lines", notes.skipped_lines},
                          {"host_seconds", host_s}});
    return 0;
}

}  // namespace memsim::run
