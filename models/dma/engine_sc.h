#pragma once
// The DMA engine's SystemC side: a TLM-2.0 initiator of its own beside the core's, bound to the
// memory's target (a device that does not snoop the caches). The plain dma::Engine issues its
// bursts through `port`, which sends each over the socket with b_transport, loosely timed like
// the core's requests; the engine is advanced from the run loop (sim/run/machine.h).
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "models/interconnect/tlm_port_sc.h"

namespace memsim::dma {

class EngineSc : public sc_core::sc_module {
public:
    tlm_utils::simple_initiator_socket<EngineSc> socket;
    mem::TlmInitiatorPort port{socket};

    explicit EngineSc(sc_core::sc_module_name name) : sc_module(name), socket("socket") {}
};

}  // namespace memsim::dma
