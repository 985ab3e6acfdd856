// memsim's command line (Boost.Program_options). Results go to stdout, diagnostics to stderr.
// Exit codes: 0 success, 1 simulation failure, 2 bad usage, bad configuration or bad trace.
#include "sim/cli/cli.h"

#include <cstdio>
#include <functional>
#include <iostream>
#include <map>

#include <boost/program_options.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/cli/compare.h"
#include "sim/cli/sweep.h"
#include "sim/config/docs.h"
#include "sim/core/error.h"
#include "sim/core/version.h"
#include "sim/run/run.h"
#include "sim/trace/reader.h"
#include "sim/trace/summary.h"
#include "sim/trace/writer.h"

namespace po = boost::program_options;

namespace memsim::cli {
namespace {

constexpr int kOk = 0, kSimFailed = 1, kBadInput = 2;

const char* kTopUsage = R"(usage: memsim COMMAND [ARGS]

A cycle-approximate memory-system simulator driven by replayed traces.

commands:
  run [CONFIG.yaml]            run one simulation and print its statistics
  config show [CONFIG.yaml]    print the fully resolved configuration as YAML
  config params [--markdown]   list every configuration parameter with its type, default and unit
  trace convert IN OUT         convert a trace (text, binary, mtrace, lackey) to text or binary
  trace stats IN               summarise a trace
  compare CONFIG_A CONFIG_B... run configurations side by side (each its own process) and compare
                               their statistics
  sweep SWEEP.yaml             run every point of a parameter sweep (in parallel, or under mpirun)
                               and write DIR/results.csv

options:
  -h, --help      this help; `memsim COMMAND --help` for a command's options
  --version       print the version

exit codes: 0 success, 1 simulation failure, 2 bad usage, configuration or trace
)";

struct Command {
    std::string usage;
    po::options_description options;
    po::positional_options_description positional;
};

// Parses ARGS against CMD; prints help and returns false if --help was given.
bool parse(const std::vector<std::string>& args, Command& cmd, po::variables_map& vm) {
    cmd.options.add_options()("help,h", "this help");
    po::store(po::command_line_parser(args).options(cmd.options).positional(cmd.positional).run(), vm);
    if (vm.count("help")) {
        std::cout << "usage: " << cmd.usage << "\n\n" << cmd.options;
        return false;
    }
    po::notify(vm);
    return true;
}

void add_config_options(po::options_description& o) {
    o.add_options()("config", po::value<std::string>(), "configuration file (YAML); default: the default machine")(
        "set", po::value<std::vector<std::string>>()->composing(),
        "override one parameter, KEY=VALUE (repeatable), e.g. --set memory.simple.latency=60ns")(
        "mode", po::value<std::string>(), "timing | functional (same as --set sim.mode=...)");
}

std::vector<std::string> config_sets(const po::variables_map& vm) {
    std::vector<std::string> sets;
    if (vm.count("set")) sets = vm["set"].as<std::vector<std::string>>();
    if (vm.count("mode")) sets.push_back("sim.mode=" + vm["mode"].as<std::string>());
    return sets;
}

std::string opt(const po::variables_map& vm, const char* name) {
    return vm.count(name) ? vm[name].as<std::string>() : std::string();
}

int cmd_run(const std::vector<std::string>& args) {
    Command c{"memsim run [CONFIG.yaml] [--trace FILE] [--set KEY=VALUE]... [--out DIR] [--mtrace-out FILE] [--tlb-log FILE] [--quiet]",
              po::options_description("run options"), {}};
    add_config_options(c.options);
    c.options.add_options()("trace", po::value<std::string>(), "trace to replay (any supported format, by content)")(
        "trace-format", po::value<std::string>(), "force the trace format: text, binary, mtrace, lackey, or a memory-request trace's: dramsim3, ramulator, "
        "stl")(
        "lenient", "skip and count malformed trace lines instead of stopping")(
        "out", po::value<std::string>(), "write DIR/stats.json (and DIR/timeseries.csv when sampling)")(
        "mtrace-out", po::value<std::string>(), "write the allocator's results as a glibc mtrace() log")(
        "tlb-log", po::value<std::string>(),
        "write every TLB reference and flush to FILE (binary; docs/mmu.md), as one-pass TLB sweeps use it")(
        "quiet,q", "no progress line and no warnings on stderr");
    c.positional.add("config", 1);
    po::variables_map vm;
    if (!parse(args, c, vm)) return kOk;
    run::RunRequest req;
    req.config_file = opt(vm, "config");
    req.sets = config_sets(vm);
    req.trace = opt(vm, "trace");
    req.trace_format = opt(vm, "trace-format");
    req.lenient = vm.count("lenient") > 0;
    req.out_dir = opt(vm, "out");
    req.mtrace_out = opt(vm, "mtrace-out");
    req.tlb_log = opt(vm, "tlb-log");
    req.quiet = vm.count("quiet") > 0;
    return run::run_simulation(req, std::cout, std::cerr);
}

int cmd_config(const std::vector<std::string>& args) {
    if (args.empty() || args[0] == "--help" || args[0] == "-h") {
        std::cout << "usage: memsim config show [CONFIG.yaml] [--set KEY=VALUE]...\n"
                     "       memsim config params [--markdown]\n";
        return args.empty() ? kBadInput : kOk;
    }
    std::vector<std::string> rest(args.begin() + 1, args.end());
    if (args[0] == "show") {
        Command c{"memsim config show [CONFIG.yaml] [--set KEY=VALUE]...", po::options_description("options"), {}};
        add_config_options(c.options);
        c.positional.add("config", 1);
        po::variables_map vm;
        if (!parse(rest, c, vm)) return kOk;
        std::cout << run::resolve_config(opt(vm, "config"), config_sets(vm)).to_yaml();
        return kOk;
    }
    if (args[0] == "params") {
        Command c{"memsim config params [--markdown]", po::options_description("options"), {}};
        c.options.add_options()("markdown", "one Markdown table per section (as in docs/configuration.md)");
        po::variables_map vm;
        if (!parse(rest, c, vm)) return kOk;
        config::print_params(std::cout, config::Schema::global(), vm.count("markdown") > 0);
        return kOk;
    }
    throw po::error("unknown config command \"" + args[0] + "\" (expected show or params)");
}

int cmd_trace(const std::vector<std::string>& args) {
    if (args.empty() || args[0] == "--help" || args[0] == "-h") {
        std::cout << "usage: memsim trace convert IN OUT [--from FORMAT] [--to FORMAT] [--lenient]\n"
                     "       memsim trace stats IN [--trace-format FORMAT] [--lenient] [--json]\n";
        return args.empty() ? kBadInput : kOk;
    }
    std::vector<std::string> rest(args.begin() + 1, args.end());
    if (args[0] == "convert") {
        Command c{"memsim trace convert IN OUT [--from FORMAT] [--to text|binary] [--lenient]",
                  po::options_description("options"), {}};
        c.options.add_options()("in", po::value<std::string>()->required(), "input trace (- for stdin)")(
            "out", po::value<std::string>()->required(), "output trace (- for stdout)")(
            "from", po::value<std::string>(), "input format (default: recognised by content)")(
            "to", po::value<std::string>(), "output format: text or binary (default: binary if OUT ends in .mst)")(
            "lenient", "skip and count malformed lines");
        c.positional.add("in", 1).add("out", 1);
        po::variables_map vm;
        if (!parse(rest, c, vm)) return kOk;
        trace::ReadOptions ro;
        if (vm.count("from")) ro.format = trace::parse_format(opt(vm, "from"));
        ro.lenient = vm.count("lenient") > 0;
        std::string out = opt(vm, "out");
        trace::Format to = vm.count("to") ? trace::parse_format(opt(vm, "to")) : trace::output_format_for(out);
        trace::ReadStats rs = trace::convert(opt(vm, "in"), ro, out, to);
        std::cerr << fmt::format("memsim: converted {} events", rs.events);
        if (rs.skipped_lines) std::cerr << fmt::format(", skipped {} malformed lines", rs.skipped_lines);
        if (rs.dropped) std::cerr << fmt::format(", dropped {} records", rs.dropped);
        std::cerr << "\n";
        return kOk;
    }
    if (args[0] == "stats") {
        Command c{"memsim trace stats IN [--trace-format FORMAT] [--lenient] [--json]",
                  po::options_description("options"), {}};
        c.options.add_options()("in", po::value<std::string>()->required(), "trace (- for stdin)")(
            "trace-format", po::value<std::string>(), "force the format")("lenient", "skip and count malformed lines")(
            "json", "print JSON instead of a table");
        c.positional.add("in", 1);
        po::variables_map vm;
        if (!parse(rest, c, vm)) return kOk;
        trace::ReadOptions ro;
        if (vm.count("trace-format")) ro.format = trace::parse_format(opt(vm, "trace-format"));
        ro.lenient = vm.count("lenient") > 0;
        auto reader = trace::open_trace(opt(vm, "in"), ro);
        trace::Summary s = trace::summarize(*reader, opt(vm, "in"));
        if (vm.count("json")) std::cout << trace::summary_json(s).dump(2) << "\n";
        else trace::print_summary(std::cout, s);
        return kOk;
    }
    throw po::error("unknown trace command \"" + args[0] + "\" (expected convert or stats)");
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    try {
        if (args.empty()) {
            std::cerr << kTopUsage;
            return kBadInput;
        }
        const std::string cmd = args[0];
        std::vector<std::string> rest(args.begin() + 1, args.end());
        if (cmd == "--help" || cmd == "-h" || cmd == "help") {
            std::cout << kTopUsage;
            return kOk;
        }
        if (cmd == "--version") {
            std::cout << "memsim " << MEMSIM_VERSION << "\n";
            return kOk;
        }
        if (cmd == "run") return cmd_run(rest);
        if (cmd == "config") return cmd_config(rest);
        if (cmd == "trace") return cmd_trace(rest);
        if (cmd == "compare") return cmd_compare(rest);
        if (cmd == "sweep") return cmd_sweep(rest);
        std::cerr << "memsim: unknown command \"" << cmd << "\"\n\n" << kTopUsage;
        return kBadInput;
    } catch (const po::error& e) {
        std::cerr << "memsim: " << e.what() << " (see memsim " << (args.empty() ? "" : args[0] + " ") << "--help)\n";
        return kBadInput;
    } catch (const InputError& e) {
        std::cerr << "memsim: error: " << e.what() << "\n";
        return kBadInput;
    } catch (const SimulationError& e) {
        std::cerr << "memsim: simulation failed: " << e.what() << "\n";
        return kSimFailed;
    } catch (const std::bad_alloc&) {
        std::cerr << "memsim: out of host memory\n";
        return kSimFailed;
    } catch (const std::exception& e) {
        std::cerr << "memsim: internal error: " << e.what() << "\n";
        return kSimFailed;
    }
}

}  // namespace memsim::cli
