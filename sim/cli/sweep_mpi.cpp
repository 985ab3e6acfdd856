// `memsim sweep` under mpirun/srun: rank 0 reads the sweep, evaluates what it can in one pass
// (sim/sweep/onepass_run.h) while the others wait, hands each idle rank the next point
// (dynamic: slow points do not hold up the others), and gathers how each ended; ranks 1..N-1 run
// the points they are given as `memsim run` children into the shared DIR/points/<id>/. Rank 0 then
// reads every point's folder and writes results.csv exactly as a local sweep does.
#include "sim/cli/sweep_mpi.h"

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "sim/core/error.h"
#include "sim/sweep/process.h"

#ifdef MEMSIM_HAVE_MPI
#include <mpi.h>
#endif

namespace fs = std::filesystem;

namespace memsim::cli {

int mpi_world_size() {
    // The launchers' environment says whether this is an MPI job before MPI_Init (which must not
    // run for a plain `memsim sweep`: it would look for a launcher).
    for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS"}) {
        if (const char* s = std::getenv(v)) {
            int n = std::atoi(s);
#ifdef MEMSIM_HAVE_MPI
            if (n > 1) return n;
#else
            if (n > 1) {
                std::cerr << "memsim: started by an MPI launcher with " << n
                          << " processes, but this memsim was built without MPI: each process runs the whole sweep\n";
                return 1;
            }
#endif
        }
    }
    return 1;
}

#ifndef MEMSIM_HAVE_MPI

int cmd_sweep_mpi(const std::string&, const std::string&, const std::string&, bool) {
    throw InputError("this memsim was built without MPI");
}

#else

namespace {

constexpr int kTagRequest = 1, kTagPoint = 2;
constexpr long kStop = -1;

// A worker's message to rank 0: the point it finished (or -1 on its first request), its exit code.
struct Report {
    long id;
    long exit_code;
};

}  // namespace

int cmd_sweep_mpi(const std::string& file, const std::string& out, const std::string& plot, bool separate) {
    MPI_Init(nullptr, nullptr);
    int rank = 0, size = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    // Every rank reads the sweep (the same file on a shared filesystem); an error in it is reported
    // once, by rank 0, and every rank exits 2.
    sweep::SweepSpec spec;
    std::string error;
    try {
        spec = sweep::load_sweep(file);
    } catch (const InputError& e) {
        error = e.what();
    }
    if (!error.empty()) {
        MPI_Finalize();
        if (rank == 0) throw InputError(error);
        return 2;
    }
    auto points = sweep::expand(spec);
    int rc = 0;
    if (rank == 0) {
        std::error_code ec;
        fs::create_directories(fs::path(out) / "points", ec);
        std::vector<sweep::PointResult> results;
        std::vector<sweep::Point> left;
        for (const auto& p : points) {
            if (sweep::point_done(spec, p, out)) results.push_back(sweep::load_point(spec, p, out));
            else left.push_back(p);
        }
        // One pass first, here (the other ranks wait for their first point): what it leaves is handed out.
        if (!separate) one_pass(spec, left, out, sweep::self_exe(), results);
        std::vector<long> todo;
        for (const auto& p : left) todo.push_back(long(p.id));
        SweepProgress progress(points.size(), results.size());
        size_t next = 0;
        int stopped = 0;
        while (stopped < size - 1) {
            Report r{};
            MPI_Status st;
            MPI_Recv(&r, 2, MPI_LONG, MPI_ANY_SOURCE, kTagRequest, MPI_COMM_WORLD, &st);
            if (r.id >= 0) {
                sweep::PointResult pr = sweep::load_point(spec, points[size_t(r.id)], out);
                pr.ran = true;
                results.push_back(pr);
                progress.point_done(pr.ok);
            }
            long give = next < todo.size() ? todo[next++] : kStop;
            if (give == kStop) ++stopped;
            MPI_Send(&give, 1, MPI_LONG, st.MPI_SOURCE, kTagPoint, MPI_COMM_WORLD);
        }
        rc = finish_sweep(spec, points, out, results, plot);
    } else {
        const std::string self = sweep::self_exe();
        Report r{-1, 0};
        for (;;) {
            MPI_Send(&r, 2, MPI_LONG, 0, kTagRequest, MPI_COMM_WORLD);
            long id = kStop;
            MPI_Recv(&id, 1, MPI_LONG, 0, kTagPoint, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            if (id == kStop) break;
            const auto& p = points[size_t(id)];
            sweep::JobResult jr = sweep::run_job(sweep::point_job(spec, p, out, self));
            sweep::finish_point(spec, p, out, jr);  // status.json, which rank 0 reads
            r = {id, jr.exit_code};
        }
    }
    MPI_Finalize();
    return rc;
}

#endif

}  // namespace memsim::cli
