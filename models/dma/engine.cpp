#include "models/dma/engine.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>

#include "sim/config/schema.h"
#include "sim/core/error.h"

namespace memsim::dma {

MEMSIM_REGISTER_PARAMS(EngineParams, "dma", "the DMA engine: channels, bursts, outstanding requests, arbitration");

struct Engine::Transfer {
    uint64_t id;
    Direction dir;
    std::vector<Descriptor> ring;
    uint64_t submit_ps;
    size_t desc = 0;          // the issue cursor: descriptor and offset in it
    uint64_t offset = 0;
    uint64_t unresolved = 0;  // bursts issued whose completion is not known yet (a write to come)
    bool started = false;
    bool all_issued = false;
    Completion result;
};

struct Engine::Channel {
    std::string name;
    unsigned index;
    std::deque<std::unique_ptr<Transfer>> ring;  // in order; the front is being issued
    std::vector<std::unique_ptr<Transfer>> issued;  // all bursts issued, some writes still to come
    std::vector<uint64_t> inflight;    // completion times of bursts holding a slot, sorted (<= outstanding)
    unsigned awaiting_write = 0;       // memory-to-memory bursts whose write is not issued yet: slots held
    // Busy time: the union of [burst issue, burst completion] intervals.
    uint64_t busy_closed_ps = 0, busy_since_ps = 0, active_until_ps = 0;
    bool active = false;
    stats::Counter* bytes;
    stats::Counter* transfers;
    stats::Counter* bursts;
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
      bursts(r.counter("dma.bursts", "bursts", "bursts issued (a memory-to-memory burst is a read and a write)")) {
    if (timed)
        latency = &r.distribution("dma.latency", "ns", "time from a transfer's submission to its last burst's completion");
}

Engine::Engine(const EngineParams& p, mem::Port& port, stats::Registry& r, bool timed)
    : p_(p),
      port_(port),
      timed_(timed),
      round_robin_(p.arbitration == "round_robin"),
      cycle_ps_(timed ? uint64_t(std::llround(1e12 / p.clock_hz)) : 0),
      stats_(r, timed) {
    if (p_.channels.empty()) throw InputError(SourceLocation{"dma.channels"}, "expected at least one channel name");
    if (p_.burst == 0 || p_.outstanding == 0)
        throw InputError(SourceLocation{"dma"}, "burst and outstanding must be > 0");
    for (const auto& name : p_.channels) {
        // The name becomes a statistics path component beside the engine's own (dma.bytes, ...).
        static const char* const kReserved[] = {"bytes", "transfers", "bursts", "latency", "events",
                                                "maintenance_cycles", "stream", "snoop", "stale_lines",
                                                "stale_reads", "stale_device_reads"};
        bool ok = !name.empty() && std::all_of(name.begin(), name.end(), [](char ch) {
            return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-';
        });
        for (const char* r : kReserved) ok = ok && name != r;
        if (!ok)
            throw InputError(SourceLocation{"dma.channels"},
                             "channel \"" + name + "\": expected a name of letters, digits, _ and - other than "
                             "bytes, transfers, bursts, latency, events, maintenance_cycles, stream, snoop, stale_lines, "
                             "stale_reads, stale_device_reads");
        if (channel(name) != kNoChannel)
            throw InputError(SourceLocation{"dma.channels"}, "channel \"" + name + "\" is declared twice");
        auto c = std::make_unique<Channel>();
        c->name = name;
        c->index = unsigned(ch_.size());
        const std::string s = "dma." + name + ".";
        c->bytes = &r.counter(s + "bytes", "bytes", "bytes moved by channel " + name);
        c->transfers = &r.counter(s + "transfers", "transfers", "transfers completed on channel " + name);
        c->bursts = &r.counter(s + "bursts", "bursts", "bursts issued by channel " + name);
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
    t->ring = std::move(ring);
    uint64_t id = t->id;
    ch_[c]->ring.push_back(std::move(t));
    ++unfinished_;
    return id;
}

uint64_t Engine::ready_at(Channel& c) const {
    if (c.ring.empty()) return kNever;
    uint64_t t = std::max(c.ring.front()->submit_ps, next_issue_ps_);
    // Slots: awaiting_write bursts hold theirs until their write is issued (a step of its own), the
    // others until their completion time.
    if (c.awaiting_write >= p_.outstanding) return kNever;
    size_t free_needed_from = p_.outstanding - c.awaiting_write;  // slots the known completions may hold
    // Completions <= t have freed theirs.
    auto first_live = std::upper_bound(c.inflight.begin(), c.inflight.end(), t);
    size_t live = size_t(c.inflight.end() - first_live);
    if (live < free_needed_from) return t;
    // Wait for the (live - free_needed_from + 1)-th of them to complete.
    return *(first_live + (live - free_needed_from));
}

void Engine::burst_done(Channel& c, Transfer& tr, uint32_t desc, uint64_t start_ps, uint64_t done_ps) {
    if (timed_) {
        c.inflight.insert(std::upper_bound(c.inflight.begin(), c.inflight.end(), done_ps), done_ps);
        c.touch(start_ps, done_ps);
    }
    auto& r = tr.result;
    r.descriptor_done_ps[desc] = std::max(r.descriptor_done_ps[desc], done_ps);
    r.done_ps = std::max(r.done_ps, done_ps);
    if (--tr.unresolved || !tr.all_issued) return;
    --unfinished_;
    ++stats_.transfers;
    ++*c.transfers;
    if (timed_) {
        double ns = double(r.done_ps - r.submit_ps) / 1000.0;
        stats_.latency->sample(ns);
        c.latency->sample(ns);
    }
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
    const uint32_t n = uint32_t(std::min<uint64_t>(p_.burst, d.length - tr.offset));
    const uint64_t off = tr.offset;
    tr.offset += n;
    if (tr.offset == d.length) {
        tr.offset = 0;
        ++tr.desc;
    }
    ++tr.unresolved;
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
    switch (trp->dir) {
    case Direction::MemToDev: {
        uint64_t done = port_.access(mem::Request{d.src + off, n, mem::AccessKind::Read}, t);
        burst_done(c, *trp, desc, t, done);
        break;
    }
    case Direction::DevToMem: {
        uint64_t done = port_.access(mem::Request{d.dst + off, n, mem::AccessKind::Write}, t);
        burst_done(c, *trp, desc, t, done);
        break;
    }
    case Direction::MemToMem: {
        uint64_t read_done = port_.access(mem::Request{d.src + off, n, mem::AccessKind::Read}, t);
        ++c.awaiting_write;
        writes_.push(PendingWrite{read_done, write_seq_++, trp, desc, d.dst + off, n, t});
        break;
    }
    }
}

void Engine::issue_write(const PendingWrite& w) {
    Channel& c = *ch_[w.transfer->result.channel];
    --c.awaiting_write;
    uint64_t done = port_.access(mem::Request{w.addr, w.size, mem::AccessKind::Write}, w.t);
    burst_done(c, *w.transfer, w.desc, w.read_issue_ps, done);
}

bool Engine::step(uint64_t until_ps) {
    uint64_t tw = writes_.empty() ? kNever : writes_.top().t;
    uint64_t tc = kNever;
    unsigned best = kNoChannel;
    const unsigned n = unsigned(ch_.size());
    for (unsigned k = 0; k < n; ++k) {
        // Fixed priority scans from channel 0, round robin from the one after the last granted; the
        // first channel ready at the earliest time wins.
        unsigned i = round_robin_ ? (rr_next_ + k) % n : k;
        uint64_t r = ready_at(*ch_[i]);
        if (r < tc) {
            tc = r;
            best = i;
        }
    }
    if (tw == kNever && tc == kNever) return false;
    if (std::min(tw, tc) > until_ps) return false;
    if (tw <= tc) {
        // A write due now frees its slot no later than any burst that would wait for it.
        PendingWrite w = writes_.top();
        writes_.pop();
        issue_write(w);
    } else {
        issue_burst(*ch_[best], tc);
        rr_next_ = (best + 1) % n;
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
