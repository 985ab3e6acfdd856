#define SC_INCLUDE_DYNAMIC_PROCESSES
#include "models/interconnect/concurrency_sc.h"

#include <string>

#include "models/interconnect/tlm_port_sc.h"

namespace memsim::mem {

void ScConcurrency::spawn(std::function<void()> work) {
    if (!idle_.empty()) {
        Worker* w = idle_.back();
        idle_.pop_back();
        w->work = std::move(work);
        w->go.notify(sc_core::SC_ZERO_TIME);
        return;
    }
    workers_.push_back(std::make_unique<Worker>());
    Worker* w = workers_.back().get();
    w->work = std::move(work);
    sc_core::sc_spawn_options opts;
    // A page fault's handler runs in the access's thread: the kernel model's frames on top of the
    // caches' and the walker's want more than SystemC's default 64 KiB.
    opts.set_stack_size(1 << 20);
    sc_core::sc_spawn([this, w] { serve(w); }, ("access" + std::to_string(workers_.size())).c_str(), &opts);
}

void ScConcurrency::serve(Worker* w) {
    for (;;) {
        std::function<void()> work = std::move(w->work);
        w->work = nullptr;
        if (!failure_) {
            try {
                work();
            } catch (...) {
                failure_ = std::current_exception();
                sc_core::sc_stop();
            }
        }
        idle_.push_back(w);
        went_idle_.notify(sc_core::SC_ZERO_TIME);
        sc_core::wait(w->go);
    }
}

void ScConcurrency::wait_completion_until(uint64_t ps) {
    const uint64_t now = now_ps();
    if (ps == kPending) sc_core::wait(completed_);
    else if (ps > now) sc_core::wait(sc_ps(ps - now), completed_);
}

void ScConcurrency::wait_until(uint64_t ps) {
    const uint64_t now = now_ps();
    if (ps > now) sc_core::wait(sc_ps(ps - now));
}

}  // namespace memsim::mem
