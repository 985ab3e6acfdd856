// The model against the real glibc of this machine, call by call: every pointer (where it lies and
// its offset), every move of the break. Traces: hand-written ones for each path
// (tests/models/libc/traces/*.txt) and the real programs' mtrace logs under traces/.
#include <catch2/catch.hpp>

#include <dirent.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "models/libc/mm_process.h"
#include "models/os/mm.h"
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

TEST_CASE("the model returns what glibc 2.36 returns on hand-written traces of each path", "[libc][glibc]") {
    if (replayer().empty()) {
        WARN("no C compiler (cc) to build scripts/glibc-replay/replay.c: skipped");
        return;
    }
    for (auto& path : files_in(MEMSIM_SOURCE_DIR "/tests/models/libc/traces", ".txt")) {
        SECTION(path.substr(path.rfind('/') + 1)) { check(path, parse_replay_text(slurp(path))); }
    }
}

TEST_CASE("the model returns what glibc 2.36 returns on real programs' traces", "[libc][glibc]") {
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

// The recorder's captures carry, for each call, the pointer the recorded program's own glibc
// returned, and the break it started with: a second, independent check. The DTV callocs of
// pthread_create are in these traces as calloc events, so the model does not add its own.
TEST_CASE("the model returns what the recorded programs' glibc returned", "[libc][glibc]") {
    for (auto& path : files_in(MEMSIM_SOURCE_DIR "/traces", ".trace")) {
        SECTION(path.substr(path.rfind('/') + 1)) {
            std::string text;
            if (path.size() > 4 && path.compare(path.size() - 4, 4, ".zst") == 0) {
                FILE* f = popen(("zstd -dc " + path).c_str(), "r");
                REQUIRE(f);
                char buf[65536];
                size_t n;
                while ((n = fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
                pclose(f);
            } else {
                text = slurp(path);
            }
            auto at = text.find("initial brk 0x");
            REQUIRE(at != std::string::npos);
            uint64_t brk0 = std::strtoull(text.c_str() + at + 12, nullptr, 16);
            std::vector<uint64_t> recorded;
            auto ops = parse_replay_text(text, &recorded);

            memsim::os::SimpleFrameSource frames;
            memsim::stats::Registry reg;
            memsim::os::MmParams mp;
            {
                memsim::stats::Registry scratch;
                memsim::os::AddressSpace probe(mp, frames, scratch);
                mp.image_data = 4096 + ((brk0 - probe.layout().start_brk) & ((2ull << 20) - 1));
            }
            memsim::os::AddressSpace as(mp, frames, reg);
            MmProcess proc(as);
            PtmallocParams params;
            params.thread_dtv_calloc = false;
            Ptmalloc m(params, proc, reg);
            // Run the ops one at a time and read back what each returned through the ID table
            // of a second replay bookkeeping: the pointer is the ID's after the call.
            TraceReplay r(m);
            size_t checked = 0, mismatches = 0;
            std::string first;
            std::string line;
            for (size_t i = 0; i < ops.size(); ++i) {
                line.clear();
                r.run(ops[i], &line);
                uint64_t want = recorded[i];
                auto k = ops[i].kind;
                if (!want || k == ReplayOp::Free || k == ReplayOp::Mallopt || k == ReplayOp::Trim) continue;
                // line: "OP WHERE BRK"; WHERE as place() of the model's pointer
                auto sp1 = line.find(' '), sp2 = line.find(' ', sp1 + 1);
                std::string where = line.substr(sp1 + 1, sp2 - sp1 - 1);
                uint64_t off = std::strtoull(where.c_str() + where.find('+') + 1, nullptr, 16);
                bool ok;
                if (where[0] == 'h') ok = want - brk0 == off;
                else if (where[0] == 'a') ok = (want & ((64ull << 20) - 1)) == off;
                else if (where[0] == 'm') ok = (want & 0xfff) == (off & 0xfff);
                else ok = false;
                ++checked;
                if (!ok && mismatches++ == 0)
                    {
                    char b[64];
                    std::snprintf(b, sizeof b, "recorded brk+0x%llx, ", (unsigned long long)(want - brk0));
                    first = "op " + std::to_string(i) + ": " + b + "model " + line;
                }
            }
            INFO(path << ": " << checked << " pointers checked\n" << first);
            CHECK(checked > 0);
            CHECK(mismatches == 0);
        }
    }
}
