// libsystemc refers to sc_main (the entry its own main calls; <systemc> declares it extern "C"); in
// the SystemC test binary Catch2's main runs the tests instead, so this one is never called.
#include <systemc>

int sc_main(int, char*[]) { return 0; }
