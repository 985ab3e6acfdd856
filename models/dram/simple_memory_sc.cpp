#include "models/dram/simple_memory_sc.h"

#include "models/interconnect/tlm_port_sc.h"

namespace memsim::dram {

SimpleMemorySc::SimpleMemorySc(sc_core::sc_module_name name, SimpleMemory& memory)
    : sc_module(name), socket("socket"), memory_(memory) {
    socket.register_b_transport(this, &SimpleMemorySc::b_transport);
}

void SimpleMemorySc::b_transport(int, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    mem::serve_b_transport(memory_, trans, delay);
}

}  // namespace memsim::dram
