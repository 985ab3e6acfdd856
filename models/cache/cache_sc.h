#pragma once
// The SystemC shell of one cache level: a thin TLM-2.0 module around the plain Cache. Several
// initiators bind to its target socket (a multi-passthrough socket: L1I, L1D and the page walker
// all above one L2); b_transport serves the payload with the Cache, whose misses and write-backs
// leave through the initiator socket (the Cache's `next` is a TlmInitiatorPort on it).
// Back-invalidation and exclusive fills between levels are direct calls between the plain
// Caches (Cache::add_upper), as snoops are not modelled on the sockets.
#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>

#include "models/cache/cache.h"
#include "models/interconnect/tlm_port_sc.h"

namespace memsim::cache {

class CacheSc : public sc_core::sc_module {
public:
    tlm_utils::multi_passthrough_target_socket<CacheSc> target;
    tlm_utils::simple_initiator_socket<CacheSc> initiator;

    // Points CACHE's next at the initiator socket.
    CacheSc(sc_core::sc_module_name name, Cache& cache);

private:
    Cache& cache_;
    mem::TlmInitiatorPort down_;
    void b_transport(int id, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
};

}  // namespace memsim::cache
