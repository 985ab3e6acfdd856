#pragma once
// Replays the malloc-family calls of a trace through the ptmalloc model the way
// scripts/glibc-replay/replay.c replays them through the real glibc, and prints the same line
// per call ("OP WHERE BRK"), so that the two outputs can be compared line by line. Shared by the
// comparison test and the benchmark; the machine (sim/run) drives the model with its own IDs.
//
// Threads follow the replayer's rules: the main thread is the TID of a `thread` line that comes
// before any call (else 0); a TID the trace switches to for the first time is created by the main
// thread (Ptmalloc::thread_create); after `thread_exit`, calls run on the main thread until the
// next `thread` line.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "models/libc/ptmalloc.h"

namespace memsim::libc {

struct ReplayOp {
    enum Kind : uint8_t { Malloc, Calloc, Realloc, Memalign, Free, Mallopt, Thread, ThreadExit, Trim, Valloc,
                          Pvalloc, PosixMemalign } kind = Malloc;
    uint64_t id = 0, id2 = 0, a = 0, b = 0;
};

// The replayer's grammar: memsim text-trace lines for the malloc family, plus "# libc: OP ..."
// lines (malloc_trim PAD, valloc ID SIZE, pvalloc ID SIZE, posix_memalign ID ALIGN SIZE).
// Other lines are ignored. Throws std::runtime_error on a malformed malloc-family line.
// RECORDED, if given, gets for each op the address in a trailing "# 0xADDR" comment (what the
// recorded program's call returned, as scripts/record writes it), or 0.
std::vector<ReplayOp> parse_replay_text(const std::string& text, std::vector<uint64_t>* recorded = nullptr);
// The malloc-family events of any trace memsim reads (text, binary, mtrace, lackey).
std::vector<ReplayOp> read_replay_ops(const std::string& path);
// The ops as a text trace the replayer reads.
std::string write_replay_text(const std::vector<ReplayOp>& ops);

class TraceReplay {
public:
    explicit TraceReplay(Ptmalloc& m);
    // Runs one op; appends its line to OUT when OUT is given.
    void run(const ReplayOp& op, std::string* out);
    void run_all(const std::vector<ReplayOp>& ops, std::string* out) {
        for (auto& op : ops) run(op, out);
    }

private:
    Ptmalloc& m_;
    uint64_t main_tid_ = 0;
    bool started_ = false;
    uint64_t cur_ = 0;
    std::unordered_map<uint64_t, uint64_t> ids_;
    std::unordered_map<uint64_t, bool> live_threads_;
    std::vector<uint64_t> arenas_seen_, heaps_seen_;
    void where(uint64_t ptr, std::string& out);
};

}  // namespace memsim::libc
