#include "models/dram/at_target_sc.h"

#include <algorithm>
#include <exception>
#include <memory>

#include <tlm_utils/simple_initiator_socket.h>

#include "models/dram/memory.h"
#include "models/interconnect/tlm_port_sc.h"
#include "sim/core/error.h"

namespace memsim::dram {

namespace {
// An internal phase: a response is due (the payload event queue brings it at its time).
DECLARE_EXTENDED_PHASE(response_due);
}  // namespace

AtTarget::AtTarget(sc_core::sc_module_name name, Channels& mem)
    : sc_module(name),
      socket("socket"),
      mem_(mem),
      tck_ps_(mem.timing().tCK_ps),
      advance_ck_(std::max<uint64_t>(1, mem.timing().RL() + mem.timing().burst_cycles())),
      peq_(this, &AtTarget::peq_cb) {
    socket.register_nb_transport_fw(this, &AtTarget::nb_transport_fw);
    socket.register_b_transport(this, &AtTarget::b_transport);
    mem_.set_on_done([this](uint64_t id, uint64_t done_ps) { on_done(id, done_ps); });
    SC_THREAD(clock);
    SC_METHOD(free_responses);
    sensitive << resp_free_;
    dont_initialize();
}

const AtTarget::Request& AtTarget::request(const tlm::tlm_generic_payload* t) const {
    auto it = requests_.find(t);
    if (it == requests_.end())
        throw SimulationError("dram: an AT initiator sent a phase for a transaction the memory does not hold "
                              "(END_RESP without BEGIN_RESP, or a reused payload)");
    return it->second;
}

uint64_t AtTarget::now_ck() const {
    return (sc_core::sc_time_stamp().value() + tck_ps_ - 1) / tck_ps_;
}

void AtTarget::bring_up(uint64_t ck) { mem_.run_until(std::min(ck, horizon_)); }

void AtTarget::drain() {
    mem_.drain();
    work_.notify(sc_core::SC_ZERO_TIME);
}

tlm::tlm_sync_enum AtTarget::nb_transport_fw(int id, tlm::tlm_generic_payload& trans, tlm::tlm_phase& phase,
                                             sc_core::sc_time& delay) {
    if (phase == tlm::BEGIN_REQ) {
        requests_[&trans] = Request{id, &trans, nullptr};
        peq_.notify(trans, phase, delay);
        return tlm::TLM_ACCEPTED;
    }
    if (phase == tlm::END_RESP) {
        // The transaction ends here: forget it now; the socket takes the next response at the
        // END_RESP's time.
        const int sid = request(&trans).socket_id;
        requests_.erase(&trans);
        resp_free_at_.emplace((sc_core::sc_time_stamp() + delay).value(), sid);
        resp_free_.notify(delay);
        return tlm::TLM_COMPLETED;
    }
    throw SimulationError("dram: an AT initiator sent " + std::string(phase.get_name()) +
                          " to the memory (the base protocol allows BEGIN_REQ and END_RESP)");
}

void AtTarget::b_transport(int id, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    // A loosely-timed initiator: the request arrives at its annotated time and the call returns
    // when its response is due.
    wait(delay);
    delay = sc_core::SC_ZERO_TIME;
    mem_.log_arrival(trans.get_address(), trans.get_data_length(), trans.is_write(), now_ck());
    sc_core::sc_event done;
    requests_[&trans] = Request{id, &trans, &done};
    held_.push_back(&trans);
    accept_held();
    wait(done);
    requests_.erase(&trans);
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

void AtTarget::peq_cb(tlm::tlm_generic_payload& trans, const tlm::tlm_phase& phase) {
    if (phase == tlm::BEGIN_REQ) {
        mem_.log_arrival(trans.get_address(), trans.get_data_length(), trans.is_write(), now_ck());
        held_.push_back(&trans);
        accept_held();
    } else if (phase == response_due) {
        respond(&trans);
    }
}

void AtTarget::free_responses() {
    const uint64_t now = sc_core::sc_time_stamp().value();
    while (!resp_free_at_.empty() && resp_free_at_.begin()->first <= now) {
        const size_t sid = size_t(resp_free_at_.begin()->second);
        resp_free_at_.erase(resp_free_at_.begin());
        resp_busy_[sid] = false;
        if (!resp_waiting_[sid].empty()) {
            const tlm::tlm_generic_payload* next = resp_waiting_[sid].front();
            resp_waiting_[sid].pop_front();
            send_response(next);
        }
    }
}

void AtTarget::accept_held() {
    const uint64_t burst = mem_.timing().burst_bytes();
    while (!held_.empty()) {
        tlm::tlm_generic_payload* t = request(held_.front()).trans;
        const uint64_t arrival = std::max(now_ck(), taken_ck_);
        bring_up(arrival);
        const uint64_t first = t->get_address() / burst;
        const uint64_t last = (t->get_address() + std::max<uint64_t>(t->get_data_length(), 1) - 1) / burst;
        const bool write = t->is_write();
        uint64_t accepted = arrival;
        auto pending = pending_.try_emplace(t, Pending{last - first + 1, 0, first}).first;
        for (uint64_t b = pending->second.next; b <= last; ++b) {
            // A full queue: the controller runs ahead until a slot frees (standalone.h: drive),
            // within the run's window; one that frees none there leaves the request unaccepted.
            Controller& ctl = mem_.channel_for(b * burst);
            while (!ctl.can_accept(b * burst, write)) {
                if (!ctl.step(horizon_)) {
                    if (horizon_ != UINT64_MAX) return;
                    throw SimulationError("dram: queue full and nothing to issue");
                }
                accepted = std::max(accepted, ctl.now() - 1);
            }
            if (accepted >= horizon_) return;
            ctl.run_until(accepted);  // another channel's full queue may have held the request
            const uint64_t id = next_id_++;
            in_flight_[id] = t;
            pending->second.next = b + 1;
            ctl.enqueue(id, b * burst, write, accepted);  // a write completes in it: PENDING may go
        }
        held_.pop_front();
        taken_ck_ = accepted;
        work_.notify(sc_core::SC_ZERO_TIME);
        const Request& r = request(t);
        if (r.blocking) continue;
        tlm::tlm_phase phase = tlm::END_REQ;
        sc_core::sc_time delay = mem::sc_ps(accepted * tck_ps_) - sc_core::sc_time_stamp();
        socket[r.socket_id]->nb_transport_bw(*t, phase, delay);
    }
}

void AtTarget::on_done(uint64_t id, uint64_t done_ps) {
    auto it = in_flight_.find(id);
    if (it == in_flight_.end()) return;
    tlm::tlm_generic_payload* t = it->second;
    in_flight_.erase(it);
    Pending& p = pending_.at(t);
    p.done_ps = std::max(p.done_ps, done_ps);
    if (--p.bursts) return;
    const uint64_t now = sc_core::sc_time_stamp().value();
    const uint64_t at = std::max(p.done_ps, now);
    pending_.erase(t);
    peq_.notify(*t, response_due, mem::sc_ps(at - now));
}

void AtTarget::respond(const tlm::tlm_generic_payload* trans) {
    const Request& r = request(trans);
    if (r.blocking) {
        r.blocking->notify(sc_core::SC_ZERO_TIME);
        return;
    }
    const size_t sid = size_t(r.socket_id);
    if (resp_busy_.size() <= sid) {
        resp_busy_.resize(sid + 1, 0);
        resp_waiting_.resize(sid + 1);
    }
    if (resp_busy_[sid]) resp_waiting_[sid].push_back(trans);
    else send_response(trans);
}

void AtTarget::send_response(const tlm::tlm_generic_payload* trans) {
    tlm::tlm_generic_payload* t = request(trans).trans;
    const int sid = request(trans).socket_id;
    t->set_response_status(tlm::TLM_OK_RESPONSE);
    tlm::tlm_phase phase = tlm::BEGIN_RESP;
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    const tlm::tlm_sync_enum s = socket[sid]->nb_transport_bw(*t, phase, delay);
    if (s == tlm::TLM_COMPLETED || (s == tlm::TLM_UPDATED && phase == tlm::END_RESP)) {
        requests_.erase(trans);
        if (!resp_waiting_[size_t(sid)].empty()) {
            const tlm::tlm_generic_payload* next = resp_waiting_[size_t(sid)].front();
            resp_waiting_[size_t(sid)].pop_front();
            send_response(next);
        }
        return;
    }
    resp_busy_[size_t(sid)] = true;  // END_RESP comes on the forward path
}

void AtTarget::clock() {
    for (;;) {
        if (!mem_.reads_queued()) {
            wait(work_);
            continue;
        }
        // Every RL + BL/2 clocks: the RDs issued since are due no sooner than now.
        wait(mem::sc_ps(advance_ck_ * tck_ps_));
        bring_up(now_ck());
    }
}

namespace {

// Sends each trace request at its cycle, once the previous one's END_REQ is back (the base
// protocol's request exclusion; a full queue holds the trace, as DRAMSim3's trace CPU and drive()
// do), with any number of requests outstanding.
class TraceInitiator : public sc_core::sc_module {
public:
    tlm_utils::simple_initiator_socket<TraceInitiator> socket;
    uint64_t sent = 0;
    // A trace error met inside the SystemC process: rethrown by the caller after sc_start (from
    // the process, SystemC would wrap it in a report of its own).
    std::exception_ptr failure;

    TraceInitiator(sc_core::sc_module_name name, RequestSource& src, AtTarget& target, uint64_t tck_ps, uint64_t until)
        : sc_module(name), socket("socket"), src_(src), target_(target), tck_ps_(tck_ps), until_(until) {
        socket.register_nb_transport_bw(this, &TraceInitiator::nb_transport_bw);
        SC_THREAD(run);
    }

private:
    SC_HAS_PROCESS(TraceInitiator);
    RequestSource& src_;
    AtTarget& target_;
    uint64_t tck_ps_, until_;
    std::vector<std::unique_ptr<tlm::tlm_generic_payload>> all_;  // every payload made
    std::vector<tlm::tlm_generic_payload*> free_;                  // those not in flight
    unsigned char data_[64] = {};
    uint64_t outstanding_ = 0;
    sc_core::sc_event end_req_, all_done_;
    bool req_open_ = false;

    tlm::tlm_generic_payload* get() {
        if (free_.empty()) {
            all_.push_back(std::make_unique<tlm::tlm_generic_payload>());
            return all_.back().get();
        }
        tlm::tlm_generic_payload* p = free_.back();
        free_.pop_back();
        return p;
    }

    bool next(TraceRequest& q) {
        try {
            return src_.next(q);
        } catch (...) {
            failure = std::current_exception();
            return false;
        }
    }

    void run() {
        TraceRequest q;
        uint64_t last = 0;
        while (next(q)) {
            if (q.cycle >= until_) break;
            const uint64_t at = std::max(q.cycle, last);
            const sc_core::sc_time t = mem::sc_ps(at * tck_ps_);
            if (t > sc_core::sc_time_stamp()) wait(t - sc_core::sc_time_stamp());
            tlm::tlm_generic_payload* p = get();
            p->set_command(q.write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
            p->set_address(q.addr);
            p->set_data_ptr(data_);
            p->set_data_length(64);
            p->set_streaming_width(64);
            p->set_byte_enable_ptr(nullptr);
            p->set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
            ++outstanding_;
            req_open_ = true;
            tlm::tlm_phase phase = tlm::BEGIN_REQ;
            sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
            socket->nb_transport_fw(*p, phase, delay);
            if (req_open_) wait(end_req_);
            last = sc_core::sc_time_stamp().value() / tck_ps_;  // the clock it was accepted
            ++sent;
        }
        if (failure) return;
        // No more arrivals: what is queued is issued now, as drive() does (the last few buffered
        // writes too); the responses still come at their times.
        if (until_ == UINT64_MAX) target_.drain();
        while (outstanding_) wait(all_done_);
    }

    tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& trans, tlm::tlm_phase& phase,
                                       sc_core::sc_time& delay) {
        if (phase == tlm::END_REQ) {
            end_req_.notify(delay);
            req_open_ = false;
            return tlm::TLM_ACCEPTED;
        }
        if (phase == tlm::BEGIN_RESP) {
            free_.push_back(&trans);
            if (--outstanding_ == 0) all_done_.notify(delay);
            return tlm::TLM_COMPLETED;
        }
        return tlm::TLM_ACCEPTED;
    }
};

}  // namespace

StandaloneResult StandaloneRunAt(const config::Config& cfg, const std::string& trace_path, stats::Registry& reg,
                                 const StandaloneOptions& opts) {
    refuse_request_log(cfg);
    auto mem = make_memory(cfg, reg, true);
    const uint64_t tck = mem->timing().tCK_ps;
    auto src = open_request_trace(trace_path, opts.format, trace_options(cfg, opts, tck));
    const uint64_t until = opts.until();
    AtTarget target("memory", *mem);
    target.set_horizon(until);
    TraceInitiator init("trace", *src, target, tck, until);
    init.socket.bind(target.socket);
    if (until == UINT64_MAX) sc_core::sc_start();
    else sc_core::sc_start(mem::sc_ps(until * tck));
    if (init.failure) std::rethrow_exception(init.failure);
    StandaloneResult res;
    res.requests = init.sent;
    if (opts.end_cycle) mem->idle_until(opts.end_cycle);
    res.end_ps = mem->end_ps();
    res.notes = src->notes();
    return res;
}

}  // namespace memsim::dram
