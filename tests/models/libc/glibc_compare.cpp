#include "tests/models/libc/glibc_compare.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "models/libc/mm_process.h"
#include "models/os/mm.h"

namespace memsim::libc::testing {

namespace {
std::string temp_dir() {
    static std::string dir = [] {
        char tmpl[] = "/tmp/memsim-libc-XXXXXX";
        const char* d = mkdtemp(tmpl);
        return std::string(d ? d : "/tmp");
    }();
    return dir;
}

std::string run_command(const std::string& cmd) {
    std::string out;
    FILE* f = popen(cmd.c_str(), "r");
    if (!f) return out;
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
    pclose(f);
    return out;
}
}  // namespace

const std::string& replayer() {
    static std::string path = [] {
        std::string bin = temp_dir() + "/replay";
        std::string cmd = "cc -O2 -o " + bin + " " MEMSIM_SOURCE_DIR "/scripts/glibc-replay/replay.c -lpthread 2>&1";
        std::string msg = run_command(cmd);
        if (access(bin.c_str(), X_OK) != 0) return std::string();
        return bin;
    }();
    return path;
}

std::string run_native(const std::vector<ReplayOp>& ops) {
    static int n = 0;
    std::string file = temp_dir() + "/trace" + std::to_string(n++) + ".txt";
    {
        std::ofstream f(file);
        f << write_replay_text(ops);
    }
    std::string out = run_command(replayer() + " " + file);
    std::remove(file.c_str());
    return out;
}

uint64_t heap0_of(const std::string& native) {
    if (native.rfind("# heap0 ", 0) != 0) return 0;
    return std::strtoull(native.c_str() + 8, nullptr, 16);
}

std::string run_model(const std::vector<ReplayOp>& ops, const PtmallocParams& params, uint64_t heap0) {
    os::SimpleFrameSource frames;
    stats::Registry reg;
    os::MmParams mp;
    if (heap0) {
        stats::Registry scratch;
        os::AddressSpace probe(mp, frames, scratch);
        uint64_t base = probe.layout().start_brk;
        mp.image_data = 4096 + ((heap0 - base) & ((2ull << 20) - 1));
    }
    os::AddressSpace as(mp, frames, reg);
    MmProcess proc(as);
    Ptmalloc m(params, proc, reg);
    TraceReplay r(m);
    std::string out;
    try {
        r.run_all(ops, &out);
    } catch (const Abort& e) {
        out += std::string("abort: ") + e.what() + "\n";
    }
    if (proc.segv()) out += "model accessed unmapped memory " + std::to_string(proc.segv()) + " times\n";
    return out;
}

Diff compare(const std::string& native, const std::string& model) {
    Diff d;
    std::istringstream a(native.rfind("# ", 0) == 0 ? native.substr(native.find('\n') + 1) : native), b(model);
    std::string la, lb;
    std::vector<std::string> recent;
    size_t line = 0;
    for (;;) {
        bool ga = bool(std::getline(a, la)), gb = bool(std::getline(b, lb));
        if (!ga && !gb) break;
        ++line;
        if (ga && gb && la == lb) {
            ++d.calls;
            recent.push_back(la);
            if (recent.size() > 4) recent.erase(recent.begin());
            continue;
        }
        if (!ga) la = "(end)";
        if (!gb) lb = "(end)";
        if (ga && gb) ++d.calls;
        if (d.mismatches++ == 0) {
            std::ostringstream s;
            s << "call " << line << ":\n";
            for (auto& r : recent) s << "    " << r << "\n";
            s << "  glibc: " << la << "\n  model: " << lb << "\n";
            d.first = s.str();
        }
    }
    return d;
}

}  // namespace memsim::libc::testing
