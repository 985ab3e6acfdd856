// The model against the real glibc of this machine, call by call: every pointer (where it lies and
// its offset), every move of the break. Traces: hand-written ones for each path
// (tests/models/libc/traces/*.txt) and the real programs' mtrace logs under traces/.
#include <catch2/catch.hpp>

#include <dirent.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "tests/models/libc/glibc_compare.h"

using namespace memsim::libc;
using namespace memsim::libc::testing;

namespace {
std::vector<std::string> files_in(const std::string& dir, const std::string& needle) {
    std::vector<std::string> out;
    if (DIR* d = opendir(dir.c_str())) {
        while (dirent* e = readdir(d)) {
            std::string n = e->d_name;
            if (n.find(needle) != std::string::npos) out.push_back(dir + "/" + n);
        }
        closedir(d);
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string slurp(const std::string& path) {
    std::ifstream f(path);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

void check(const std::string& name, const std::vector<ReplayOp>& ops) {
    std::string native = run_native(ops);
    std::string model = run_model(ops, {}, heap0_of(native));
    Diff d = compare(native, model);
    INFO(name << ": " << d.calls << " calls compared\n" << d.first);
    CHECK(d.calls > 0);
    CHECK(d.mismatches == 0);
}
}  // namespace

TEST_CASE("the model returns what glibc 2.36 returns, on hand-written traces of each path", "[libc][glibc]") {
    if (replayer().empty()) {
        WARN("no C compiler (cc) to build scripts/glibc-replay/replay.c: skipped");
        return;
    }
    for (auto& path : files_in(MEMSIM_SOURCE_DIR "/tests/models/libc/traces", ".txt")) {
        SECTION(path.substr(path.rfind('/') + 1)) { check(path, parse_replay_text(slurp(path))); }
    }
}

TEST_CASE("the model returns what glibc 2.36 returns, on real programs' traces", "[libc][glibc]") {
    if (replayer().empty()) {
        WARN("no C compiler (cc) to build scripts/glibc-replay/replay.c: skipped");
        return;
    }
    // glibc's mtrace logs (*.mtrace*) and the LD_PRELOAD recorder's captures (*.trace*).
    auto paths = files_in(MEMSIM_SOURCE_DIR "/traces", ".trace");
    for (auto& p : files_in(MEMSIM_SOURCE_DIR "/traces", ".mtrace")) paths.push_back(p);
    for (auto& path : paths) {
        SECTION(path.substr(path.rfind('/') + 1)) { check(path, read_replay_ops(path)); }
    }
}
