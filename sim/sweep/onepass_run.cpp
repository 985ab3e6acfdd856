#include "sim/sweep/onepass_run.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "models/cache/cachegrind.h"
#include "models/mmu/lookup_log.h"
#include "models/mmu/params.h"
#include "sim/core/sim_params.h"
#include "sim/run/run.h"
#include "sim/stats/stats.h"
#include "sim/sweep/onepass.h"
#include "sim/sweep/tlb_onepass.h"
#include "sim/trace/reader.h"

namespace memsim::sweep {

namespace fs = std::filesystem;

namespace {

config::Config point_config(const SweepSpec& spec, const Point& p) {
    std::vector<std::string> sets = point_sets(spec, p);
    if (!spec.trace_paths.empty()) sets.push_back("sim.trace=" + fs::absolute(spec.trace_paths[p.trace]).string());
    return run::resolve_config(spec.base, sets);
}

config::Config base_config(const SweepSpec& spec) { return run::resolve_config(spec.base, spec.sets); }

// The message a separate run prints for an input error.
std::string run_error(const InputError& e) { return std::string("memsim: error: ") + e.what(); }

const std::set<std::string> kCachegrindKeys = {"cache.l1i.size", "cache.l1i.assoc", "cache.l1i.line",
                                               "cache.l1d.size", "cache.l1d.assoc", "cache.l1d.line",
                                               "cache.ll.size",  "cache.ll.assoc",  "cache.ll.line"};

// "mmu.dtlb.entries_4k" -> "dtlb"; "" if KEY is not a TLB level's size or associativity.
std::string tlb_geometry_level(const std::string& key) {
    static const std::set<std::string> fields = {"entries",    "assoc",    "entries_4k", "assoc_4k",
                                                 "entries_2m", "assoc_2m", "entries_1g", "assoc_1g"};
    for (const char* level : {"itlb", "dtlb", "stlb"}) {
        std::string prefix = std::string("mmu.") + level + ".";
        if (key.compare(0, prefix.size(), prefix) == 0 && fields.count(key.substr(prefix.size()))) return level;
    }
    return "";
}

bool geometry_key(const std::string& key) { return kCachegrindKeys.count(key) || !tlb_geometry_level(key).empty(); }

// The points of one group differ only in the geometries a pass evaluates: same trace, same values
// of every other parameter.
std::string group_of(const SweepSpec& spec, const Point& p) {
    std::string g = std::to_string(p.trace);
    for (size_t k = 0; k < spec.parameters.size(); ++k)
        if (!geometry_key(spec.parameters[k].key)) g += "\n" + p.values[k];
    return g;
}

// One kind of one-pass evaluation over a group of points that share what the pass reads.
class PassKind {
public:
    virtual ~PassKind() = default;
    virtual const char* name() const = 0;
    // The error a separate run of CFG would stop with, or "".
    virtual std::string geometry_error(const config::Config& cfg) const = 0;
    // Extra arguments of the representative's run, whose folder is DIR.
    virtual std::vector<std::string> representative_args(const fs::path&) const { return {}; }
    // Evaluates CFGS (the representative first) from its run FULL in DIR; false with *NOTE if the
    // pass cannot stand in for their runs.
    virtual bool evaluate(const SweepSpec& spec, const std::vector<config::Config>& cfgs, const PointResult& full,
                          const fs::path& dir, std::string* note) = 0;
    // Point I's statistics, from the representative's stats.json J.
    virtual void point_stats(size_t i, nlohmann::json& j) const = 0;
    virtual size_t stacks() const = 0;
};

// Whether the pass's counts NAMED for the representative equal its full run's.
bool same_as_run(const std::vector<std::pair<std::string, uint64_t>>& named, const PointResult& full) {
    for (const auto& [name, v] : named) {
        const double* got = nullptr;
        for (const auto& [n, x] : full.stats)
            if (n == name) got = &x;
        if (!got || *got != double(v)) return false;
    }
    return true;
}

class CachegrindPass final : public PassKind {
public:
    const char* name() const override { return "cachegrind"; }
    std::string geometry_error(const config::Config& cfg) const override {
        try {
            CachegrindConfig g = geometry(cfg);
            cache::LruCache i1(g.i1, "cache.l1i"), d1(g.d1, "cache.l1d"), ll(g.ll, "cache.ll");
        } catch (const InputError& e) {
            return run_error(e);
        }
        return "";
    }
    bool evaluate(const SweepSpec&, const std::vector<config::Config>& cfgs, const PointResult& full, const fs::path&,
                  std::string* note) override {
        std::vector<CachegrindConfig> geos;
        for (const auto& c : cfgs) geos.push_back(geometry(c));
        multi_ = std::make_unique<MultiCachegrind>(geos);
        const auto& sim = cfgs[0].section<SimParams>("sim");
        trace::ReadOptions ro;
        ro.warn = false;
        if (sim.trace_format != "auto") ro.format = trace::parse_format(sim.trace_format);
        auto reader = trace::open_trace(run::resolve_trace_path(cfgs[0]), ro);
        trace::Event ev;
        while (reader->next(ev)) multi_->observe(ev);
        // The pass must give the full run's own counts for the representative, else it does not
        // see what the run's cache saw (a process killed mid-trace, accesses the kernel refused).
        if (!same_as_run(multi_->counts(0).named(), full)) {
            *note = "the one pass's counts differ from the full run's";
            return false;
        }
        return true;
    }
    void point_stats(size_t i, nlohmann::json& j) const override {
        for (const auto& [name, v] : multi_->counts(i).named()) j["stats"][name] = v;
    }
    size_t stacks() const override { return multi_ ? multi_->stacks() : 0; }

private:
    std::unique_ptr<MultiCachegrind> multi_;
    static CachegrindConfig geometry(const config::Config& cfg) {
        return {cfg.section<cache::CacheGeometry>("cache.l1i"), cfg.section<cache::CacheGeometry>("cache.l1d"),
                cfg.section<cache::CacheGeometry>("cache.ll")};
    }
};

class TlbPass final : public PassKind {
public:
    explicit TlbPass(std::vector<std::string> levels) : levels_(std::move(levels)) {}
    const char* name() const override { return "tlb"; }
    std::string geometry_error(const config::Config& cfg) const override {
        try {
            for (const auto& l : levels_) mmu::Tlb(cfg.section<mmu::TlbParams>("mmu." + l), "mmu." + l);
        } catch (const InputError& e) {
            return run_error(e);
        }
        return "";
    }
    std::vector<std::string> representative_args(const fs::path& dir) const override {
        return {"--tlb-log", (dir / "tlb.log").string()};
    }
    bool evaluate(const SweepSpec& spec, const std::vector<config::Config>& cfgs, const PointResult& full,
                  const fs::path& dir, std::string* note) override {
        const fs::path log = dir / "tlb.log";
        struct RemoveLog {
            fs::path p;
            ~RemoveLog() {
                std::error_code ec;
                fs::remove(p, ec);
            }
        } remove_log{log};
        // Only the swept levels' own counts are known for the other points.
        std::set<std::string> known;
        for (const auto& l : levels_)
            for (const char* c : {".accesses", ".hits", ".misses"}) known.insert("mmu." + l + c);
        for (const auto& [n, v] : full.stats) {
            bool selected = false;
            for (const auto& g : spec.stats) selected |= stats::glob_match(g, n);
            if (selected && !known.count(n)) {
                *note = fmt::format("stats: selects {}, which changes with the TLB geometry and which the one pass "
                                    "does not give (only mmu.<level>.accesses, hits and misses)",
                                    n);
                return false;
            }
        }
        multi_.clear();
        for (const auto& l : levels_) {
            std::vector<mmu::TlbParams> geos;
            for (const auto& c : cfgs) geos.push_back(c.section<mmu::TlbParams>("mmu." + l));
            mmu::TlbLevel level = l == "itlb" ? mmu::TlbLevel::Itlb : l == "dtlb" ? mmu::TlbLevel::Dtlb : mmu::TlbLevel::Stlb;
            multi_.push_back({l, std::make_unique<MultiTlb>(level, geos, "mmu." + l)});
        }
        mmu::read_tlb_lookup_log(log.string(), [&](const mmu::TlbLogRecord& r) {
            for (auto& [l, m] : multi_) m->observe(r);
        });
        if (!same_as_run(named(0), full)) {
            *note = "the one pass's TLB counts differ from the full run's";
            return false;
        }
        return true;
    }
    void point_stats(size_t i, nlohmann::json& j) const override {
        // The representative's other statistics are not this point's.
        j["stats"] = nlohmann::json::object();
        for (const auto& [name, v] : named(i)) j["stats"][name] = v;
    }
    size_t stacks() const override {
        size_t n = 0;
        for (const auto& [l, m] : multi_) n += m->stacks();
        return n;
    }

private:
    std::vector<std::string> levels_;
    std::vector<std::pair<std::string, std::unique_ptr<MultiTlb>>> multi_;
    std::vector<std::pair<std::string, uint64_t>> named(size_t i) const {
        std::vector<std::pair<std::string, uint64_t>> v;
        for (const auto& [l, m] : multi_) {
            const TlbCounts& c = m->counts(i);
            v.emplace_back("mmu." + l + ".accesses", c.accesses);
            v.emplace_back("mmu." + l + ".hits", c.hits);
            v.emplace_back("mmu." + l + ".misses", c.misses);
        }
        return v;
    }
};

bool cachegrind_eligible(const SweepSpec& spec, std::string* why) {
    // Other parameters are fine (each combination of their values is a group) unless they are the
    // caches' own: cachegrind sees the trace's accesses whatever the allocator or kernel does.
    bool geometry = false;
    for (const auto& p : spec.parameters) {
        if (kCachegrindKeys.count(p.key)) geometry = true;
        else if (p.key.compare(0, 6, "cache.") == 0) {
            *why = p.key + " is not a cachegrind cache geometry";
            return false;
        }
    }
    if (!geometry) {
        *why = "no cachegrind cache geometry is swept";
        return false;
    }
    if (base_config(spec).value("cache.model").s != "cachegrind") {
        *why = "the base does not run cache.model: cachegrind";
        return false;
    }
    return true;
}

// The TLB levels SPEC sweeps, if it can be evaluated in one pass over TLB logs; else empty with *WHY.
std::vector<std::string> tlb_levels(const SweepSpec& spec, std::string* why) {
    std::set<std::string> levels;
    for (const auto& p : spec.parameters) {
        std::string l = tlb_geometry_level(p.key);
        if (!l.empty()) levels.insert(l);
        else if (p.key.compare(0, 4, "mmu.") == 0) {
            *why = p.key + " changes the TLBs' reference stream (only their sizes and associativities can be swept in "
                           "one pass)";
            return {};
        }
    }
    if (levels.empty()) {
        *why = "no TLB size or associativity is swept";
        return {};
    }
    if (levels.count("stlb") && levels.size() > 1) {
        *why = "the STLB sees the L1 TLBs' misses: sweep the STLB alone, or the L1 TLBs alone, for one pass";
        return {};
    }
    if (spec.stats.empty()) {
        *why = "the sweep selects every statistic, and walks, caches and time change with the TLB geometry: select "
               "the TLB counts (e.g. stats: [mmu.dtlb.*]) for one pass";
        return {};
    }
    // A statistic named outright that the pass does not give is known now; a glob is checked
    // against the representative's statistics (TlbPass::evaluate).
    for (const auto& g : spec.stats) {
        if (g.find_first_of("*?[") != std::string::npos) continue;
        bool known = false;
        for (const auto& l : levels)
            for (const char* c : {".accesses", ".hits", ".misses"}) known |= g == "mmu." + l + c;
        if (!known) {
            *why = fmt::format("stats: selects {}, which changes with the TLB geometry and which the one pass does "
                               "not give (only mmu.<level>.accesses, hits and misses)",
                               g);
            return {};
        }
    }
    config::Config cfg = base_config(spec);
    if (cfg.value("mmu.model").s != "tlb") {
        *why = "the base has no TLBs (mmu.model: none)";
        return {};
    }
    for (const auto& l : levels) {
        auto p = cfg.section<mmu::TlbParams>("mmu." + l);
        if (!p.enabled) {
            *why = "mmu." + l + " is disabled in the base";
            return {};
        }
        if (p.replacement != "lru") {
            *why = "mmu." + l + ".replacement is " + p.replacement + " (stack distances hold for LRU only)";
            return {};
        }
    }
    return {levels.begin(), levels.end()};
}

std::unique_ptr<PassKind> pass_kind(const SweepSpec& spec, std::string* why) {
    std::string why_cg, why_tlb;
    try {
        if (cachegrind_eligible(spec, &why_cg)) return std::make_unique<CachegrindPass>();
        auto levels = tlb_levels(spec, &why_tlb);
        if (!levels.empty()) return std::make_unique<TlbPass>(levels);
    } catch (const InputError& e) {
        if (why) *why = e.what();
        return nullptr;
    }
    // The reason that concerns what the sweep varies.
    bool tlb = false;
    for (const auto& p : spec.parameters) tlb |= !tlb_geometry_level(p.key).empty();
    if (why) *why = tlb ? why_tlb : why_cg;
    return nullptr;
}

}  // namespace

bool one_pass_eligible(const SweepSpec& spec, std::string* why) { return pass_kind(spec, why) != nullptr; }

bool one_pass_candidate(const SweepSpec& spec) {
    for (const auto& p : spec.parameters)
        if (kCachegrindKeys.count(p.key) || !tlb_geometry_level(p.key).empty()) return true;
    return false;
}

OnePassReport run_one_pass(const SweepSpec& spec, std::vector<Point>& todo, const std::string& out_dir,
                           const std::string& self, std::vector<PointResult>& results) {
    OnePassReport rep;
    std::unique_ptr<PassKind> kind = pass_kind(spec, nullptr);
    if (!kind) return rep;
    rep.kind = kind->name();
    std::map<std::string, std::vector<Point>> groups;
    std::vector<std::string> order;
    for (const auto& p : todo) {
        std::string g = group_of(spec, p);
        if (!groups.count(g)) order.push_back(g);
        groups[g].push_back(p);
    }
    std::vector<Point> left;
    for (const auto& g : order) {
        const std::vector<Point>& pts = groups[g];
        if (pts.size() < 2) {
            left.insert(left.end(), pts.begin(), pts.end());
            continue;
        }
        // Impossible geometries fail as their own runs would, with the same message and exit 2.
        std::vector<Point> good;
        std::vector<config::Config> cfgs;
        for (const auto& p : pts) {
            config::Config cfg = point_config(spec, p);
            std::string err = kind->geometry_error(cfg);
            if (!err.empty()) {
                point_job(spec, p, out_dir, self);  // its folder and point.json, as for a run
                JobResult jr;
                jr.exit_code = 2;
                jr.error = err;
                results.push_back(finish_point(spec, p, out_dir, jr));
                continue;
            }
            good.push_back(p);
            cfgs.push_back(cfg);
        }
        if (good.empty()) continue;
        // The representative: a full run of the first good point.
        const Point& first = good[0];
        const fs::path dir = point_dir(out_dir, first);
        Job job = point_job(spec, first, out_dir, self);
        for (const auto& a : kind->representative_args(dir)) job.argv.push_back(a);
        PointResult full = finish_point(spec, first, out_dir, run_job(job));
        results.push_back(full);
        std::string note;
        if (!full.ok) note = "it failed";
        else if (!kind->evaluate(spec, cfgs, full, dir, &note) && note.empty()) note = "the pass failed";
        if (!note.empty()) {
            rep.notes.push_back(fmt::format("point {}: {}, so the points it stands for run separately", first.id, note));
            left.insert(left.end(), good.begin() + 1, good.end());
            continue;
        }
        ++rep.passes;
        rep.stacks += kind->stacks();
        nlohmann::json base_json;
        {
            std::ifstream in(dir / "stats.json");
            base_json = nlohmann::json::parse(in);
        }
        for (size_t i = 1; i < good.size(); ++i) {
            const Point& p = good[i];
            point_job(spec, p, out_dir, self);
            nlohmann::json j = base_json;
            kind->point_stats(i, j);
            j["config"] = cfgs[i].to_json();
            j["run"]["one_pass"] = {{"kind", kind->name()}, {"representative", first.id}, {"stacks", kind->stacks()}};
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
