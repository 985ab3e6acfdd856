// results.csv: one row per point in order of id, whatever order the points ended in.
#include <catch2/catch.hpp>

#include <sstream>

#include "sim/sweep/process.h"
#include "sim/sweep/results.h"

using namespace memsim::sweep;

TEST_CASE("results.csv rows come in order of point id with parameters then statistics", "[sweep]") {
    auto spec = parse_sweep("parameters:\n  cache.l1d.assoc: [2, 4]\n  cache.model: [none, cachegrind]\n", "s.yaml");
    auto pts = expand(spec);
    REQUIRE(pts.size() == 4);
    std::vector<PointResult> rs(4);
    for (size_t i = 0; i < 4; ++i) rs[i].point = pts[3 - i];  // ended in reverse order
    for (auto& r : rs) {
        r.ok = true;
        r.stats = {{"b.stat", double(r.point.id) * 1.5}, {"a.stat", double(r.point.id)}};
    }
    rs[1].ok = false;  // point 2
    rs[1].exit_code = 2;
    rs[1].error = "memsim: error: a, \"quoted\" thing";
    rs[1].stats.clear();
    std::ostringstream out;
    write_results_csv(out, spec, rs);
    CHECK(out.str() ==
          "id,trace,cache.l1d.assoc,cache.model,status,exit_code,error,a.stat,b.stat\n"
          "0,,2,none,ok,0,,0,0\n"
          "1,,2,cachegrind,ok,0,,1,1.5\n"
          "2,,4,none,failed,2,\"memsim: error: a, \"\"quoted\"\" thing\",,\n"
          "3,,4,cachegrind,ok,0,,3,4.5\n");

    spec.stats = {"b.*"};
    std::ostringstream only_b;
    write_results_csv(only_b, spec, rs);
    CHECK_THAT(only_b.str(), Catch::StartsWith("id,trace,cache.l1d.assoc,cache.model,status,exit_code,error,b.stat\n"));
}

TEST_CASE("a failed child's error is memsim's own last line", "[sweep]") {
    CHECK(error_line("warning: x\nmemsim: error: bad.yaml:2:1: unknown key\n\n") ==
          "memsim: error: bad.yaml:2:1: unknown key");
    CHECK(error_line("something\nelse\n") == "else");
    CHECK(error_line("") == "");
}

TEST_CASE("run_jobs runs every job and reports exit codes", "[sweep]") {
    std::vector<Job> jobs;
    for (int code : {0, 3, 0, 1}) jobs.push_back(Job{{"/bin/sh", "-c", "exit " + std::to_string(code)}, "", ""});
    jobs.push_back(Job{{"/no/such/program"}, "", ""});
    std::vector<int> codes(jobs.size(), -1);
    run_jobs(jobs, 2, [&](size_t i, const JobResult& r) { codes[i] = r.exit_code; });
    // posix_spawn reports a program that does not exist as the child's exit 127 (as a shell does).
    CHECK(codes == std::vector<int>{0, 3, 0, 1, 127});
}
