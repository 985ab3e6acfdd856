#include <filesystem>

#include "sim/core/sim_params.h"
#include "sim/core/version.h"
#include "sim/run/run.h"

namespace memsim::run {

std::string default_config_path() { return std::string(MEMSIM_DATA_DIR) + "/configs/default.yaml"; }

config::Config resolve_config(const std::string& config_file, const std::vector<std::string>& sets) {
    config::Config cfg;
    cfg.load_file(config_file.empty() ? default_config_path() : config_file);
    for (const auto& s : sets) cfg.set(s);
    return cfg;
}

std::string resolve_trace_path(const config::Config& cfg) {
    namespace fs = std::filesystem;
    const config::Value& v = cfg.value("sim.trace");
    fs::path p = v.s;
    if (p.empty()) throw InputError(v.from, "sim.trace: no trace given (use --trace FILE or set sim.trace)");
    if (p.is_absolute() || v.s == "-") return v.s;
    std::vector<fs::path> tried;
    // A file that sets the trace names it relative to itself; --set names it relative to the cwd.
    if (!v.from.file.empty() && v.from.file.rfind("--set", 0) != 0)
        tried.push_back(fs::path(v.from.file).parent_path() / p);
    else if (!v.from.file.empty())
        tried.push_back(p);
    tried.push_back(fs::path(MEMSIM_DATA_DIR) / p);
    for (const auto& cand : tried)
        if (fs::exists(cand)) return cand.lexically_normal().string();
    std::string where;
    for (const auto& cand : tried) where += (where.empty() ? "" : ", ") + cand.string();
    throw InputError(v.from, "sim.trace: " + v.s + " not found (looked at " + where + ")");
}

}  // namespace memsim::run
