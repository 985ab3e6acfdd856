#pragma once
// The DDR3 controllers (controller.h) as an approximately-timed TLM-2.0 target: the base
// protocol's four phases (IEEE 1666-2011 section 15), so an initiator keeps several requests
// outstanding, the controller's queues push back on it, and its responses come in the order the
// controller finishes them:
//  - BEGIN_REQ is taken at its time (a payload event queue): the controller is brought up to that
//    clock, and the request enters its queue if there is room; END_REQ goes back then. A full
//    queue withholds END_REQ (the initiator may send nothing more on that socket: the base
//    protocol's request exclusion) until the controller frees a slot.
//  - BEGIN_RESP goes back at the request's completion (a read's last data beat, a posted write's
//    acceptance); a second response to the same initiator waits for END_RESP (response
//    exclusion) unless the initiator completes the first at once (TLM_COMPLETED, or END_RESP on
//    the return path).
//  - b_transport, for loosely-timed initiators: the call waits for its annotated time, goes
//    through the same queue, and returns when its response is due (delay 0).
// Between arrivals the controller is advanced every RL + BL/2 clocks while it holds reads: a
// read's data is never due sooner after its RD, so each response is known before its time (posted
// writes are answered at acceptance; the controller writes them when it is next advanced).
// The controller decides a clock only once every arrival before it is in (arrivals bring it up to
// their clock first). A request whose queue is full makes the controller run ahead until a slot
// frees, as the trace-driven run does (standalone.h: drive); a request that arrives meanwhile,
// from any initiator, is taken no sooner than that one was (the memory takes one request at a
// time: as Port::access's hold, controller.h, and DRAMSim3's trace CPU). Its latency counts
// from then.
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/peq_with_cb_and_phase.h>

#include "models/dram/standalone.h"

namespace memsim::dram {

class AtTarget : public sc_core::sc_module {
public:
    tlm_utils::multi_passthrough_target_socket<AtTarget> socket;

    // MEM must outlive the target; the target sets its controllers' on_done.
    AtTarget(sc_core::sc_module_name name, Channels& mem);

    // Requests accepted and not yet answered, and requests waiting for END_REQ.
    size_t outstanding() const { return in_flight_.size() + held_.size(); }
    // The end of the arrivals: everything queued is issued now (the controller runs ahead; its
    // responses still go out at their times).
    void drain();
    // A run of a fixed window (DRAMSim3's -c): nothing is issued or accepted at or after clock END.
    // Reads left queued then keep the target's clock waking: run sc_start to END, not unbounded.
    void set_horizon(uint64_t end) { horizon_ = end; }

private:
    SC_HAS_PROCESS(AtTarget);

    struct Request {
        int socket_id = 0;
        tlm::tlm_generic_payload* trans = nullptr;
        sc_core::sc_event* blocking = nullptr;  // b_transport: notified at the response's time
    };

    Channels& mem_;
    const uint64_t tck_ps_;
    const uint64_t advance_ck_;  // RL + BL/2: how far the controller may be left behind
    tlm_utils::peq_with_cb_and_phase<AtTarget> peq_;
    std::unordered_map<const tlm::tlm_generic_payload*, Request> requests_;  // by payload, from BEGIN_REQ
    std::deque<const tlm::tlm_generic_payload*> held_;                       // END_REQ withheld
    std::unordered_map<uint64_t, tlm::tlm_generic_payload*> in_flight_;  // bursts in the controller, by its id
    struct Pending {
        uint64_t bursts;   // not yet completed
        uint64_t done_ps;  // the latest completion so far
        uint64_t next;     // the next burst to enqueue (a window's end may stop a request midway)
    };
    std::unordered_map<const tlm::tlm_generic_payload*, Pending> pending_;  // accepted, not yet due
    // Ids of the target's bursts, apart from those Controller::access gives its own requests.
    uint64_t next_id_ = uint64_t(1) << 62;
    uint64_t horizon_ = UINT64_MAX;
    uint64_t taken_ck_ = 0;  // the clock the last request was taken: none is taken sooner
    // Per initiator socket: whether a BEGIN_RESP waits for its END_RESP, and the responses due
    // behind it.
    std::vector<char> resp_busy_;
    std::vector<std::deque<const tlm::tlm_generic_payload*>> resp_waiting_;
    // END_RESP is booked when it is received (the initiator may reuse the payload at once); the
    // socket is free for the next response at its annotated time.
    std::multimap<uint64_t, int> resp_free_at_;  // ps -> socket
    sc_core::sc_event_queue resp_free_;
    sc_core::sc_event work_;

    uint64_t now_ck() const;
    void bring_up(uint64_t ck);
    void accept_held();
    void respond(const tlm::tlm_generic_payload* trans);
    void send_response(const tlm::tlm_generic_payload* trans);
    void on_done(uint64_t id, uint64_t done_ps);
    void peq_cb(tlm::tlm_generic_payload& trans, const tlm::tlm_phase& phase);
    tlm::tlm_sync_enum nb_transport_fw(int id, tlm::tlm_generic_payload& trans, tlm::tlm_phase& phase,
                                       sc_core::sc_time& delay);
    void b_transport(int id, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    void clock();
    void free_responses();  // SC_METHOD on resp_free_
    const Request& request(const tlm::tlm_generic_payload* t) const;
};

// StandaloneRun (standalone.h) through SystemC and TLM-2.0 AT: a trace initiator sends each
// request at its cycle (after the previous one's END_REQ), any number outstanding, to an
// AtTarget in front of the controller; the same requests, queue and commands as the direct run.
// Elaborates SystemC: once per process.
StandaloneResult StandaloneRunAt(const config::Config& cfg, const std::string& trace_path, stats::Registry& reg,
                                 const StandaloneOptions& opts = {});

}  // namespace memsim::dram
