#pragma once
#include <string>
#include <vector>

namespace memsim::cli {
// `memsim sweep SWEEP.yaml ...` (sim/cli/sweep.cpp): returns the exit code; bad usage throws.
int cmd_sweep(const std::vector<std::string>& args);
}  // namespace memsim::cli
