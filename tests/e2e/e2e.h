#pragma once
// What the end-to-end tests share: running commands, reading files, scratch directories.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

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

}  // namespace e2e
