#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <filesystem>
#include <fstream>
#include <ostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/config/units.h"
#include "sim/core/sim_params.h"
#include "sim/core/version.h"
#include "models/dram/at_target_sc.h"
#include "models/mmu/lookup_log.h"
#include "sim/run/machine.h"
#include "sim/run/monitor.h"
#include "sim/run/netlist_sc.h"
#include "sim/run/run.h"

namespace memsim::run {
namespace {

// Timing mode: the SystemC kernel runs the netlist until the core has replayed the whole trace.
// A SystemC kernel elaborates once per process, so one process runs one timed simulation.
uint64_t run_timed(Machine& m, trace::Reader& reader, RunMonitor& monitor, uint64_t quantum_ps, bool at) {
    std::exception_ptr failure;
    auto next = [&](trace::Event& ev) {
        if (failure) return false;
        try {
            return reader.next(ev);
        } catch (...) {
            failure = std::current_exception();  // rethrown below: SystemC would wrap it in a report
            return false;
        }
    };
    // Errors of the models (a bad trace ID, a model's own failure) are rethrown below too.
    auto execute = [&](const trace::Event& ev, cpu::MemoryPort& port) {
        try {
            return m.execute(ev, port);
        } catch (...) {
            failure = std::current_exception();
            return true;
        }
    };
    auto on_event = [&](const trace::Event& ev, bool handled, uint64_t now_ps) {
        monitor.on_event(ev, handled, now_ps);
    };
    tlm_utils::tlm_quantumkeeper::set_global_quantum(sc_core::sc_time(double(quantum_ps), sc_core::SC_PS));
    Netlist netlist(m, next, execute, on_event, at);
    try {
        sc_core::sc_start();
    } catch (const sc_core::sc_report& r) {
        throw SimulationError(std::string("SystemC: ") + r.what());
    }
    if (failure) std::rethrow_exception(failure);
    if (std::exception_ptr f = netlist.failure()) std::rethrow_exception(f);
    // DMA transfers still in flight complete after the core's last access (plain calls through
    // the engine's socket: no process waits).
    return std::max(m.core().now_ps(), m.finish());
}

void run_functional(Machine& m, trace::Reader& reader, RunMonitor& monitor) {
    trace::Event ev;
    cpu::MemoryPort& port = m.memory_path();
    while (reader.next(ev)) monitor.on_event(ev, m.execute(ev, port), 0);
    m.finish();
}

}  // namespace

int run_simulation(const RunRequest& req, std::ostream& out, std::ostream& err) {
    auto host_start = std::chrono::steady_clock::now();
    config::Config cfg = resolve_config(req.config_file, req.sets);
    if (!req.trace.empty()) cfg.set("sim.trace=" + req.trace);
    if (!req.trace_format.empty()) cfg.set("sim.trace_format=" + req.trace_format);
    auto sim = cfg.section<SimParams>("sim");
    bool timed = sim.mode == "timing";

    std::string trace_path = req.trace.empty() ? resolve_trace_path(cfg) : req.trace;
    if (is_memory_request_format(sim.trace_format))
        return run_memory_only(cfg, trace_path, sim.trace_format, req, out, dram::StandaloneRunAt);
    if (sim.trace_format == "auto") {
        // A memory-request trace recognised by its first line runs the DDR3 controller alone, as
        // --trace-format would have it.
        const std::string request_format = dram::detect_request_trace_format(trace_path);
        if (!request_format.empty())
            return run_memory_only(cfg, trace_path, request_format, req, out, dram::StandaloneRunAt);
    }

    trace::ReadOptions ropts;
    ropts.format = trace::parse_format(sim.trace_format);
    ropts.lenient = req.lenient;
    ropts.warn = !req.quiet;
    auto reader = trace::open_trace(trace_path, ropts);

    stats::Registry stats;
    Machine machine(cfg, stats, timed, trace_path);
    uint64_t end_ps = 0;
    if (timed) {
        stats.formula("sim.time_ps", "ps", "simulated time", [&] { return double(end_ps); });
        stats.formula("sim.bandwidth_bytes_per_s", "B/s", "bytes read and written per simulated second", [&] {
            double bytes = stats.value("cpu.bytes_read") + stats.value("cpu.bytes_written");
            return end_ps ? bytes / (double(end_ps) * 1e-12) : 0.0;
        });
    }

    stats::TimeSeries series(stats, sim.sample_stats, sim.sample_every_events, timed ? sim.sample_every_ps : 0);
    if (!req.out_dir.empty()) {
        std::error_code ec;
        std::filesystem::create_directories(req.out_dir, ec);
        if (ec) throw InputError(SourceLocation{req.out_dir}, "--out: cannot create the directory: " + ec.message());
        if (series.enabled()) series.open(req.out_dir + "/timeseries.csv");
        machine.open_line_log(req.out_dir + "/faults_by_line.csv");
    }
    std::unique_ptr<trace::MtraceWriter> mtrace;
    if (!req.mtrace_out.empty()) {
        mtrace = std::make_unique<trace::MtraceWriter>(req.mtrace_out);
        machine.libc_events().set_mtrace(mtrace.get());
    }
    std::unique_ptr<mmu::TlbLookupLog> tlb_log;
    if (!req.tlb_log.empty()) {
        if (!machine.mmu().enabled())
            throw InputError("--tlb-log: this configuration has no TLBs to log (mmu.model: none)");
        tlb_log = std::make_unique<mmu::TlbLookupLog>(req.tlb_log);
        machine.mmu().set_lookup_log(tlb_log.get());
    }
    ProgressLine progress(!req.quiet, *reader);
    RunMonitor monitor(stats, series, progress);

    if (timed) {
        end_ps = run_timed(machine, *reader, monitor, sim.quantum_ps, sim.protocol == "at");
    } else {
        run_functional(machine, *reader, monitor);
    }
    monitor.finish(end_ps);
    if (mtrace) mtrace->close();
    if (tlb_log) tlb_log->close();
    double host_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - host_start).count();

    const trace::ReadStats& rs = reader->stats();
    if (!req.quiet) {
        monitor.report_unmodelled(err);
        if (rs.skipped_lines)
            err << fmt::format("memsim: warning: {} malformed trace line(s) skipped (--lenient)\n", rs.skipped_lines);
    }

    out << fmt::format("memsim {}: {} run of {} ({}, {} events)\n", MEMSIM_VERSION, sim.mode, trace_path,
                       trace::format_name(reader->format()), monitor.events());
    if (timed) {
        double bw = stats.value("sim.bandwidth_bytes_per_s");
        out << fmt::format("  simulated time      {}\n", units::format_time(end_ps));
        out << fmt::format("  accesses            {}\n", uint64_t(stats.value("cpu.accesses")));
        out << fmt::format("  bytes               {}\n",
                           uint64_t(stats.value("cpu.bytes_read") + stats.value("cpu.bytes_written")));
        out << fmt::format("  achieved bandwidth  {}\n",
                           std::isfinite(bw) ? fmt::format("{:.4g} GB/s", bw / 1e9) : std::string("-"));
    }
    out << fmt::format("  minor page faults   {}\n", uint64_t(stats.value("os.faults.minor")));
    out << fmt::format("  peak RSS            {} KiB\n", uint64_t(stats.value("os.rss_peak_bytes")) / 1024);
    machine.report(out);
    out << fmt::format("  host time           {:.3f} s ({:.3g}M events/s)\n\n", host_s,
                       double(monitor.events()) / host_s / 1e6);
    stats.print_table(out);

    if (!req.out_dir.empty()) {
        machine.write_views(req.out_dir);
        write_stats_json(req.out_dir, stats, cfg,
                         {{"memsim_version", MEMSIM_VERSION},
                          {"trace", trace_path},
                          {"trace_format", std::string(trace::format_name(reader->format()))},
                          {"events", monitor.events()},
                          {"skipped_lines", rs.skipped_lines},
                          {"dropped_records", rs.dropped},
                          {"host_seconds", host_s}});
    }
    return 0;
}

}  // namespace memsim::run
