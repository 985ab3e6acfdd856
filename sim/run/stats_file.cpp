#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "sim/core/error.h"
#include "sim/run/run.h"

namespace memsim::run {

void write_stats_json(const std::string& dir, const stats::Registry& stats, const config::Config& cfg,
                      const nlohmann::json& run) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw InputError(SourceLocation{dir}, "--out: cannot create the directory: " + ec.message());
    nlohmann::json j;
    j["stats"] = stats.to_json();
    j["config"] = cfg.to_json();
    j["run"] = run;
    std::string path = dir + "/stats.json";
    std::ofstream f(path);
    if (!f) throw InputError(SourceLocation{path}, "cannot write statistics");
    f << j.dump(2) << "\n";
}

}  // namespace memsim::run
