#pragma once
// Simulations as child processes: each point of a compare or a sweep is its own `memsim run`, so
// each gets a fresh SystemC kernel (it elaborates once per process) and a crash stays in its point.
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace memsim::sweep {

struct Job {
    std::vector<std::string> argv;  // argv[0] is the program
    std::string stdout_file;        // the child's stdout and stderr go to these files; "": /dev/null,
                                    // "-": ours
    std::string stderr_file;
};

struct JobResult {
    int exit_code = 0;     // the child's exit status; 128 + N if signal N ended it
    int signal = 0;        // the signal that ended it, or 0
    double seconds = 0;    // wall-clock time from spawn to exit
    std::string error;     // set when it could not be started, or from its stderr when it failed
    bool ok() const { return exit_code == 0 && error.empty(); }
};

// The running executable (/proc/self/exe), to run memsim itself as a child.
std::string self_exe();

// Runs JOBS with at most PARALLEL alive at once, in order of their index; ON_DONE(index, result)
// is called in this thread as each ends (in order of ending). A job that fails to start is reported
// through ON_DONE, never thrown.
void run_jobs(const std::vector<Job>& jobs, unsigned parallel,
              const std::function<void(size_t, const JobResult&)>& on_done);

// One job, to completion.
JobResult run_job(const Job& job);

// What to show of a failed child's stderr: its last line starting "memsim:" (memsim's own error
// line), else its last non-empty line.
std::string error_line(const std::string& stderr_text);

// Number of processors this process may use (sched_getaffinity), at least 1.
unsigned host_cpus();

}  // namespace memsim::sweep
