#pragma once
// Sweeps evaluated in one pass, two kinds:
//  - cachegrind cache geometries (onepass.h): one full `memsim run` of a representative point
//    gives every statistic the geometry cannot change (cachegrind only observes: it changes no
//    time, no fault, no allocation) and checks the pass's counts for that point; the pass over the
//    trace gives every point's nine cachegrind counts. Other parameters than the caches' own
//    (a libc or kernel setting) are allowed: each combination of their values is its own group
//    with its own representative.
//  - LRU TLB geometries (tlb_onepass.h): the points that differ only in the size and
//    associativity of the ITLB and/or DTLB, or of the STLB alone, see the same TLB reference
//    stream, which one full run of a representative writes (`memsim run --tlb-log`); the pass
//    over it gives every point's mmu.<level>.accesses, hits and misses. Those are the only
//    statistics such points get (walks, caches, DRAM and time do change with the TLB), so the
//    sweep's `stats:` must select no others. Other parameters (os.mm.thp, a libc setting) are
//    allowed: each combination of them is its own group with its own representative.
// Either way the representative's counts must equal the pass's for its own geometry, else the
// points run separately.
#include <string>
#include <vector>

#include "sim/sweep/results.h"
#include "sim/sweep/spec.h"

namespace memsim::sweep {

// True if SPEC can be evaluated in one pass (either kind). Otherwise false with *WHY set.
// one_pass_candidate: SPEC varies a cache or TLB geometry (a reason to say why it is not eligible).
bool one_pass_eligible(const SweepSpec& spec, std::string* why);
bool one_pass_candidate(const SweepSpec& spec);

struct OnePassReport {
    std::string kind;    // "cachegrind" or "tlb"
    size_t points = 0;   // points evaluated in one pass (their runs were not started)
    size_t stacks = 0;   // distinct stack simulations over all passes
    size_t passes = 0;   // passes over a trace or a TLB log
    std::vector<std::string> notes;  // why a group fell back to separate runs
};

// Evaluates the points of TODO it can in one pass, appends their results (and their
// representatives') to RESULTS and removes them from TODO (the points left are to be run
// separately). SELF is memsim.
OnePassReport run_one_pass(const SweepSpec& spec, std::vector<Point>& todo, const std::string& out_dir,
                           const std::string& self, std::vector<PointResult>& results);

}  // namespace memsim::sweep
