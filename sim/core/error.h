#pragma once
// Errors memsim reports to its user. Each kind maps to one exit code (sim/cli):
//   InputError      -> 2  bad usage, bad configuration, bad trace: the user's input is wrong
//   SimulationError -> 1  the simulation itself could not complete
// A simulated failure (OOM, SIGSEGV of a simulated process) is a result, not an exception.
#include <cstdint>
#include <stdexcept>
#include <string>

namespace memsim {

// Where in an input file something was found. line and column count from 1; 0 means unknown.
struct SourceLocation {
    std::string file;
    uint64_t line = 0;
    uint64_t column = 0;

    // "file:line:column", "file:line" or "file", as compilers print them.
    std::string str() const;
};

class InputError : public std::runtime_error {
public:
    explicit InputError(const std::string& what) : std::runtime_error(what) {}
    // The message becomes "file:line[:column]: what".
    InputError(const SourceLocation& where, const std::string& what)
        : std::runtime_error(where.str() + ": " + what) {}
};

class SimulationError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace memsim
