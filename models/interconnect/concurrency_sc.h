#pragma once
// mem::Concurrency under SystemC (sim.protocol: at): work runs in SystemC threads taken from a
// pool that grows to the most ever busy at once (a dynamic process is made once, then reused:
// sc_spawn per access would cost a thread's creation each time), and completions are one event
// every waiter looks again after.
#include <exception>
#include <functional>
#include <memory>
#include <vector>

#include <systemc>

#include "models/interconnect/concurrency.h"

namespace memsim::mem {

class ScConcurrency final : public Concurrency {
public:
    void spawn(std::function<void()> work) override;
    void wait_completion() override { sc_core::wait(completed_); }
    void wait_completion_until(uint64_t ps) override;
    void completed() override { completed_.notify(sc_core::SC_ZERO_TIME); }
    void wait_until(uint64_t ps) override;
    uint64_t now_ps() const override { return uint64_t(sc_core::sc_time_stamp().value()); }

    // The first exception a spawned thread threw (the simulation was stopped), to rethrow after
    // sc_start: out of a SystemC process it would become a report of SystemC's own.
    std::exception_ptr failure() const { return failure_; }
    // Suspends the calling thread (not one of the pool's) until no work is left running: the
    // posted writes and prefetches the last accesses sent too.
    void wait_idle() {
        while (idle_.size() < workers_.size()) sc_core::wait(went_idle_);
    }

private:
    struct Worker {
        sc_core::sc_event go;
        std::function<void()> work;
    };
    std::vector<std::unique_ptr<Worker>> workers_;
    std::vector<Worker*> idle_;
    sc_core::sc_event completed_, went_idle_;
    std::exception_ptr failure_;

    void serve(Worker* w);
};

}  // namespace memsim::mem
