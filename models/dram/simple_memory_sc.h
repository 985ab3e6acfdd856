#pragma once
// The SystemC shell of SimpleMemory: a TLM-2.0 target whose b_transport adds the model's latency
// and queueing to the annotated delay (loosely timed).
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "models/dram/simple_memory.h"

namespace memsim::dram {

class SimpleMemorySc : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<SimpleMemorySc> socket;
    SimpleMemorySc(sc_core::sc_module_name name, SimpleMemory& memory);

private:
    SimpleMemory& memory_;
    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
};

}  // namespace memsim::dram
