#pragma once
// What `memsim sweep` shares between its local driver (sweep.cpp) and its MPI driver
// (sweep_mpi.cpp, built when CMake finds MPI: MEMSIM_HAVE_MPI).
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "sim/sweep/results.h"
#include "sim/sweep/spec.h"

namespace memsim::cli {

// "sweep: 12/40 points, 1 failed, ETA 1m20s" on stderr, only when it is a terminal.
class SweepProgress {
public:
    SweepProgress(size_t total, size_t already_done);
    void point_done(bool ok);

private:
    size_t total_, done_, resumed_, failed_ = 0;
    bool tty_;
    std::chrono::steady_clock::time_point start_;
};

std::string default_sweep_out(const std::string& sweep_file);

// Writes OUT/results.csv and the summary; the exit code (1 if a point failed).
int finish_sweep(const sweep::SweepSpec& spec, const std::vector<sweep::Point>& points, const std::string& out,
                 std::vector<sweep::PointResult>& results, const std::string& plot);

// The number of processes of the MPI job this process was started in (from the launcher's
// environment: OpenMPI, PMI/Slurm); 1 outside MPI or when memsim was built without MPI.
int mpi_world_size();
// Evaluates what it can of TODO in one pass (sim/sweep/onepass_run.h), reports it, and leaves
// in TODO the points to run separately.
void one_pass(const sweep::SweepSpec& spec, std::vector<sweep::Point>& todo, const std::string& out,
              const std::string& self, std::vector<sweep::PointResult>& results);

// The sweep across the MPI job: rank 0 evaluates what it can in one pass (unless SEPARATE), hands
// out the other points and writes results.csv; the other ranks run them. Throws InputError as the
// local sweep does.
int cmd_sweep_mpi(const std::string& file, const std::string& out, const std::string& plot, bool separate);

}  // namespace memsim::cli
