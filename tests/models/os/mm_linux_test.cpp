// The model against the real kernel: scripts/linux-faults/faults.c runs each sequence of
// scripts/linux-faults/sequences/ on this machine (THP off via PR_SET_THP_DISABLE) and reports the
// minor faults of every line (getrusage deltas); memsim must report the same, line by line.
// Skipped (with a warning) where no C compiler is available or the program cannot run.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <unistd.h>

#include "models/os/process_events.h"
#include "sim/trace/reader.h"

using namespace memsim;

namespace {
std::string run(const std::string& cmd) {
    std::string out;
    FILE* f = popen(cmd.c_str(), "r");
    if (!f) return out;
    char buf[256];
    while (fgets(buf, sizeof buf, f)) out += buf;
    if (pclose(f) != 0) return {};
    return out;
}
}  // namespace

TEST_CASE("minor faults per line agree with the running kernel", "[os][mm][linux]") {
    namespace fs = std::filesystem;
    const fs::path dir = fs::path(MEMSIM_SOURCE_DIR) / "scripts/linux-faults";
    const fs::path exe = fs::temp_directory_path() / ("memsim-faults-" + std::to_string(::getpid()));
    if (std::system(("cc -O2 -o " + exe.string() + " " + (dir / "faults.c").string() + " 2>/dev/null").c_str()) != 0) {
        WARN("no C compiler: real-kernel comparison skipped");
        return;
    }
    int sequences = 0;
    for (const auto& entry : fs::directory_iterator(dir / "sequences")) {
        const std::string path = entry.path().string();
        std::string real = run(exe.string() + " " + path);
        if (real.empty()) {
            WARN("faults could not run on " << path);
            continue;
        }
        std::map<uint64_t, long> kernel;  // line -> minor faults
        std::istringstream in(real);
        uint64_t line;
        long minflt, majflt;
        while (in >> line >> minflt >> majflt) {
            kernel[line] = minflt;
            in.ignore(1000, '\n');
        }

        os::SimpleFrameSource frames;
        stats::Registry reg;
        os::MmParams params;
        params.thp = "never";
        os::AddressSpace mm(params, frames, reg);
        os::ProcessEvents pe(mm, params, reg);
        auto reader = trace::open_trace(path);
        trace::Event ev;
        while (reader->next(ev)) {
            uint64_t before = mm.counters().minor_faults;
            if (!pe.execute(ev)) continue;
            INFO(entry.path().filename().string() << " line " << ev.line);
            REQUIRE(kernel.count(ev.line));
            CHECK(long(mm.counters().minor_faults - before) == kernel[ev.line]);
        }
        ++sequences;
    }
    fs::remove(exe);
    CHECK(sequences >= 2);
}
