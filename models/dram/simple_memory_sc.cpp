#include "models/dram/simple_memory_sc.h"

namespace memsim::dram {

SimpleMemorySc::SimpleMemorySc(sc_core::sc_module_name name, SimpleMemory& memory)
    : sc_module(name), socket("socket"), memory_(memory) {
    socket.register_b_transport(this, &SimpleMemorySc::b_transport);
}

void SimpleMemorySc::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    if (trans.get_byte_enable_ptr() != nullptr) {
        trans.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        return;
    }
    auto arrival = uint64_t((sc_core::sc_time_stamp() + delay).value());
    uint64_t done = memory_.access(trans.get_address(), trans.get_data_length(), trans.is_write(), arrival);
    delay += sc_core::sc_time(double(done - arrival), sc_core::SC_PS);
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace memsim::dram
