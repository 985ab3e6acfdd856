// The DDR3 controller's TLM-2.0 AT target (models/dram/at_target_sc.h) under SystemC. SystemC
// elaborates once per process, so one test case builds five independent systems (a scripted
// initiator, a target, a controller each) and runs them in one sc_start. Part MT8KTF51264HZ-1G6
// (tCK 1.25 ns, tRCD = CL = tRP = 11, tRAS 28, tRRD 5, tCCD 4, BL/2 4), the generic FR-FCFS
// controller with its shared queue (a request's first command on its arrival clock).
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "models/dram/at_target_sc.h"
#include "tests/models/dram/dram_test_util.h"

using namespace memsim;
using namespace memsim::dram;

namespace {

constexpr uint64_t kTck = 1250;  // ps

uint64_t nck(const sc_core::sc_time& t) { return t.value() / kTck; }

// Sends its requests in order, each at its time but not before the previous one's END_REQ, and
// records when END_REQ and BEGIN_RESP come back. HOLD_RESP > 0: answers BEGIN_RESP with
// TLM_ACCEPTED and sends END_RESP that many clocks later (the target must then hold its next
// response to this initiator).
class Scripted : public sc_core::sc_module {
public:
    struct Req {
        uint64_t at_ck, addr;
        bool write;
    };
    tlm_utils::simple_initiator_socket<Scripted> socket;
    std::vector<uint64_t> end_req_ck, resp_ck;  // by request
    std::vector<size_t> resp_order;

    Scripted(sc_core::sc_module_name name, std::vector<Req> reqs, uint64_t hold_resp = 0)
        : sc_module(name), socket("socket"), reqs_(std::move(reqs)), hold_resp_(hold_resp) {
        end_req_ck.assign(reqs_.size(), UINT64_MAX);
        resp_ck.assign(reqs_.size(), UINT64_MAX);
        payloads_ = std::make_unique<tlm::tlm_generic_payload[]>(reqs_.size());
        socket.register_nb_transport_bw(this, &Scripted::nb_transport_bw);
        SC_THREAD(run);
    }

private:
    SC_HAS_PROCESS(Scripted);
    std::vector<Req> reqs_;
    uint64_t hold_resp_;
    std::unique_ptr<tlm::tlm_generic_payload[]> payloads_;  // not copyable: one array, indexed
    unsigned char data_[64] = {};
    sc_core::sc_event end_req_;
    bool open_ = false;

    size_t index(const tlm::tlm_generic_payload& t) const { return size_t(&t - payloads_.get()); }

    void run() {
        for (size_t i = 0; i < reqs_.size(); ++i) {
            const sc_core::sc_time at = sc_core::sc_time::from_value(reqs_[i].at_ck * kTck);
            if (at > sc_core::sc_time_stamp()) wait(at - sc_core::sc_time_stamp());
            tlm::tlm_generic_payload& p = payloads_[i];
            p.set_command(reqs_[i].write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
            p.set_address(reqs_[i].addr);
            p.set_data_ptr(data_);
            p.set_data_length(64);
            p.set_streaming_width(64);
            open_ = true;
            tlm::tlm_phase phase = tlm::BEGIN_REQ;
            sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
            socket->nb_transport_fw(p, phase, delay);
            if (open_) wait(end_req_);
        }
    }

    void end_resp(tlm::tlm_generic_payload* p) {
        tlm::tlm_phase phase = tlm::END_RESP;
        sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
        socket->nb_transport_fw(*p, phase, delay);
    }

    tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& t, tlm::tlm_phase& phase, sc_core::sc_time& delay) {
        const size_t i = index(t);
        if (phase == tlm::END_REQ) {
            end_req_ck[i] = nck(sc_core::sc_time_stamp() + delay);
            open_ = false;
            end_req_.notify(delay);
            return tlm::TLM_ACCEPTED;
        }
        resp_ck[i] = nck(sc_core::sc_time_stamp() + delay);
        resp_order.push_back(i);
        if (!hold_resp_) return tlm::TLM_COMPLETED;
        sc_core::sc_spawn([this, &t] {
            wait(sc_core::sc_time::from_value(hold_resp_ * kTck));
            end_resp(&t);
        });
        return tlm::TLM_ACCEPTED;
    }
};

// A loosely-timed initiator: one b_transport read annotated AT_CK clocks ahead.
class Blocking : public sc_core::sc_module {
public:
    tlm_utils::simple_initiator_socket<Blocking> socket;
    uint64_t returned_ck = 0, delay_after = 1;
    Blocking(sc_core::sc_module_name name, uint64_t addr, uint64_t at_ck)
        : sc_module(name), socket("socket"), addr_(addr), at_ck_(at_ck) {
        SC_THREAD(run);
    }

private:
    SC_HAS_PROCESS(Blocking);
    uint64_t addr_, at_ck_;
    unsigned char data_[64] = {};
    void run() {
        tlm::tlm_generic_payload p;
        p.set_command(tlm::TLM_READ_COMMAND);
        p.set_address(addr_);
        p.set_data_ptr(data_);
        p.set_data_length(64);
        p.set_streaming_width(64);
        sc_core::sc_time delay = sc_core::sc_time::from_value(at_ck_ * kTck);
        socket->b_transport(p, delay);
        returned_ck = nck(sc_core::sc_time_stamp());
        delay_after = delay.value();
    }
};

// One payload for every request: the next BEGIN_REQ goes out with it in the same instant as the
// previous transaction's END_RESP (allowed: END_RESP ends the transaction).
class Reusing : public sc_core::sc_module {
public:
    tlm_utils::simple_initiator_socket<Reusing> socket;
    std::vector<uint64_t> resp_ck;
    Reusing(sc_core::sc_module_name name, std::vector<uint64_t> addrs)
        : sc_module(name), socket("socket"), addrs_(std::move(addrs)) {
        socket.register_nb_transport_bw(this, &Reusing::nb_transport_bw);
        SC_THREAD(run);
    }

private:
    SC_HAS_PROCESS(Reusing);
    std::vector<uint64_t> addrs_;
    tlm::tlm_generic_payload p_;
    unsigned char data_[64] = {};
    sc_core::sc_event end_req_, resp_;
    void run() {
        for (uint64_t a : addrs_) {
            p_.set_command(tlm::TLM_READ_COMMAND);
            p_.set_address(a);
            p_.set_data_ptr(data_);
            p_.set_data_length(64);
            p_.set_streaming_width(64);
            tlm::tlm_phase phase = tlm::BEGIN_REQ;
            sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
            socket->nb_transport_fw(p_, phase, delay);
            wait(end_req_);
            wait(resp_);
            phase = tlm::END_RESP;
            socket->nb_transport_fw(p_, phase, delay);
        }
    }
    tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload&, tlm::tlm_phase& phase, sc_core::sc_time& delay) {
        if (phase == tlm::END_REQ) {
            end_req_.notify(delay);
        } else {
            resp_ck.push_back(nck(sc_core::sc_time_stamp() + delay));
            resp_.notify(delay);
        }
        return tlm::TLM_ACCEPTED;
    }
};

struct System {
    stats::Registry reg;
    std::unique_ptr<Channels> mem;
    Controller* ctl = nullptr;
    std::unique_ptr<AtTarget> target;
    System(const char* name, GenericControllerParams p) {
        std::vector<std::unique_ptr<Controller>> one;
        one.push_back(std::make_unique<Controller>(ddr3_preset("MT8KTF51264HZ-1G6"), p, reg));
        mem = std::make_unique<Channels>(std::move(one), reg);
        ctl = &mem->channel(0);
        ctl->keep_commands(true);
        target = std::make_unique<AtTarget>(name, *mem);
    }
    uint64_t addr(uint32_t bank, uint32_t row, uint32_t col = 0) const {
        return ctl->address_map().encode({0, bank, row, col});
    }
};

GenericControllerParams shared(uint64_t depth = 32) {
    GenericControllerParams p = memsim::dram::testing::generic_defaults();
    p.queue = "shared";
    p.queue_depth = depth;
    return p;
}

}  // namespace

TEST_CASE("AT target: FR-FCFS reorders outstanding reads and a full queue withholds END_REQ and b_transport "
          "waits and responses wait for END_RESP and a payload is reused at its END_RESP",
          "[dram][tlm]") {
    // A: three reads at clock 0 to bank 0: R0 row 1, R1 row 2, R2 row 1 again. R0: ACT 0, RD 11,
    // data 11 + CL + BL/2 = 26. R2 hits R0's open row: RD at 11 + tCCD = 15, data 30, before R1,
    // whose row needs PRE and ACT: responses R0, R2, R1.
    System a("a_mem", shared());
    Scripted ai("a_init", {{0, a.addr(0, 1), false}, {0, a.addr(0, 2), false}, {0, a.addr(0, 1, 8), false}});
    ai.socket.bind(a.target->socket);
    // B: a 2-entry read queue, four reads at clock 0 to bank 0 rows 1..4. R0 and R1 are accepted
    // at once; R2 waits for a slot: R0's RD at 11 frees one, so END_REQ for R2 at 11; R3 waits
    // for R1's column command.
    System b("b_mem", shared(2));
    Scripted bi("b_init", {{0, b.addr(0, 1), false}, {0, b.addr(0, 2), false}, {0, b.addr(0, 3), false},
                           {0, b.addr(0, 4), false}});
    bi.socket.bind(b.target->socket);
    // C: a loosely-timed read annotated 800 clocks (1 us) ahead: ACT 800, RD 811, data 826: the
    // call returns at 826 nCK = 1032.5 ns with its delay consumed.
    System c("c_mem", shared());
    Blocking ci("c_init", c.addr(3, 7), 800);
    ci.socket.bind(c.target->socket);
    // D: R0 bank 0 (ACT 0, RD 11, data 26) and R1 bank 1 at clock 0 (ACT at tRRD 5, RD 16, data
    // 31). The initiator answers BEGIN_RESP with TLM_ACCEPTED and its END_RESP 8 clocks later:
    // R1's response waits for R0's END_RESP at 34.
    System d("d_mem", shared());
    Scripted di("d_init", {{0, d.addr(0, 1), false}, {0, d.addr(1, 1), false}}, 8);
    di.socket.bind(d.target->socket);

    // E: one payload reused for three reads of one row: R0 ACT 0, RD 11, data 26; R1 sent at its
    // END_RESP (26), a row hit: RD 26, data 41; R2 likewise: RD 41, data 56.
    System e("e_mem", shared());
    Reusing ei("e_init", {e.addr(0, 1), e.addr(0, 1, 8), e.addr(0, 1, 16)});
    ei.socket.bind(e.target->socket);

    sc_core::sc_start();

    CHECK(ai.resp_order == std::vector<size_t>{0, 2, 1});
    CHECK(ai.resp_ck[0] == 26);
    CHECK(ai.resp_ck[2] == 30);
    CHECK(ai.end_req_ck == std::vector<uint64_t>{0, 0, 0});

    CHECK(bi.end_req_ck[0] == 0);
    CHECK(bi.end_req_ck[1] == 0);
    CHECK(bi.end_req_ck[2] == 11);
    CHECK(bi.end_req_ck[3] > 11);
    CHECK(bi.resp_order == std::vector<size_t>{0, 1, 2, 3});

    CHECK(ci.returned_ck == 826);
    CHECK(ci.delay_after == 0);

    CHECK(di.resp_ck[0] == 26);
    CHECK(di.resp_ck[1] == 34);

    CHECK(ei.resp_ck == std::vector<uint64_t>{26, 41, 56});

    for (System* s : {&a, &b, &c, &d, &e}) {
        auto v = check_commands(s->ctl->timing(), s->ctl->commands(), 0);
        for (size_t i = 0; i < v.size() && i < 5; ++i) UNSCOPED_INFO(v[i].message);
        CHECK(v.empty());
    }
}
