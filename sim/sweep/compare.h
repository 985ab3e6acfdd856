#pragma once
// `memsim compare`: the same trace under several configurations, one table of the statistics
// that matter with each run's difference against the first. The plain part: what a run on the
// command line means, which statistics to show, and the table in its four formats.
#include <cstdint>
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

namespace memsim::sweep {

// One configuration on compare's command line: `CONFIG.yaml`, `NAME=CONFIG.yaml`,
// `NAME:--set KEY=VALUE,KEY=VALUE` or `NAME=CONFIG.yaml:KEY=VALUE ...` (after the colon, settings are
// separated by commas or spaces, each optionally preceded by --set).
struct RunSpec {
    std::string name;
    std::string config;              // empty: the first run's configuration (or the default machine)
    std::vector<std::string> sets;   // KEY=VALUE
};

// Throws InputError (usage) for an empty name, a setting without '=', or a duplicate name.
RunSpec parse_run_spec(const std::string& arg);
// Parses each ARG, names runs without one after their file (or their settings), makes names unique
// and gives runs without a configuration the first run's.
std::vector<RunSpec> parse_run_specs(const std::vector<std::string>& args);

// What a run produced.
struct RunResult {
    RunSpec spec;
    int exit_code = 0;
    std::string error;                           // empty when it succeeded
    std::vector<std::pair<std::string, double>> stats;  // stats.json's "stats", NaN for null
    bool ok() const { return exit_code == 0 && error.empty(); }
    const double* find(const std::string& name) const;
};

// The statistics `compare` shows without --stats, as globs, in this order: simulated time, faults,
// RSS, the allocator's system calls, cache/TLB misses, DRAM (those that exist in some run).
const std::vector<std::string>& default_stat_globs();

// The names in RESULTS' stats matching GLOBS, in the order of the globs (within a glob, by name);
// each name once. UNMATCHED gets the globs that matched nothing.
std::vector<std::string> select_stats(const std::vector<RunResult>& results, const std::vector<std::string>& globs,
                                      std::vector<std::string>* unmatched = nullptr);

enum class Format { Table, Csv, Json, Markdown };
Format parse_format(const std::string& name);  // throws InputError

// Writes the comparison: per statistic, each run's value and, for runs after the first, the
// difference and the relative difference against the first; then each failed run's error.
void write_comparison(std::ostream& out, const std::vector<RunResult>& results, const std::vector<std::string>& stats,
                      Format format);

// "12,345", "1.5", "-" for NaN: numbers as the table prints them.
std::string format_number(double v);
// "+12.5%", "-3%", "+inf%", "" when the base is 0 and the value too.
std::string format_relative(double base, double v);

}  // namespace memsim::sweep
