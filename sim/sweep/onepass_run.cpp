#include "sim/sweep/onepass_run.h"

#include <filesystem>
#include <fstream>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "models/cache/cachegrind.h"
#include "sim/core/sim_params.h"
#include "sim/run/run.h"
#include "sim/sweep/onepass.h"
#include "sim/trace/reader.h"

namespace memsim::sweep {

namespace fs = std::filesystem;

namespace {

config::Config point_config(const SweepSpec& spec, const Point& p) {
    std::vector<std::string> sets = point_sets(spec, p);
    if (!spec.trace_paths.empty()) sets.push_back("sim.trace=" + fs::absolute(spec.trace_paths[p.trace]).string());
    return run::resolve_config(spec.base, sets);
}

CachegrindConfig geometry(const config::Config& cfg) {
    return {cfg.section<cache::CacheGeometry>("cache.l1i"), cfg.section<cache::CacheGeometry>("cache.l1d"),
            cfg.section<cache::CacheGeometry>("cache.ll")};
}

// The message a separate run would print for an impossible geometry, or "".
std::string geometry_error(const CachegrindConfig& g) {
    try {
        cache::LruCache i1(g.i1, "cache.l1i"), d1(g.d1, "cache.l1d"), ll(g.ll, "cache.ll");
    } catch (const InputError& e) {
        return std::string("memsim: error: ") + e.what();
    }
    return "";
}

}  // namespace

bool one_pass_eligible(const SweepSpec& spec, std::string* why) {
    static const std::set<std::string> keys = {"cache.l1i.size", "cache.l1i.assoc", "cache.l1i.line",
                                               "cache.l1d.size", "cache.l1d.assoc", "cache.l1d.line",
                                               "cache.ll.size",  "cache.ll.assoc",  "cache.ll.line"};
    for (const auto& p : spec.parameters) {
        if (!keys.count(p.key)) {
            if (why) *why = p.key + " is not a cachegrind cache geometry";
            return false;
        }
    }
    try {
        auto cfg = run::resolve_config(spec.base, spec.sets);
        if (cfg.value("cache.model").s != "cachegrind") {
            if (why) *why = "the base does not run cache.model: cachegrind";
            return false;
        }
    } catch (const InputError& e) {
        if (why) *why = e.what();
        return false;
    }
    return true;
}

OnePassReport run_one_pass(const SweepSpec& spec, std::vector<Point>& todo, const std::string& out_dir,
                           const std::string& self, std::vector<PointResult>& results) {
    OnePassReport rep;
    std::vector<Point> left;
    size_t traces = std::max<size_t>(1, spec.traces.size());
    for (size_t t = 0; t < traces; ++t) {
        std::vector<Point> pts, good;
        for (const auto& p : todo)
            if (p.trace == t) pts.push_back(p);
        if (pts.size() < 2) {
            left.insert(left.end(), pts.begin(), pts.end());
            continue;
        }
        // Impossible geometries fail as their own runs would, with the same message and exit 2.
        std::vector<CachegrindConfig> geos;
        std::vector<config::Config> cfgs;
        for (const auto& p : pts) {
            config::Config cfg = point_config(spec, p);
            CachegrindConfig g = geometry(cfg);
            std::string err = geometry_error(g);
            if (!err.empty()) {
                point_job(spec, p, out_dir, self);  // its folder and point.json, as for a run
                JobResult jr;
                jr.exit_code = 2;
                jr.error = err;
                results.push_back(finish_point(spec, p, out_dir, jr));
                continue;
            }
            good.push_back(p);
            geos.push_back(g);
            cfgs.push_back(cfg);
        }
        if (good.empty()) continue;
        // The representative: a full run of the first good point.
        const Point& first = good[0];
        JobResult jr = run_job(point_job(spec, first, out_dir, self));
        PointResult full = finish_point(spec, first, out_dir, jr);
        results.push_back(full);
        if (!full.ok) {
            rep.notes.push_back(fmt::format("point {} failed, so the points of its trace run separately", first.id));
            left.insert(left.end(), good.begin() + 1, good.end());
            continue;
        }
        MultiCachegrind multi(geos);
        const auto& sim = cfgs[0].section<SimParams>("sim");
        trace::ReadOptions ro;
        ro.warn = false;
        if (sim.trace_format != "auto") ro.format = trace::parse_format(sim.trace_format);
        auto reader = trace::open_trace(run::resolve_trace_path(cfgs[0]), ro);
        trace::Event ev;
        while (reader->next(ev)) multi.observe(ev);
        ++rep.passes;
        rep.stacks += multi.stacks();
        // The pass must give the full run's own counts for the representative, else it does not
        // see what the run's cache saw (a process killed mid-trace, accesses the kernel refused).
        bool same = true;
        for (const auto& [name, v] : multi.counts(0).named()) {
            const double* got = nullptr;
            for (const auto& [n, x] : full.stats)
                if (n == name) got = &x;
            if (!got || *got != double(v)) same = false;
        }
        if (!same) {
            rep.notes.push_back(fmt::format("the one pass's counts differ from point {}'s full run, so the points of "
                                            "its trace run separately", first.id));
            left.insert(left.end(), good.begin() + 1, good.end());
            continue;
        }
        nlohmann::json base_json;
        {
            std::ifstream in(fs::path(point_dir(out_dir, first)) / "stats.json");
            base_json = nlohmann::json::parse(in);
        }
        for (size_t i = 1; i < good.size(); ++i) {
            const Point& p = good[i];
            point_job(spec, p, out_dir, self);
            nlohmann::json j = base_json;
            for (const auto& [name, v] : multi.counts(i).named()) j["stats"][name] = v;
            j["config"] = cfgs[i].to_json();
            j["run"]["one_pass"] = {{"representative", first.id}, {"stacks", multi.stacks()}};
            j["run"]["host_seconds"] = 0;
            std::ofstream(fs::path(point_dir(out_dir, p)) / "stats.json") << j.dump(2) << "\n";
            results.push_back(finish_point(spec, p, out_dir, JobResult{}));
            ++rep.points;
        }
    }
    todo = left;
    return rep;
}

}  // namespace memsim::sweep
