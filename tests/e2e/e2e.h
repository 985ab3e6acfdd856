#pragma once
// What the end-to-end tests share: running commands, reading files, scratch directories.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

namespace e2e {

namespace fs = std::filesystem;

inline std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// Runs CMD with /bin/sh; its exit code, or -1 if a signal ended it.
inline int sh(const std::string& cmd) {
    int status = std::system(cmd.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// An empty directory NAME under this test process's own temporary folder.
inline fs::path scratch(const std::string& name) {
    fs::path d = fs::temp_directory_path() / ("memsim-e2e-" + std::to_string(::getpid())) / name;
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

struct Result {
    int code;
    std::string out, err;
};

// Runs CMD with /bin/sh, stdin empty; its exit code and what it printed.
inline Result shell(const std::string& cmd) {
    fs::path d = scratch("io");
    int code = sh(cmd + " >" + (d / "out").string() + " 2>" + (d / "err").string() + " </dev/null");
    return {code, slurp(d / "out"), slurp(d / "err")};
}

// Runs the memsim binary with ARGS.
inline Result memsim(const std::string& args) { return shell(std::string(MEMSIM_BINARY) + " " + args); }

// A file of tests/data/e2e/.
inline std::string data(const std::string& name) {
    return std::string(MEMSIM_SOURCE_DIR) + "/tests/data/e2e/" + name;
}

// DIR/stats.json of a run with --out DIR.
inline nlohmann::json stats_of(const fs::path& dir) { return nlohmann::json::parse(slurp(dir / "stats.json")); }

}  // namespace e2e
