// `memsim sweep SWEEP.yaml`: every point of a sweep (sim/sweep/spec.h) as its own `memsim run`
// child, -j at a time, or handed out across the ranks of an MPI job (sweep_mpi.cpp); then
// DIR/results.csv.
#include "sim/cli/sweep.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include "sim/cli/sweep_mpi.h"
#include "sim/cli/sweep_plot.h"
#include "sim/core/error.h"
#include "sim/sweep/onepass_run.h"
#include "sim/sweep/process.h"
#include "sim/sweep/results.h"
#include "sim/sweep/spec.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace memsim::cli {

namespace {

const char* kUsage =
    "usage: memsim sweep SWEEP.yaml [-j N] [--out DIR] [--plot STAT]\n"
    "       mpirun -np N memsim sweep SWEEP.yaml [--out DIR]\n"
    "\n"
    "Runs every point of a sweep (a base configuration, traces, parameters with lists or ranges;\n"
    "docs/sweeps.md), each as its own `memsim run`, N at a time, and writes DIR/results.csv (one row\n"
    "per point: id, trace, the parameters, status, then the statistics) and DIR/points/<id>/.\n"
    "Running it again resumes: points already finished are not run again. A failing point is recorded\n"
    "with its error and the sweep goes on (exit code 1 at the end).\n"
    "A sweep that varies only cachegrind's cache geometries (cache.l1i/l1d/ll size, assoc, line) is\n"
    "evaluated in one pass over the trace (LRU stack distances) plus one full run; so is one that varies\n"
    "the entries and ways of LRU TLBs (mmu.itlb/dtlb or mmu.stlb) and selects only their counts\n"
    "(stats: [mmu.dtlb.*]), from one full run per combination of its other parameters. --separate\n"
    "turns that off.\n";

std::string eta(double seconds) {
    if (seconds < 60) return fmt::format("{:.0f}s", seconds);
    if (seconds < 3600) return fmt::format("{}m{:02}s", int(seconds) / 60, int(seconds) % 60);
    return fmt::format("{}h{:02}m", int(seconds) / 3600, int(seconds) / 60 % 60);
}

}  // namespace

void one_pass(const sweep::SweepSpec& spec, std::vector<sweep::Point>& todo, const std::string& out,
              const std::string& self, std::vector<sweep::PointResult>& results) {
    if (todo.size() < 2) return;
    std::string why;
    if (!sweep::one_pass_eligible(spec, &why)) {
        if (sweep::one_pass_candidate(spec)) std::cerr << "memsim: sweep: no one pass: " << why << "\n";
        return;
    }
    auto rep = sweep::run_one_pass(spec, todo, out, self, results);
    for (const auto& n : rep.notes) std::cerr << "memsim: sweep: " << n << "\n";
    if (!rep.points) return;
    if (rep.kind == "tlb")
        std::cout << fmt::format(
            "sweep: one pass: {} points evaluated in {} pass(es) over TLB reference logs with LRU stack distances "
            "({} stacks; each log from a full run, whose counts it reproduced), not run separately\n",
            rep.points, rep.passes, rep.stacks);
    else
        std::cout << fmt::format(
            "sweep: one pass: {} points evaluated in {} pass(es) over the trace with LRU stack distances "
            "({} stacks; cachegrind's model, checked against a full run), not run separately\n",
            rep.points, rep.passes, rep.stacks);
}

SweepProgress::SweepProgress(size_t total, size_t already_done)
    : total_(total), done_(already_done), resumed_(already_done), tty_(::isatty(2) != 0),
      start_(std::chrono::steady_clock::now()) {}

void SweepProgress::point_done(bool ok) {
    ++done_;
    if (!ok) ++failed_;
    if (!tty_) return;
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    size_t ran = done_ - resumed_;
    std::string e = ran ? eta(elapsed / double(ran) * double(total_ - done_)) : "?";
    std::cerr << fmt::format("\rsweep: {}/{} points, {} failed, ETA {}   ", done_, total_, failed_, e) << std::flush;
    if (done_ == total_) std::cerr << "\n";
}

std::string default_sweep_out(const std::string& sweep_file) {
    return "sweep-" + fs::path(sweep_file).stem().string();
}

int finish_sweep(const sweep::SweepSpec& spec, const std::vector<sweep::Point>& points, const std::string& out,
                 std::vector<sweep::PointResult>& results, const std::string& plot) {
    fs::path csv = fs::path(out) / "results.csv";
    {
        std::ofstream f(csv);
        sweep::write_results_csv(f, spec, results);
        if (!f) throw SimulationError("cannot write " + csv.string());
    }
    size_t failed = 0, resumed = 0;
    for (const auto& r : results) {
        failed += !r.ok;
        resumed += !r.ran;
    }
    std::cout << fmt::format("sweep: {} points ({} run now, {} already done), {} failed; {}\n", points.size(),
                             points.size() - resumed, resumed, failed, csv.string());
    for (const auto& r : results)
        if (!r.ok) std::cout << fmt::format("  point {}: exit {}: {}\n", r.point.id, r.exit_code, r.error);
    int rc = failed ? 1 : 0;
    if (!plot.empty()) {
        std::vector<std::string> a{"results", csv.string(), "--stat", plot, "-o",
                                   (fs::path(out) / "plot.png").string()};
        if (run_plot(a) != 0 && rc == 0) rc = 1;
    }
    return rc;
}

int cmd_sweep(const std::vector<std::string>& args) {
    po::options_description o("sweep options");
    o.add_options()("help,h", "this help")("sweep", po::value<std::string>(), "the sweep file (YAML)")(
        "jobs,j", po::value<unsigned>(), "points at once (default: the processors; under MPI: one per rank)")(
        "out", po::value<std::string>(), "output folder (default: sweep-<name of the sweep file>)")(
        "plot", po::value<std::string>(), "draw STAT against the first parameter to DIR/plot.png (scripts/plot)")(
        "separate", "run every point as its own process even where one pass over the trace could evaluate them");
    po::positional_options_description pos;
    pos.add("sweep", 1);
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(o).positional(pos).run(), vm);
    if (vm.count("help")) {
        std::cout << kUsage << "\n" << o;
        return 0;
    }
    po::notify(vm);
    if (!vm.count("sweep")) throw po::error("sweep needs a sweep file");
    const std::string file = vm["sweep"].as<std::string>();
    unsigned jobs = vm.count("jobs") ? vm["jobs"].as<unsigned>() : sweep::host_cpus();
    if (jobs == 0) throw po::error("-j must be at least 1");
    const std::string out = vm.count("out") ? vm["out"].as<std::string>() : default_sweep_out(file);
    const std::string plot = vm.count("plot") ? vm["plot"].as<std::string>() : std::string();

    if (mpi_world_size() > 1) return cmd_sweep_mpi(file, out, plot, vm.count("separate") > 0);

    sweep::SweepSpec spec = sweep::load_sweep(file);
    auto points = sweep::expand(spec);
    std::error_code ec;
    fs::create_directories(fs::path(out) / "points", ec);
    if (ec) throw InputError(fmt::format("--out {}: {}", out, ec.message()));

    std::vector<sweep::PointResult> results;
    std::vector<sweep::Point> todo;
    for (const auto& p : points) {
        if (sweep::point_done(spec, p, out)) results.push_back(sweep::load_point(spec, p, out));
        else todo.push_back(p);
    }
    const std::string self = sweep::self_exe();
    if (!vm.count("separate")) one_pass(spec, todo, out, self, results);
    SweepProgress progress(points.size(), results.size());
    std::vector<sweep::Job> job_list;
    for (const auto& p : todo) job_list.push_back(sweep::point_job(spec, p, out, self));
    sweep::run_jobs(job_list, jobs, [&](size_t i, const sweep::JobResult& jr) {
        results.push_back(sweep::finish_point(spec, todo[i], out, jr));
        progress.point_done(results.back().ok);
    });
    return finish_sweep(spec, points, out, results, plot);
}

}  // namespace memsim::cli
