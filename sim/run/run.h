#pragma once
// `memsim run`: one simulation of one configuration on one trace.
#include <iosfwd>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "models/dram/standalone.h"
#include "sim/config/config.h"
#include "sim/stats/stats.h"

namespace memsim::run {

struct RunRequest {
    std::string config_file;         // empty: the default machine (configs/default.yaml)
    std::vector<std::string> sets;   // --set KEY=VALUE, applied in order
    std::string trace;               // --trace; empty: sim.trace
    std::string trace_format;        // --trace-format; empty: sim.trace_format
    bool lenient = false;            // --lenient
    std::string out_dir;             // --out; empty: no files
    std::string mtrace_out;          // --mtrace-out: the allocator's results as a glibc mtrace log
    std::string tlb_log;             // --tlb-log: the TLB reference stream (models/mmu/lookup_log.h)
    bool quiet = false;              // --quiet: no progress line, no warnings
};

// The default machine's description: configs/default.yaml in memsim's source tree.
std::string default_config_path();

// Defaults, then CONFIG_FILE (the default machine's file if empty), then SETS. Throws InputError.
config::Config resolve_config(const std::string& config_file, const std::vector<std::string>& sets);

// Where the trace named by the configuration is: relative to the file that set it, else to the
// memsim source tree (where the bundled traces are). Throws InputError if it is nowhere.
std::string resolve_trace_path(const config::Config& cfg);

// Runs the simulation, prints the summary to OUT; returns the exit code (0, or 1 if the simulation
// failed). Bad input throws InputError.
int run_simulation(const RunRequest& req, std::ostream& out, std::ostream& err);

// DIR/stats.json: {"stats": every statistic, "config": the resolved configuration, "run": RUN}
// (docs/statistics.md). DIR is created if needed; either failure is an InputError.
void write_stats_json(const std::string& dir, const stats::Registry& stats, const config::Config& cfg,
                      const nlohmann::json& run);

// Memory-request traces (sim.trace_format dramsim3, ramulator or stl) drive the DDR3 controller
// alone (memory_only.cpp): no core, caches or kernel. AT_RUNNER: the run through SystemC's TLM-2.0
// AT target (dram::StandaloneRunAt) for sim.memory_only.interface: tlm_at, given by the SystemC
// build (plain code does not link SystemC).
using StandaloneRunner = dram::StandaloneResult (*)(const config::Config&, const std::string&, stats::Registry&,
                                                    const dram::StandaloneOptions&);
bool is_memory_request_format(const std::string& format);
int run_memory_only(const config::Config& cfg, const std::string& trace_path, const std::string& format,
                    const RunRequest& req, std::ostream& out, StandaloneRunner at_runner = nullptr);

}  // namespace memsim::run
