#include "models/mmu/walker.h"

namespace memsim::mmu {

const char* fault_name(Fault f) {
    switch (f) {
        case Fault::None: return "none";
        case Fault::NotPresent: return "not_present";
        case Fault::Protection: return "protection";
        case Fault::AccessDirty: return "access_dirty";
    }
    return "?";
}

// ---- walk caches ----

const WalkCacheEntry* WalkCache::lookup(uint64_t va, uint16_t asid) {
    const uint64_t t = tag(va);
    return a_.find(a_.set_of(t), [&](const WalkCacheEntry& e) { return e.tag == t && e.asid == asid; });
}

void WalkCache::insert(uint64_t va, uint16_t asid, uint64_t table_pa, const Perms& perms) {
    WalkCacheEntry e;
    e.asid = asid;
    e.tag = tag(va);
    e.table_pa = table_pa;
    e.perms = perms;
    a_.insert(a_.set_of(e.tag), e, [&](const WalkCacheEntry& x) { return x.tag == e.tag && x.asid == asid; });
}

uint64_t WalkCache::flush_asid(uint16_t asid) {
    return a_.invalidate_if([&](const WalkCacheEntry& e) { return e.asid == asid; });
}

uint64_t WalkCache::flush_va(uint64_t va, uint16_t asid) {
    const uint64_t t = tag(va);
    return a_.invalidate_if([&](const WalkCacheEntry& e) { return e.tag == t && e.asid == asid; });
}

uint64_t WalkCache::flush_all() {
    return a_.invalidate_if([](const WalkCacheEntry&) { return true; });
}

// ---- walker ----

Walker::Walker(const MmuParams& mp, const PwcParams& pwc, uint64_t cycle_ps, bool timed)
    : hardware_ad_(mp.hardware_ad), timed_(timed) {
    const uint64_t entries[4] = {0, pwc.entries_pde, pwc.entries_pdpt, pwc.entries_pml4};
    const uint64_t assoc[4] = {0, pwc.assoc_pde, pwc.assoc_pdpt, pwc.assoc_pml4};
    const char* name[4] = {"", "pde", "pdpt", "pml4"};
    bool any = false;
    for (unsigned l = 1; l < 4; ++l) {
        check_array("mmu.pwc", std::string("entries_") + name[l], std::string("assoc_") + name[l], entries[l],
                    assoc[l], pwc.replacement);
        if (entries[l]) {
            caches_[l] = std::make_unique<WalkCache>(l, entries[l], assoc[l], pwc.replacement);
            any = true;
        }
    }
    pwc_ps_ = any && timed ? mp.pwc_latency * cycle_ps : 0;
}

void Walker::flush_asid(uint16_t asid) {
    for (auto& c : caches_)
        if (c) c->flush_asid(asid);
}

void Walker::flush_all() {
    for (auto& c : caches_)
        if (c) c->flush_all();
}

void Walker::flush_va(uint64_t va, uint16_t asid) {
    for (auto& c : caches_)
        if (c) c->flush_va(va, asid);
}

WalkResult Walker::walk(os::PageTable& pt, uint64_t va, uint16_t asid, mem::AccessKind kind, uint64_t start_ps,
                        mem::Port& port) {
    const os::PteFormat& f = pt.format();
    const bool x86 = f.paging() == os::Paging::X86_64;
    const bool write = kind == mem::AccessKind::Write, fetch = kind == mem::AccessKind::Ifetch;
    WalkResult r;
    uint64_t t = timed_ ? start_ps : 0;

    // Canonical form: bits 63..va_bits-1 all equal (x86 #GP, RISC-V page fault).
    const int64_t sva = int64_t(va << (64 - f.va_bits())) >> (64 - f.va_bits());
    if (uint64_t(sva) != va) {
        r.fault = Fault::NotPresent;
        r.done_ps = t;
        return r;
    }

    // The deepest walk cache that hits says where to start (SDM 4.10.3.2: the processor may use
    // the PDE cache, else the PDPTE cache, else the PML4E cache).
    unsigned level = pt.levels() - 1;
    uint64_t table = pt.root_pa();
    Perms acc;
    for (unsigned l = 1; l < pt.levels(); ++l) {
        WalkCache* c = caches_[l].get();
        if (!c) continue;
        r.pwc_probed[l] = true;
        if (const WalkCacheEntry* e = c->lookup(va, asid)) {
            r.pwc_hit[l] = true;
            level = l - 1;
            table = e->table_pa;
            acc = e->perms;
            break;
        }
    }
    t += pwc_ps_;
    r.first_level = level;

    for (;;) {
        const uint64_t pa = table + 8 * ((va >> (12 + 9 * level)) & 511);
        uint64_t e = pt.read_phys_u64(pa);
        t = issue(port, pa, mem::AccessKind::PageWalk, t);
        ++r.reads;
        if (!f.present(e)) {
            r.fault = Fault::NotPresent;
            break;
        }
        if (!f.is_leaf(e, level)) {
            // A pointer at level 0 is reserved (Sv39: "a leaf PTE has not been found": page fault).
            if (level == 0) {
                r.fault = Fault::NotPresent;
                break;
            }
            if (x86) {
                acc.write &= f.writable(e);
                acc.user &= f.user(e);
                acc.exec &= f.executable(e);
                // SDM 4.8: the processor sets A in every paging-structure entry it uses. Linux's
                // _PAGE_TABLE has A set already, so this write is rare.
                if (hardware_ad_ && !f.accessed(e)) {
                    pt.write_phys_u64(pa, e | os::PteFormat::kA);
                    t = issue(port, pa, mem::AccessKind::PteUpdate, t);
                    ++r.ad_updates;
                }
            }
            table = f.address(e);
            if (caches_[level]) caches_[level]->insert(va, asid, table, acc);
            --level;
            continue;
        }
        // A leaf at LEVEL.
        const auto size = PageSize(level);
        uint64_t base = f.address(e);
        if (x86) {
            base &= ~(page_bytes(size) - 1);  // bit 12 of a PS=1 entry is PAT, not address
            acc.read = true;
            acc.write &= f.writable(e);
            acc.user &= f.user(e);
            acc.exec &= f.executable(e);
        } else {
            // RISC-V 4.3.2 step 6: a misaligned superpage is a page fault.
            if (base & (page_bytes(size) - 1)) {
                r.fault = Fault::Protection;
                break;
            }
            acc.read = f.readable(e);
            acc.write = f.writable(e);
            acc.exec = f.executable(e);
            acc.user = f.user(e);
        }
        // User-mode accesses (the trace is a user process).
        const bool allowed = acc.user && (fetch ? acc.exec : write ? acc.write : acc.read);
        if (!allowed) {
            r.fault = Fault::Protection;
            break;
        }
        if (!f.accessed(e) || (write && !f.dirty(e))) {
            if (!hardware_ad_) {
                r.fault = Fault::AccessDirty;
                break;
            }
            // SDM 4.8: A (and D for a write) set with a locked read-modify-write of the entry.
            e = f.touch(e, write);
            pt.write_phys_u64(pa, e);
            t = issue(port, pa, mem::AccessKind::PteUpdate, t);
            ++r.ad_updates;
        }
        r.entry.valid = true;
        r.entry.size = size;
        r.entry.asid = asid;
        r.entry.vpn = va >> page_shift(size);
        r.entry.pa = base;
        r.entry.global = f.global(e);
        r.entry.dirty = f.dirty(e);
        r.entry.perms = acc;
        break;
    }
    r.done_ps = t;
    return r;
}

}  // namespace memsim::mmu
