#include "sim/sweep/compare.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <ostream>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/core/error.h"
#include "sim/stats/stats.h"

namespace memsim::sweep {

namespace fs = std::filesystem;

namespace {

bool looks_like_config(const std::string& s) {
    auto ends = [&](const char* suffix) {
        std::string x(suffix);
        return s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
    };
    return ends(".yaml") || ends(".yml") || fs::is_regular_file(s);
}

// "a=1,b=2 --set c=3" -> {"a=1", "b=2", "c=3"}
std::vector<std::string> split_settings(const std::string& text, const std::string& arg) {
    std::vector<std::string> out;
    std::string cur;
    auto flush = [&] {
        if (cur.empty() || cur == "--set") {
            cur.clear();
            return;
        }
        if (cur.rfind("--set=", 0) == 0) cur = cur.substr(6);
        if (cur.find('=') == std::string::npos || cur[0] == '=')
            throw InputError(fmt::format("compare: \"{}\" in \"{}\" is not KEY=VALUE", cur, arg));
        out.push_back(cur);
        cur.clear();
    };
    for (char c : text) {
        if (c == ',' || c == ' ' || c == '\t') flush();
        else cur += c;
    }
    flush();
    if (out.empty()) throw InputError(fmt::format("compare: no KEY=VALUE after ':' in \"{}\"", arg));
    return out;
}

std::string csv_cell(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}

std::string raw_number(double v) { return std::isnan(v) ? std::string() : fmt::format("{}", v); }

double value_of(const RunResult& r, const std::string& name) {
    const double* v = r.find(name);
    return v ? *v : std::nan("");
}

}  // namespace

const double* RunResult::find(const std::string& name) const {
    for (const auto& [n, v] : stats)
        if (n == name) return &v;
    return nullptr;
}

RunSpec parse_run_spec(const std::string& arg) {
    RunSpec s;
    std::string head = arg, tail;
    bool has_tail = false;
    if (auto colon = arg.find(':'); colon != std::string::npos) {
        head = arg.substr(0, colon);
        tail = arg.substr(colon + 1);
        has_tail = true;
    }
    if (auto eq = head.find('='); eq != std::string::npos) {
        s.name = head.substr(0, eq);
        s.config = head.substr(eq + 1);
        if (s.name.empty()) throw InputError(fmt::format("compare: empty name before '=' in \"{}\"", arg));
    } else if (has_tail && !looks_like_config(head)) {
        s.name = head;  // NAME:--set ...
    } else {
        s.config = head;
    }
    if (has_tail) s.sets = split_settings(tail, arg);
    if (s.name.empty() && s.config.empty() && s.sets.empty())
        throw InputError(fmt::format("compare: \"{}\" names no configuration", arg));
    return s;
}

std::vector<RunSpec> parse_run_specs(const std::vector<std::string>& args) {
    std::vector<RunSpec> runs;
    for (const auto& a : args) runs.push_back(parse_run_spec(a));
    std::set<std::string> explicit_names;
    for (const auto& r : runs) {
        if (r.name.empty()) continue;
        if (!explicit_names.insert(r.name).second)
            throw InputError(fmt::format("compare: two runs are named \"{}\"", r.name));
    }
    std::string first_config = runs.empty() ? std::string() : runs[0].config;
    std::set<std::string> used = explicit_names;
    for (size_t i = 0; i < runs.size(); ++i) {
        auto& r = runs[i];
        const bool own_config = !r.config.empty();
        if (!own_config && i > 0) r.config = first_config;
        if (!r.name.empty()) continue;
        std::string base = own_config ? fs::path(r.config).stem().string() : std::string("default");
        if (!own_config && !r.sets.empty()) {
            base.clear();
            for (const auto& kv : r.sets) base += (base.empty() ? "" : ",") + kv;
        }
        std::string name = base;
        for (int k = 2; used.count(name); ++k) name = fmt::format("{}#{}", base, k);
        used.insert(name);
        r.name = name;
    }
    return runs;
}

const std::vector<std::string>& default_stat_globs() {
    static const std::vector<std::string> globs = {
        "sim.time_ps",         "cpu.cycles",           "os.faults.minor",     "os.faults.major",
        "os.rss_peak_bytes",   "os.vss_peak_bytes",    "os.pagetable_bytes",  "libc.brk_calls",
        "libc.mmap_calls",     "libc.munmap_calls",    "libc.heap_bytes_peak", "libc.mmapped_bytes_peak",
        "mmu.*.misses",        "mmu.*.walks",          "cache.*.misses",      "cache.*.miss_rate",
        "cache.*.writebacks",  "cachegrind.*",         "dram.*latency*.mean", "dram.*latency*.p99",
        "dram.*bandwidth*",    "dram.row_*",           "sim.bandwidth_bytes_per_s",
    };
    return globs;
}

std::vector<std::string> select_stats(const std::vector<RunResult>& results, const std::vector<std::string>& globs,
                                      std::vector<std::string>* unmatched) {
    std::set<std::string> all;
    for (const auto& r : results)
        for (const auto& [n, v] : r.stats) all.insert(n);
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (const auto& g : globs) {
        bool any = false;
        for (const auto& n : all) {
            if (!stats::glob_match(g, n)) continue;
            any = true;
            if (seen.insert(n).second) out.push_back(n);
        }
        if (!any && unmatched) unmatched->push_back(g);
    }
    return out;
}

Format parse_format(const std::string& name) {
    if (name == "table") return Format::Table;
    if (name == "csv") return Format::Csv;
    if (name == "json") return Format::Json;
    if (name == "markdown" || name == "md") return Format::Markdown;
    throw InputError(fmt::format("--format \"{}\": expected table, csv, json or markdown", name));
}

std::string format_number(double v) {
    if (std::isnan(v)) return "-";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    if (v == std::floor(v) && std::fabs(v) < 1e15) {
        std::string digits = fmt::format("{}", uint64_t(std::fabs(v)));
        std::string out;
        for (size_t i = 0; i < digits.size(); ++i) {
            if (i && (digits.size() - i) % 3 == 0) out += ',';
            out += digits[i];
        }
        return (v < 0 ? "-" : "") + out;
    }
    return fmt::format("{:.4g}", v);
}

std::string format_relative(double base, double v) {
    if (std::isnan(base) || std::isnan(v)) return "";
    if (base == v) return "0%";
    if (base == 0) return v > 0 ? "+inf%" : "-inf%";
    double rel = (v - base) / std::fabs(base) * 100;
    if (std::fabs(rel) >= 0.1) return fmt::format("{:+.1f}%", rel);
    return fmt::format("{:+.2g}%", rel);
}

void write_comparison(std::ostream& out, const std::vector<RunResult>& results, const std::vector<std::string>& stats,
                      Format format) {
    if (results.empty()) return;
    const RunResult& base = results[0];
    auto status = [](const RunResult& r) {
        return r.ok() ? std::string("ok") : fmt::format("failed (exit {})", r.exit_code);
    };

    if (format == Format::Json) {
        nlohmann::json j;
        j["runs"] = nlohmann::json::array();
        for (const auto& r : results) {
            j["runs"].push_back({{"name", r.spec.name},
                                 {"config", r.spec.config},
                                 {"sets", r.spec.sets},
                                 {"exit_code", r.exit_code},
                                 {"error", r.ok() ? nlohmann::json() : nlohmann::json(r.error)}});
        }
        j["stats"] = nlohmann::json::array();
        auto num = [](double v) { return std::isnan(v) ? nlohmann::json() : nlohmann::json(v); };
        for (const auto& s : stats) {
            nlohmann::json row{{"name", s}};
            double b = value_of(base, s);
            for (const auto& r : results) {
                double v = value_of(r, s);
                row["values"].push_back(num(v));
                row["diff"].push_back(&r == &base ? nlohmann::json() : num(v - b));
                row["relative"].push_back(&r == &base || b == 0 ? nlohmann::json() : num((v - b) / std::fabs(b)));
            }
            j["stats"].push_back(row);
        }
        out << j.dump(2) << "\n";
        return;
    }

    // A grid of cells: the header, the status row, one row per statistic.
    std::vector<std::vector<std::string>> grid;
    std::vector<std::string> header{"stat", base.spec.name};
    for (size_t i = 1; i < results.size(); ++i) {
        const auto& n = results[i].spec.name;
        header.push_back(n);
        header.push_back(format == Format::Csv ? n + " diff" : "diff");
        header.push_back(format == Format::Csv ? n + " relative" : "rel");
    }
    grid.push_back(header);
    std::vector<std::string> st{"status", status(base)};
    for (size_t i = 1; i < results.size(); ++i) {
        st.push_back(status(results[i]));
        st.push_back("");
        st.push_back("");
    }
    grid.push_back(st);
    for (const auto& s : stats) {
        double b = value_of(base, s);
        std::vector<std::string> row{s, format == Format::Csv ? raw_number(b) : format_number(b)};
        for (size_t i = 1; i < results.size(); ++i) {
            double v = value_of(results[i], s);
            double d = v - b;
            if (format == Format::Csv) {
                row.push_back(raw_number(v));
                row.push_back(raw_number(d));
                row.push_back(std::isnan(d) || b == 0 ? std::string() : raw_number(d / std::fabs(b)));
            } else {
                row.push_back(format_number(v));
                row.push_back(std::isnan(d) ? std::string() : d == 0 ? std::string("=") : (d > 0 ? "+" : "") + format_number(d));
                row.push_back(format_relative(b, v));
            }
        }
        grid.push_back(row);
    }

    if (format == Format::Csv) {
        for (const auto& row : grid) {
            for (size_t c = 0; c < row.size(); ++c) out << (c ? "," : "") << csv_cell(row[c]);
            out << "\n";
        }
        std::vector<std::string> err{"error"};
        bool any = false;
        for (const auto& r : results) {
            err.push_back(r.ok() ? "" : r.error);
            any |= !r.ok();
            if (&r != &base) err.insert(err.end(), {"", ""});
        }
        if (any) {
            for (size_t c = 0; c < err.size(); ++c) out << (c ? "," : "") << csv_cell(err[c]);
            out << "\n";
        }
        return;
    }

    std::vector<size_t> w(header.size(), 0);
    for (const auto& row : grid)
        for (size_t c = 0; c < row.size(); ++c) w[c] = std::max(w[c], row[c].size());
    for (size_t r = 0; r < grid.size(); ++r) {
        const auto& row = grid[r];
        std::string line = format == Format::Markdown ? "|" : "";
        for (size_t c = 0; c < row.size(); ++c) {
            std::string cell = c == 0 ? fmt::format("{:<{}}", row[c], w[c]) : fmt::format("{:>{}}", row[c], w[c]);
            line += format == Format::Markdown ? " " + cell + " |" : (c ? "  " : "") + cell;
        }
        if (format == Format::Table) line.erase(line.find_last_not_of(' ') + 1);
        out << line << "\n";
        if (r == 0 && format == Format::Markdown) {
            out << "|";
            for (size_t c = 0; c < row.size(); ++c) out << (c ? std::string(w[c] + 1, '-') + ":|" : std::string(w[c] + 2, '-') + "|");
            out << "\n";
        }
    }
    for (const auto& r : results)
        if (!r.ok()) out << "\n" << r.spec.name << ": exit " << r.exit_code << ": " << r.error << "\n";
}

}  // namespace memsim::sweep
