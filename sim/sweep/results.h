#pragma once
// A sweep's results on disk: DIR/points/<id>/ holds one point's run (point.json: what it ran;
// stats.json: what it measured; status.json: how it ended) and DIR/results.csv gathers them, one row
// per point in order of id, so a local run and an MPI run of the same sweep write the same file.
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

#include "sim/sweep/process.h"
#include "sim/sweep/spec.h"

namespace memsim::sweep {

struct PointResult {
    Point point;
    bool ok = false;
    bool ran = false;                  // run by this invocation (false: resumed from disk, or not run)
    int exit_code = 0;
    std::string error;
    std::vector<std::pair<std::string, double>> stats;  // stats.json's "stats" (NaN for null)
};

// DIR/points/<id>
std::string point_dir(const std::string& out_dir, const Point& p);

// The child process that runs point P with its output in point_dir (created here). SELF is memsim.
Job point_job(const SweepSpec& spec, const Point& p, const std::string& out_dir, const std::string& self);

// True if the point's folder holds a successful run of exactly this point (same base, trace and
// settings): a re-run of the sweep does not run it again.
bool point_done(const SweepSpec& spec, const Point& p, const std::string& out_dir);

// Records how the point's run ended (status.json) and reads what it measured.
PointResult finish_point(const SweepSpec& spec, const Point& p, const std::string& out_dir, const JobResult& r);
// What is on disk for the point (for a resumed point, or one another MPI rank ran).
PointResult load_point(const SweepSpec& spec, const Point& p, const std::string& out_dir);

// results.csv: id, trace, one column per parameter, status, exit_code, error, then the statistics
// (those matching spec.stats, else every statistic any point has, by name). Rows by id.
void write_results_csv(std::ostream& out, const SweepSpec& spec, std::vector<PointResult> results);

}  // namespace memsim::sweep
