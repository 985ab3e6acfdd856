// `memsim compare`: each configuration runs as its own `memsim run` child process, in parallel;
// their stats.json become one table (sim/sweep/compare.h).
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <boost/program_options.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/cli/compare.h"
#include "sim/cli/sweep_plot.h"
#include "sim/core/error.h"
#include "sim/sweep/compare.h"
#include "sim/sweep/process.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace memsim::cli {

namespace {

const char* kUsage =
    "usage: memsim compare CONFIG_A CONFIG_B [CONFIG ...] [--trace FILE] [--set KEY=VALUE]...\n"
    "                      [--stats GLOB,...] [--format table|csv|json|markdown] [-j N] [--out DIR] [--plot FILE]\n"
    "\n"
    "Runs each configuration on the same trace, each in its own process, N at a time, and prints the\n"
    "statistics that matter side by side with each run's difference against the first.\n"
    "A configuration is written\n"
    "  CONFIG.yaml                       named after the file\n"
    "  NAME=CONFIG.yaml                  named NAME\n"
    "  NAME:--set KEY=VALUE,KEY=VALUE    the first run's configuration with these settings\n"
    "  NAME=CONFIG.yaml:KEY=VALUE ...    a file with settings (commas or spaces between them)\n"
    "e.g. memsim compare base=configs/examples/minor-faults/default.yaml 'nommap:--set libc.mmap_max=0'\n"
    "Exit code 1 if a run failed (the table shows its exit code and error), 2 for bad usage.\n";

std::string dir_name(size_t i, const std::string& name) {
    std::string s = fmt::format("{}-", i);
    for (char c : name) s += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') ? c : '_';
    return s;
}

std::vector<std::string> split_commas(const std::vector<std::string>& in) {
    std::vector<std::string> out;
    for (const auto& s : in) {
        std::stringstream ss(s);
        for (std::string x; std::getline(ss, x, ',');)
            if (!x.empty()) out.push_back(x);
    }
    return out;
}

sweep::RunResult read_result(const sweep::RunSpec& spec, const sweep::JobResult& jr, const fs::path& dir) {
    sweep::RunResult r;
    r.spec = spec;
    r.exit_code = jr.exit_code;
    r.error = jr.error;
    fs::path stats = dir / "stats.json";
    if (jr.ok()) {
        try {
            std::ifstream in(stats);
            auto j = nlohmann::json::parse(in);
            for (const auto& [k, v] : j.at("stats").items())
                r.stats.emplace_back(k, v.is_number() ? v.get<double>() : std::nan(""));
        } catch (const std::exception& e) {
            r.exit_code = 1;
            r.error = fmt::format("cannot read {}: {}", stats.string(), e.what());
        }
    }
    return r;
}

}  // namespace

int cmd_compare(const std::vector<std::string>& args) {
    po::options_description o("compare options");
    o.add_options()("help,h", "this help")("runs", po::value<std::vector<std::string>>(), "configurations")(
        "trace", po::value<std::string>(), "trace every run replays (default: each configuration's sim.trace)")(
        "set", po::value<std::vector<std::string>>()->composing(), "KEY=VALUE for every run (repeatable)")(
        "mode", po::value<std::string>(), "timing | functional for every run")(
        "stats", po::value<std::vector<std::string>>()->composing(),
        "statistics to show: names or globs, comma-separated (default: faults, RSS, brk/mmap, misses, DRAM, time)")(
        "format", po::value<std::string>()->default_value("table"), "table | csv | json | markdown")(
        "jobs,j", po::value<unsigned>(), "runs at once (default: the processors)")(
        "out", po::value<std::string>(), "keep each run's files in DIR/<i>-<name>/ (default: a temporary folder)")(
        "plot", po::value<std::string>(), "also draw the compared statistics to FILE (.png or .svg; scripts/plot)");
    po::positional_options_description pos;
    pos.add("runs", -1);
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(o).positional(pos).run(), vm);
    if (vm.count("help")) {
        std::cout << kUsage << "\n" << o;
        return 0;
    }
    po::notify(vm);
    auto format = sweep::parse_format(vm["format"].as<std::string>());
    std::vector<std::string> run_args;
    if (vm.count("runs")) run_args = vm["runs"].as<std::vector<std::string>>();
    if (run_args.size() < 2) throw po::error("compare needs at least two configurations");
    auto specs = sweep::parse_run_specs(run_args);
    for (const auto& s : specs)
        if (!s.config.empty() && !fs::is_regular_file(s.config))
            throw InputError(fmt::format("compare: run \"{}\": no configuration file \"{}\"", s.name, s.config));
    std::string trace = vm.count("trace") ? vm["trace"].as<std::string>() : std::string();
    if (trace == "-") throw InputError("compare: --trace - : every run reads the trace, so it must be a file");
    if (!trace.empty() && !fs::exists(trace))
        throw InputError(fmt::format("compare: no trace \"{}\"", trace));
    std::vector<std::string> common_sets;
    if (vm.count("set")) common_sets = vm["set"].as<std::vector<std::string>>();
    if (vm.count("mode")) common_sets.push_back("sim.mode=" + vm["mode"].as<std::string>());
    std::vector<std::string> globs = sweep::default_stat_globs();
    bool chosen = vm.count("stats") > 0;
    if (chosen) globs = split_commas(vm["stats"].as<std::vector<std::string>>());
    unsigned jobs = vm.count("jobs") ? vm["jobs"].as<unsigned>() : sweep::host_cpus();
    if (jobs == 0) throw po::error("-j must be at least 1");

    fs::path root;
    bool temporary = !vm.count("out");
    if (temporary) {
        std::string tmpl = (fs::temp_directory_path() / "memsim-compare-XXXXXX").string();
        if (!::mkdtemp(tmpl.data())) throw SimulationError("compare: cannot create a temporary folder");
        root = tmpl;
    } else {
        root = vm["out"].as<std::string>();
        std::error_code ec;
        fs::create_directories(root, ec);
        if (ec) throw InputError(fmt::format("--out {}: {}", root.string(), ec.message()));
    }

    const std::string self = sweep::self_exe();
    std::vector<sweep::Job> job_list;
    std::vector<fs::path> dirs;
    for (size_t i = 0; i < specs.size(); ++i) {
        fs::path d = root / dir_name(i, specs[i].name);
        fs::create_directories(d);
        dirs.push_back(d);
        sweep::Job j;
        j.argv = {self, "run"};
        if (!specs[i].config.empty()) j.argv.push_back(specs[i].config);
        j.argv.insert(j.argv.end(), {"--out", d.string(), "--quiet"});
        if (!trace.empty()) j.argv.insert(j.argv.end(), {"--trace", trace});
        for (const auto& s : common_sets) j.argv.insert(j.argv.end(), {"--set", s});
        for (const auto& s : specs[i].sets) j.argv.insert(j.argv.end(), {"--set", s});
        j.stdout_file = (d / "stdout.txt").string();
        j.stderr_file = (d / "stderr.txt").string();
        job_list.push_back(j);
    }

    std::vector<sweep::RunResult> results(specs.size());
    sweep::run_jobs(job_list, jobs, [&](size_t i, const sweep::JobResult& jr) {
        results[i] = read_result(specs[i], jr, dirs[i]);
    });

    std::vector<std::string> unmatched;
    auto names = sweep::select_stats(results, globs, &unmatched);
    if (chosen)
        for (const auto& g : unmatched) std::cerr << "memsim: compare: no statistic matches \"" << g << "\"\n";
    sweep::write_comparison(std::cout, results, names, format);

    int rc = 0;
    for (const auto& r : results)
        if (!r.ok()) rc = 1;
    if (vm.count("plot")) {
        fs::path csv = root / "compare.csv";
        std::ofstream(csv) << [&] {
            std::ostringstream s;
            sweep::write_comparison(s, results, names, sweep::Format::Csv);
            return s.str();
        }();
        int prc = run_plot({"compare", csv.string(), "-o", vm["plot"].as<std::string>()});
        if (prc != 0 && rc == 0) rc = prc;
    }
    if (temporary) {
        std::error_code ec;
        fs::remove_all(root, ec);
    }
    return rc;
}

}  // namespace memsim::cli
