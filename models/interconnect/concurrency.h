#pragma once
// What a plain model needs to run under the approximately-timed machine (sim.protocol: at).
//
// Loosely timed (the default), an access runs to completion inside one call: every time a model
// keeps (a line's fill, an MSHR's, a page walker's) is known when it is stored. Under
// `sim.protocol: at` each outstanding access runs in a SystemC thread of its own and waits at the
// memory for its approximately-timed response, so while one access is suspended below a cache,
// another runs through it. A model then marks what an access in flight holds with kPending (a
// line allocated before its fill is known, an MSHR, a walker) and a second access that needs it
// waits for a completion; work the requester does not wait for (a posted write-back, a prefetch)
// runs in a thread of its own. Models hold a null Concurrency when loosely timed and keep their
// loosely-timed code there.
#include <cstdint>
#include <functional>

namespace memsim::mem {

class Concurrency {
public:
    // A time not known yet: the completion of something still in flight.
    static constexpr uint64_t kPending = ~uint64_t(0);

    virtual ~Concurrency() = default;
    // Runs WORK in a thread of its own, starting now (simulated time); the caller goes on.
    virtual void spawn(std::function<void()> work) = 0;
    // Suspends the calling thread until something in flight reports a completion (completed()).
    // The caller looks again at what it waits for: a completion may be another's.
    virtual void wait_completion() = 0;
    // The same, or until simulated time PS if nothing completes sooner (kPending: no limit).
    virtual void wait_completion_until(uint64_t ps) = 0;
    // Reports a completion (a kPending time became known): wakes every waiter.
    virtual void completed() = 0;
    // Suspends the calling thread until simulated time PS (at once if it has passed).
    virtual void wait_until(uint64_t ps) = 0;
    // The present, in ps.
    virtual uint64_t now_ps() const = 0;
};

}  // namespace memsim::mem
