#include "models/os/kernel.h"

#include <filesystem>
#include <fstream>
#include <ostream>

#include <fmt/format.h>

#include "models/dram/memory.h"
#include "models/os/zone.h"
#include "sim/core/sim_params.h"

namespace memsim::os {
namespace {

bool is_access(trace::Op op) {
    return op == trace::Op::Read || op == trace::Op::Write || op == trace::Op::Modify || op == trace::Op::Ifetch ||
           op == trace::Op::Touch;
}

void write_file(const std::filesystem::path& p, const std::string& text) {
    std::ofstream f(p);
    if (!f) throw InputError(SourceLocation{p.string()}, "cannot write");
    f << text;
}

}  // namespace

Kernel::Kernel(const config::Config& cfg, stats::Registry& r, const std::string& trace_file) {
    auto pa = cfg.section<PageAllocParams>("os");
    auto mp = cfg.section<MmParams>("os.mm");
    pa.transparent_hugepage = mp.thp != "never";
    pages_ = std::make_unique<PageAllocator>(pa, cfg.section<dram::MemoryParams>("memory").size, r);
    slub_ = std::make_unique<Slub>(cfg.section<SlubParams>("os.slub"), *pages_, r);
    frames_ = std::make_unique<PageAllocatorFrames>(*pages_);
    mm_ = std::make_unique<AddressSpace>(mp, *frames_, r, unsigned(pa.cpu));
    kalloc_ = std::make_unique<KallocEvents>(*pages_, *slub_, unsigned(pa.cpu), trace_file, r,
                                             cfg.section<DmaAllocParams>("os.dma"));
    process_ = std::make_unique<ProcessEvents>(*mm_, mp, r);
    if (cfg.section<SimParams>("sim").sample_buddyinfo) {
        static const char* kZoneNames[] = {"DMA", "DMA32", "Normal"};
        for (unsigned z = 0; z < kZoneCount; ++z) {
            if (!pages_->zone(ZoneType(z)).is_managed()) continue;
            for (unsigned order = 0; order < kMaxOrder; ++order)
                r.formula(fmt::format("os.buddyinfo.{}.order{}", kZoneNames[z], order), "blocks",
                          fmt::format("free blocks of order {} in zone {} (/proc/buddyinfo)", order, kZoneNames[z]),
                          [this, z, order] { return double(pages_->nr_free(ZoneType(z), order)); });
        }
    }
}

bool Kernel::execute(const trace::Event& ev) {
    access_allowed_ = true;
    if (kalloc_->execute(ev)) return true;
    if (!process_->execute(ev)) return false;
    if (is_access(ev.op)) {
        const auto& last = process_->last();
        bool fatal = last.access.status == AccessStatus::Segv || last.access.status == AccessStatus::Oom;
        access_allowed_ = !last.skipped && !fatal;
        if (fatal && !fatal_) fatal_ = Fatal{ev.line, last.access, ev.op};
    }
    return true;
}

AccessResult Kernel::handle_mmu_fault(const trace::Event& ev, uint64_t vaddr, bool write, bool exec) {
    AccessResult r = process_->fault(vaddr, write, exec);
    if (r.status == AccessStatus::Segv || r.status == AccessStatus::Oom) {
        access_allowed_ = false;
        if (!fatal_) fatal_ = Fatal{ev.line, r, ev.op};
    }
    return r;
}

void Kernel::report(std::ostream& out) const {
    if (fatal_) {
        const AccessResult& a = fatal_->result;
        if (a.status == AccessStatus::Segv)
            out << fmt::format("  process             SIGSEGV ({}) at trace line {}: {} of 0x{:x}{}\n",
                               a.segv == SegvCode::MapErr ? "SEGV_MAPERR" : "SEGV_ACCERR", fatal_->line,
                               trace::op_name(fatal_->op), a.fault_addr,
                               process_->stopped() ? "; later events were not executed" : "");
        else
            out << fmt::format("  process             out of memory at trace line {}: {} of 0x{:x}\n", fatal_->line,
                               trace::op_name(fatal_->op), a.fault_addr);
    }
    if (kalloc_->failure_count()) {
        out << fmt::format("  kernel allocations  {} failed", kalloc_->failure_count());
        for (const auto& f : kalloc_->failures()) out << fmt::format("\n    line {}: {}", f.line, f.what);
        out << "\n";
    }
}

void Kernel::write_views(const std::string& dir) {
    namespace fs = std::filesystem;
    fs::path proc = fs::path(dir) / "proc";
    fs::create_directories(proc / "self");
    write_file(proc / "buddyinfo", pages_->buddyinfo());
    write_file(proc / "pagetypeinfo", pages_->pagetypeinfo());
    write_file(proc / "zoneinfo", pages_->zoneinfo());
    write_file(proc / "slabinfo", slub_->slabinfo());
    std::ofstream maps(proc / "self" / "maps"), smaps(proc / "self" / "smaps");
    mm_->maps(maps);
    mm_->smaps(smaps);
}

}  // namespace memsim::os
