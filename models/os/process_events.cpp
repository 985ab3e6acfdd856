#include "models/os/process_events.h"

namespace memsim::os {

ProcessEvents::Stats::Stats(stats::Registry& r)
    : events(r.counter("os.events", "events", "process events executed (mmap, munmap, madvise, touch, raw accesses)")),
      skipped(r.counter("os.events.skipped", "events", "process events after a SIGSEGV stopped the process")),
      errors(r.counter("os.syscall_errors", "calls", "mmap/munmap/madvise events that returned an error")) {}

ProcessEvents::ProcessEvents(AddressSpace& mm, const MmParams& p, stats::Registry& r)
    : mm_(mm), stop_on_segv_(p.on_segv == "stop"), stats_(r) {}

void ProcessEvents::after_access(const AccessResult& r) {
    last_.access = r;
    if (r.status == AccessStatus::Segv && stop_on_segv_) stopped_ = true;
}

bool ProcessEvents::execute(const trace::Event& ev) {
    using trace::Op;
    switch (ev.op) {
        case Op::Mmap: case Op::Munmap: case Op::Madvise: case Op::Touch:
        case Op::Read: case Op::Write: case Op::Modify: case Op::Ifetch:
            break;
        default:
            return false;
    }
    IdRange* id = nullptr;
    if (ev.op == Op::Munmap || ev.op == Op::Madvise || ev.op == Op::Touch) {
        auto it = ids_.find(ev.id);
        if (it == ids_.end()) return false;  // not ours (or never mapped)
        id = &it->second;
    }
    last_ = LineResult{};
    last_.line = ev.line;
    touch_ = Touch{};
    touching_ = nullptr;
    if (stopped_) {
        last_.skipped = true;
        ++stats_.skipped;
        return true;
    }
    ++stats_.events;
    switch (ev.op) {
        case Op::Mmap: {
            int prot = ev.prot & (mman::kProtRead | mman::kProtWrite | mman::kProtExec);
            int64_t a = mm_.mmap(0, ev.length, prot, mman::kMapPrivate | mman::kMapAnonymous);
            last_.ret = a;
            if (a < 0) ++stats_.errors;
            else ids_[ev.id] = {uint64_t(a), ev.length, 0, true};
            break;
        }
        case Op::Munmap:
            last_.ret = mm_.munmap(id->start, id->length);
            if (last_.ret < 0) ++stats_.errors;
            ids_.erase(ev.id);
            break;
        case Op::Madvise:
            last_.ret = mm_.madvise(id->start + ev.offset, ev.length, int(ev.advice));
            if (last_.ret < 0) ++stats_.errors;
            break;
        case Op::Touch: {
            uint64_t off = ev.has_range ? ev.offset : 0;
            uint64_t len = ev.has_range ? ev.length : id->length;
            if (!len) break;
            if (faults_from_mmu_) {
                touch_ = Touch{id->start + off, len, ev.write};
                touching_ = id;
                break;
            }
            AccessResult r = mm_.access(id->start + off, len, ev.write);
            id->minor_faults += r.minor_faults;
            after_access(r);
            break;
        }
        case Op::Read: case Op::Write: case Op::Modify: case Op::Ifetch:
            // A read-modify-write faults as the write it contains.
            if (!faults_from_mmu_)
                after_access(mm_.access(ev.addr, ev.size, ev.op == Op::Write || ev.op == Op::Modify,
                                        ev.op == Op::Ifetch));
            break;
        default: break;
    }
    return true;
}

AccessResult ProcessEvents::fault(uint64_t vaddr, bool write, bool exec) {
    AccessResult r = mm_.access(vaddr, 1, write, exec);
    if (r.status == AccessStatus::Ok) {  // the entry was usable: an A/D fault or a spurious one
        mm_.account_spurious_fault();
        r.status = AccessStatus::Faulted;
        r.minor_faults = 1;
    }
    AccessResult& line = last_.access;
    if (r.minor_faults) {
        if (touching_) touching_->minor_faults += r.minor_faults;
        if (line.kind == FaultKind::None) line.kind = r.kind;
        line.minor_faults += r.minor_faults;
        if (line.status == AccessStatus::Ok) line.status = AccessStatus::Faulted;
    }
    if (r.status == AccessStatus::Segv || r.status == AccessStatus::Oom) {
        line.status = r.status;
        line.segv = r.segv;
        line.fault_addr = r.fault_addr;
        after_access(line);
    }
    return r;
}

}  // namespace memsim::os
