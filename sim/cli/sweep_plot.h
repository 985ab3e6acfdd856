#pragma once
#include <string>
#include <vector>

namespace memsim::cli {
// Runs scripts/plot (python3 + matplotlib) from memsim's source tree with ARGS: 0, or 1 with a message
// on stderr when it failed or python3 or matplotlib is missing (the results are written anyway).
int run_plot(const std::vector<std::string>& args);
}  // namespace memsim::cli
