#pragma once
// Main memory as memory.channels independent channels, each its own controller, command and data
// bus and DIMM (a dual-channel laptop: two SODIMMs; NetFPGA-SUME: two SODIMMs, a MIG core each).
// The address map's Ch field picks the channel (address_map.h); nothing is shared between
// channels, so each is simulated on its own and only brought up to date when a request reaches it
// or the run ends.
//
// Statistics: with one channel the controller's own dram.* (unchanged); with several, each
// channel's under dram.chN.* and the whole memory's under the stable dram.* names: counters
// summed (dram.end_ps and dram.cycles: the latest channel's), distributions merged, bandwidth =
// all bytes / dram.end_ps, latency averages and percentiles over every channel's reads, bus
// utilisation = busy data-bus cycles / channel cycles, power = total energy / dram.cycles.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "models/dram/controller.h"
#include "models/dram/request_trace.h"
#include "sim/config/config.h"
#include "sim/stats/stats.h"

namespace memsim::dram {

class Channels final : public mem::Port {
public:
    // CONTROLLERS[i] serves channel i (built with ChannelSlot{i, size}); REG receives the
    // whole memory's dram.* when there are several.
    Channels(std::vector<std::unique_ptr<Controller>> controllers, stats::Registry& reg);

    // mem::Port, loosely timed: each 64-byte burst goes to its channel's controller; the request
    // completes with its last burst.
    uint64_t access(const mem::Request& r, uint64_t issue_ps) override;

    size_t size() const { return ctl_.size(); }
    Controller& channel(size_t i) { return *ctl_[i]; }
    const Controller& channel(size_t i) const { return *ctl_[i]; }
    Controller& channel_for(uint64_t addr) { return *ctl_[ctl_.size() > 1 ? map().channel(addr) : 0]; }

    // Event-driven use (standalone traces, the AT target), as Controller's, across the channels.
    bool can_accept(uint64_t addr, bool write) { return channel_for(addr).can_accept(addr, write); }
    void enqueue(uint64_t id, uint64_t addr, bool write, uint64_t arrival_cycle) {
        channel_for(addr).enqueue(id, addr, write, arrival_cycle);
    }
    void run_until(uint64_t limit);
    void drain();  // then align_ends()
    // The channels share the run's clock: each is brought to the latest one's end and counts the
    // whole run (its background energy, the refreshes and MIG periodic reads due meanwhile), as
    // a DRAMSim3 run clocks every channel alike. The end of the run: rows a channel kept open for
    // a request that might still hit them close (Controller::idle_until).
    void align_ends();
    void idle_until(uint64_t end);
    bool reads_queued() const;
    uint64_t end_ps() const;
    void set_on_done(const std::function<void(uint64_t, uint64_t)>& f);
    void keep_commands(bool on);
    // Keeps every burst access() receives, at its arrival clock, for write_request_log (memory.request_log).
    void log_requests(const std::string& path);
    // Keeps the bursts of a request arriving at CYCLE for the log, if one is kept: access() does,
    // and the AT target (at_target_sc.h) for what it takes.
    void log_arrival(uint64_t addr, uint32_t size, bool write, uint64_t cycle);
    // Writes the kept requests to the log in arrival order (equal clocks: as received). A
    // loosely timed machine sends some late (a page walk's access after later ones), so they are
    // held until the run ends, 24 bytes each.
    void write_request_log();
    // The timing every channel keeps (one part for all).
    const Ddr3Timing& timing() const { return ctl_[0]->timing(); }
    const AddressMap& map() const { return ctl_[0]->address_map(); }

    ~Channels() override;

private:
    std::vector<std::unique_ptr<Controller>> ctl_;
    PortHold hold_;  // the memory's one port: a request waiting for its channel's queue holds every channel
    std::string log_path_;
    std::vector<TraceRequest> log_;

    void declare_totals(stats::Registry& reg);
};

// The memory memory.model names (ddr3: the generic controller, memory.generic; mig: the MIG
// 7-series rules, memory.mig) on the part memory.ddr3.part, memory.channels of them. TIMED false:
// functional mode (counts only). memory.request_log is the machine's to set up (log_requests).
std::unique_ptr<Channels> make_memory(const config::Config& cfg, stats::Registry& reg, bool timed = true);

}  // namespace memsim::dram
