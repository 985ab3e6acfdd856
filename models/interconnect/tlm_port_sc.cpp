#include "models/interconnect/tlm_port_sc.h"

#include <algorithm>
#include <string>

#include "sim/core/error.h"

namespace memsim::mem {
namespace {
uint64_t now_ps() { return ps_of(sc_core::sc_time_stamp()); }
}  // namespace

uint64_t TlmInitiatorPort::access(const Request& r, uint64_t issue_ps) {
    if (free_.empty()) {
        payloads_.push_back(std::make_unique<Payload>());
        Payload* p = payloads_.back().get();
        p->ext = new MemExtension;
        p->trans.set_extension(p->ext);
        free_.push_back(p);
    }
    Payload* p = free_.back();
    free_.pop_back();
    tlm::tlm_generic_payload& trans = p->trans;
    trans.set_command(is_write(r.kind) ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    trans.set_address(r.addr);
    trans.set_data_ptr(nullptr);  // timing only: the trace carries no data
    trans.set_data_length(r.size);
    trans.set_streaming_width(r.size);
    trans.set_byte_enable_ptr(nullptr);
    trans.set_dmi_allowed(false);
    trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    p->ext->kind = r.kind;
    p->ext->served_by = 0;
    const uint64_t now = now_ps();
    // A request is never issued before the present: SystemC time only moves forward.
    sc_core::sc_time delay = sc_ps(issue_ps > now ? issue_ps - now : 0);
    socket_->b_transport(trans, delay);
    free_.push_back(p);  // (nothing runs before this call returns: the payload is read below)
    if (trans.is_response_error())
        throw SimulationError("memory returned " + trans.get_response_string() + " for address " +
                              std::to_string(r.addr));
    // A target that does not know the extension (a model's own shell) is memory.
    r.served_by = p->ext->served_by ? p->ext->served_by : kServedByMemory;
    // The completion is the time after the call plus what it annotated: a target may also have
    // waited (b_transport of an approximately-timed target, models/dram/at_target_sc.h).
    return now_ps() + ps_of(delay);
}

void serve_b_transport(Port& port, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    if (trans.get_byte_enable_ptr() != nullptr) {
        trans.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        return;
    }
    auto* ext = trans.get_extension<MemExtension>();
    AccessKind kind = ext ? ext->kind : trans.is_write() ? AccessKind::Write : AccessKind::Read;
    Request r{trans.get_address(), trans.get_data_length(), kind};
    const uint64_t arrival = now_ps() + ps_of(delay);
    const uint64_t done = std::max(port.access(r, arrival), arrival);
    // Annotate the completion against the time now: the port may have waited (a level below
    // reached through an approximately-timed target's b_transport).
    const uint64_t now_after = now_ps();
    delay = sc_ps(done > now_after ? done - now_after : 0);
    if (ext) ext->served_by = r.served_by;
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

TlmPortTarget::TlmPortTarget(sc_core::sc_module_name name, Port& port) : sc_module(name), socket("socket"), port_(port) {
    socket.register_b_transport(this, &TlmPortTarget::b_transport);
}

}  // namespace memsim::mem
