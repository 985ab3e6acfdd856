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
// burst, a transfer with its last descriptor. Optionally (descriptor_fetch, status_writeback) the
// descriptors are memory traffic too, as an SG engine's own master moves them (Xilinx PG021): each
// is read from the channel's ring before its first burst and its status word written after its
// last; the descriptor completes with that write. Bursts are issued in time order across channels, so a
// Port that models contention (SimpleMemory, the DRAM controller) sees them as the hardware would.
// Functional mode issues the same requests at time 0 and only counts.
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <queue>
#include <string>
#include <vector>

#include "models/interconnect/concurrency.h"
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
    // Per channel, in the order of `channels`; empty: every channel uses `burst` / `outstanding`
    // (AXI DMA sizes its MM2S and S2MM bursts apart, PL330 each channel's CCR.SRC/DST_BURST_LEN).
    std::vector<std::string> bursts;
    std::vector<std::string> outstanding_per_channel;
    // Descriptor traffic (see docs/dma.md "Descriptor traffic").
    bool descriptor_fetch = false;
    bool status_writeback = false;
    uint64_t descriptor_bytes = 64;
    uint64_t descriptor_prefetch = 1;
    uint64_t descriptor_ring_base = 0x80000;
    uint64_t descriptor_ring_slots = 256;
    uint64_t interrupt_cycles = 0;

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
        v(config::ParamSpec::list("bursts", "",
                                  "bytes per burst of each channel, in the order of `channels` (e.g. [64B, 256B]); "
                                  "empty: `burst` for all"),
          bursts);
        v(config::ParamSpec::list("outstanding_per_channel", "",
                                  "bursts in flight of each channel, in the order of `channels`; empty: `outstanding` "
                                  "for all"),
          outstanding_per_channel);
        v(config::ParamSpec::boolean("descriptor_fetch", "false",
                                     "read each descriptor from its ring in memory before moving its data (a "
                                     "scatter-gather engine's SG master)"),
          descriptor_fetch);
        v(config::ParamSpec::boolean("status_writeback", "false",
                                     "write each descriptor's status word back after its last burst; the descriptor "
                                     "completes with that write"),
          status_writeback);
        // PG021: 8 base words + 5 APP words = 52 bytes, aligned to 16 words (0x40).
        v(config::ParamSpec::size("descriptor_bytes", "64B", "bytes read per descriptor fetch (and the ring's stride)")
              .range(32, 4096),
          descriptor_bytes);
        v(config::ParamSpec::count("descriptor_prefetch", "1", "descriptors",
                                   "descriptors a channel may fetch ahead of the one moving data (0: the next fetch "
                                   "waits for the current descriptor's completion)")
              .range(0, 64),
          descriptor_prefetch);
        v(config::ParamSpec::size("descriptor_ring_base", "512KiB",
                                  "physical address of channel 0's descriptor ring; channel k's follows at base + k x "
                                  "slots x descriptor_bytes (default: inside os.low_reserved, never allocated)")
              .range(0, double(1ull << 48)),
          descriptor_ring_base);
        v(config::ParamSpec::count("descriptor_ring_slots", "256", "descriptors",
                                   "descriptors per channel ring; the n-th descriptor of a channel sits in slot n mod "
                                   "slots")
              .range(1, 1 << 20),
          descriptor_ring_slots);
        v(config::ParamSpec::count("interrupt_cycles", "0", "cycles",
                                   "CPU cycles of the completion interrupt's handler, one interrupt per transfer "
                                   "(Engine::take_interrupt_cycles)")
              .range(0, 1e9),
          interrupt_cycles);
    }
};

enum class Direction : uint8_t { MemToMem, DevToMem, MemToDev };

struct Descriptor {
    uint64_t src = 0;  // physical; ignored for DevToMem
    uint64_t dst = 0;  // physical; ignored for MemToDev
    uint64_t length = 0;
};

// What the engine reports when a transfer's last burst (or status write) has been issued (its
// completion time is then known: LT).
struct Completion {
    uint64_t transfer = 0;  // the id submit() returned
    unsigned channel = 0;
    uint64_t submit_ps = 0;
    uint64_t first_issue_ps = 0;                 // the first data burst's issue
    uint64_t done_ps = 0;                        // the last burst's completion, or the last status write's
    std::vector<uint64_t> descriptor_done_ps;    // per descriptor, in ring order (with its status write)
    uint64_t bytes = 0;                          // data bytes, without descriptor traffic
    uint64_t interrupt_cycles = 0;               // the handler's CPU cycles (dma.interrupt_cycles)
};

// Where a channel's descriptors live in physical memory: the n-th descriptor submitted on the
// channel is read from base + (n mod slots) x descriptor_bytes.
struct DescriptorRing {
    uint64_t base = 0;
    uint64_t slots = 1;
};

class Engine {
public:
    // PORT serves the bursts (the interconnect below the engine). TIMED: false for functional mode.
    // InputError naming the key for a bad channel name or a per-channel list of the wrong length or
    // with a bad value.
    Engine(const EngineParams& p, mem::Port& port, stats::Registry& r, bool timed = true);
    ~Engine();

    static constexpr unsigned kNoChannel = ~0u;
    unsigned channel(const std::string& name) const;  // kNoChannel when not declared
    const std::string& channel_name(unsigned c) const;
    unsigned channel_count() const;
    uint64_t burst(unsigned c) const;
    uint64_t outstanding(unsigned c) const;

    // Channel C's descriptor ring: by default from dma.descriptor_ring_base, the channels' rings one
    // after the other; a caller that allocates the ring itself (a driver's dma_alloc_coherent) sets
    // it before submitting. Used only with descriptor_fetch or status_writeback.
    const DescriptorRing& descriptor_ring(unsigned c) const;
    void set_descriptor_ring(unsigned c, DescriptorRing ring);
    // InputError naming dma.descriptor_ring_base when a ring in use does not fit in MEMORY_BYTES.
    void check_descriptor_rings(uint64_t memory_bytes) const;

    // Appends a transfer (a scatter-gather list) to channel C's ring, runnable from AT_PS. Returns
    // its id (1, 2, ...). A descriptor of length 0 is the caller's error (std::invalid_argument).
    uint64_t submit(unsigned c, Direction dir, std::vector<Descriptor> ring, uint64_t at_ps = 0);

    // Issues every burst whose issue time is <= UNTIL_PS (the SystemC shell calls it per quantum).
    void advance(uint64_t until_ps);
    // When the next burst, descriptor fetch or write may issue; kNever when none may before a
    // completion still to come (or nothing is submitted).
    uint64_t next_ps() const;

    // The approximately-timed machine (sim.protocol: at): each request runs in a thread of its own
    // (C) and waits at the memory, its completion not known at issue: a burst holds its slot, a
    // descriptor fetch its queue entry and the next fetch, until it completes. ON_SUBMIT is called
    // after each submit (the machine's DMA thread starts issuing). Null: loosely timed.
    void set_concurrency(mem::Concurrency* c, std::function<void()> on_submit) {
        conc_ = c;
        on_submit_ = std::move(on_submit);
    }
    static constexpr uint64_t kNever = ~uint64_t(0);
    // Issues everything submitted. Returns the time the last burst completes.
    uint64_t drain();

    // Adds a listener called as each transfer completes (see Completion); completions() keeps them too.
    void on_complete(std::function<void(const Completion&)> f) { on_complete_.push_back(std::move(f)); }
    const std::vector<Completion>& completions() const { return completions_; }
    // Nothing submitted is left to issue (every transfer submitted has completed).
    bool idle() const { return unfinished_ == 0; }

    // The CPU cycles of the completion interrupts raised by <= UNTIL_PS and not taken yet (one per
    // transfer, dma.interrupt_cycles each): the caller charges them to the core as it reaches that
    // time. Functional mode: every completion is at 0.
    uint64_t take_interrupt_cycles(uint64_t until_ps);
    bool interrupts_pending() const { return !interrupts_.empty(); }

private:
    struct Transfer;
    struct Channel;
    // A write due at a known time: the write half of a memory-to-memory burst (due when its read
    // data is back) or a descriptor's status write-back (due when its last burst completes).
    struct PendingWrite {
        uint64_t t;
        uint64_t seq;  // issue order among writes due at the same time
        Transfer* transfer;
        uint32_t desc;
        uint64_t addr;
        uint32_t size;
        uint64_t read_issue_ps;
        bool status;
        bool operator>(const PendingWrite& o) const { return t != o.t ? t > o.t : seq > o.seq; }
    };

    EngineParams p_;
    mem::Port& port_;
    bool timed_;
    bool round_robin_;
    bool fetch_;   // descriptor_fetch
    bool status_;  // status_writeback
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
    std::priority_queue<uint64_t, std::vector<uint64_t>, std::greater<uint64_t>> interrupts_;  // done times

    struct Stats {
        stats::Counter& bytes;
        stats::Counter& transfers;
        stats::Counter& bursts;
        stats::Counter& descriptor_fetches;
        stats::Counter& status_writes;
        stats::Counter& interrupts;
        stats::Distribution* latency = nullptr;  // timed only
        Stats(stats::Registry& r, bool timed);
    } stats_;

    mem::Concurrency* conc_ = nullptr;
    std::function<void()> on_submit_;
    // The earliest thing due and who: a write (writes_.top()), a channel's fetch or its burst.
    struct Next {
        uint64_t t = kNever;
        enum { None, Write, Fetch, Burst } what = None;
        unsigned channel = kNoChannel;
    };
    Next next() const;
    // Serves R at T through the port: at once, or approximately timed in a thread of its own;
    // then DONE(completion).
    void send(const mem::Request& r, uint64_t t, std::function<void(uint64_t)> done);
    uint64_t ready_at(const Channel& c) const;        // when C can issue its next burst; kNever if it cannot now
    uint64_t fetch_ready_at(const Channel& c) const;  // when C can fetch its next descriptor; kNever if not now
    void issue_burst(Channel& c, uint64_t t);
    void issue_fetch(Channel& c, uint64_t t);
    void issue_write(const PendingWrite& w);
    void burst_done(Channel& c, Transfer& tr, uint32_t desc, uint64_t start_ps, uint64_t done_ps);
    void descriptor_done(Channel& c, Transfer& tr, uint32_t desc, uint64_t done_ps);
    bool step(uint64_t until_ps);  // issues the earliest thing due by UNTIL_PS; false if none
};

}  // namespace memsim::dma
