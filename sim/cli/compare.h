#pragma once
#include <string>
#include <vector>

namespace memsim::cli {
// `memsim compare ...` (sim/cli/compare.cpp): returns the exit code; bad usage throws
// boost::program_options::error or InputError, as the other commands do.
int cmd_compare(const std::vector<std::string>& args);
}  // namespace memsim::cli
