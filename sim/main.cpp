// memsim's entry point. It replaces SystemC's own main() so that SystemC's banner stays off the
// terminal (the library prints it before sc_main runs unless SC_COPYRIGHT_MESSAGE is set), then
// enters SystemC as its main() would: sc_elab_and_sim calls sc_main.
#include <cstdlib>

#include <systemc>

#include "sim/cli/cli.h"

int sc_main(int argc, char** argv) { return memsim::cli::main(argc, argv); }

int main(int argc, char** argv) {
    setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 1);
    return sc_core::sc_elab_and_sim(argc, argv);
}
