#include "models/dram/controller_sc.h"

namespace memsim::dram {

ControllerSc::ControllerSc(sc_core::sc_module_name name, Controller& controller)
    : sc_module(name), socket("socket"), controller_(controller) {
    socket.register_b_transport(this, &ControllerSc::b_transport);
}

void ControllerSc::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    if (trans.get_byte_enable_ptr() != nullptr) {
        trans.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        return;
    }
    // value() counts ps: SystemC's default time resolution, as SimpleMemorySc assumes too.
    auto arrival = uint64_t((sc_core::sc_time_stamp() + delay).value());
    mem::Request r{trans.get_address(), trans.get_data_length(),
                   trans.is_write() ? mem::AccessKind::Write : mem::AccessKind::Read};
    uint64_t done = controller_.access(r, arrival);
    delay += sc_core::sc_time(double(done - arrival), sc_core::SC_PS);
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace memsim::dram
