#include "models/dram/controller.h"

#include <algorithm>
#include <cmath>
#include <ostream>

#include "sim/config/schema.h"
#include "sim/core/error.h"

namespace memsim::dram {

namespace {
bool check_mapping(const std::string& text, std::string* why) { return AddressMap::valid_order(text, why); }
}  // namespace

void GenericControllerParams::visit(config::ParamVisitor& v) {
    using config::ParamSpec;
    v(ParamSpec::choice("scheduler", "frfcfs", {"frfcfs", "fcfs"},
                        "frfcfs: row hits first, then oldest (Rixner et al. 2000); fcfs: oldest request only"),
      scheduler);
    v(ParamSpec::choice("page_policy", "open", {"open", "closed", "open_adaptive", "closed_adaptive"},
                        "open: rows stay open; closed: auto-precharge after every access; open_adaptive: close "
                        "when only conflicts are queued; closed_adaptive: close unless a queued request hits"),
      page_policy);
    v(ParamSpec::choice("queue", "shared", {"shared", "per_bank", "two_level"},
                        "one read queue and one write queue for the channel, or one pair per bank; two_level: "
                        "DRAMSim3's read queue and write buffer in front of per-bank command queues"),
      queue);
    v(ParamSpec::count("queue_depth", "32", "requests",
                       "read queue entries (per bank with queue: per_bank; the read transaction queue with two_level)")
          .range(1, 4096),
      queue_depth);
    v(ParamSpec::count("write_queue_depth", "32", "requests",
                       "write queue entries (per bank with queue: per_bank; the write buffer with two_level)")
          .range(1, 4096),
      write_queue_depth);
    // DRAMSim3 cmd_queue_size (its DDR3 configs: 8).
    v(ParamSpec::count("command_queue_depth", "8", "commands",
                       "queue: two_level only: entries of each bank's command queue")
          .range(1, 4096),
      command_queue_depth);
    // gem5 MemCtrl (src/mem/mem_ctrl.cc processNextReqEvent; MemCtrl.py defaults 85 %, 50 %, 16,
    // 16) or Ramulator v1 (src/Controller.h tick(): write mode above the high mark or on an empty
    // read queue, back to reads below the low mark with a read waiting).
    v(ParamSpec::choice("write_drain", "gem5", {"gem5", "ramulator"},
                        "queue: shared / per_bank: when the controller turns from reads to writes and back. gem5: "
                        "writes when more than write_high_watermark wait (after min_reads_per_switch reads) or, "
                        "with no read waiting, more than write_low_watermark; back to reads after "
                        "min_writes_per_switch writes with a read waiting, or min_writes_per_switch below "
                        "write_low_watermark. ramulator: writes from write_high_watermark or whenever no read "
                        "waits, back to reads at write_low_watermark with a read waiting"),
      write_drain);
    v(ParamSpec::real("write_high_watermark", "0.85", "fraction", "write-queue fill that starts a write drain")
          .range(0, 1),
      write_high_watermark);
    v(ParamSpec::real("write_low_watermark", "0.5", "fraction",
                      "write-queue fill at which a drain may stop when reads wait (gem5: above which writes start "
                      "when no read waits)")
          .range(0, 1),
      write_low_watermark);
    v(ParamSpec::count("min_writes_per_switch", "16", "writes",
                       "write_drain: gem5: write bursts before a drain may turn back to waiting reads")
          .range(1, 1 << 20),
      min_writes_per_switch);
    v(ParamSpec::count("min_reads_per_switch", "16", "reads",
                       "write_drain: gem5: read bursts before a full write queue turns the bus to writes")
          .range(1, 1 << 20),
      min_reads_per_switch);
    v(ParamSpec::string("address_mapping", "RoBaRaCoCh",
                        "address bits from most to least significant: Ro(w), Ba(nk), Ra(nk), Co(lumn), Ch(annel)")
          .checked(check_mapping),
      address_mapping);
    v(ParamSpec::count("row_hit_cap", "16", "hits",
                       "row hits served after an ACT before younger hits stop going ahead of older requests (a conflict's PRE, another bank's or rank's command)")
          .range(1, 1 << 20),
      row_hit_cap);
    // JESD79-3F 4.17.1: up to 8 REF may be postponed and up to 8 pulled in.
    v(ParamSpec::count("refresh_postpone", "0", "REF", "refreshes a busy rank may postpone (JEDEC: at most 8)")
          .range(0, 8),
      refresh_postpone);
    v(ParamSpec::count("refresh_pull_in", "0", "REF", "refreshes an idle rank may issue ahead (JEDEC: at most 8)")
          .range(0, 8),
      refresh_pull_in);
    v(ParamSpec::choice("refresh_ranks", "staggered", {"staggered", "simultaneous"},
                        "when each rank's REFs fall due: staggered across tREFI (rank i at tREFI x (1 + i / "
                        "ranks): DRAMSim3's RANK_LEVEL_STAGGERED, DRAMSys) or all at the same clock (Ramulator v1, "
                        "DRAMSim3's RANK_LEVEL_SIMULTANEOUS, MIG's one refresh tick)"),
      refresh_ranks);
    // JESD79-3F 4.20: CKE low with every bank closed is precharge power-down, with a row open
    // active power-down; fast exit (DLL on) to any command after tXP.
    v(ParamSpec::count("power_down_idle", "0", "nCK",
                       "clocks a rank with nothing queued waits after its last command before entering "
                       "power-down (CKE low; tXP to wake); 0: never")
          .range(0, uint64_t(1) << 40),
      power_down_idle);
    // JESD79-3F 4.20 and MR0 A12: in precharge power-down the DLL is kept on (fast exit, IDD2P1)
    // or frozen (slow exit, IDD2P0: a read waits tXPDLL after PDX). Active power-down is fast exit.
    v(ParamSpec::choice("power_down_exit", "fast", {"fast", "slow"},
                        "precharge power-down with the DLL on (fast: any command tXP after PDX) or frozen "
                        "(slow: lower current, a read tXPDLL after PDX)"),
      power_down_exit);
    // JESD79-3F 4.19: in self-refresh the device refreshes itself (IDD6); leaving costs tXS, and
    // tXSDLL (512 nCK) before a read while the DLL relocks.
    v(ParamSpec::count("self_refresh_idle", "0", "nCK",
                       "clocks after the last request's command before an idle rank enters self-refresh (a "
                       "read waits tXSDLL = 512 nCK to wake it); 0: never")
          .range(0, uint64_t(1) << 40),
      self_refresh_idle);
    v(ParamSpec::time("frontend_latency", "0ns",
                      "controller pipeline added to every completion (port to queue and data back)")
          .range(0, 1e9),
      frontend_latency_ps);
    v(ParamSpec::string("command_trace", "", "file to write the DRAM command trace to (CYCLE CMD RANK BANK ROW "
                                             "COLUMN); empty: none"),
      command_trace);
}

MEMSIM_REGISTER_PARAMS(GenericControllerParams, "memory.generic", "the generic DDR3 controller (memory.model: ddr3)");

Controller::Stats::Stats(stats::Registry& r, const std::string& pre, const Ddr3Timing& t, bool timed)
    : reads(r.counter(pre + "reads", "requests", "read bursts served (write-queue hits included)")),
      writes(r.counter(pre + "writes", "requests", "write bursts accepted")),
      bytes_read(r.counter(pre + "bytes_read", "bytes", "bytes read")),
      bytes_written(r.counter(pre + "bytes_written", "bytes", "bytes written")),
      row_hits(r.counter(pre + "row_hits", "requests", "column accesses to the row already open")),
      row_misses(r.counter(pre + "row_misses", "requests", "accesses that needed an ACT on a precharged bank")),
      row_conflicts(r.counter(pre + "row_conflicts", "requests", "accesses that needed a PRE of another row first")),
      refreshes(r.counter(pre + "refreshes", "REF", "REF commands issued")),
      activates(r.counter(pre + "activates", "ACT", "ACT commands issued")),
      precharges(r.counter(pre + "precharges", "PRE", "PRE and PREA commands and auto-precharges")),
      zqcs(r.counter(pre + "zq_calibrations", "ZQCS", "ZQCS commands issued")),
      write_forwards(r.counter(pre + "write_forwards", "requests", "reads answered from the write queue")),
      data_bus_cycles(r.counter(pre + "data_bus_cycles", "nCK", "cycles the data bus carried bursts")) {
    if (timed) {
        read_latency_ns = &r.distribution(pre + "read_latency_ns", "ns", "read latency, arrival to last data");
        read_latency_cycles = &r.distribution(pre + "read_latency_cycles", "nCK", "read latency in memory clocks");
        end_ps = &r.counter(pre + "end_ps", "ps", "time of the last read completion or write data on the bus");
        cycles = &r.counter(pre + "cycles", "nCK", "memory clocks simulated (to the last command or data)");
        read_queue = &r.distribution(pre + "read_queue_occupancy", "requests",
                                     "read queue length seen by each arrival (through Port::access: the earlier "
                                     "reads whose column command had not issued)");
        write_queue =
            &r.distribution(pre + "write_queue_occupancy", "requests", "write queue length seen by each arrival");
        power_down_entries = &r.counter(pre + "power_down_entries", "PDE", "power-down entries (all ranks)");
        self_refresh_entries = &r.counter(pre + "self_refresh_entries", "SRE", "self-refresh entries (all ranks)");
        backfilled = &r.counter(pre + "backfilled_commands", "commands",
                                "through Port::access: PRE, ACT and RD placed in free command slots behind commands "
                                "already issued for earlier requests (controller.h)");
    }
    for (uint32_t rk = 0; rk < t.ranks; ++rk)
        for (uint32_t b = 0; b < t.banks; ++b) {
            std::string n = pre + "rank" + std::to_string(rk) + ".bank" + std::to_string(b);
            bank_reads.push_back(&r.counter(n + ".reads", "requests", "read bursts served by this bank"));
            bank_writes.push_back(&r.counter(n + ".writes", "requests", "write bursts written to this bank"));
            bank_activates.push_back(&r.counter(n + ".activates", "ACT", "ACT commands to this bank"));
        }
}

Controller::Controller(const Ddr3Timing& t, const GenericControllerParams& p, stats::Registry& r, bool timed, bool,
                       ChannelSlot ch)
    : t_(t),
      p_(p),
      map_(t, p.address_mapping, ch.count),
      timed_(timed),
      frfcfs_(p.scheduler != "fcfs"),
      per_bank_queue_(p.queue == "per_bank"),
      two_level_(p.queue == "two_level"),
      backfill_(frfcfs_ && !two_level_),
      energy_(std::make_shared<EnergyBook>(t, p.power_down_exit == "slow")),
      stats_(r, ch.stats_prefix(), t, timed) {
    const std::string pre = ch.stats_prefix();
    slow_exit_ = p.power_down_exit == "slow";
    if (p.page_policy == "closed") page_ = Page::Closed;
    else if (p.page_policy == "open_adaptive") page_ = Page::OpenAdaptive;
    else if (p.page_policy == "closed_adaptive") page_ = Page::ClosedAdaptive;
    else page_ = Page::Open;
    // gem5 MemCtrl's constructor refuses write_low_thresh_perc >= write_high_thresh_perc: with them
    // equal a full write queue and no read would never turn the bus.
    if (p.write_drain == "gem5" && p.write_low_watermark >= p.write_high_watermark)
        throw InputError("memory.generic.write_low_watermark (" + std::to_string(p.write_low_watermark) +
                         ") must be below write_high_watermark (" + std::to_string(p.write_high_watermark) +
                         ") with write_drain: gem5");
    if (p.write_low_watermark > p.write_high_watermark)
        throw InputError("memory.generic.write_low_watermark (" + std::to_string(p.write_low_watermark) +
                         ") is above write_high_watermark (" + std::to_string(p.write_high_watermark) + ")");
    if (two_level_ && !frfcfs_)
        throw InputError("memory.generic.queue: two_level issues as DRAMSim3 does (the first ready command of "
                         "each bank's command queue); it needs scheduler: frfcfs, not fcfs");
    if (two_level_) {
        write_drains_ = &r.counter(pre + "write_drains", "drains", "queue: two_level: write-buffer drains begun");
        read_merges_ = &r.counter(pre + "read_merges", "requests",
                                  "queue: two_level: reads answered by a pending read of the same burst");
    }
    ranks_.resize(t.ranks);
    tZQI_ck_ = t.tZQI_ps / t.tCK_ps;
    for (uint32_t i = 0; i < t.ranks; ++i) {
        // Ranks refresh staggered across one tREFI by default, as DRAMSim3 and DRAMSys do, so that
        // they do not all stop at once; or all due together (refresh_ranks: simultaneous).
        const bool staggered = p.refresh_ranks == "staggered";
        ranks_[i].next_refresh = t.tREFI + (staggered ? uint64_t(i) * t.tREFI / t.ranks : 0);
        ranks_[i].next_zq = tZQI_ck_;
    }
    banks_.resize(t.ranks * t.banks);
    blocked_.assign(t.ranks, 0);
    slot_used_.assign(kSlotRing, 0);
    queues_.resize(t.ranks * t.banks);
    if (two_level_) {
        waiting_[0] = waiting_[1] = std::vector<std::deque<Entry>>(t.ranks * t.banks);
        merged_reads_.resize(t.ranks * t.banks);
    }
    uint64_t wcap = per_bank_queue_ ? p.write_queue_depth * t.ranks * t.banks : p.write_queue_depth;
    gem5_drain_ = p.write_drain == "gem5" && !two_level_;  // (MIG clears it)
    if (gem5_drain_) {
        // gem5 keeps its thresholds as whole bursts (uint32_t writeHighThreshold = size x perc /
        // 100.0, truncated) and compares with '>': more than floor(size x fraction). (The margin
        // keeps a product like 0.29 x 100 = 28.999... from truncating to 28.)
        write_high_ = uint64_t(std::floor(p.write_high_watermark * double(wcap) + 1e-9)) + 1;
        write_low_ = uint64_t(std::floor(p.write_low_watermark * double(wcap) + 1e-9));
    } else {
        write_high_ = std::max<uint64_t>(1, uint64_t(std::ceil(p.write_high_watermark * double(wcap))));
        write_low_ = uint64_t(std::floor(p.write_low_watermark * double(wcap)));
    }
    if (!p.command_trace.empty()) {
        const std::string path = ch.count > 1 ? p.command_trace + ".ch" + std::to_string(ch.index) : p.command_trace;
        trace_out_ = std::make_unique<std::ofstream>(path);
        if (!*trace_out_) throw InputError("command_trace: cannot write '" + path + "'");
        *trace_out_ << "# DRAM command trace: CYCLE CMD RANK BANK ROW COLUMN; part " << t.part << ", tCK "
                    << t.tCK_ps << " ps";
        if (ch.count > 1) *trace_out_ << ", channel " << ch.index << " of " << ch.count;
        *trace_out_ << '\n';
    }
    if (timed) {
        // The formulas read only the registry's own statistics: they outlive the controller.
        auto& rd = stats_.bytes_read;
        auto& wr = stats_.bytes_written;
        auto& end = *stats_.end_ps;
        auto& cycles = *stats_.cycles;
        auto& busy = stats_.data_bus_cycles;
        auto& lat = *stats_.read_latency_ns;
        r.formula(pre + "bandwidth_bytes_per_s", "B/s", "bytes read and written / dram.end_ps", [&rd, &wr, &end] {
            return end.value() ? double(rd.value() + wr.value()) * 1e12 / double(end.value()) : 0.0;
        });
        r.formula(pre + "read_latency_avg_ns", "ns", "mean read latency", [&lat] { return lat.mean(); });
        r.formula(pre + "read_latency_p50_ns", "ns", "median read latency", [&lat] { return lat.percentile(50); });
        r.formula(pre + "read_latency_p99_ns", "ns", "99th percentile read latency",
                  [&lat] { return lat.percentile(99); });
        r.formula(pre + "bus_utilisation", "fraction", "data-bus cycles carrying bursts / dram.cycles", [&busy, &cycles] {
            return cycles.value() ? double(busy.value()) / double(cycles.value()) : 0.0;
        });
        // Micron TN-41-01 energies (energy.h) over dram.cycles, from the part's IDD currents.
        std::shared_ptr<const EnergyBook> e = energy_;
        const double tck_ns = double(t.tCK_ps) / 1000.0;
        r.formula(pre + "energy.act", "pJ", "ACT/PRE pairs: VDD x (IDD0 x tRC - IDD3N x tRAS - IDD2N x tRP) each",
                  [e] { return e->act_pj(); });
        r.formula(pre + "energy.read", "pJ", "read bursts: VDD x (IDD4R - IDD3N) x BL/2 each", [e] { return e->read_pj(); });
        r.formula(pre + "energy.write", "pJ", "write bursts: VDD x (IDD4W - IDD3N) x BL/2 each",
                  [e] { return e->write_pj(); });
        r.formula(pre + "energy.refresh", "pJ", "REF: VDD x (IDD5B - IDD3N) x tRFC each", [e] { return e->refresh_pj(); });
        r.formula(pre + "energy.background", "pJ",
                  "standby and power-down over dram.cycles: IDD3N / IDD2N / IDD3P / IDD2P1 by rank state",
                  [e, &cycles] { return e->background_pj(cycles.value()); });
        r.formula(pre + "energy.total", "pJ", "sum of dram.energy.* (DRAM core, VDD; no I/O or termination)",
                  [e, &cycles] { return e->total_pj(cycles.value()); });
        r.formula(pre + "power_mw", "mW", "average DRAM core power: dram.energy.total / dram.cycles",
                  [e, &cycles, tck_ns] {
                      return cycles.value() ? e->total_pj(cycles.value()) / (double(cycles.value()) * tck_ns) : 0.0;
                  });
        r.formula(pre + "power_down_cycles", "nCK", "clocks in power-down, summed over ranks",
                  [e, &cycles] { return double(e->power_down_cycles(cycles.value())); });
        r.formula(pre + "self_refresh_cycles", "nCK", "clocks in self-refresh, summed over ranks",
                  [e, &cycles] { return double(e->self_refresh_cycles(cycles.value())); });
    }
}

Controller::~Controller() {
    if (!trace_out_) return;
    for (const auto& c : out_buf_) *trace_out_ << to_string(c) << '\n';
}

void Controller::note_end(uint64_t ps) {
    end_ps_ = std::max(end_ps_, ps);
    if (stats_.end_ps) stats_.end_ps->set(end_ps_);
}

void Controller::count(uint64_t bytes, bool write) {
    if (write) {
        ++stats_.writes;
        stats_.bytes_written += bytes;
    } else {
        ++stats_.reads;
        stats_.bytes_read += bytes;
    }
}

bool Controller::can_accept(uint64_t addr, bool write) const {
    uint64_t depth = write ? p_.write_queue_depth : p_.queue_depth;
    if (two_level_) return waiting_n_[write] < depth;
    if (mig_ratio_) return queued_[0] + queued_[1] < p_.queue_depth + mig_ui_slots_;  // bank machines + UI
    if (!per_bank_queue_) return queued_[write] < depth;
    DramAddress a = map_.decode(addr);
    return queues_[bank_index(a.rank, a.bank)].q[write].size() < depth;
}

void Controller::enqueue(uint64_t id, uint64_t addr, bool write, uint64_t arrival) {
    DramAddress da = map_.decode(addr);
    uint32_t bi = bank_index(da.rank, da.bank);
    // MIG's own periodic reads start in the controller, not at the user interface.
    uint64_t ready = arrival + (id == kPeriodicId ? 0 : mig_in_ck_);
    Entry e{id, addr, da, bi, write, arrival, ready, true, next_seq_++};
    if (mig_ratio_) {
        if (id != kPeriodicId) mig_ui_addr_ = addr;
        // A bank machine if one is free (the periodic read takes one regardless), else the UI.
        if (id == kPeriodicId || mig_claimed_ < p_.queue_depth) {
            ++mig_claimed_;
        } else {
            e.claimed = false;
            e.ready = arrival + mig_in_ck_;  // at the earliest; mig_claim pushes it back
            mig_unclaimed_.push_back({bi, write ? 1 : 0, e.seq});
        }
    }
    uint64_t burst = t_.burst_bytes();
    if (stats_.read_queue) {
        uint64_t reads = queued_[0];
        if (lt_)
            for (const LtRead& r : lt_reads_) reads += r.arrival <= arrival && r.column > arrival;
        stats_.read_queue->sample(double(reads));
        stats_.write_queue->sample(double(queued_[1]));
    }
    if (two_level_) {
        enqueue_two_level(e);
        return;
    }
    BankQueue& bq = queues_[bi];
    bool queued_write = false;
    if (!mig_ratio_) {  // MIG's bank machines neither merge writes nor forward their data
        // A write merges into a queued one; a read is answered by a write queued before it came
        // (through Port::access a younger write may be queued already: the read goes to DRAM),
        // or by one written since it came while the controller ran ahead (backfill).
        for (const auto& w : bq.q[1])
            if (w.addr / burst == addr / burst && (write || w.arrival <= arrival)) queued_write = true;
        if (!write && !queued_write && backfill_ && lt_ && arrival < now_ &&
            queued_write_issued_since(addr, arrival) != UINT64_MAX)
            queued_write = true;
    }
    if (write) {
        count(burst, true);
        // A second write to a queued line merges into it (the data is replaced in the queue).
        if (!queued_write) {
            bq.q[1].push_back(e);
            if (per_bank_queue_ && bq.q[1].size() == p_.write_queue_depth) ++full_write_queues_;
            touch(bi);
            ++queued_[1];
            ++ranks_[da.rank].queued;
            ++ranks_[da.rank].queued_writes;
        }
        note_end(arrival * t_.tCK_ps + p_.frontend_latency_ps);
        if (on_done) on_done(id, arrival * t_.tCK_ps + p_.frontend_latency_ps);
        return;
    }
    if (queued_write) {
        count(burst, false);
        ++stats_.write_forwards;
        complete(e, arrival);  // the data is in the controller: no DRAM access
        return;
    }
    bq.q[0].push_back(e);
    touch(bi);
    ++queued_[0];
    ++ranks_[da.rank].queued;
    if (mig_ratio_ && id != kPeriodicId) read_order_.push_back({e.seq, id, arrival, UINT64_MAX});
}

void Controller::complete(const Entry& e, uint64_t done_cycle) {
    // MIG: the PHY and the user interface hand the data on at ui_clk edges: from the edge at or
    // after the last beat, phy_read + ui_read ui_clk.
    if (mig_ratio_ && e.id != kPeriodicId && !e.write)
        done_cycle = (done_cycle + mig_ratio_ - 1) / mig_ratio_ * mig_ratio_ + mig_out_ck_;
    uint64_t done_ps = done_cycle * t_.tCK_ps + p_.frontend_latency_ps;
    note_end(done_ps);
    if (e.write) return;
    if (e.id == kPeriodicId) {
        ++*stats_.periodic_reads;
        if (prd_in_flight_) --prd_in_flight_;
        return;
    }
    if (mig_ratio_) {
        // The user interface returns read data in request order.
        for (auto& pr : read_order_)
            if (pr.seq == e.seq) pr.done_ps = done_ps;
        release_reads();
        return;
    }
    if (stats_.read_latency_ns) {
        stats_.read_latency_ns->sample(double(done_ps - e.arrival * t_.tCK_ps) / 1000.0);
        stats_.read_latency_cycles->sample(double(done_cycle - e.arrival));
    }
    if (e.id == waiting_id_) {
        waiting_done_ps_ = done_ps;
        waiting_done_ = true;
    }
    if (on_done) on_done(e.id, done_ps);
}

void Controller::release_reads() {
    while (!read_order_.empty() && read_order_.front().done_ps != UINT64_MAX) {
        PendingRead pr = read_order_.front();
        read_order_.pop_front();
        uint64_t done_ps = std::max(pr.done_ps, last_return_ps_);
        last_return_ps_ = done_ps;
        note_end(done_ps);
        if (stats_.read_latency_ns) {
            stats_.read_latency_ns->sample(double(done_ps - pr.arrival * t_.tCK_ps) / 1000.0);
            stats_.read_latency_cycles->sample(double(done_ps - pr.arrival * t_.tCK_ps) / double(t_.tCK_ps));
        }
        if (pr.id == waiting_id_) {
            waiting_done_ps_ = done_ps;
            waiting_done_ = true;
        }
        if (on_done) on_done(pr.id, done_ps);
    }
}

uint64_t Controller::access(const mem::Request& r, uint64_t issue_ps) {
    r.served_by = mem::kServedByMemory;
    bool write = mem::is_write(r.kind);
    uint64_t burst = t_.burst_bytes();
    uint64_t first = r.addr / burst, last = (r.addr + std::max<uint32_t>(r.size, 1) - 1) / burst;
    if (!timed_) {
        for (uint64_t b = first; b <= last; ++b) count(burst, write);
        return 0;
    }
    // A request that waited for a queue slot held the port until it was accepted: what arrives
    // after it is taken no sooner (a TLM target withholding END_REQ; DRAMSim3's trace CPU).
    uint64_t arrival = (issue_ps + t_.tCK_ps - 1) / t_.tCK_ps;
    if (arrival >= hold_->from) arrival = std::max(arrival, hold_->until);
    uint64_t done = issue_ps;
    if (!lt_) {
        // The recent commands backfill checks against are kept from here; a command placed less
        // than a window after this would also have to keep tRRD, tFAW, tCCD, tWTR and the data
        // bus with the unrecorded ones before it: backfill starts a window later.
        lt_ = true;
        lt_start_ = now_ ? now_ + kBackfillWindow : 0;
    }
    settle_provisional(arrival, first * burst);
    run_until(arrival);
    for (uint64_t b = first; b <= last; ++b) {
        uint64_t addr = b * burst;
        settle_provisional(arrival, addr);
        // A full queue holds the request at the port until a slot frees (the port's back-pressure).
        uint64_t at = arrival;
        // A late request (the controller ran ahead of it) may find the queue full of requests
        // that arrived after it: its wait is the loosely timed order's, not the port's.
        const bool on_time = arrival >= now_;
        while (!can_accept(addr, write)) {
            if (!step(UINT64_MAX)) throw SimulationError("dram: queue full and nothing to issue");
            at = std::max(arrival, now_ - 1);  // accepted when the slot freed (as drive() takes it)
            if (on_time && at > hold_->until) *hold_ = {arrival, at};
        }
        uint64_t id = next_id_++;
        if (write) {
            enqueue(id, addr, true, at);
            done = std::max(done, at * t_.tCK_ps + p_.frontend_latency_ps);
            continue;
        }
        waiting_id_ = id;
        waiting_done_ = false;
        waiting_col_ = at;  // answered from the write queue: never queued
        enqueue(id, addr, false, at);
        if (backfill_ && !mig_ratio_ && at < now_ && !waiting_done_) {
            const DramAddress a = map_.decode(addr);
            backfill(bank_index(a.rank, a.bank), at);
        }
        while (!waiting_done_)
            if (!step(UINT64_MAX)) throw SimulationError("dram: a read is queued but nothing can be issued");
        waiting_id_ = UINT64_MAX;
        done = std::max(done, waiting_done_ps_);
        if (stats_.read_queue) {
            lt_reads_.push_back({at, waiting_col_});
            if (lt_reads_.size() > kLtReads) lt_reads_.pop_front();
        }
    }
    return done;
}

bool Controller::act_fits(const Rank& r, uint64_t cycle) const {
    // JESD79-3F: tRRD between any two ACTs of a rank; at most four ACTs in any tFAW window.
    constexpr unsigned kMax = 32;
    uint64_t window[kMax + 1];  // the ACTs within tFAW of CYCLE and CYCLE itself, ascending
    unsigned n = 0, at = 0;     // CYCLE's index
    for (uint64_t a : r.recent_acts) {
        if (a + t_.tRRD > cycle && cycle + t_.tRRD > a) return false;
        if (a + t_.tFAW <= cycle || a >= cycle + t_.tFAW) continue;
        if (n == kMax) return false;  // (tRRD keeps them far fewer)
        if (a < cycle) at = n + 1;
        window[n++] = a;
    }
    for (unsigned k = n; k > at; --k) window[k] = window[k - 1];
    window[at] = cycle;
    ++n;
    // Any five consecutive ACTs with CYCLE among them must span tFAW.
    for (unsigned i = at >= 4 ? at - 4 : 0; i <= at && i + 4 < n; ++i)
        if (window[i + 4] - window[i] < t_.tFAW) return false;
    return true;
}

bool Controller::read_fits(uint32_t rank, uint64_t cycle) const {
    // JESD79-3F 4.14-4.16, both ways: RD-RD tCCD; WR then RD WL + BL/2 + tWTR; RD then WR
    // RL + BL/2 + 2 - WL; another rank's burst tRTRS clear of this one on the data bus.
    const uint64_t RL = t_.RL(), WL = t_.WL(), BL2 = t_.burst_cycles();
    const uint64_t start = cycle + RL;
    for (const ColumnRec& c : recent_cols_) {
        if (c.rank == rank) {
            if (!c.write) {
                if (c.cycle + t_.tCCD > cycle && cycle + t_.tCCD > c.cycle) return false;
            } else if (c.cycle <= cycle) {
                if (c.cycle + WL + BL2 + t_.tWTR > cycle) return false;
            } else if (cycle + RL + BL2 + 2 > c.cycle + WL) {
                return false;
            }
        } else {
            const uint64_t other = c.cycle + (c.write ? WL : RL);
            if (other + BL2 + t_.tRTRS > start && start + BL2 + t_.tRTRS > other) return false;
        }
    }
    return true;
}

uint64_t Controller::queued_write_issued_since(uint64_t addr, uint64_t arrival) const {
    for (const ColumnRec& c : recent_cols_)
        if (c.write && c.addr == addr && c.arrival <= arrival && c.cycle >= arrival) return c.cycle;
    return UINT64_MAX;
}

void Controller::backfill(uint32_t bi, uint64_t arrival) {
    BankQueue& bq = queues_[bi];
    if (bq.q[0].size() != 1) return;  // the bank's older reads go first (its writes wait for a drain)
    const Entry& e = bq.q[0].front();
    Bank& b = banks_[bi];
    Rank& r = ranks_[e.a.rank];
    // A write queue at its high watermark is drained first with this read queued or not (step's
    // rule). (write_mode_ itself says what the controller decided at now_, with no read queued,
    // which says nothing of the clocks behind now_.)
    const bool draining = queued_[1] >= write_high_;
    // A hit needs only its column command; a provisional row, a powered-down rank or a write
    // drain decide the order of what comes next.
    if (b.provisional >= 0 || r.pd || r.sr || draining) return;
    uint64_t from = std::max({arrival, backfill_floor(), r.no_backfill_before, lt_start_}), until = now_;
    if (blocked_[e.a.rank]) {
        // A refresh fell due at now_ or before: the rank is held from that due time on, so a
        // command may go only before it (and its row is served before the PREA if its column
        // command is ready by then: choose_maintenance). ZQ or the 9 x tREFI limit: not at all.
        if (r.zq_owed || refresh_near_limit(r) || r.refresh_owed <= int64_t(p_.refresh_postpone)) return;
        const uint64_t owed = uint64_t(r.refresh_owed) - p_.refresh_postpone;
        until = std::min(until, r.next_refresh - owed * t_.tREFI);
    }
    Choice c;
    c.rank = e.a.rank;
    c.bank = e.a.bank;
    c.entry = 0;
    c.dir = 0;
    c.seq = e.seq;
    if (b.open_row >= 0 && b.open_row != int64_t(e.a.row)) {
        // A conflict: the PRE, once the open row's own request has had its column command.
        if (b.act_dir >= 0) return;
        uint64_t x = std::max(from, b.t_pre);
        while (x < until && slot_taken(x)) ++x;
        if (x >= until) return;
        c.cmd = Cmd::PRE;
        c.cycle = x;
        issue(c);
        ++*stats_.backfilled;
    }
    if (b.open_row < 0) {
        uint64_t x = std::max(from, b.t_act);
        while (x < until && (slot_taken(x) || !act_fits(r, x))) ++x;
        if (x >= until) return;
        if (until < now_ && x + t_.tRCD - t_.AL > now_) return;  // its RD could not beat the PREA: a wasted ACT
        c.cmd = Cmd::ACT;
        c.cycle = x;
        issue(c);
        ++*stats_.backfilled;
    }
    // The RD too, when a slot behind now_ keeps every column constraint (closed_adaptive decides
    // its auto-precharge by the next arrival: its column commands go in order).
    if (page_ == Page::ClosedAdaptive) return;
    // A write to the same burst that arrived after this read and has gone out since: the read
    // takes the data from before it.
    for (const ColumnRec& w : recent_cols_)
        if (w.write && w.addr == e.addr && w.cycle >= from) until = std::min(until, w.cycle);
    uint64_t y = std::max({from, b.t_col, r.no_backfill_read_before});
    while (y < until && (slot_taken(y) || !read_fits(e.a.rank, y))) ++y;
    if (y >= until) return;
    c.cmd = Cmd::RD;
    c.cycle = y;
    issue(c);
    ++*stats_.backfilled;
}

void Controller::note_act(Rank& r, uint64_t cycle) {
    // The last four ACTs of the rank, oldest at faw_next once there are four (act_ready).
    const unsigned held = unsigned(std::min<uint64_t>(r.acts, 4));
    if (held == 0 || cycle >= r.faw[(r.faw_next + 3) % 4]) {  // after the last ACT: the usual case
        r.faw[r.faw_next] = cycle;
        r.faw_next = (r.faw_next + 1) % 4;
    } else {
        // A backfilled ACT before the last: keep the four latest, in order.
        uint64_t v[5];
        for (unsigned i = 0; i < held; ++i) v[i] = r.faw[(held == 4 ? r.faw_next + i : i) % 4];
        v[held] = cycle;
        std::sort(v, v + held + 1);
        const unsigned first = held == 4 ? 1 : 0;
        for (unsigned i = 0; i + first <= held; ++i) r.faw[i] = v[i + first];
        r.faw_next = (held + 1 - first) % 4;
    }
    ++r.acts;
    if (!backfill_ || !lt_) return;
    r.recent_acts.insert(std::upper_bound(r.recent_acts.begin(), r.recent_acts.end(), cycle), cycle);
    const uint64_t keep_from = backfill_floor() > t_.tFAW ? backfill_floor() - t_.tFAW : 0;
    while (!r.recent_acts.empty() && r.recent_acts.front() < keep_from) r.recent_acts.pop_front();
}

void Controller::run_until(uint64_t limit) {
    while (now_ < limit && step(limit)) {
    }
}

void Controller::idle_until(uint64_t end) {
    // Nothing more arrives: a row kept open for a request that might have hit it closes as the
    // auto-precharge decided (closed_adaptive through Port::access).
    settle_provisional(UINT64_MAX, 0);
    run_until(end);
    if (stats_.cycles) stats_.cycles->set(std::max(stats_.cycles->value(), end));
}

void Controller::drain() {
    flushing_ = true;
    while (!idle())
        if (!step(UINT64_MAX)) throw SimulationError("dram: requests queued but nothing can be issued");
}

void Controller::update_write_mode() {
    const uint64_t reads = queued_[0], writes = queued_[1];
    bool to_writes, to_reads;
    if (gem5_drain_) {
        // gem5 MemCtrl::processNextReqEvent: in READ, writes once the write queue is above its
        // high threshold and min_reads_per_switch reads went (or none waits), or when no read
        // waits and the writes are above the low threshold (any write when draining: memsim's
        // end of trace); in WRITE, back when the queue is empty, below the low threshold by
        // min_writes_per_switch, or when a read waits and min_writes_per_switch writes went.
        // (queue: per_bank: a bank whose write queue is full turns the bus to writes, and keeps it
        // there until it has room, as gem5's one full queue would, or a write waiting for it could
        // wait for ever.)
        to_writes = reads == 0 ? writes > write_low_ || (flushing_ && writes) || full_write_queues_
                               : (writes >= write_high_ || full_write_queues_) &&
                                     reads_this_time_ >= p_.min_reads_per_switch;
        to_reads = writes == 0 || (!full_write_queues_ && ((writes + p_.min_writes_per_switch < write_low_ &&
                                                             !flushing_) ||
                                                            (reads && writes_this_time_ >= p_.min_writes_per_switch)));
    } else {
        // Ramulator v1 Controller::tick: writes from the high mark or whenever no read waits; back
        // to reads at the low mark once a read waits.
        to_writes = writes >= write_high_ || (!reads && writes);
        to_reads = !writes || (reads && writes <= write_low_);
    }
    if (!write_mode_ && to_writes) {
        write_mode_ = true;
        writes_this_time_ = 0;
    } else if (write_mode_ && to_reads) {
        write_mode_ = false;
        reads_this_time_ = 0;
    }
}

bool Controller::step(uint64_t limit) {
    if (two_level_ && now_ < quiet_until_) {
        // Nothing can issue before quiet_until_ (two_level.cpp, Speed): this clock only moves a
        // transaction, or, if none can move, nothing happens until then.
        if (move_transaction(now_)) {
            ++now_;
            return true;
        }
        if (quiet_until_ >= limit) {
            if (limit != UINT64_MAX) now_ = std::max(now_, limit);
            return false;
        }
        now_ = quiet_until_;
        return true;
    }
    uint64_t due = UINT64_MAX;
    for (auto& r : ranks_) {
        update_due(r);
        due = std::min({due, r.next_refresh, r.next_zq});
        // refresh_near_limit() turns true between due times (after pull-ins or postponed REFs):
        // re-decide then too.
        const uint64_t near = r.last_ref + 9 * uint64_t(t_.tREFI) - 2 * (t_.tRFC + t_.tRP + t_.tRAS);
        if (near > now_) due = std::min(due, near);
    }
    if (mig_ratio_ && mig_prd_ticks_) mig_periodic_reads(due);
    if (!mig_ratio_ && !two_level_) update_write_mode();  // MIG has no write queue; two_level: move_transaction
    Choice best;
    for (uint32_t i = 0; i < ranks_.size(); ++i) {
        Rank& r = ranks_[i];
        bool urgent = this->urgent(r);
        // Self-refresh waits for the rank to be idle, its refreshes paid, one REF since the last SRX.
        const bool sr_wanted = p_.self_refresh_idle && rank_idle(r) && !urgent && r.refresh_owed <= 0 &&
                               r.ref_since_srx;
        if (r.sr) {
            // Only a request wakes a self-refreshing rank (no REF falls due; ZQ waits).
            blocked_[i] = true;
            if (!rank_idle(r)) choose_self_refresh(best, i);
            continue;
        }
        if (r.pd) {
            // CKE is low: nothing goes to the rank until PDX. A request or due maintenance wakes
            // it, or the time to enter self-refresh; a refresh that could only be pulled in does not.
            blocked_[i] = true;
            if (!rank_idle(r) || urgent || r.refresh_owed > 0) choose_power_down(best, i);
            else if (sr_wanted) choose_power_down(best, i, r.last_req + p_.self_refresh_idle);
            continue;
        }
        blocked_[i] = urgent;
        bool idle_refresh =
            r.queued == 0 && (r.refresh_owed > 0 || (!sr_wanted && r.refresh_owed > -int64_t(p_.refresh_pull_in)));
        if (urgent || idle_refresh) {
            choose_maintenance(best, i, urgent);
            continue;
        }
        if (sr_wanted) choose_self_refresh(best, i);
        // Once self-refresh is due, no power-down in between (PDE would only be undone by PDX).
        const bool sr_due = sr_wanted && now_ >= r.last_req + p_.self_refresh_idle;
        if (p_.power_down_idle && rank_idle(r) && !sr_due) choose_power_down(best, i);
    }
    choose_request(best);
    if (two_level_ && best.cycle > now_) {
        // Nothing to issue this clock: DRAMSim3 still moves a transaction. While none can move,
        // nothing changes until the next command may go: skip to it.
        quiet_until_ = std::min({best.cycle, next_ready_, due});
        if (move_transaction(now_)) {
            ++now_;
            return true;
        }
        if (next_ready_ < best.cycle && next_ready_ <= due) {
            if (next_ready_ >= limit) {
                if (limit != UINT64_MAX) now_ = std::max(now_, limit);
                return false;
            }
            now_ = next_ready_;  // re-decide there: the command queues compete round-robin
            return true;
        }
    }
    if (best.cycle == UINT64_MAX && due == UINT64_MAX) return false;
    if (best.cycle >= due && due > now_ && due < limit) {
        // A refresh falls due before the next command, or at its clock: re-decide then, with the
        // refresh owed (deciding that clock from an earlier one would not see it).
        now_ = std::max(now_, due);
        return true;
    }
    if (best.cycle == UINT64_MAX || best.cycle >= limit) {
        if (limit != UINT64_MAX) now_ = std::max(now_, limit);
        return false;
    }
    issue(best);
    if (two_level_) move_transaction(best.cycle);  // DRAMSim3 ClockTick: issue, then ScheduleTransaction
    return true;
}

void Controller::record(uint64_t cycle, Cmd cmd, uint32_t rank, uint32_t bank, uint32_t row, uint32_t col) {
    Command c{cycle, cmd, rank, bank, row, col};
    ranks_[rank].last_cmd = std::max(ranks_[rank].last_cmd, cycle);
    if (stats_.cycles) stats_.cycles->set(std::max({stats_.cycles->value(), now_, last_data_end_}));
    // A backfilled command goes before the later ones already recorded (all within the window,
    // none of them written out yet: flush_trace holds them back).
    size_t later = 0;
    if (keep_commands_)
        while (later < commands_.size() && commands_[commands_.size() - 1 - later].cycle > cycle) ++later;
    else if (trace_out_)
        while (later < out_buf_.size() && out_buf_[out_buf_.size() - 1 - later].cycle > cycle) ++later;
    if (keep_commands_) commands_.insert(commands_.end() - std::ptrdiff_t(later), c);
    if (trace_out_) out_buf_.insert(out_buf_.end() - std::ptrdiff_t(later), c);
    if (later && provisionals_)
        for (auto& b : banks_)
            if (b.provisional >= int64_t(cmd_count_ - later)) ++b.provisional;
    ++cmd_count_;
    if (backfill_ && lt_) slot_used_[cycle % kSlotRing] = cycle + 1;
    // No change before the backfill window can be reported any more (without backfill: none before
    // this command), nor before a provisional column command's auto-precharge, which the next
    // arrival may still decide (settle_provisional).
    uint64_t settled = backfill_ && lt_ ? backfill_floor() : cycle;
    if (provisionals_)
        for (const auto& b : banks_)
            if (b.provisional >= 0) settled = std::min(settled, b.prov_pre);
    energy_->settle(settled);
    flush_trace();
}

void Controller::flush_trace() {
    if (!trace_out_) return;
    uint64_t limit = cmd_count_;
    if (provisionals_)
        for (const auto& b : banks_)
            if (b.provisional >= 0) limit = std::min(limit, uint64_t(b.provisional));
    // A backfill may still place a command up to kBackfillWindow clocks back: those after wait.
    const uint64_t hold_from = backfill_ && lt_ ? backfill_floor() : UINT64_MAX;
    for (; out_base_ < limit && !out_buf_.empty() && out_buf_.front().cycle < hold_from; ++out_base_, out_buf_.pop_front())
        *trace_out_ << to_string(out_buf_.front()) << '\n';
}

void Controller::end_provisional(Bank& b) {
    if (b.provisional < 0) return;
    b.provisional = -1;
    --provisionals_;
    flush_trace();
}

void Controller::settle_provisional(uint64_t arrival, uint64_t addr) {
    if (!provisionals_) return;
    quiet_until_ = 0;  // a row may close
    DramAddress a = map_.decode(addr);
    for (uint32_t bi = 0; bi < banks_.size(); ++bi) {
        Bank& b = banks_[bi];
        if (b.provisional < 0) continue;
        if (arrival <= b.prov_cycle) {
            // Accepted before the column command: if it hits, the row stays open (the RD stands).
            if (bi == bank_index(a.rank, a.bank) && b.open_row == int64_t(a.row)) end_provisional(b);
            continue;
        }
        // Nothing accepted in time hit the row: the auto-precharge happened, as decided.
        uint64_t idx = uint64_t(b.provisional);
        auto with_ap = [](Cmd c) { return c == Cmd::WR ? Cmd::WRA : Cmd::RDA; };
        if (keep_commands_) commands_[idx].cmd = with_ap(commands_[idx].cmd);
        if (trace_out_) out_buf_[idx - out_base_].cmd = with_ap(out_buf_[idx - out_base_].cmd);
        b.open_row = -1;
        b.t_act = std::max(b.t_act, b.prov_pre + t_.tRP);
        --ranks_[bi / t_.banks].open_banks;
        ++stats_.precharges;
        energy_->close(bi / t_.banks, b.prov_pre);
        touch(bi);
        end_provisional(b);
    }
}

bool Controller::queued_hit(uint32_t bi, uint32_t row) const {
    for (const auto& q : queues_[bi].q)
        for (const auto& e : q)
            if (e.a.row == row) return true;
    return false;
}

bool Controller::queued_conflict(uint32_t bi, uint32_t row) const {
    for (const auto& q : queues_[bi].q)
        for (const auto& e : q)
            if (e.a.row != row) return true;
    return false;
}

void Controller::issue(const Choice& c) {
    const uint64_t now = c.cycle;
    Rank& r = ranks_[c.rank];
    const uint32_t BL2 = t_.burst_cycles();
    now_ = std::max(now_, now + 1);  // one command per clock on the command bus (a backfill: behind now_)
    quiet_until_ = 0;
    // Maintenance and CKE changes hold the rank's state: nothing is backfilled before them.
    if (c.entry < 0) r.no_backfill_before = std::max(r.no_backfill_before, now + 1);
    // JESD79-3F 4.20 power-down entry after ACT, PRE, REF: the next clock (tACTPDEN, tPRPDEN,
    // tREFPDEN = 1); after ZQCS once the calibration is done; after RD/WR below.
    r.t_pde = std::max(r.t_pde, now + (c.cmd == Cmd::ZQCS ? t_.tZQCS : 1));
    switch (c.cmd) {
        case Cmd::PDE:
        case Cmd::PDX:
        case Cmd::SRE:
        case Cmd::SRX: issue_cke(c); return;
        case Cmd::PREA:
            for (uint32_t k = 0; k < t_.banks; ++k)
                if (Bank& b = banks_[bank_index(c.rank, k)]; b.open_row >= 0) {
                    end_provisional(b);  // the RD stands; the PREA closes the row
                    touch(bank_index(c.rank, k));
                    b.open_row = -1;
                    b.t_act = std::max(b.t_act, now + t_.tRP);
                    energy_->close(c.rank, now);
                }
            r.open_banks = 0;
            ++stats_.precharges;
            record(now, Cmd::PREA, c.rank, 0, 0, 0);
            return;
        case Cmd::PRE:
            if (c.entry >= 0) break;  // a request's PRE, below
            // Maintenance closing one bank (two_level: DRAMSim3's refresh precharges bank by bank).
            if (Bank& b = banks_[bank_index(c.rank, c.bank)]; b.open_row >= 0) {
                end_provisional(b);
                touch(bank_index(c.rank, c.bank));
                b.open_row = -1;
                b.t_act = std::max(b.t_act, now + t_.tRP);
                --r.open_banks;
                ++stats_.precharges;
                energy_->close(c.rank, now);
            }
            record(now, Cmd::PRE, c.rank, c.bank, 0, 0);
            return;
        case Cmd::REF:
        case Cmd::ZQCS: {
            uint64_t busy = c.cmd == Cmd::REF ? t_.tRFC : t_.tZQCS;
            for (uint32_t k = 0; k < t_.banks; ++k) {
                Bank& b = banks_[bank_index(c.rank, k)];
                b.t_act = std::max(b.t_act, now + busy);
            }
            if (mig_ratio_) mig_maint_free_ = now + busy;  // MIG: one maintenance at a time (mig.cpp)
            if (c.cmd == Cmd::REF) {
                --r.refresh_owed;
                r.last_ref = now;
                r.ref_since_srx = true;
                ++stats_.refreshes;
                energy_->refresh();
            } else {
                r.zq_owed = false;
                ++stats_.zqcs;
            }
            record(now, c.cmd, c.rank, 0, 0, 0);
            return;
        }
        default: break;
    }
    const uint32_t bi = bank_index(c.rank, c.bank);
    if (two_level_) rr_ = bi;  // DRAMSim3 GetCommandToIssue resumes after the queue that issued
    auto& q = queues_[bi].q[c.dir];
    const size_t idx = size_t(c.entry);
    Entry e = q[idx];
    Bank& b = banks_[bi];
    touch(bi);  // its open row, hit count or queue changes
    r.last_req = std::max(r.last_req, now);
    const uint64_t bank_last = b.last_cmd;  // before this command (the auto-precharge rule below)
    b.last_cmd = std::max(b.last_cmd, now);
    if (c.cmd == Cmd::ACT) {
        b.open_row = e.a.row;
        b.hits_since_act = 0;
        b.act_dir = c.dir;
        b.act_seq = e.seq;
        b.t_col = std::max(b.t_col, now + t_.tRCD - t_.AL);  // JESD79-3F: RD/WR may follow ACT at tRCD - AL
        b.t_pre = std::max(b.t_pre, now + t_.tRAS);
        b.t_act = std::max(b.t_act, now + t_.tRC);
        r.t_act = std::max(r.t_act, now + t_.tRRD);
        note_act(r, now);
        ++r.open_banks;
        q[idx].needed_act = true;
        ++stats_.activates;
        ++*stats_.bank_activates[bi];
        energy_->act(c.rank, now);
        record(now, Cmd::ACT, c.rank, c.bank, e.a.row, 0);
        return;
    }
    if (c.cmd == Cmd::PRE) {
        end_provisional(b);
        b.open_row = -1;
        b.t_act = std::max(b.t_act, now + t_.tRP);
        --r.open_banks;
        q[idx].needed_pre = true;
        ++stats_.precharges;
        energy_->close(c.rank, now);
        record(now, Cmd::PRE, c.rank, c.bank, 0, 0);
        return;
    }
    // A column command: the request is served (a queued hit: an earlier provisional RD stands).
    end_provisional(b);
    if (b.act_dir == c.dir && b.act_seq == e.seq) b.act_dir = -1;
    bool write = e.write;
    if (write && per_bank_queue_ && q.size() == p_.write_queue_depth) --full_write_queues_;
    q.erase(q.begin() + std::ptrdiff_t(idx));
    move_stuck_[0] = move_stuck_[1] = false;  // two_level: the bank's command queue has room
    --queued_[write ? 1 : 0];
    --r.queued;
    if (write) --r.queued_writes;
    ++(write ? writes_this_time_ : reads_this_time_);
    if (mig_ratio_) {
        --mig_claimed_;  // the bank machine is free from its column command (mig.h)
        mig_claim(now);
        mig_rank_config_ = c.rank;
        mig_last_col_ = now;
    }
    bool ap = false;
    switch (page_) {
        case Page::Open: break;
        case Page::Closed: ap = true; break;
        case Page::OpenAdaptive:
            ap = !queued_hit(bi, e.a.row) && queued_conflict(bi, e.a.row);
            break;
        case Page::ClosedAdaptive: ap = !queued_hit(bi, e.a.row); break;
    }
    // A column command backfilled behind commands already issued to its row keeps the row open
    // for them (they were issued with it open).
    if (now < bank_last) ap = false;
    ++b.hits_since_act;
    if (e.needed_pre) ++stats_.row_conflicts;
    else if (e.needed_act) ++stats_.row_misses;
    else ++stats_.row_hits;
    const uint32_t RL = t_.RL(), WL = t_.WL();
    uint64_t data_start = now + (write ? WL : RL);
    // Column-to-column spacing, JESD79-3F 4.14-4.16: same rank tCCD; RD->WR RL + BL/2 + 2 - WL;
    // WR->RD WL + BL/2 + tWTR. Other ranks share only the data bus: BL/2 + tRTRS between bursts.
    for (uint32_t k = 0; k < ranks_.size(); ++k) {
        Rank& o = ranks_[k];
        if (k == c.rank) {
            if (write) {
                o.t_wr = std::max(o.t_wr, now + t_.tCCD);
                o.t_rd = std::max(o.t_rd, now + WL + BL2 + t_.tWTR);
            } else {
                o.t_rd = std::max(o.t_rd, now + t_.tCCD);
                o.t_wr = std::max(o.t_wr, now + RL + BL2 + 2 - WL);
            }
        } else {
            // The other rank's burst may start tRTRS after this one ends on the data bus.
            uint64_t free = data_start + BL2 + t_.tRTRS;
            uint64_t rd = free > RL ? free - RL : 0, wr = free > WL ? free - WL : 0;
            o.t_rd = std::max(o.t_rd, rd);
            o.t_wr = std::max(o.t_wr, wr);
        }
        if (mig_rd_to_wr_ && !write) o.t_wr = std::max(o.t_wr, now + mig_rd_to_wr_);  // MIG: any rank (mig.cpp)
    }
    // Earliest precharge of this bank: RD -> PRE AL + tRTP; WR -> PRE WL + BL/2 + tWR.
    uint64_t pre = write ? now + WL + BL2 + t_.tWR : now + t_.AL + t_.tRTP;
    b.t_pre = std::max(b.t_pre, pre);
    // Through Port::access a request that arrived before this command may not be queued yet:
    // keep the row open and decide when the next arrival is seen (settle_provisional).
    bool provisional = ap && lt_ && page_ == Page::ClosedAdaptive;
    if (provisional) {
        ap = false;
        b.provisional = int64_t(cmd_count_);  // this command's index, recorded below
        b.prov_cycle = now;
        b.prov_pre = b.t_pre;
        ++provisionals_;
    }
    if (ap) {
        // Auto-precharge starts when an explicit PRE could (tRAS lockout included), JESD79-3F 4.17.
        b.open_row = -1;
        b.t_act = std::max(b.t_act, b.t_pre + t_.tRP);
        --r.open_banks;
        ++stats_.precharges;
        energy_->close(c.rank, b.t_pre);
    }
    // Power-down entry once the burst is done: tRDPDEN = RL + BL/2 + 1; tWRPDEN = WL + BL/2 +
    // tWR (+ 1 with auto-precharge, tWRAPDEN). JESD79-3F table 'Power-Down Entry Definitions'.
    // A provisional WR may turn out a WRA: keep its extra clock.
    r.t_pde = std::max(r.t_pde, write ? now + WL + BL2 + t_.tWR + (ap || provisional ? 1 : 0) : now + RL + BL2 + 1);
    energy_->column(write);
    if (backfill_ && lt_) {
        auto at = std::upper_bound(recent_cols_.begin(), recent_cols_.end(), now,
                                   [](uint64_t cycle, const ColumnRec& x) { return cycle < x.cycle; });
        recent_cols_.insert(at, ColumnRec{now, c.rank, write, e.addr, e.arrival});
        while (!recent_cols_.empty() && recent_cols_.front().cycle + 2 * kBackfillWindow < now_) recent_cols_.pop_front();
    }
    stats_.data_bus_cycles += BL2;
    last_data_end_ = std::max(last_data_end_, data_start + BL2);
    if (stats_.cycles) stats_.cycles->set(std::max(now_, last_data_end_));
    last_column_write_ = write;
    if (write) {
        ++*stats_.bank_writes[bi];
    } else {
        if (mig_ratio_ && mig_prd_ticks_) mig_note_read(c.rank, now);
        if (e.id != kPeriodicId) {
            count(t_.burst_bytes(), false);
            ++*stats_.bank_reads[bi];
        }
    }
    record(now, write ? (ap ? Cmd::WRA : Cmd::WR) : (ap ? Cmd::RDA : Cmd::RD), c.rank, c.bank, e.a.row, e.a.column);
    if (write) note_end((data_start + BL2) * t_.tCK_ps);
    if (e.id == waiting_id_) waiting_col_ = now;  // it leaves the read queue here (queued_)
    complete(e, data_start + BL2);
    // two_level: the RD answers the reads merged into it (not a read answered from a write).
    if (two_level_ && !write && !merged_reads_[bi].empty()) complete_merged(e, data_start + BL2);
}

}  // namespace memsim::dram

namespace memsim::dram {

void Controller::hold_rank(uint32_t rank, uint64_t ready) {
    for (uint32_t k = 0; k < t_.banks; ++k) {
        Bank& b = banks_[bank_index(rank, k)];
        b.t_act = std::max(b.t_act, ready);
        b.t_col = std::max(b.t_col, ready);
        b.t_pre = std::max(b.t_pre, ready);
    }
    ranks_[rank].t_act = std::max(ranks_[rank].t_act, ready);
}

void Controller::issue_cke(const Choice& c) {
    const uint64_t now = c.cycle;
    Rank& r = ranks_[c.rank];
    using Cke = EnergyBook::Cke;
    if (c.cmd == Cmd::SRE) {
        r.sr = true;
        r.t_srx = now + t_.tCKESR;
        if (stats_.self_refresh_entries) ++*stats_.self_refresh_entries;
        energy_->cke(c.rank, now, Cke::SelfRefresh);
        record(now, c.cmd, c.rank, 0, 0, 0);
        return;
    }
    if (c.cmd == Cmd::SRX) {
        r.sr = false;
        // The rank was refreshed all along: no REF owed or ahead, the 9 x tREFI spacing restarts.
        r.refresh_owed = 0;
        r.last_ref = now;
        r.ref_since_srx = false;
        r.t_pde = std::max(r.t_pde, now + t_.tXS);
        const uint64_t ready = now + t_.tXS;
        hold_rank(c.rank, ready);
        r.t_rd = std::max(r.t_rd, now + std::max(t_.tXS, t_.tXSDLL));  // the DLL relocks
        r.no_backfill_read_before = std::max(r.no_backfill_read_before, now + std::max(t_.tXS, t_.tXSDLL));
        r.t_wr = std::max(r.t_wr, ready);
        energy_->cke(c.rank, now, Cke::High);
        record(now, c.cmd, c.rank, 0, 0, 0);
        return;
    }
    if (c.cmd == Cmd::PDE) {
        r.pd = true;
        // Precharge power-down (the DLL may freeze) unless a row is open. A row kept open only
        // provisionally (Port::access, closed_adaptive) may turn out auto-precharged before this:
        // count it closed, the stricter case for a read after PDX.
        unsigned open = 0;
        for (uint32_t k = 0; k < t_.banks; ++k) {
            const Bank& b = banks_[bank_index(c.rank, k)];
            if (b.open_row >= 0 && b.provisional < 0) ++open;
        }
        r.pd_precharged = open == 0;
        r.pde_at = now;
        r.t_pdx = now + t_.tCKE;  // CKE stays low at least tCKE
        if (stats_.power_down_entries) ++*stats_.power_down_entries;
    } else {
        r.pd = false;
        r.t_pde = std::max(r.t_pde, now + t_.tCKE);  // and high at least tCKE
        // Fast exit: any command tXP after PDX. Every timer of the rank waits for it.
        const uint64_t ready = now + t_.tXP;
        hold_rank(c.rank, ready);
        r.t_rd = std::max(r.t_rd, ready);
        r.t_wr = std::max(r.t_wr, ready);
        if (slow_exit_ && r.pd_precharged) {
            r.t_rd = std::max(r.t_rd, now + t_.tXPDLL);  // the DLL relocks
            r.no_backfill_read_before = std::max(r.no_backfill_read_before, now + t_.tXPDLL);
        }
    }
    energy_->cke(c.rank, now, c.cmd == Cmd::PDE ? Cke::PowerDown : Cke::High);
    record(now, c.cmd, c.rank, 0, 0, 0);
}

}  // namespace memsim::dram
