#include "sim/sweep/results.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/stats/stats.h"

namespace memsim::sweep {

namespace fs = std::filesystem;

namespace {

nlohmann::json point_json(const SweepSpec& spec, const Point& p) {
    return {{"id", p.id},
            {"base", spec.base.empty() ? std::string() : fs::absolute(spec.base).lexically_normal().string()},
            {"trace", spec.trace_paths.empty() ? std::string()
                                               : fs::absolute(spec.trace_paths[p.trace]).lexically_normal().string()},
            {"sets", point_sets(spec, p)}};
}

bool read_json(const fs::path& f, nlohmann::json& j) {
    std::ifstream in(f);
    if (!in) return false;
    try {
        j = nlohmann::json::parse(in);
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

std::string csv_cell(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}

void read_stats(PointResult& r, const fs::path& dir) {
    nlohmann::json j;
    if (!read_json(dir / "stats.json", j) || !j.contains("stats")) {
        r.ok = false;
        if (r.error.empty()) r.error = "no readable stats.json";
        if (r.exit_code == 0) r.exit_code = 1;
        return;
    }
    for (const auto& [k, v] : j["stats"].items()) r.stats.emplace_back(k, v.is_number() ? v.get<double>() : std::nan(""));
}

}  // namespace

std::string point_dir(const std::string& out_dir, const Point& p) {
    return (fs::path(out_dir) / "points" / std::to_string(p.id)).string();
}

Job point_job(const SweepSpec& spec, const Point& p, const std::string& out_dir, const std::string& self) {
    fs::path d = point_dir(out_dir, p);
    fs::create_directories(d);
    // A stale status or stats from an earlier, different run of this id must not survive this one.
    fs::remove(d / "status.json");
    fs::remove(d / "stats.json");
    std::ofstream(d / "point.json") << point_json(spec, p).dump(2) << "\n";
    Job j;
    j.argv = {self, "run"};
    if (!spec.base.empty()) j.argv.push_back(spec.base);
    j.argv.insert(j.argv.end(), {"--out", d.string(), "--quiet"});
    if (!spec.trace_paths.empty()) j.argv.insert(j.argv.end(), {"--trace", spec.trace_paths[p.trace]});
    for (const auto& s : point_sets(spec, p)) j.argv.insert(j.argv.end(), {"--set", s});
    j.stdout_file = (d / "stdout.txt").string();
    j.stderr_file = (d / "stderr.txt").string();
    return j;
}

bool point_done(const SweepSpec& spec, const Point& p, const std::string& out_dir) {
    fs::path d = point_dir(out_dir, p);
    nlohmann::json pj, st, stats;
    if (!read_json(d / "point.json", pj) || pj != point_json(spec, p)) return false;
    if (!read_json(d / "status.json", st) || st.value("exit_code", -1) != 0) return false;
    return read_json(d / "stats.json", stats);
}

PointResult finish_point(const SweepSpec& spec, const Point& p, const std::string& out_dir, const JobResult& r) {
    (void)spec;
    fs::path d = point_dir(out_dir, p);
    PointResult out;
    out.point = p;
    out.ran = true;
    out.exit_code = r.exit_code;
    out.error = r.error;
    out.ok = r.ok();
    if (out.ok) read_stats(out, d);
    nlohmann::json st{{"exit_code", out.exit_code}, {"error", out.error}, {"seconds", r.seconds}};
    std::ofstream(d / "status.json") << st.dump(2) << "\n";
    return out;
}

PointResult load_point(const SweepSpec& spec, const Point& p, const std::string& out_dir) {
    (void)spec;
    fs::path d = point_dir(out_dir, p);
    PointResult out;
    out.point = p;
    nlohmann::json st;
    if (!read_json(d / "status.json", st)) {
        out.exit_code = -1;
        out.error = "not run";
        return out;
    }
    out.exit_code = st.value("exit_code", 1);
    out.error = st.value("error", std::string());
    out.ok = out.exit_code == 0;
    if (out.ok) read_stats(out, d);
    return out;
}

void write_results_csv(std::ostream& out, const SweepSpec& spec, std::vector<PointResult> results) {
    std::sort(results.begin(), results.end(),
              [](const PointResult& a, const PointResult& b) { return a.point.id < b.point.id; });
    std::set<std::string> all;
    for (const auto& r : results)
        for (const auto& [n, v] : r.stats) all.insert(n);
    std::vector<std::string> names;
    if (spec.stats.empty()) {
        names.assign(all.begin(), all.end());
    } else {
        std::set<std::string> seen;
        for (const auto& g : spec.stats)
            for (const auto& n : all)
                if (stats::glob_match(g, n) && seen.insert(n).second) names.push_back(n);
    }
    out << "id,trace";
    for (const auto& p : spec.parameters) out << "," << csv_cell(p.key);
    out << ",status,exit_code,error";
    for (const auto& n : names) out << "," << csv_cell(n);
    out << "\n";
    for (const auto& r : results) {
        out << r.point.id << "," << csv_cell(point_trace(spec, r.point));
        for (const auto& v : r.point.values) out << "," << csv_cell(v);
        out << "," << (r.ok ? "ok" : "failed") << "," << r.exit_code << "," << csv_cell(r.error);
        for (const auto& n : names) {
            out << ",";
            for (const auto& [k, v] : r.stats) {
                if (k != n) continue;
                if (!std::isnan(v)) out << fmt::format("{}", v);
                break;
            }
        }
        out << "\n";
    }
}

}  // namespace memsim::sweep
