#pragma once

namespace memsim::cli {
// memsim's command line; returns the process exit code.
int main(int argc, char** argv);
}
