#pragma once
// Executes a trace's malloc-family events on the ptmalloc2 model, as the traced program made them:
// `malloc`, `calloc`, `realloc`, `memalign`, `free`, `mallopt`, `malloc_trim`, and the thread
// bookkeeping glibc sees (`thread`, `thread_exit`). Trace IDs map to the pointers the model
// returns; each live block's range is registered with the process (os::ProcessEvents) so that
// `touch ID` reaches its bytes.
//
// Threads as scripts/glibc-replay/replay.c runs them against real glibc (trace_replay.h): the main
// thread is the TID of a `thread` line before any call (else 0); a TID seen for the first time is
// created by the main thread; after `thread_exit` the main thread runs until the next `thread`.
//
// Results, not crashes: an error glibc detects (libc::Abort) kills the process with glibc's
// message; a NULL return is counted with its line.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "models/libc/ptmalloc.h"
#include "models/os/process_events.h"
#include "sim/trace/event.h"
#include "sim/trace/mtrace_writer.h"

namespace memsim::libc {

class LibcEvents {
public:
    // TRACE_FILE names the trace in errors (a free or realloc of an ID that is not live).
    LibcEvents(Ptmalloc& m, os::ProcessEvents& process, stats::Registry& r, std::string trace_file);

    // Executes EV if it is a malloc-family event (true). Thread events update the calling thread
    // and return false: they stay the core's too.
    bool execute(const trace::Event& ev);
    // Logs every call's result as glibc's mtrace() would (--mtrace-out).
    void set_mtrace(trace::MtraceWriter* w) { mtrace_ = w; }

    bool aborted() const { return !abort_message_.empty(); }
    const std::string& abort_message() const { return abort_message_; }
    uint64_t abort_line() const { return abort_line_; }
    struct NullReturn {
        uint64_t line;
        std::string call;
    };
    static constexpr size_t kMaxNullsKept = 10;
    const std::vector<NullReturn>& null_returns() const { return nulls_; }
    uint64_t current_tid() const { return cur_; }

private:
    Ptmalloc& m_;
    os::ProcessEvents& process_;
    trace::MtraceWriter* mtrace_ = nullptr;
    std::string file_;
    std::unordered_map<uint64_t, uint64_t> ptr_of_;  // live trace ID -> pointer (0: the call returned NULL)
    std::unordered_set<uint64_t> live_threads_;
    bool started_ = false;
    uint64_t main_tid_ = 0, cur_ = 0;
    std::string abort_message_;
    uint64_t abort_line_ = 0;
    std::vector<NullReturn> nulls_;
    stats::Counter& null_count_;
    stats::Counter& skipped_;

    void start(const trace::Event& ev);
    void born(const trace::Event& ev, uint64_t id, uint64_t ptr, uint64_t size);
    uint64_t take(const trace::Event& ev, uint64_t id);
};

}  // namespace memsim::libc
