#include "models/dma/engine.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>

#include "sim/config/schema.h"
#include "sim/config/units.h"
#include "sim/core/error.h"

namespace memsim::dma {

MEMSIM_REGISTER_PARAMS(EngineParams, "dma", "the DMA engine: channels, bursts, outstanding requests, arbitration");

namespace {

// PG021 (AXI DMA) and PG034 (AXI CDMA): STATUS is the word at offset 1Ch of a descriptor; the SG
// engine writes it back with the Cmplt bit and the bytes transferred.
constexpr uint64_t kStatusOffset = 0x1c;
constexpr uint32_t kStatusBytes = 4;

// The earliest time >= T at which one of CAPACITY slots is free, when HELD_UNKNOWN slots are held
// until an event not scheduled yet and the others until the times in INFLIGHT (sorted); kNever when
// the unknown ones fill them all.
inline uint64_t first_free(const std::vector<uint64_t>& inflight, size_t held_unknown, size_t capacity, uint64_t t,
                           uint64_t never) {
    if (held_unknown >= capacity) return never;
    size_t free_needed_from = capacity - held_unknown;  // slots the known completions may hold
    // Completions <= t have freed theirs.
    auto first_live = std::upper_bound(inflight.begin(), inflight.end(), t);
    size_t live = size_t(inflight.end() - first_live);
    if (live < free_needed_from) return t;
    // Wait for the (live - free_needed_from + 1)-th of them to complete.
    return *(first_live + (live - free_needed_from));
}

inline void insert_sorted(std::vector<uint64_t>& v, uint64_t x) { v.insert(std::upper_bound(v.begin(), v.end(), x), x); }

// One value per channel from a per-channel list (dma.bursts, dma.outstanding_per_channel), or
// FALLBACK for all when the list is empty.
std::vector<uint64_t> per_channel(const std::vector<std::string>& list, size_t channels, uint64_t fallback,
                                  const std::string& key, bool size, uint64_t lo, uint64_t hi) {
    if (list.empty()) return std::vector<uint64_t>(channels, fallback);
    if (list.size() != channels)
        throw InputError(SourceLocation{key}, "expected " + std::to_string(channels) +
                                                  " values, one per channel of dma.channels, got " +
                                                  std::to_string(list.size()));
    std::vector<uint64_t> out;
    for (const auto& text : list) {
        uint64_t v = 0;
        std::string why;
        bool ok = size ? units::parse_size(text, v, &why) : units::parse_uint(text, v, &why);
        if (ok && (v < lo || v > hi)) {
            ok = false;
            why = "expected " + std::to_string(lo) + " to " + std::to_string(hi);
        }
        if (!ok)
            throw InputError(SourceLocation{key}, "'" + text + "': " + (size ? "a size: " : "a count: ") + why);
        out.push_back(v);
    }
    return out;
}

}  // namespace

struct Engine::Transfer {
    uint64_t id;
    Direction dir;
    std::vector<Descriptor> ring;
    uint64_t submit_ps;
    size_t desc = 0;          // the issue cursor: descriptor and offset in it
    uint64_t offset = 0;
    bool started = false;
    bool all_issued = false;
    // Per descriptor: its address in the channel's ring, when its fetch completes, bursts issued
    // whose completion is not known yet (a write to come), its last burst's completion.
    std::vector<uint64_t> desc_addr, fetch_done_ps, data_done_ps;
    std::vector<uint32_t> unresolved;
    size_t fetched = 0;       // descriptors whose fetch is issued
    size_t completed = 0;     // descriptors complete
    Completion result;
};

struct Engine::Channel {
    std::string name;
    unsigned index;
    std::deque<std::unique_ptr<Transfer>> ring;  // in order; the front is being issued
    std::vector<std::unique_ptr<Transfer>> issued;  // all bursts issued, some writes still to come
    uint64_t burst, outstanding;
    std::vector<uint64_t> inflight;    // completion times of bursts holding a slot, sorted (<= outstanding)
    unsigned awaiting_write = 0;       // memory-to-memory bursts whose write is not issued yet: slots held
    unsigned pending = 0;              // approximately timed: bursts in flight, completion not known yet
    // The SG engine's descriptor queue: a descriptor holds an entry from its fetch to its completion.
    DescriptorRing desc_ring;
    uint64_t desc_seq = 0;             // descriptors submitted: the next one's ring slot
    uint64_t last_fetch_done_ps = 0;   // the next descriptor's address is in this one (NXTDESC)
    std::vector<uint64_t> queued;      // completion times of queued descriptors, sorted
    unsigned queued_unknown = 0;       // queued descriptors whose completion is not known yet
    // Busy time: the union of [burst issue, burst completion] intervals.
    uint64_t busy_closed_ps = 0, busy_since_ps = 0, active_until_ps = 0;
    bool active = false;
    stats::Counter* bytes;
    stats::Counter* transfers;
    stats::Counter* bursts;
    stats::Counter* descriptor_fetches;
    stats::Counter* status_writes;
    stats::Distribution* latency = nullptr;

    uint64_t busy_ps() const { return busy_closed_ps + (active ? active_until_ps - busy_since_ps : 0); }
    void touch(uint64_t start, uint64_t end) {
        if (!active || start > active_until_ps) {
            if (active) busy_closed_ps += active_until_ps - busy_since_ps;
            active = true;
            busy_since_ps = start;
            active_until_ps = end;
        } else {
            active_until_ps = std::max(active_until_ps, end);
        }
    }
};

Engine::Stats::Stats(stats::Registry& r, bool timed)
    : bytes(r.counter("dma.bytes", "bytes", "bytes moved by all channels")),
      transfers(r.counter("dma.transfers", "transfers", "transfers completed (scatter-gather lists)")),
      bursts(r.counter("dma.bursts", "bursts", "bursts issued (a memory-to-memory burst is a read and a write)")),
      descriptor_fetches(r.counter("dma.descriptor_fetches", "descriptors", "descriptors read from the rings")),
      status_writes(r.counter("dma.status_writes", "descriptors", "descriptor status words written back")),
      interrupts(r.counter("dma.interrupts", "interrupts", "completion interrupts raised (one per transfer)")) {
    if (timed)
        latency = &r.distribution("dma.latency", "ns", "time from a transfer's submission to its completion (its last burst, or last status write)");
}

Engine::Engine(const EngineParams& p, mem::Port& port, stats::Registry& r, bool timed)
    : p_(p),
      port_(port),
      timed_(timed),
      round_robin_(p.arbitration == "round_robin"),
      fetch_(p.descriptor_fetch),
      status_(p.status_writeback),
      cycle_ps_(timed ? uint64_t(std::llround(1e12 / p.clock_hz)) : 0),
      stats_(r, timed) {
    if (p_.channels.empty()) throw InputError(SourceLocation{"dma.channels"}, "expected at least one channel name");
    if (p_.burst == 0 || p_.outstanding == 0)
        throw InputError(SourceLocation{"dma"}, "burst and outstanding must be > 0");
    const size_t n = p_.channels.size();
    const auto bursts = per_channel(p_.bursts, n, p_.burst, "dma.bursts", true, 1, 1 << 20);
    const auto outstanding =
        per_channel(p_.outstanding_per_channel, n, p_.outstanding, "dma.outstanding_per_channel", false, 1, 1024);
    for (const auto& name : p_.channels) {
        // The name becomes a statistics path component beside the engine's own (dma.bytes, ...).
        static const char* const kReserved[] = {"bytes", "transfers", "bursts", "latency", "events",
                                                "maintenance_cycles", "stream", "snoop", "stale_lines",
                                                "stale_reads", "stale_device_reads", "descriptor_fetches",
                                                "status_writes", "interrupts"};
        bool ok = !name.empty() && std::all_of(name.begin(), name.end(), [](char ch) {
            return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-';
        });
        for (const char* r : kReserved) ok = ok && name != r;
        if (!ok)
            throw InputError(SourceLocation{"dma.channels"},
                             "channel \"" + name + "\": expected a name of letters, digits, _ and - other than "
                             "bytes, transfers, bursts, latency, events, maintenance_cycles, stream, snoop, stale_lines, "
                             "stale_reads, stale_device_reads, descriptor_fetches, status_writes, interrupts");
        if (channel(name) != kNoChannel)
            throw InputError(SourceLocation{"dma.channels"}, "channel \"" + name + "\" is declared twice");
        auto c = std::make_unique<Channel>();
        c->name = name;
        c->index = unsigned(ch_.size());
        c->burst = bursts[c->index];
        c->outstanding = outstanding[c->index];
        c->desc_ring = {p_.descriptor_ring_base + c->index * p_.descriptor_ring_slots * p_.descriptor_bytes,
                        p_.descriptor_ring_slots};
        const std::string s = "dma." + name + ".";
        c->bytes = &r.counter(s + "bytes", "bytes", "bytes moved by channel " + name);
        c->transfers = &r.counter(s + "transfers", "transfers", "transfers completed on channel " + name);
        c->bursts = &r.counter(s + "bursts", "bursts", "bursts issued by channel " + name);
        c->descriptor_fetches =
            &r.counter(s + "descriptor_fetches", "descriptors", "descriptors channel " + name + " read from its ring");
        c->status_writes =
            &r.counter(s + "status_writes", "descriptors", "descriptor status words channel " + name + " wrote back");
        if (timed) {
            Channel* cp = c.get();
            c->latency = &r.distribution(s + "latency", "ns", "submission to completion of channel " + name + "'s transfers");
            r.formula(s + "busy", "ps", "time channel " + name + " had a burst in flight",
                      [cp] { return double(cp->busy_ps()); });
            r.formula(s + "bandwidth", "bytes/s", "achieved bandwidth of channel " + name + ": bytes / busy time",
                      [cp] { return cp->busy_ps() ? double(cp->bytes->value()) * 1e12 / double(cp->busy_ps()) : 0.0; });
        }
        ch_.push_back(std::move(c));
    }
}

Engine::~Engine() = default;

unsigned Engine::channel(const std::string& name) const {
    for (const auto& c : ch_)
        if (c->name == name) return c->index;
    return kNoChannel;
}

const std::string& Engine::channel_name(unsigned c) const { return ch_.at(c)->name; }
unsigned Engine::channel_count() const { return unsigned(ch_.size()); }
uint64_t Engine::burst(unsigned c) const { return ch_.at(c)->burst; }
uint64_t Engine::outstanding(unsigned c) const { return ch_.at(c)->outstanding; }
const DescriptorRing& Engine::descriptor_ring(unsigned c) const { return ch_.at(c)->desc_ring; }

void Engine::set_descriptor_ring(unsigned c, DescriptorRing ring) {
    if (c >= ch_.size()) throw std::invalid_argument("dma::Engine::set_descriptor_ring: no channel " + std::to_string(c));
    if (ring.slots == 0) throw std::invalid_argument("dma::Engine::set_descriptor_ring: a ring of 0 slots");
    ch_[c]->desc_ring = ring;
}

void Engine::check_descriptor_rings(uint64_t memory_bytes) const {
    if (!fetch_ && !status_) return;
    for (const auto& c : ch_) {
        uint64_t end = c->desc_ring.base + c->desc_ring.slots * p_.descriptor_bytes;
        if (end > memory_bytes)
            throw InputError(SourceLocation{"dma.descriptor_ring_base"},
                             "the descriptor ring of channel " + c->name + " (" + std::to_string(c->desc_ring.slots) +
                                 " x " + std::to_string(p_.descriptor_bytes) + " bytes from " +
                                 std::to_string(c->desc_ring.base) + ") does not fit in memory.size");
    }
}

uint64_t Engine::take_interrupt_cycles(uint64_t until_ps) {
    uint64_t n = 0;
    while (!interrupts_.empty() && interrupts_.top() <= until_ps) {
        interrupts_.pop();
        ++n;
    }
    return n * p_.interrupt_cycles;
}

uint64_t Engine::submit(unsigned c, Direction dir, std::vector<Descriptor> ring, uint64_t at_ps) {
    if (c >= ch_.size()) throw std::invalid_argument("dma::Engine::submit: no channel " + std::to_string(c));
    if (ring.empty()) throw std::invalid_argument("dma::Engine::submit: an empty descriptor list");
    for (const auto& d : ring)
        if (d.length == 0) throw std::invalid_argument("dma::Engine::submit: a descriptor of length 0");
    auto t = std::make_unique<Transfer>();
    t->id = next_transfer_++;
    t->dir = dir;
    t->submit_ps = timed_ ? at_ps : 0;
    t->result.transfer = t->id;
    t->result.channel = c;
    t->result.submit_ps = t->submit_ps;
    t->result.descriptor_done_ps.assign(ring.size(), 0);
    Channel& ch = *ch_[c];
    for (size_t k = 0; k < ring.size(); ++k)
        t->desc_addr.push_back(ch.desc_ring.base + (ch.desc_seq++ % ch.desc_ring.slots) * p_.descriptor_bytes);
    t->fetch_done_ps.assign(ring.size(), 0);
    t->data_done_ps.assign(ring.size(), 0);
    t->unresolved.assign(ring.size(), 0);
    t->ring = std::move(ring);
    uint64_t id = t->id;
    ch_[c]->ring.push_back(std::move(t));
    ++unfinished_;
    if (on_submit_) on_submit_();
    return id;
}

uint64_t Engine::ready_at(const Channel& c) const {
    if (c.ring.empty()) return kNever;
    const Transfer& tr = *c.ring.front();
    uint64_t t = std::max(tr.submit_ps, next_issue_ps_);
    if (fetch_) {
        // A descriptor's bursts wait for its fetch (the fetch is a step of its own).
        if (tr.fetched <= tr.desc) return kNever;
        t = std::max(t, tr.fetch_done_ps[tr.desc]);
    }
    // Slots: awaiting_write bursts hold theirs until their write is issued (a step of its own), the
    // others until their completion time.
    return first_free(c.inflight, c.awaiting_write + c.pending, c.outstanding, t, kNever);
}

uint64_t Engine::fetch_ready_at(const Channel& c) const {
    if (!fetch_) return kNever;
    // The first descriptor not fetched yet: the SG engine walks the channel's chain in order.
    for (const auto& trp : c.ring) {
        const Transfer& tr = *trp;
        if (tr.fetched == tr.ring.size()) continue;
        // Its address is the previous descriptor's NXTDESC: known when that fetch is back. Room in
        // the queue: the one moving data and descriptor_prefetch more.
        uint64_t t = std::max(tr.submit_ps, c.last_fetch_done_ps);
        return first_free(c.queued, c.queued_unknown, 1 + p_.descriptor_prefetch, t, kNever);
    }
    return kNever;
}

void Engine::issue_fetch(Channel& c, uint64_t t) {
    Transfer* trp = nullptr;
    for (auto& x : c.ring)
        if (x->fetched < x->ring.size()) {
            trp = x.get();
            break;
        }
    Transfer& tr = *trp;
    const size_t k = tr.fetched++;
    c.queued.erase(c.queued.begin(), std::upper_bound(c.queued.begin(), c.queued.end(), t));
    ++c.queued_unknown;
    if (conc_) tr.fetch_done_ps[k] = c.last_fetch_done_ps = kNever;  // (until it completes)
    send(mem::Request{tr.desc_addr[k], uint32_t(p_.descriptor_bytes), mem::AccessKind::Read}, t,
         [this, &c, &tr, k, t](uint64_t done) {
             if (!timed_) return;
             tr.fetch_done_ps[k] = done;
             c.last_fetch_done_ps = done;
             c.touch(t, done);
         });
    ++stats_.descriptor_fetches;
    ++*c.descriptor_fetches;
}

void Engine::burst_done(Channel& c, Transfer& tr, uint32_t desc, uint64_t start_ps, uint64_t done_ps) {
    if (timed_) {
        insert_sorted(c.inflight, done_ps);
        c.touch(start_ps, done_ps);
    }
    tr.data_done_ps[desc] = std::max(tr.data_done_ps[desc], done_ps);
    const bool all_bursts_issued = desc < tr.desc || tr.all_issued;
    if (--tr.unresolved[desc] || !all_bursts_issued) return;
    if (status_) {
        // PG021: the SG engine updates the descriptor's STATUS (Cmplt, bytes transferred) once its
        // data has moved; software sees the descriptor complete then.
        const uint64_t t = tr.data_done_ps[desc];
        writes_.push(PendingWrite{t, write_seq_++, &tr, desc, tr.desc_addr[desc] + kStatusOffset, kStatusBytes, t,
                                  true});
        return;
    }
    descriptor_done(c, tr, desc, tr.data_done_ps[desc]);
}

void Engine::descriptor_done(Channel& c, Transfer& tr, uint32_t desc, uint64_t done_ps) {
    if (fetch_) {
        --c.queued_unknown;
        if (timed_) insert_sorted(c.queued, done_ps);
    }
    auto& r = tr.result;
    r.descriptor_done_ps[desc] = done_ps;
    r.done_ps = std::max(r.done_ps, done_ps);
    if (++tr.completed < tr.ring.size()) return;
    --unfinished_;
    ++stats_.transfers;
    ++*c.transfers;
    if (timed_) {
        double ns = double(r.done_ps - r.submit_ps) / 1000.0;
        stats_.latency->sample(ns);
        c.latency->sample(ns);
    }
    // One interrupt per transfer (interrupt on complete on its last descriptor): a modelling choice;
    // per-descriptor interrupts and interrupt coalescing are not modelled.
    ++stats_.interrupts;
    r.interrupt_cycles = p_.interrupt_cycles;
    if (p_.interrupt_cycles) interrupts_.push(r.done_ps);
    completions_.push_back(r);
    for (const auto& f : on_complete_) f(completions_.back());
    auto it = std::find_if(c.issued.begin(), c.issued.end(), [&](const auto& p) { return p.get() == &tr; });
    if (it != c.issued.end()) c.issued.erase(it);
}

void Engine::issue_burst(Channel& c, uint64_t t) {
    c.inflight.erase(c.inflight.begin(), std::upper_bound(c.inflight.begin(), c.inflight.end(), t));
    Transfer& tr = *c.ring.front();
    if (!tr.started) {
        tr.started = true;
        tr.result.first_issue_ps = t;
    }
    const Descriptor& d = tr.ring[tr.desc];
    const uint32_t desc = uint32_t(tr.desc);
    const uint32_t n = uint32_t(std::min<uint64_t>(c.burst, d.length - tr.offset));
    const uint64_t off = tr.offset;
    tr.offset += n;
    if (tr.offset == d.length) {
        tr.offset = 0;
        ++tr.desc;
    }
    ++tr.unresolved[desc];
    ++stats_.bursts;
    ++*c.bursts;
    stats_.bytes += n;
    *c.bytes += n;
    tr.result.bytes += n;
    next_issue_ps_ = t + cycle_ps_;
    Transfer* trp = &tr;
    if (tr.desc == tr.ring.size()) {
        // Every burst issued: the transfer leaves the ring; bursts still to complete keep it alive.
        tr.all_issued = true;
        c.issued.push_back(std::move(c.ring.front()));
        c.ring.pop_front();
    }
    auto burst_completes = [this, &c, trp, desc, t](uint64_t done) {
        if (conc_) --c.pending;
        burst_done(c, *trp, desc, t, done);
    };
    switch (trp->dir) {
    case Direction::MemToDev:
        if (conc_) ++c.pending;
        send(mem::Request{d.src + off, n, mem::AccessKind::Read}, t, burst_completes);
        break;
    case Direction::DevToMem:
        if (conc_) ++c.pending;
        send(mem::Request{d.dst + off, n, mem::AccessKind::Write}, t, burst_completes);
        break;
    case Direction::MemToMem:
        ++c.awaiting_write;
        send(mem::Request{d.src + off, n, mem::AccessKind::Read}, t,
             [this, trp, desc, dst = d.dst + off, n, t](uint64_t read_done) {
                 writes_.push(PendingWrite{read_done, write_seq_++, trp, desc, dst, n, t, false});
             });
        break;
    }
}

void Engine::send(const mem::Request& r, uint64_t t, std::function<void(uint64_t)> done) {
    if (!conc_) {
        done(port_.access(r, t));
        return;
    }
    conc_->spawn([this, r, t, done = std::move(done)] {
        done(port_.access(r, t));
        conc_->completed();
    });
}

void Engine::issue_write(const PendingWrite& w) {
    Channel& c = *ch_[w.transfer->result.channel];
    if (!w.status) {
        --c.awaiting_write;
        if (conc_) ++c.pending;  // the slot is held until the write completes
    }
    send(mem::Request{w.addr, w.size, mem::AccessKind::Write}, w.t, [this, &c, w](uint64_t done) {
        if (w.status) {
            ++stats_.status_writes;
            ++*c.status_writes;
            if (timed_) c.touch(w.t, done);
            descriptor_done(c, *w.transfer, w.desc, done);
            return;
        }
        if (conc_) --c.pending;
        burst_done(c, *w.transfer, w.desc, w.read_issue_ps, done);
    });
}

Engine::Next Engine::next() const {
    Next n;
    const uint64_t tw = writes_.empty() ? kNever : writes_.top().t;
    uint64_t tc = kNever;
    unsigned best = kNoChannel;
    const unsigned count = unsigned(ch_.size());
    for (unsigned k = 0; k < count; ++k) {
        // Fixed priority scans from channel 0, round robin from the one after the last granted; the
        // first channel ready at the earliest time wins.
        unsigned i = round_robin_ ? (rr_next_ + k) % count : k;
        uint64_t r = ready_at(*ch_[i]);
        if (r < tc) {
            tc = r;
            best = i;
        }
    }
    // Descriptor fetches go out on the SG master: no issue cycle; the first channel in declaration
    // order among those ready earliest.
    uint64_t tf = kNever;
    unsigned best_f = kNoChannel;
    for (unsigned i = 0; fetch_ && i < count; ++i) {
        uint64_t r = fetch_ready_at(*ch_[i]);
        if (r < tf) {
            tf = r;
            best_f = i;
        }
    }
    n.t = std::min(tw, std::min(tc, tf));
    if (n.t == kNever) return n;
    // A write due now frees its slot no later than any burst that would wait for it. At equal
    // times the SG master's read reaches the memory before the data burst (a choice: the
    // arbitration between the engine's masters is not modelled).
    if (tw <= tc && tw <= tf) n.what = Next::Write;
    else if (tf <= tc) n.what = Next::Fetch, n.channel = best_f;
    else n.what = Next::Burst, n.channel = best;
    return n;
}

uint64_t Engine::next_ps() const { return next().t; }

bool Engine::step(uint64_t until_ps) {
    const Next n = next();
    if (n.what == Next::None || n.t > until_ps) return false;
    switch (n.what) {
        case Next::Write: {
            PendingWrite w = writes_.top();
            writes_.pop();
            issue_write(w);
            break;
        }
        case Next::Fetch: issue_fetch(*ch_[n.channel], n.t); break;
        case Next::Burst:
            issue_burst(*ch_[n.channel], n.t);
            rr_next_ = (n.channel + 1) % unsigned(ch_.size());
            break;
        case Next::None: break;
    }
    return true;
}

void Engine::advance(uint64_t until_ps) {
    while (step(until_ps)) {
    }
}

uint64_t Engine::drain() {
    while (step(kNever - 1)) {
    }
    uint64_t last = 0;
    for (const auto& c : completions_) last = std::max(last, c.done_ps);
    return last;
}

}  // namespace memsim::dma
