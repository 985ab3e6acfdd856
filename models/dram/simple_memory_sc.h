#pragma once
// The SystemC shell of SimpleMemory: a TLM-2.0 target whose b_transport adds the model's latency
// and queueing to the annotated delay (loosely timed). Its socket takes any number of initiators
// (the last cache level, or the core's sockets when there are no caches).
#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>

#include "models/dram/simple_memory.h"

namespace memsim::dram {

class SimpleMemorySc : public sc_core::sc_module {
public:
    tlm_utils::multi_passthrough_target_socket<SimpleMemorySc> socket;
    SimpleMemorySc(sc_core::sc_module_name name, SimpleMemory& memory);

private:
    SimpleMemory& memory_;
    void b_transport(int id, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
};

}  // namespace memsim::dram
