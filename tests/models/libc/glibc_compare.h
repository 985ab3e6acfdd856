#pragma once
// Runs a trace through the real glibc (scripts/glibc-replay/replay.c, compiled once with cc into a
// temporary directory) and through the ptmalloc model on the kernel model's address space, and
// returns both outputs, one line per call.
#include <memory>
#include <string>
#include <vector>

#include "models/libc/trace_replay.h"

namespace memsim::libc::testing {

// The replayer's binary, compiled on first use; empty if cc is missing (the caller skips).
const std::string& replayer();
// The real glibc's lines for OPS (written to a temporary trace file first).
std::string run_native(const std::vector<ReplayOp>& ops);
// The model's lines for OPS, with PARAMS. HEAP0: the real process's heap start (the replayer's
// "# heap0" line, or 0): the simulated program image is sized so that the simulated heap starts at
// the same offset in a 2 MiB block, since memalign with alignments above 4 KiB depends on it.
std::string run_model(const std::vector<ReplayOp>& ops, const PtmallocParams& params = {}, uint64_t heap0 = 0);
// The "# heap0 ADDR" line of the replayer's output, or 0.
uint64_t heap0_of(const std::string& native);

struct Diff {
    size_t calls = 0;       // lines compared
    size_t mismatches = 0;
    std::string first;      // the first mismatch, with the lines around it
};
Diff compare(const std::string& native, const std::string& model);

}  // namespace memsim::libc::testing
