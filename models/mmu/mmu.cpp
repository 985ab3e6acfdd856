#include "models/mmu/mmu.h"

#include <algorithm>

#include "sim/config/schema.h"
#include "sim/core/error.h"

namespace memsim::mmu {

MEMSIM_REGISTER_PARAMS(MmuParams, "mmu", "the MMU: TLBs, page-walk caches and the hardware page walker");
// Skylake (Intel optimization manual, the Skylake client TLB parameters table): ITLB 4K 128
// entries 8-way, 2M/4M 8 entries fully associative per thread, no 1G entries.
MEMSIM_REGISTER_PARAMS(TlbParams, "mmu.itlb", "L1 instruction TLB",
                       {{"entries_4k", "128"}, {"assoc_4k", "8"}, {"entries_2m", "8"}, {"assoc_2m", "8"},
                        {"entries_1g", "0"}, {"assoc_1g", "0"}});
// Skylake DTLB: 4K 64 entries 4-way, 2M 32 entries 4-way, 1G 4 entries 4-way (fully associative).
MEMSIM_REGISTER_PARAMS(TlbParams, "mmu.dtlb", "L1 data TLB");
// Skylake STLB: 1536 entries 12-way shared by 4K and 2M pages, 1G 16 entries 4-way.
MEMSIM_REGISTER_PARAMS(TlbParams, "mmu.stlb", "second-level (shared) TLB",
                       {{"shared", "4K,2M"}, {"entries", "1536"}, {"assoc", "12"}, {"entries_4k", "0"},
                        {"assoc_4k", "0"}, {"entries_2m", "0"}, {"assoc_2m", "0"}, {"entries_1g", "16"},
                        {"assoc_1g", "4"}});
MEMSIM_REGISTER_PARAMS(PwcParams, "mmu.pwc", "paging-structure (page-walk) caches, Intel SDM vol. 3 4.10.3");

Mmu::TlbStats::TlbStats(stats::Registry& r, const std::string& name, const std::string& what)
    : accesses(r.counter("mmu." + name + ".accesses", "lookups", what + " lookups")),
      hits(r.counter("mmu." + name + ".hits", "lookups", what + " lookups that found the translation")),
      misses(r.counter("mmu." + name + ".misses", "lookups", what + " lookups that did not")) {}

Mmu::Stats::Stats(stats::Registry& r, bool timed)
    : itlb(r, "itlb", "L1 ITLB"),
      dtlb(r, "dtlb", "L1 DTLB"),
      stlb(r, "stlb", "STLB (after an L1 TLB miss)"),
      walks(r.counter("mmu.walks", "walks", "page-table walks (STLB misses and dirty-bit re-walks)")),
      walk_memory_accesses(r.counter("mmu.walk_memory_accesses", "requests",
                                     "page-table entries read by walks through the walk port")),
      not_present(r.counter("mmu.faults.not_present", "faults", "translations that met a non-present entry")),
      protection(r.counter("mmu.faults.protection", "faults",
                           "translations refused by the permissions (write to read-only, fetch from NX, ...)")),
      access_dirty(r.counter("mmu.faults.access_dirty", "faults",
                             "page faults for a clear A, or D on a store (hardware_ad false)")),
      ad_updates(r.counter("mmu.ad_updates", "writes", "accessed/dirty bit writes by the walker (PteUpdate)")),
      flushes(r.counter("mmu.flushes", "flushes",
                        "TLB flushes: flush_range, flush_asid, flush_all and flushing context switches")) {
    const char* name[4] = {"", "pde", "pdpt", "pml4"};
    for (unsigned l = 1; l < 4; ++l) {
        std::string n = std::string("mmu.pwc.") + name[l];
        pwc_hits[l] = &r.counter(n + ".hits", "lookups", std::string(name[l]) + " cache lookups that hit");
        pwc_misses[l] = &r.counter(n + ".misses", "lookups", std::string(name[l]) + " cache lookups that missed");
    }
    if (timed) {
        walk_latency_ns = &r.distribution("mmu.walk_latency_ns", "ns",
                                          "walk time from its start on a free walker to its last memory access");
        walk_queue_cycles = &r.counter("mmu.walk_queue_cycles", "cycles",
                                       "time walks waited for a free walker (max_walks), summed");
    }
}

Mmu::Mmu(const config::Config& cfg, stats::Registry& r, uint64_t cycle_ps, bool timed)
    : p_(cfg.section<MmuParams>("mmu")),
      enabled_(p_.model != "none"),
      timed_(timed),
      cycle_ps_(cycle_ps),
      asid_mask_(uint16_t((1u << p_.asid_bits) - 1)) {
    if (!enabled_) return;
    itlb_ = std::make_unique<Tlb>(cfg.section<TlbParams>("mmu.itlb"), "mmu.itlb");
    dtlb_ = std::make_unique<Tlb>(cfg.section<TlbParams>("mmu.dtlb"), "mmu.dtlb");
    stlb_ = std::make_unique<Tlb>(cfg.section<TlbParams>("mmu.stlb"), "mmu.stlb");
    walker_ = std::make_unique<Walker>(p_, cfg.section<PwcParams>("mmu.pwc"), cycle_ps, timed);
    walker_free_ps_.assign(p_.max_walks, 0);
    st_ = std::make_unique<Stats>(r, timed);
}

Mmu::~Mmu() = default;

void Mmu::set_context(os::PageTable* pt, uint16_t asid) {
    asid &= asid_mask_;
    if (enabled_ && p_.asid_bits == 0 && pt != pt_ && pt_) {
        if (log_) log_->flush_non_global();
        itlb_->flush_non_global();
        dtlb_->flush_non_global();
        stlb_->flush_non_global();
        walker_->flush_all();
        ++st_->flushes;
    }
    pt_ = pt;
    asid_ = asid;
}

Mmu::Check Mmu::check(const TlbEntry& e, mem::AccessKind kind) const {
    const bool write = kind == mem::AccessKind::Write;
    const Perms& p = e.perms;
    if (!p.user || !(kind == mem::AccessKind::Ifetch ? p.exec : write ? p.write : p.read)) return Check::Denied;
    if (write && !e.dirty) return Check::NeedsDirty;
    return Check::Ok;
}

Translation Mmu::fault(uint64_t va, Fault f, uint64_t t) {
    switch (f) {
        case Fault::NotPresent: ++st_->not_present; break;
        case Fault::Protection: ++st_->protection; break;
        case Fault::AccessDirty: ++st_->access_dirty; break;
        case Fault::None: break;
    }
    // SDM 4.10.4.1: a page fault invalidates the TLB entries and walk-cache entries that would be
    // used for the faulting address, so the retry after the handler sees the new entries.
    const uint64_t page = va & ~uint64_t(0xfff);
    itlb_->flush_range(asid_, page, page + 1);
    dtlb_->flush_range(asid_, page, page + 1);
    stlb_->flush_range(asid_, page, page + 1);
    walker_->flush_va(va, asid_);
    Translation tr;
    tr.pa = 0;
    tr.done_ps = t;
    tr.fault = f;
    return tr;
}

Translation Mmu::walk(uint64_t va, mem::AccessKind kind, uint64_t t, mem::Port& port, Tlb& l1, LoggedPath* path) {
    // The walker that frees first takes the walk (Skylake: two page-miss handlers).
    auto w = std::min_element(walker_free_ps_.begin(), walker_free_ps_.end());
    while (conc_ && *w == mem::Concurrency::kPending) {  // every walker busy with a walk in flight
        conc_->wait_completion();
        w = std::min_element(walker_free_ps_.begin(), walker_free_ps_.end());
    }
    uint64_t start = t;
    if (timed_) {
        start = std::max(t, *w);
        *st_->walk_queue_cycles += (start - t) / cycle_ps_;
    }
    ++st_->walks;
    if (conc_) *w = mem::Concurrency::kPending;
    WalkResult r = walker_->walk(*pt_, va, asid_, kind, timed_ ? start : 0, port);
    if (timed_) {
        *w = r.done_ps;
        st_->walk_latency_ns->sample(double(r.done_ps - start) / 1000.0);
    }
    if (conc_) conc_->completed();
    st_->walk_memory_accesses += r.reads;
    st_->ad_updates += r.ad_updates;
    for (unsigned l = 1; l < 4; ++l)
        if (r.pwc_probed[l]) ++*(r.pwc_hit[l] ? st_->pwc_hits[l] : st_->pwc_misses[l]);
    const uint64_t done = timed_ ? r.done_ps : 0;
    if (r.fault != Fault::None) return fault(va, r.fault, done);
    stlb_->insert(r.entry);
    l1.insert(r.entry);
    if (path) {
        path->walked = true;
        path->entry = r.entry;
    }
    Translation tr;
    tr.pa = r.entry.translate(va);
    tr.done_ps = done;
    tr.page_size = r.entry.size;
    tr.source = Source::Walk;
    return tr;
}

Translation Mmu::translate(uint64_t va, mem::AccessKind kind, uint64_t issue_ps, mem::Port& walk_port) {
    if (!enabled_) {
        Translation tr;
        tr.pa = va;
        tr.done_ps = issue_ps;
        return tr;
    }
    if (!pt_) throw SimulationError("mmu: translate before set_context gave it a page table");
    if (!log_) return translate_tlbs(va, kind, issue_ps, walk_port, nullptr);
    LoggedPath path;
    Translation tr = translate_tlbs(va, kind, issue_ps, walk_port, &path);
    // lookup_log.h: the L1 of the access is always asked; the STLB when the L1 did not hit.
    const TlbLevel l1 = kind == mem::AccessKind::Ifetch ? TlbLevel::Itlb : TlbLevel::Dtlb;
    if (tr.fault != Fault::None) {
        // Looked up, nothing filled; then fault()'s flush of the page, which the TLBs have had.
        log_->probe(l1, asid_, va);
        if (!path.l1_hit) log_->probe(TlbLevel::Stlb, asid_, va);
        const uint64_t page = va & ~uint64_t(0xfff);
        log_->flush_range(asid_, page, page + 1);
        return tr;
    }
    log_->ref(l1, path.entry, va);
    if (path.l1_hit) {
        if (path.walked) log_->touch(TlbLevel::Stlb, path.entry, va);
    } else {
        log_->ref(TlbLevel::Stlb, path.entry, va);
    }
    return tr;
}

Translation Mmu::translate_tlbs(uint64_t va, mem::AccessKind kind, uint64_t issue_ps, mem::Port& walk_port,
                                LoggedPath* path) {
    uint64_t t = timed_ ? issue_ps : 0;
    const bool fetch = kind == mem::AccessKind::Ifetch;
    Tlb& l1 = fetch ? *itlb_ : *dtlb_;
    TlbStats& l1s = fetch ? st_->itlb : st_->dtlb;

    auto hit = [&](const TlbEntry& e, Source s) -> std::optional<Translation> {
        switch (check(e, kind)) {
            case Check::Denied: return fault(va, Fault::Protection, t);
            case Check::NeedsDirty:
                // x86 walks again to set D (the TLB entry cannot); CVA6 raises a store page fault.
                if (!p_.hardware_ad) return fault(va, Fault::AccessDirty, t);
                return std::nullopt;
            case Check::Ok: break;
        }
        Translation ok;
        ok.pa = e.translate(va);
        ok.done_ps = t;
        ok.page_size = e.size;
        ok.source = s;
        return ok;
    };

    bool dirty_walk = false;
    if (l1.present()) {
        ++l1s.accesses;
        if (TlbEntry* e = l1.lookup(va, asid_)) {
            ++l1s.hits;
            if (path) {
                path->l1_hit = true;
                path->entry = *e;
            }
            if (auto r = hit(*e, Source::L1)) return *r;
            dirty_walk = true;
        } else {
            ++l1s.misses;
        }
    }
    if (!dirty_walk && stlb_->present()) {
        ++st_->stlb.accesses;
        t += p_.stlb_latency * cycle_ps_ * timed_;
        if (TlbEntry* e = stlb_->lookup(va, asid_)) {
            ++st_->stlb.hits;
            TlbEntry copy = *e;
            if (path) path->entry = copy;
            if (auto r = hit(copy, Source::Stlb)) {
                if (r->fault == Fault::None) l1.insert(copy);
                return *r;
            }
        } else {
            ++st_->stlb.misses;
        }
    }
    return walk(va, kind, t, walk_port, l1, path);
}

void Mmu::flush_range(uint16_t asid, uint64_t start, uint64_t end) {
    if (!enabled_ || end <= start) return;
    asid &= asid_mask_;
    ++st_->flushes;
    if (log_) log_->flush_range(asid, start, end);
    itlb_->flush_range(asid, start, end);
    dtlb_->flush_range(asid, start, end);
    stlb_->flush_range(asid, start, end);
    walker_->flush_asid(asid);
}

void Mmu::flush_asid(uint16_t asid) {
    if (!enabled_) return;
    asid &= asid_mask_;
    ++st_->flushes;
    if (log_) log_->flush_asid(asid);
    itlb_->flush_asid(asid);
    dtlb_->flush_asid(asid);
    stlb_->flush_asid(asid);
    walker_->flush_asid(asid);
}

void Mmu::flush_all() {
    if (!enabled_) return;
    ++st_->flushes;
    if (log_) log_->flush_all();
    itlb_->flush_all();
    dtlb_->flush_all();
    stlb_->flush_all();
    walker_->flush_all();
}

}  // namespace memsim::mmu
