// The ptmalloc model's speed beside the real glibc's on the same trace: the malloc-family calls of
// a real program's trace, replayed by the model (functional: no timing), and by
// scripts/glibc-replay/replay.c (compiled here with cc) against this machine's glibc. Both time
// only the calls, after parsing.
//
//   libc_replay_bench [TRACE] [REPEAT]   (default traces/python3-threads.trace.zst, 5)
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "models/libc/mm_process.h"
#include "models/libc/ptmalloc.h"
#include "models/libc/trace_replay.h"
#include "models/os/mm.h"

using namespace memsim;
using namespace memsim::libc;

namespace {
// The allocator's own cost: system calls on the kernel model's address space, metadata accesses
// not followed into page tables.
class SyscallsOnly final : public Process {
public:
    explicit SyscallsOnly(os::AddressSpace& as) : as_(as) {}
    uint64_t brk(uint64_t a) override { return as_.brk(a); }
    int64_t mmap(uint64_t a, uint64_t l, int p, int f) override { return as_.mmap(a, l, p, f); }
    int munmap(uint64_t a, uint64_t l) override { return as_.munmap(a, l); }
    int mprotect(uint64_t a, uint64_t l, int p) override { return as_.mprotect(a, l, p); }
    int madvise(uint64_t a, uint64_t l, int adv) override { return as_.madvise(a, l, adv); }
    int64_t mremap(uint64_t a, uint64_t o, uint64_t n, int f) override { return as_.mremap(a, o, n, f); }
    void load(uint64_t, unsigned) override { ++accesses; }
    void store(uint64_t, unsigned) override { ++accesses; }
    void fill(uint64_t, uint64_t) override {}
    void copy(uint64_t, uint64_t, uint64_t) override {}
    uint64_t accesses = 0;

private:
    os::AddressSpace& as_;
};

template <class P>
double model_ns(const std::vector<ReplayOp>& ops, uint64_t* accesses) {
    os::SimpleFrameSource frames;
    stats::Registry reg;
    os::MmParams mp;
    os::AddressSpace as(mp, frames, reg);
    P proc(as);
    Ptmalloc m(PtmallocParams{}, proc, reg);
    TraceReplay r(m);
    auto t0 = std::chrono::steady_clock::now();
    r.run_all(ops, nullptr);
    auto t1 = std::chrono::steady_clock::now();
    if constexpr (std::is_same_v<P, SyscallsOnly>) *accesses = proc.accesses;
    return std::chrono::duration<double, std::nano>(t1 - t0).count();
}
}  // namespace

int main(int argc, char** argv) {
    std::string trace = argc > 1 ? argv[1] : MEMSIM_SOURCE_DIR "/traces/python3-threads.trace.zst";
    int repeat = argc > 2 ? std::atoi(argv[2]) : 5;
    auto ops = read_replay_ops(trace);
    size_t calls = 0;
    for (auto& o : ops) calls += o.kind != ReplayOp::Thread && o.kind != ReplayOp::ThreadExit;

    char dir[] = "/tmp/libc-bench-XXXXXX";
    if (!mkdtemp(dir)) return 1;
    std::string bin = std::string(dir) + "/replay", txt = std::string(dir) + "/trace.txt";
    std::string cc = "cc -O2 -o " + bin + " " MEMSIM_SOURCE_DIR "/scripts/glibc-replay/replay.c -lpthread";
    if (std::system(cc.c_str()) != 0) {
        std::fprintf(stderr, "cannot compile the replayer\n");
        return 1;
    }
    std::ofstream(txt) << write_replay_text(ops);

    double native = 1e300, bare = 1e300, faulting = 1e300;
    uint64_t accesses = 0;
    for (int i = 0; i < repeat; ++i) {
        FILE* f = popen((bin + " -q " + txt).c_str(), "r");
        double ns = 0;
        if (f && std::fscanf(f, "%lf", &ns) == 1) native = std::min(native, ns);
        if (f) pclose(f);
        bare = std::min(bare, model_ns<SyscallsOnly>(ops, &accesses));
        faulting = std::min(faulting, model_ns<MmProcess>(ops, nullptr));
    }
    std::remove(txt.c_str());
    std::remove(bin.c_str());
    rmdir(dir);

    std::printf("trace: %s\n%zu calls, best of %d runs\n", trace.c_str(), calls, repeat);
    std::printf("native glibc 2.36 (replay.c)          %8.1f ms  %6.1f ns/call\n", native / 1e6, native / calls);
    std::printf("model, metadata accesses counted      %8.1f ms  %6.1f ns/call  %.2fx native  (%.1f accesses/call)\n",
                bare / 1e6, bare / calls, bare / native, double(accesses) / calls);
    std::printf("model on the kernel model (faults)    %8.1f ms  %6.1f ns/call  %.2fx native\n", faulting / 1e6,
                faulting / calls, faulting / native);
    return 0;
}
