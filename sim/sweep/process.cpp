#include "sim/sweep/process.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>

extern char** environ;

namespace memsim::sweep {

namespace {

using Clock = std::chrono::steady_clock;

struct Running {
    size_t index;
    Clock::time_point start;
};

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// posix_spawn rather than fork: the parent may hold SystemC's and the allocator's state, and
// spawn needs none of it copied (glibc uses clone(CLONE_VM|CLONE_VFORK)).
pid_t spawn(const Job& job, std::string& why) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    auto redirect = [&](int fd, const std::string& file) {
        if (file == "-") return;  // inherit ours
        posix_spawn_file_actions_addopen(&fa, fd, file.empty() ? "/dev/null" : file.c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC, 0644);
    };
    redirect(1, job.stdout_file);
    redirect(2, job.stderr_file);
    std::vector<char*> argv;
    for (const auto& a : job.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_t pid = -1;
    int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        why = fmt::format("cannot start {}: {}", job.argv[0], std::strerror(rc));
        return -1;
    }
    return pid;
}

JobResult finished(const Job& job, int status, Clock::time_point start) {
    JobResult r;
    r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (WIFEXITED(status)) {
        r.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        r.signal = WTERMSIG(status);
        r.exit_code = 128 + r.signal;
    }
    if (r.exit_code != 0) {
        bool captured = !job.stderr_file.empty() && job.stderr_file != "-";
        r.error = captured ? error_line(slurp(job.stderr_file)) : std::string();
        if (r.signal) r.error = fmt::format("killed by signal {} ({}){}{}", r.signal, strsignal(r.signal),
                                            r.error.empty() ? "" : ": ", r.error);
        if (r.error.empty()) r.error = fmt::format("exit code {}", r.exit_code);
    }
    return r;
}

}  // namespace

std::string self_exe() {
    std::vector<char> buf(4096);
    ssize_t n = ::readlink("/proc/self/exe", buf.data(), buf.size() - 1);
    return n > 0 ? std::string(buf.data(), size_t(n)) : std::string();
}

unsigned host_cpus() {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        int n = CPU_COUNT(&set);
        if (n > 0) return unsigned(n);
    }
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? unsigned(n) : 1;
}

std::string error_line(const std::string& text) {
    std::string last, last_memsim;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos) continue;
        last = line;
        if (line.rfind("memsim:", 0) == 0) last_memsim = line;
    }
    return last_memsim.empty() ? last : last_memsim;
}

void run_jobs(const std::vector<Job>& jobs, unsigned parallel,
              const std::function<void(size_t, const JobResult&)>& on_done) {
    if (parallel == 0) parallel = 1;
    std::map<pid_t, Running> running;
    size_t next = 0;
    while (next < jobs.size() || !running.empty()) {
        while (next < jobs.size() && running.size() < parallel) {
            size_t i = next++;
            std::string why;
            pid_t pid = spawn(jobs[i], why);
            if (pid < 0) {
                JobResult r;
                r.exit_code = 127;
                r.error = why;
                on_done(i, r);
                continue;
            }
            running[pid] = {i, Clock::now()};
        }
        if (running.empty()) continue;
        int status = 0;
        pid_t pid = ::waitpid(-1, &status, 0);
        if (pid < 0) {
            if (errno == EINTR) continue;
            break;  // ECHILD: nothing left that is ours
        }
        auto it = running.find(pid);
        if (it == running.end()) continue;
        Running r = it->second;
        running.erase(it);
        on_done(r.index, finished(jobs[r.index], status, r.start));
    }
}

JobResult run_job(const Job& job) {
    JobResult out;
    run_jobs({job}, 1, [&](size_t, const JobResult& r) { out = r; });
    return out;
}

}  // namespace memsim::sweep
