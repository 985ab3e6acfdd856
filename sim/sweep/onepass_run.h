#pragma once
// A sweep over cachegrind cache geometries in one pass (onepass.h): one full `memsim run` of a
// representative point gives every statistic the geometry cannot change (cachegrind only observes:
// it changes no time, no fault, no allocation) and checks the pass's counts for that point; the
// pass gives every point's nine cachegrind counts.
#include <string>
#include <vector>

#include "sim/sweep/results.h"
#include "sim/sweep/spec.h"

namespace memsim::sweep {

// True if SPEC varies only cache.l1i/l1d/ll size, assoc and line, and its base (with its fixed
// settings) runs cache.model: cachegrind. Otherwise false with *WHY set.
bool one_pass_eligible(const SweepSpec& spec, std::string* why);

struct OnePassReport {
    size_t points = 0;   // points evaluated in one pass (their runs were not started)
    size_t stacks = 0;   // distinct L1 stack simulations over all traces
    size_t passes = 0;   // passes over a trace
    std::vector<std::string> notes;  // why a trace fell back to separate runs
};

// Evaluates the points of TODO it can in one pass per trace, appends their results to RESULTS and
// removes them from TODO (the points left are to be run separately). SELF is memsim.
OnePassReport run_one_pass(const SweepSpec& spec, std::vector<Point>& todo, const std::string& out_dir,
                           const std::string& self, std::vector<PointResult>& results);

}  // namespace memsim::sweep
