#pragma once
// The SystemC shell of the DDR3 controllers (memory.model: ddr3 or mig): a TLM-2.0 target whose
// b_transport asks the plain controller (a mem::Port, loosely timed) when the request completes
// and adds that to the annotated delay, as SimpleMemorySc does.
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "models/dram/controller.h"

namespace memsim::dram {

class ControllerSc : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<ControllerSc> socket;
    ControllerSc(sc_core::sc_module_name name, Controller& controller);

private:
    Controller& controller_;
    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
};

}  // namespace memsim::dram
