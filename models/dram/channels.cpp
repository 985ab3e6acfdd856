#include "models/dram/channels.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>

#include "models/dram/memory.h"
#include "sim/core/error.h"

namespace memsim::dram {

Channels::Channels(std::vector<std::unique_ptr<Controller>> controllers, stats::Registry& reg)
    : ctl_(std::move(controllers)) {
    for (auto& c : ctl_) c->share_port_hold(&hold_);
    declare_totals(reg);
}

Channels::~Channels() {
    try {
        write_request_log();
    } catch (...) {  // (a destructor cannot report it; Machine::finish writes the log first)
    }
}

void Channels::log_requests(const std::string& path) {
    log_path_ = path;
    std::ofstream probe(path);
    if (!probe) throw InputError("memory.request_log: cannot write '" + path + "'");
}

void Channels::write_request_log() {
    if (log_path_.empty()) return;
    std::stable_sort(log_.begin(), log_.end(),
                     [](const TraceRequest& a, const TraceRequest& b) { return a.cycle < b.cycle; });
    std::ofstream out(log_path_);
    out << "# memory requests of a memsim run: 0xADDR READ|WRITE CYCLE (DRAMSim3's trace format), part "
        << timing().part << ", tCK " << timing().tCK_ps << " ps\n";
    char line[64];
    for (const auto& q : log_) {
        std::snprintf(line, sizeof line, "0x%llx %s %llu\n", static_cast<unsigned long long>(q.addr),
                      q.write ? "WRITE" : "READ", static_cast<unsigned long long>(q.cycle));
        out << line;
    }
    if (!out) throw SimulationError("memory.request_log: writing '" + log_path_ + "' failed");
    log_path_.clear();
    log_.clear();
    log_.shrink_to_fit();
}

void Channels::log_arrival(uint64_t addr, uint32_t size, bool write, uint64_t cycle) {
    if (log_path_.empty()) return;
    const uint64_t burst = timing().burst_bytes();
    const uint64_t first = addr / burst, last = (addr + std::max<uint32_t>(size, 1) - 1) / burst;
    for (uint64_t b = first; b <= last; ++b) log_.push_back({cycle, b * burst, write});
}

uint64_t Channels::access(const mem::Request& r, uint64_t issue_ps) {
    // Each burst at the clock the controller takes it as arriving (Controller::access).
    const uint64_t tck = timing().tCK_ps;
    log_arrival(r.addr, r.size, mem::is_write(r.kind), (issue_ps + tck - 1) / tck);
    if (ctl_.size() == 1) return ctl_[0]->access(r, issue_ps);
    const uint64_t burst = timing().burst_bytes();
    const uint64_t first = r.addr / burst, last = (r.addr + std::max<uint32_t>(r.size, 1) - 1) / burst;
    if (first == last) return channel_for(r.addr).access(r, issue_ps);
    uint64_t done = issue_ps;
    for (uint64_t b = first; b <= last; ++b) {
        const uint64_t lo = std::max(r.addr, b * burst), hi = std::min(r.addr + r.size, (b + 1) * burst);
        mem::Request part{lo, uint32_t(hi - lo), r.kind};
        done = std::max(done, channel_for(lo).access(part, issue_ps));
    }
    r.served_by = mem::kServedByMemory;
    return done;
}

void Channels::run_until(uint64_t limit) {
    for (auto& c : ctl_) c->run_until(limit);
}

void Channels::drain() {
    for (auto& c : ctl_) c->drain();
    align_ends();
}

void Channels::align_ends() {
    uint64_t end = 0;
    for (const auto& c : ctl_) end = std::max(end, c->cycles());
    for (auto& c : ctl_) c->idle_until(end);
}

void Channels::idle_until(uint64_t end) {
    for (auto& c : ctl_) c->idle_until(end);
}

bool Channels::reads_queued() const {
    return std::any_of(ctl_.begin(), ctl_.end(), [](const auto& c) { return c->reads_queued(); });
}

uint64_t Channels::end_ps() const {
    uint64_t e = 0;
    for (const auto& c : ctl_) e = std::max(e, c->end_ps());
    return e;
}

void Channels::set_on_done(const std::function<void(uint64_t, uint64_t)>& f) {
    for (auto& c : ctl_) c->on_done = f;
}

void Channels::keep_commands(bool on) {
    for (auto& c : ctl_) c->keep_commands(on);
}

// The whole memory's dram.* from the channels' dram.chN.*, for every statistic channel 0 has
// (the per-bank dram.chN.rankR.bankB.* stay per channel). Everything is read from the registry's
// own statistics, which outlive the controllers.
void Channels::declare_totals(stats::Registry& reg) {
    if (ctl_.size() < 2) return;
    struct PerChannel {
        const stats::StatInfo* info = nullptr;  // channel 0's: unit, kind, description
        std::vector<const stats::Counter*> counters;
        std::vector<const stats::Distribution*> distributions;
        std::vector<std::function<double()>> formulas;
    };
    std::vector<std::string> order;
    std::map<std::string, PerChannel> by_name;
    for (const stats::StatInfo& s : reg.all())
        for (size_t i = 0; i < ctl_.size(); ++i) {
            const std::string prefix = ChannelSlot{uint32_t(i), uint32_t(ctl_.size())}.stats_prefix();
            if (s.name.compare(0, prefix.size(), prefix) != 0) continue;
            const std::string name = s.name.substr(prefix.size());
            if (name.compare(0, 4, "rank") == 0) continue;
            PerChannel& p = by_name[name];
            if (i == 0) {
                order.push_back(name);
                p.info = &s;
            }
            if (s.counter) p.counters.push_back(s.counter);
            if (s.distribution) p.distributions.push_back(s.distribution);
            if (s.formula) p.formulas.push_back(s.formula);
        }
    auto sum = [&](const std::string& n) {
        std::vector<const stats::Counter*> cs = by_name.at(n).counters;
        return [cs] {
            double v = 0;
            for (const auto* c : cs) v += double(c->value());
            return v;
        };
    };
    auto latest = [&](const std::string& n) {
        std::vector<const stats::Counter*> cs = by_name.at(n).counters;
        return [cs] {
            uint64_t v = 0;
            for (const auto* c : cs) v = std::max(v, c->value());
            return double(v);
        };
    };
    auto merged = [&](const std::string& n) {
        std::vector<const stats::Distribution*> ds = by_name.at(n).distributions;
        return [ds] {
            stats::Distribution d;
            for (const auto* x : ds) d.merge(*x);
            return d;
        };
    };
    const double tck_ns = double(timing().tCK_ps) / 1000.0;
    // The formulas that are not sums (controller.cpp declares them per channel, timed runs only).
    std::map<std::string, std::function<double()>> ratio;
    const std::map<std::string, std::string> ratio_desc = {
        {"bandwidth_bytes_per_s", "bytes read and written on every channel / dram.end_ps"},
        {"read_latency_avg_ns", "mean read latency over every channel's reads"},
        {"read_latency_p50_ns", "median read latency over every channel's reads"},
        {"read_latency_p99_ns", "99th percentile read latency over every channel's reads"},
        {"bus_utilisation", "data-bus cycles carrying bursts / clocks, summed over channels"},
        {"power_mw", "average DRAM core power of every channel: dram.energy.total / dram.cycles"}};
    if (by_name.count("end_ps")) {
        auto bytes_read = sum("bytes_read");
        auto bytes_written = sum("bytes_written");
        auto end = latest("end_ps");
        ratio["bandwidth_bytes_per_s"] = [=] { return end() ? (bytes_read() + bytes_written()) * 1e12 / end() : 0.0; };
        auto lat = merged("read_latency_ns");
        ratio["read_latency_avg_ns"] = [=] { return lat().mean(); };
        ratio["read_latency_p50_ns"] = [=] { return lat().percentile(50); };
        ratio["read_latency_p99_ns"] = [=] { return lat().percentile(99); };
        auto busy = sum("data_bus_cycles");
        auto cycles = sum("cycles");
        auto last = latest("cycles");
        ratio["bus_utilisation"] = [=] { return cycles() ? busy() / cycles() : 0.0; };
        std::vector<std::function<double()>> energy = by_name.at("energy.total").formulas;
        ratio["power_mw"] = [=] {
            double pj = 0;
            for (const auto& e : energy) pj += e();
            return last() ? pj / (last() * tck_ns) : 0.0;
        };
    }
    for (const std::string& n : order) {
        const PerChannel& p = by_name.at(n);
        const stats::StatInfo& s = *p.info;
        const std::string desc = s.description + " (all channels)";
        if (s.kind == stats::Kind::Distribution) {
            reg.distribution_formula("dram." + n, s.unit, desc, merged(n));
        } else if (s.kind == stats::Kind::Counter) {
            const bool time = n == "end_ps" || n == "cycles";
            reg.formula("dram." + n, s.unit, time ? s.description + " (the latest channel)" : desc,
                        time ? std::function<double()>(latest(n)) : std::function<double()>(sum(n)));
        } else if (ratio.count(n)) {
            reg.formula("dram." + n, s.unit, ratio_desc.at(n), ratio.at(n));
        } else {
            std::vector<std::function<double()>> fs = p.formulas;
            reg.formula("dram." + n, s.unit, desc, [fs] {
                double v = 0;
                for (const auto& f : fs) v += f();
                return v;
            });
        }
    }
}

std::unique_ptr<Channels> make_memory(const config::Config& cfg, stats::Registry& reg, bool timed) {
    auto mem = cfg.section<MemoryParams>("memory");
    if (mem.model != "ddr3" && mem.model != "mig")
        throw InputError("memory.model is '" + mem.model + "': a DRAM controller needs memory.model: ddr3 or mig");
    Ddr3Timing t = ddr3_part(cfg.section<Ddr3Params>("memory.ddr3"));
    if (mem.model == "mig" && t.AL != 0)
        throw InputError("memory.ddr3.additive_latency: the MIG model runs with AL 0 (its slot and timer rules are "
                         "taken from the RTL at AL 0); use memory.model: ddr3 for posted CAS");
    const uint64_t capacity = t.capacity() * mem.channels;
    if (mem.size > capacity)
        throw InputError("memory.size (" + std::to_string(mem.size) + " bytes) is larger than " +
                         std::to_string(mem.channels) + " x the " + t.part + " (" + std::to_string(t.capacity()) +
                         " bytes each)");
    std::vector<std::unique_ptr<Controller>> ctl;
    for (uint32_t i = 0; i < mem.channels; ++i) {
        const ChannelSlot ch{i, uint32_t(mem.channels)};
        if (mem.model == "mig")
            ctl.push_back(std::make_unique<Controller>(t, cfg.section<MigParams>("memory.mig"), reg, timed, ch));
        else
            ctl.push_back(
                std::make_unique<Controller>(t, cfg.section<GenericControllerParams>("memory.generic"), reg, timed, ch));
    }
    // Every channel must hold memory the machine has: with Ch high in the map (MIG, ChRoBaRaCo) the
    // last channel starts far up.
    const uint64_t last_start = ctl[0]->address_map().encode(DramAddress{0, 0, 0, 0, uint32_t(mem.channels - 1)});
    if (last_start >= mem.size)
        throw InputError("memory.channels: channel " + std::to_string(mem.channels - 1) + " starts at byte " +
                         std::to_string(last_start) + " of the address map, beyond memory.size (" +
                         std::to_string(mem.size) + " bytes): raise memory.size (" +
                         std::to_string(capacity) + " bytes fill every channel)" +
                         (mem.model == "mig" ? std::string(" (MIG channels are whole MIG cores, one above the other)")
                                             : std::string(" or put Ch lower in memory.generic.address_mapping")));
    return std::make_unique<Channels>(std::move(ctl), reg);
}

}  // namespace memsim::dram
