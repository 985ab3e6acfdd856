#include "sim/cli/sweep_plot.h"

#include <iostream>

#include "sim/core/version.h"
#include "sim/sweep/process.h"

namespace memsim::cli {

int run_plot(const std::vector<std::string>& args) {
    // The script says itself, in one line, when matplotlib is missing.
    sweep::Job j;
    j.argv = {"/usr/bin/env", "python3", std::string(MEMSIM_DATA_DIR) + "/scripts/plot"};
    j.argv.insert(j.argv.end(), args.begin(), args.end());
    j.stdout_file = "-";
    j.stderr_file = "-";
    auto r = sweep::run_job(j);
    if (!r.ok()) std::cerr << "memsim: scripts/plot failed (exit " << r.exit_code << ")\n";
    return r.ok() ? 0 : 1;
}

}  // namespace memsim::cli
