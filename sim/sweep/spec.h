#pragma once
// A sweep file (docs/sweeps.md): a base configuration, traces, and parameters each with a list or a
// range of values, combined as a product (default) or zipped. Every point is one `memsim run`.
//
//   base: ../examples/minor-faults/default.yaml     # relative to this file; default: the default machine
//   traces: [../../traces/true.lackey.zst]           # or `trace: FILE`; default: the base's sim.trace
//   set: {sim.mode: functional}                      # fixed for every point
//   parameters:
//     libc.mmap_threshold: [64KiB, 128KiB, 1MiB]
//     libc.trim_threshold: {from: 128KiB, to: 2MiB, factor: 2}
//   combine: product                                  # or zip
//   stats: [os.faults.*, libc.*_calls]               # columns of results.csv (default: every statistic)
#include <cstddef>
#include <string>
#include <vector>

#include "sim/core/error.h"

namespace memsim::sweep {

struct Parameter {
    std::string key;                  // a configuration key, e.g. cache.l1d.size
    std::vector<std::string> values;  // as --set takes them
    SourceLocation where;
};

struct SweepSpec {
    std::string file;                 // the sweep file as named
    std::string base;                 // path of the base configuration (resolved against the file); "" = default
    std::vector<std::string> traces;  // as written in the file (for results.csv)
    std::vector<std::string> trace_paths;  // the same, resolved against the file; empty: the base's sim.trace
    std::vector<std::string> sets;    // KEY=VALUE fixed for every point
    std::vector<Parameter> parameters;
    bool zip = false;                 // combine: zip (else product)
    std::vector<std::string> stats;   // globs selecting results.csv's statistic columns; empty: all
};

struct Point {
    size_t id = 0;                    // 0, 1, ... in expansion order: traces outermost, then the
                                      // parameters in file order, the last varying fastest
    size_t trace = 0;                 // index into traces (0 when the base's trace is used)
    std::vector<std::string> values;  // one per parameter
};

// Reads and checks a sweep file: unknown keys, unknown configuration parameters, values their
// parameter does not accept, empty or endless ranges, zip lists of unequal length, missing files.
// Throws InputError naming file:line:column.
SweepSpec load_sweep(const std::string& path);
// The same from TEXT, as if read from a file NAME (relative paths resolve against NAME's folder).
SweepSpec parse_sweep(const std::string& text, const std::string& name);

// Every point of the sweep.
std::vector<Point> expand(const SweepSpec& spec);

// The --set arguments of a point: the fixed settings, then the point's values.
std::vector<std::string> point_sets(const SweepSpec& spec, const Point& p);
// The trace a point replays as written in the sweep file ("" for the base's own).
std::string point_trace(const SweepSpec& spec, const Point& p);

}  // namespace memsim::sweep
