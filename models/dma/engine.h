#pragma once
// A scatter-gather DMA engine (in the manner of the ARM PL330 / Xilinx AXI DMA / Intel IOAT
// channels): named channels, each with a descriptor ring processed in order; every descriptor
// {src, dst, length} is cut into bursts of `burst` bytes that the engine issues on the memory side
// (a mem::Port), at most `outstanding` bursts in flight per channel and one burst per engine clock
// across all channels; when several channels could issue in the same cycle the arbitration decides
// (fixed priority in declaration order, or round robin).
//
//   memory to memory: a burst reads src, then writes dst when the read data is back; its slot is
//                     held until the write completes;
//   device to memory: writes of dst only (the data comes from the device's FIFO);
//   memory to device: reads of src only.
//
// Loosely timed: a burst issues at max(its transfer's submission, a free slot on its channel, the
// next engine cycle); the Port returns its completion time; a descriptor completes with its last
// burst, a transfer with its last descriptor. Bursts are issued in time order across channels, so a
// Port that models contention (SimpleMemory, the DRAM controller) sees them as the hardware would.
// Functional mode issues the same requests at time 0 and only counts.
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <queue>
#include <string>
#include <vector>

#include "models/interconnect/port.h"
#include "sim/config/param.h"
#include "sim/stats/stats.h"

namespace memsim::dma {

// Section "dma".
struct EngineParams {
    std::vector<std::string> channels{"dma0"};
    uint64_t burst = 64;
    uint64_t outstanding = 4;
    double clock_hz = 1e9;
    std::string arbitration = "fixed";

    void visit(config::ParamVisitor& v) {
        v(config::ParamSpec::list("channels", "dma0",
                                  "channel names, highest priority first; a `dma DEVICE ...` trace event runs on the "
                                  "channel named DEVICE"),
          channels);
        // 64 bytes: one cache line, an AXI INCR burst of 8 beats on a 64-bit bus.
        v(config::ParamSpec::size("burst", "64B", "bytes per burst (one memory request)").range(1, 1 << 20), burst);
        v(config::ParamSpec::count("outstanding", "4", "bursts", "bursts in flight per channel at most").range(1, 1024),
          outstanding);
        v(config::ParamSpec::frequency("clock", "1GHz", "engine clock: one burst issued per cycle over all channels")
              .range(1e3, 1e12),
          clock_hz);
        v(config::ParamSpec::choice("arbitration", "fixed", {"fixed", "round_robin"},
                                    "who issues when several channels are ready in the same cycle: the first declared "
                                    "(fixed priority) or the next after the last one granted (round robin)"),
          arbitration);
    }
};

enum class Direction : uint8_t { MemToMem, DevToMem, MemToDev };

struct Descriptor {
    uint64_t src = 0;  // physical; ignored for DevToMem
    uint64_t dst = 0;  // physical; ignored for MemToDev
    uint64_t length = 0;
};

// What the engine reports when a transfer's last burst has been issued (its completion time is then
// known: LT).
struct Completion {
    uint64_t transfer = 0;  // the id submit() returned
    unsigned channel = 0;
    uint64_t submit_ps = 0;
    uint64_t first_issue_ps = 0;
    uint64_t done_ps = 0;                        // the last burst's completion
    std::vector<uint64_t> descriptor_done_ps;    // per descriptor, in ring order
    uint64_t bytes = 0;
};

class Engine {
public:
    // PORT serves the bursts (the interconnect below the engine). TIMED: false for functional mode.
    Engine(const EngineParams& p, mem::Port& port, stats::Registry& r, bool timed = true);
    ~Engine();

    static constexpr unsigned kNoChannel = ~0u;
    unsigned channel(const std::string& name) const;  // kNoChannel when not declared
    const std::string& channel_name(unsigned c) const;
    unsigned channel_count() const;

    // Appends a transfer (a scatter-gather list) to channel C's ring, runnable from AT_PS. Returns
    // its id (1, 2, ...). A descriptor of length 0 is the caller's error (std::invalid_argument).
    uint64_t submit(unsigned c, Direction dir, std::vector<Descriptor> ring, uint64_t at_ps = 0);

    // Issues every burst whose issue time is <= UNTIL_PS (the SystemC shell calls it per quantum).
    void advance(uint64_t until_ps);
    // Issues everything submitted. Returns the time the last burst completes.
    uint64_t drain();

    // Adds a listener called as each transfer completes (see Completion); completions() keeps them too.
    void on_complete(std::function<void(const Completion&)> f) { on_complete_.push_back(std::move(f)); }
    const std::vector<Completion>& completions() const { return completions_; }
    // Nothing submitted is left to issue (every transfer submitted has completed).
    bool idle() const { return unfinished_ == 0; }

private:
    struct Transfer;
    struct Channel;
    // The write half of a memory-to-memory burst, due when its read data is back.
    struct PendingWrite {
        uint64_t t;
        uint64_t seq;  // issue order among writes due at the same time
        Transfer* transfer;
        uint32_t desc;
        uint64_t addr;
        uint32_t size;
        uint64_t read_issue_ps;
        bool operator>(const PendingWrite& o) const { return t != o.t ? t > o.t : seq > o.seq; }
    };

    EngineParams p_;
    mem::Port& port_;
    bool timed_;
    bool round_robin_;
    uint64_t cycle_ps_;
    std::vector<std::unique_ptr<Channel>> ch_;
    std::priority_queue<PendingWrite, std::vector<PendingWrite>, std::greater<PendingWrite>> writes_;
    uint64_t write_seq_ = 0;
    uint64_t next_issue_ps_ = 0;  // the engine's issue stage: one burst per cycle
    unsigned rr_next_ = 0;
    uint64_t next_transfer_ = 1;
    uint64_t unfinished_ = 0;  // transfers submitted and not completed
    std::vector<std::function<void(const Completion&)>> on_complete_;
    std::vector<Completion> completions_;

    struct Stats {
        stats::Counter& bytes;
        stats::Counter& transfers;
        stats::Counter& bursts;
        stats::Distribution* latency = nullptr;  // timed only
        Stats(stats::Registry& r, bool timed);
    } stats_;

    static constexpr uint64_t kNever = ~uint64_t(0);
    uint64_t ready_at(Channel& c) const;  // when C can issue its next burst; kNever if it cannot now
    void issue_burst(Channel& c, uint64_t t);
    void issue_write(const PendingWrite& w);
    void burst_done(Channel& c, Transfer& tr, uint32_t desc, uint64_t start_ps, uint64_t done_ps);
    bool step(uint64_t until_ps);  // issues the earliest thing due by UNTIL_PS; false if none
};

}  // namespace memsim::dma
