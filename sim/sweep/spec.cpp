#include "sim/sweep/spec.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "sim/config/config.h"
#include "sim/config/schema.h"

namespace memsim::sweep {

namespace fs = std::filesystem;

namespace {

// More values than any machine will run: a range that reaches this is a mistake (a step far
// smaller than the span).
constexpr size_t kMaxValues = 100000;

SourceLocation at(const std::string& file, const YAML::Node& n) {
    const YAML::Mark m = n.Mark();
    if (m.is_null()) return {file, 0, 0};
    return {file, uint64_t(m.line) + 1, uint64_t(m.column) + 1};
}

std::string scalar(const std::string& file, const YAML::Node& n, const std::string& what) {
    if (!n.IsScalar()) throw InputError(at(file, n), what + ": expected a single value");
    return n.Scalar();
}

std::vector<std::string> scalars(const std::string& file, const YAML::Node& n, const std::string& what) {
    std::vector<std::string> out;
    if (n.IsScalar()) return {n.Scalar()};
    if (!n.IsSequence()) throw InputError(at(file, n), what + ": expected a value or a list [a, b, ...]");
    for (const auto& x : n) out.push_back(scalar(file, x, what));
    return out;
}

std::string resolve(const std::string& file, const std::string& p) {
    if (p.empty() || p == "-" || fs::path(p).is_absolute()) return p;
    return (fs::path(file).parent_path() / p).lexically_normal().string();
}

// A checked value of SPEC's type; the text as written when it parses.
config::Value check_value(const config::ParamSpec& spec, const std::string& key, const std::string& text,
                          const SourceLocation& where) {
    config::Value v;
    std::string why;
    if (!config::parse_value(spec, text, v, &why))
        throw InputError(where, fmt::format("{}: \"{}\": {}", key, text, why));
    return v;
}

bool numeric(config::Type t) {
    using config::Type;
    return t == Type::Int || t == Type::Uint || t == Type::Real || t == Type::Size || t == Type::Time ||
           t == Type::Frequency || t == Type::Bandwidth;
}

double number_of(const config::Value& v) {
    using config::Type;
    switch (v.spec->type) {
        case Type::Int: return double(v.i);
        case Type::Uint:
        case Type::Size:
        case Type::Time: return double(v.u);
        default: return v.d;
    }
}

// X as SPEC's type, written as a configuration writes it ("64KiB").
std::string text_of(const config::ParamSpec& spec, double x) {
    using config::Type;
    config::Value v;
    v.spec = &spec;
    switch (spec.type) {
        case Type::Int: v.i = int64_t(std::llround(x)); break;
        case Type::Uint:
        case Type::Size:
        case Type::Time: v.u = uint64_t(std::llround(x)); break;
        default: v.d = x; break;
    }
    return v.text();
}

// {from, to, step} or {from, to, factor}: FROM, then each value STEP more (or FACTOR times more)
// while it does not pass TO; TO is included when the steps land on it.
std::vector<std::string> range_values(const std::string& file, const std::string& key, const config::ParamSpec& spec,
                                      const YAML::Node& n) {
    SourceLocation where = at(file, n);
    if (!numeric(spec.type))
        throw InputError(where, fmt::format("{}: a range needs a numeric parameter; this one is {}: give a list",
                                            key, config::type_name(spec.type)));
    for (auto it = n.begin(); it != n.end(); ++it) {
        std::string k = it->first.as<std::string>();
        if (k != "from" && k != "to" && k != "step" && k != "factor")
            throw InputError(at(file, it->first), fmt::format("{}: unknown range key \"{}\" (expected from, to, step or factor)", key, k));
    }
    if (!n["from"] || !n["to"]) throw InputError(where, key + ": a range needs from: and to:");
    if (bool(n["step"]) == bool(n["factor"])) throw InputError(where, key + ": a range needs exactly one of step: or factor:");
    double from = number_of(check_value(spec, key, scalar(file, n["from"], key), at(file, n["from"])));
    double to = number_of(check_value(spec, key, scalar(file, n["to"], key), at(file, n["to"])));
    if (to < from) throw InputError(where, fmt::format("{}: the range goes from {} down to {}", key,
                                                        n["from"].Scalar(), n["to"].Scalar()));
    std::vector<std::string> out;
    const double slack = 1e-9 * std::max(std::fabs(to), 1.0);
    if (n["step"]) {
        // The step has the parameter's unit (16KiB, 5ns) but is a difference: a plain number for sizes.
        config::ParamSpec step_spec = spec;
        step_spec.min = -1e300;
        step_spec.max = 1e300;
        step_spec.power_of_two = false;
        double step = number_of(check_value(step_spec, key + " step", scalar(file, n["step"], key), at(file, n["step"])));
        if (!(step > 0)) throw InputError(at(file, n["step"]), key + ": step must be more than 0");
        for (size_t i = 0;; ++i) {
            double x = from + double(i) * step;
            if (x > to + slack) break;
            if (out.size() == kMaxValues) throw InputError(where, fmt::format("{}: more than {} values", key, kMaxValues));
            out.push_back(text_of(spec, x));
        }
    } else {
        double factor = 0;
        std::string f = scalar(file, n["factor"], key);
        try {
            size_t used = 0;
            factor = std::stod(f, &used);
            if (used != f.size()) factor = 0;
        } catch (const std::exception&) {
            factor = 0;
        }
        if (!(factor > 1)) throw InputError(at(file, n["factor"]), fmt::format("{}: factor \"{}\" must be a number above 1", key, f));
        if (!(from > 0)) throw InputError(at(file, n["from"]), key + ": a range with a factor must start above 0");
        for (double x = from; x <= to * (1 + 1e-12); x *= factor) {
            if (out.size() == kMaxValues) throw InputError(where, fmt::format("{}: more than {} values", key, kMaxValues));
            out.push_back(text_of(spec, x));
        }
    }
    // Each value must itself be acceptable (a rounded value may fall outside the range or the checks).
    for (const auto& v : out) check_value(spec, key, v, where);
    return out;
}

SweepSpec parse_sweep_yaml(const std::string& text, const std::string& name);

}  // namespace

SweepSpec load_sweep(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw InputError(fmt::format("cannot read sweep file \"{}\"", path));
    std::stringstream s;
    s << in.rdbuf();
    return parse_sweep(s.str(), path);
}

SweepSpec parse_sweep(const std::string& text, const std::string& name) {
    try {
        return parse_sweep_yaml(text, name);
    } catch (const YAML::Exception& e) {  // a key that is not a scalar, and the like
        SourceLocation w{name, e.mark.is_null() ? 0 : uint64_t(e.mark.line) + 1,
                         e.mark.is_null() ? 0 : uint64_t(e.mark.column) + 1};
        throw InputError(w, "unexpected YAML here: " + e.msg);
    }
}

namespace {

SweepSpec parse_sweep_yaml(const std::string& text, const std::string& name) {
    SweepSpec spec;
    spec.file = name;
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        SourceLocation w{name, e.mark.is_null() ? 0 : uint64_t(e.mark.line) + 1,
                         e.mark.is_null() ? 0 : uint64_t(e.mark.column) + 1};
        throw InputError(w, "invalid YAML: " + e.msg);
    }
    if (!root.IsMap()) throw InputError(SourceLocation{name, 1, 1}, "expected a mapping (base:, traces:, parameters:, ...)");
    const auto& schema = config::Schema::global();
    const std::set<std::string> known{"base", "trace", "traces", "set", "parameters", "combine", "stats"};
    for (auto it = root.begin(); it != root.end(); ++it) {
        std::string k = it->first.as<std::string>();
        if (!known.count(k))
            throw InputError(at(name, it->first),
                             fmt::format("unknown key \"{}\" (expected base, traces, set, parameters, combine or stats)", k));
    }
    if (root["trace"] && root["traces"]) throw InputError(at(name, root["traces"]), "give trace: or traces:, not both");

    if (auto b = root["base"]) {
        std::string p = scalar(name, b, "base");
        spec.base = resolve(name, p);
        if (!fs::is_regular_file(spec.base))
            throw InputError(at(name, b), fmt::format("base: no configuration file \"{}\"", spec.base));
    }
    for (const char* k : {"trace", "traces"}) {
        if (auto t = root[k]) {
            for (const auto& p : scalars(name, t, k)) {
                std::string r = resolve(name, p);
                if (r != "-" && !fs::exists(r)) throw InputError(at(name, t), fmt::format("{}: no trace \"{}\"", k, r));
                spec.traces.push_back(p);
                spec.trace_paths.push_back(r);
            }
        }
    }
    auto known_key = [&](const YAML::Node& k) -> const config::ParamSpec& {
        std::string key = k.as<std::string>();
        const config::ParamSpec* ps = schema.find(key);
        if (!ps) {
            std::string near = schema.nearest(key);
            throw InputError(at(name, k), fmt::format("unknown configuration parameter \"{}\"{}", key,
                                                      near.empty() ? "" : " (did you mean \"" + near + "\"?)"));
        }
        return *ps;
    };
    if (auto s = root["set"]) {
        if (!s.IsMap()) throw InputError(at(name, s), "set: expected a mapping KEY: VALUE");
        for (auto it = s.begin(); it != s.end(); ++it) {
            const auto& ps = known_key(it->first);
            std::string key = it->first.as<std::string>();
            std::string v = scalar(name, it->second, key);
            check_value(ps, key, v, at(name, it->second));
            spec.sets.push_back(key + "=" + v);
        }
    }
    auto params = root["parameters"];
    if (!params || !params.IsMap() || params.size() == 0)
        throw InputError(params ? at(name, params) : SourceLocation{name},
                         "parameters: expected a mapping of configuration keys to lists or ranges");
    for (auto it = params.begin(); it != params.end(); ++it) {
        Parameter p;
        const auto& ps = known_key(it->first);
        p.key = it->first.as<std::string>();
        p.where = at(name, it->first);
        const YAML::Node v = it->second;
        if (v.IsMap()) {
            p.values = range_values(name, p.key, ps, v);
        } else if (v.IsSequence()) {
            for (const auto& x : v) {
                std::string t = scalar(name, x, p.key);
                check_value(ps, p.key, t, at(name, x));
                p.values.push_back(t);
            }
        } else {
            std::string t = scalar(name, v, p.key);
            check_value(ps, p.key, t, at(name, v));
            p.values.push_back(t);
        }
        if (p.values.empty()) throw InputError(at(name, v), p.key + ": no values");
        spec.parameters.push_back(p);
    }
    if (auto c = root["combine"]) {
        std::string how = scalar(name, c, "combine");
        if (how == "zip") spec.zip = true;
        else if (how != "product") throw InputError(at(name, c), fmt::format("combine: \"{}\": expected product or zip", how));
    }
    if (spec.zip) {
        for (const auto& p : spec.parameters)
            if (p.values.size() != spec.parameters[0].values.size())
                throw InputError(p.where, fmt::format("combine: zip needs lists of one length: {} has {} values, {} has {}",
                                                      p.key, p.values.size(), spec.parameters[0].key,
                                                      spec.parameters[0].values.size()));
    }
    if (auto s = root["stats"]) spec.stats = scalars(name, s, "stats");
    return spec;
}

}  // namespace

std::vector<Point> expand(const SweepSpec& spec) {
    std::vector<Point> out;
    size_t traces = std::max<size_t>(1, spec.traces.size());
    size_t per_trace = 1;
    if (spec.zip) per_trace = spec.parameters.empty() ? 1 : spec.parameters[0].values.size();
    else
        for (const auto& p : spec.parameters) per_trace *= p.values.size();
    for (size_t t = 0; t < traces; ++t) {
        for (size_t k = 0; k < per_trace; ++k) {
            Point pt;
            pt.id = out.size();
            pt.trace = t;
            size_t rest = k;
            pt.values.resize(spec.parameters.size());
            for (size_t i = spec.parameters.size(); i-- > 0;) {
                const auto& vals = spec.parameters[i].values;
                if (spec.zip) {
                    pt.values[i] = vals[k];
                } else {
                    pt.values[i] = vals[rest % vals.size()];
                    rest /= vals.size();
                }
            }
            out.push_back(pt);
        }
    }
    return out;
}

std::vector<std::string> point_sets(const SweepSpec& spec, const Point& p) {
    std::vector<std::string> out = spec.sets;
    for (size_t i = 0; i < spec.parameters.size(); ++i) out.push_back(spec.parameters[i].key + "=" + p.values[i]);
    return out;
}

std::string point_trace(const SweepSpec& spec, const Point& p) {
    return spec.traces.empty() ? std::string() : spec.traces[p.trace];
}

}  // namespace memsim::sweep
