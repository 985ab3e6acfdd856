#pragma once
// mem::Port over TLM-2.0 and back, so plain models (caches, memories) stack across SystemC
// modules: a Port whose requests leave through an initiator socket, and the target side that
// serves an arriving b_transport with a Port. What a generic payload cannot say (the access kind,
// the level that served it) rides in MemExtension. Loosely timed: the delay annotates a request's
// issue and completion relative to sc_time_stamp(), as models/cpu/trace_core_sc.cpp does.
#include <memory>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>

#include "models/interconnect/port.h"

namespace memsim::mem {

// SystemC time from and to picoseconds. memsim keeps SystemC's default resolution of 1 ps, so a
// time's value is its picoseconds; from_value skips sc_time(double, unit)'s conversion, which
// was the hottest function of a timed run.
inline sc_core::sc_time sc_ps(uint64_t ps) { return sc_core::sc_time::from_value(ps); }
inline uint64_t ps_of(const sc_core::sc_time& t) { return uint64_t(t.value()); }

struct MemExtension final : tlm::tlm_extension<MemExtension> {
    AccessKind kind = AccessKind::Read;
    uint8_t served_by = 0;
    tlm::tlm_extension_base* clone() const override { return new MemExtension(*this); }
    void copy_from(const tlm::tlm_extension_base& e) override {
        const auto& o = static_cast<const MemExtension&>(e);
        kind = o.kind;
        served_by = o.served_by;
    }
};

// A Port that sends each request over SOCKET with b_transport (timing only: no data). The
// request's served_by is what the target put in the extension, or kServedByMemory when it put
// nothing there (a memory's shell does not know the extension). Each call in flight has a payload
// of its own: under sim.protocol: at several accesses' threads wait in b_transport at once.
class TlmInitiatorPort final : public Port {
public:
    explicit TlmInitiatorPort(tlm::tlm_initiator_socket<>& socket) : socket_(socket) {}
    uint64_t access(const Request& r, uint64_t issue_ps) override;

private:
    tlm::tlm_initiator_socket<>& socket_;
    struct Payload {
        tlm::tlm_generic_payload trans;
        MemExtension* ext;  // owned by trans
    };
    std::vector<std::unique_ptr<Payload>> payloads_;
    std::vector<Payload*> free_;
};

// Serves TRANS with PORT: the kind from its MemExtension (without one, read or write by the
// command), issued at sc_time_stamp() + DELAY; the completion goes back on DELAY and the serving
// level in the extension.
void serve_b_transport(Port& port, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);

// A TLM-2.0 target in front of a Port, for a plain model without a shell of its own (the
// memories: SimpleMemory, the DDR3 controllers). Any number of initiators may bind to it.
class TlmPortTarget : public sc_core::sc_module {
public:
    tlm_utils::multi_passthrough_target_socket<TlmPortTarget> socket;
    TlmPortTarget(sc_core::sc_module_name name, Port& port);

private:
    Port& port_;
    void b_transport(int, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
        serve_b_transport(port_, trans, delay);
    }
};

}  // namespace memsim::mem
