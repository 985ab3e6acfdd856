#include "sim/run/machine.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <ostream>

#include <fmt/format.h>

#include "models/dram/standalone.h"

namespace memsim::run {

Machine::Machine(const config::Config& cfg, stats::Registry& stats, bool timed, const std::string& trace_file)
    : timed_(timed) {
    auto memory = cfg.section<dram::MemoryParams>("memory");
    if (memory.model == "simple" && memory.channels != 1)
        throw InputError("memory.channels: " + std::to_string(memory.channels) +
                         " needs a DRAM controller per channel (memory.model: ddr3 or mig); memory.model: simple "
                         "is one fixed-latency memory");
    if (memory.model == "simple" && !memory.request_log.empty())
        throw InputError("memory.request_log: the log is written by the DDR3 controllers' memory (memory.model: ddr3 "
                         "or mig), in DRAMSim3's format; memory.model: simple has no DRAM to replay it on");
    if (memory.model == "simple") {
        memory_ = std::make_unique<dram::SimpleMemory>(cfg.section<dram::SimpleMemoryParams>("memory.simple"), stats,
                                                       timed);
    } else {  // ddr3, mig: the DDR3 controllers, loosely timed behind the caches
        auto channels = dram::make_memory(cfg, stats, timed);
        if (!memory.request_log.empty()) {
            if (!timed)
                throw InputError("memory.request_log: requests have arrival times only in timing mode (sim.mode: timing)");
            channels->log_requests(memory.request_log);
        }
        channels_ = channels.get();
        memory_ = std::move(channels);
    }
    kernel_ = std::make_unique<os::Kernel>(cfg, stats, trace_file);
    core_ = std::make_unique<cpu::TraceCore>(cfg.section<cpu::CoreParams>("cpu"), stats, timed);
    const uint64_t cycle_ps = core_->cycle_ps();
    const std::string cache_model = cfg.section<cache::CacheParams>("cache").model;
    if (cache_model == "hierarchy")
        caches_ = std::make_unique<cache::Hierarchy>(cfg, stats, cycle_ps, timed, *memory_);
    mmu_ = std::make_unique<mmu::Mmu>(cfg, stats, cycle_ps, timed);
    if (mmu_->enabled()) {
        // One process, ASID 0; its page faults come from the MMU and its TLB shootdowns go to it.
        mmu_->set_context(&kernel_->mm().page_table(), 0);
        kernel_->mm().set_tlb(&tlb_of_mmu_);
        kernel_->set_faults_from_mmu(true);
    }
    mem::Port* icache = caches_ ? &caches_->icache() : memory_.get();
    mem::Port* dcache = caches_ ? &caches_->dcache() : memory_.get();
    auto mm = cfg.section<os::MmParams>("os.mm");
    uint32_t line = caches_ ? uint32_t(cfg.section<cache::CacheLevelParams>("cache.l1d").line) : 64;
    cpu::MemoryPath::Indexing indexing;
    if (caches_) {
        cache::Cache* l1i = caches_->level("l1i");
        cache::Cache* l1d = caches_->level("l1d");
        indexing.ifetch_vipt = l1i && l1i->vipt();
        indexing.data_vipt = l1d && l1d->vipt();
    }
    path_ = std::make_unique<cpu::MemoryPath>(
        mmu_.get(), cpu::MemoryPath::Ports{icache, dcache, &walk_target()}, indexing,
        [this](uint64_t va, bool write, bool exec) { return handle_fault(va, write, exec); },
        mm.fault_cycles * cycle_ps, cycle_ps, line, timed, stats);
    libc_ = std::make_unique<libc::Ptmalloc>(cfg.section<libc::PtmallocParams>("libc"), libc_process_, stats);
    libc_events_ = std::make_unique<libc::LibcEvents>(*libc_, kernel_->process(), stats, trace_file);
    if (cfg.section<cache::CacheParams>("cache").model == "cachegrind")
        cachegrind_ = std::make_unique<cache::Cachegrind>(cfg.section<cache::CacheGeometry>("cache.l1i"),
                                                          cfg.section<cache::CacheGeometry>("cache.l1d"),
                                                          cfg.section<cache::CacheGeometry>("cache.ll"), stats);
    // The DMA engine: a second initiator beside the core (issue #8), snooping the caches or not
    // (dma.coherence), its `dma` events resolved to the kernel's buffers, whose streaming mappings
    // run their cache maintenance on the caches.
    cycle_ps_ = cycle_ps;
    dma_port_.to = memory_.get();
    auto coherence = cfg.section<dma::CoherenceParams>("dma.coherence");
    const bool kernel_coherent = cfg.section<os::DmaAllocParams>("os.dma").coherent;
    dma_coherence_ = std::make_unique<dma::CoherentPort>(dma_port_, caches_.get(),
                                                         dma::snoops(coherence, kernel_coherent),
                                                         coherence.snoop_latency_ps, stats, timed);
    dma_ = std::make_unique<dma::Engine>(cfg.section<dma::EngineParams>("dma"), *dma_coherence_, stats, timed);
    auto resolve = [this](uint64_t id) {
        auto x = kernel_->kalloc().extent_of(id);
        return dma::Extent{x.addr, x.size, x.dma_buffer};
    };
    dma::DmaEvents::Mapping mapping;
    mapping.cycle_ps = timed ? cycle_ps : 0;
    mapping.map = [this](uint64_t addr, uint64_t size, bool to_device, uint64_t at_ps) {
        return streaming_maintenance(addr, size, to_device, false, at_ps);
    };
    mapping.unmap = [this](uint64_t addr, uint64_t size, bool to_device, uint64_t at_ps) {
        return streaming_maintenance(addr, size, to_device, true, at_ps);
    };
    dma_events_ = std::make_unique<dma::DmaEvents>(*dma_, resolve, trace_file, stats, std::move(mapping));
    kernel_port_.cached = caches_ ? &caches_->dcache() : memory_.get();
    kernel_port_.uncached = memory_.get();
    streams_ = dma::streams_from_config(cfg, *dma_, memory.size, stats);
    after_death_ = &stats.counter("sim.events_after_abort", "events",
                                  "process events skipped because glibc had aborted the process");
}

namespace {
// Events of the simulated process (as opposed to the kernel's own allocations and the clock).
bool is_process_event(trace::Op op) {
    using trace::Op;
    switch (op) {
        case Op::Mmap: case Op::Munmap: case Op::Madvise: case Op::Touch:
        case Op::Read: case Op::Write: case Op::Modify: case Op::Ifetch:
            return true;
        default:
            return false;
    }
}
}  // namespace

bool Machine::execute(const trace::Event& ev, cpu::MemoryPort& port) {
    bool handled = line_log_.is_open() ? execute_logged(ev, port) : execute_event(ev, port);
    // The DMA engine issues what is due by the core's time before the next event, so its requests
    // and the core's reach a shared memory in time order; and before the caller lets SystemC time
    // catch up with the core (the quantum keeper's sync), which would push bursts due earlier to
    // the present (a TLM initiator cannot issue in the past).
    if (!streams_.empty() || !dma_->idle()) {
        for (auto& s : streams_) s->pump(core_->now_ps());
        if (!at_) dma_->advance(core_->now_ps());  // (approximately timed: the netlist's DMA thread)
    }
    // Completion interrupts raised by the core's time: their handlers run on the CPU
    // (dma.interrupt_cycles each, in cpu.kernel_cycles).
    if (dma_->interrupts_pending()) core_->spend_kernel_cycles(dma_->take_interrupt_cycles(core_->now_ps()));
    return handled;
}

bool Machine::execute_logged(const trace::Event& ev, cpu::MemoryPort& port) {
    const os::MmCounters& c = kernel_->mm().counters();
    uint64_t minor = c.minor_faults, major = c.major_faults;
    bool was_alive = !kernel_->process_died() && !libc_events_->aborted();
    bool handled = execute_event(ev, port);
    bool died = was_alive && (kernel_->process_died() || libc_events_->aborted());
    if (died || c.minor_faults != minor || c.major_faults != major) {
        const char* result = !died ? "faulted"
                             : libc_events_->aborted() ? "glibc abort"
                             : c.oom ? "OOM" : "SIGSEGV";
        line_log_ << ev.line << ',' << trace::op_name(ev.op) << ',' << c.minor_faults - minor << ','
                  << c.major_faults - major << ',' << kernel_->mm().rss_bytes() << ',' << result << '\n';
    }
    return handled;
}

void Machine::open_line_log(const std::string& path) {
    line_log_.open(path);
    if (!line_log_) throw InputError(SourceLocation{path}, "cannot write");
    line_log_ << "line,event,minor_faults,major_faults,rss_bytes,result\n";
}

std::string Machine::walk_level() {
    if (caches_ && mmu_->enabled() && caches_->level(mmu_->params().walk_level)) return mmu_->params().walk_level;
    return "memory";
}

mem::Port& Machine::walk_target() {
    if (cache::Cache* c = caches_ ? caches_->level(walk_level()) : nullptr) return *c;
    return *memory_;
}

// The page-fault exception of an access the MMU could not translate: the kernel's handler runs
// (os::Kernel::handle_mmu_fault), and the path replays its memory traffic: clear_page of the page
// it allocated, the write of the entry it set.
cpu::FaultOutcome Machine::handle_fault(uint64_t va, bool write, bool exec) {
    cpu::FaultOutcome out;
    os::AccessResult r = kernel_->handle_mmu_fault(*current_, va, write, exec);
    if (r.status == os::AccessStatus::Segv || r.status == os::AccessStatus::Oom) {
        out.fatal = true;
        core_->abandon_event();
        return out;
    }
    os::PageTable& pt = kernel_->mm().page_table();
    os::PageTable::PmdRef pmd = pt.pmd(va, false);
    if (!pmd) return out;
    uint64_t leaf;
    if (pmd.huge()) {
        out.pte_pa = (pmd.t->pfn << os::kPageShift) + pmd.i * 8;
        leaf = pmd.entry();
    } else if (os::PtPage* t = pmd.pt()) {
        unsigned i = (va >> os::kPageShift) & (os::kPtrsPerTable - 1);
        out.pte_pa = (t->pfn << os::kPageShift) + i * 8;
        leaf = t->e[i];
    } else {
        return out;
    }
    // A fresh page was cleared (do_anonymous_page, wp_page_copy: alloc_zeroed_user_highpage;
    // do_huge_pmd_anonymous_page: clear_huge_page); the zero pages and a reused page were not.
    using os::FaultKind;
    if (r.minor_faults && (r.kind == FaultKind::Anon || r.kind == FaultKind::Cow || r.kind == FaultKind::Huge)) {
        out.cleared_bytes = r.kind == FaultKind::Huge ? os::kPmdSize : os::kPageSize;
        out.cleared_pa = (pt.format().pfn(leaf) << os::kPageShift) & ~(out.cleared_bytes - 1);
        // wp_page_copy of a page-cache page: copy_user_highpage reads it as it writes the new one.
        if (r.kind == FaultKind::Cow && r.copied_from != ~uint64_t(0))
            out.copied_from_pa = r.copied_from << os::kPageShift;
    }
    return out;
}

void Machine::set_concurrency(mem::Concurrency* c, std::function<void()> on_submit) {
    at_ = c != nullptr;
    dma_->set_concurrency(c, std::move(on_submit));
}

void Machine::finish_devices(mem::Concurrency& c) {
    for (auto& s : streams_) s->pump(core_->now_ps());
    while (!dma_->idle()) c.wait_completion();
    core_->spend_kernel_cycles(dma_events_->finish());
}

uint64_t Machine::finish() {
    // The run lasts as long as the trace: the streams' frames due by its end, then what is in flight.
    for (auto& s : streams_) s->pump(core_->now_ps());
    uint64_t last = dma_->drain();
    if (channels_ && timed_) {
        channels_->align_ends();
        channels_->write_request_log();
    }
    // The driver unmaps what completed after the trace's last event: the core's last work.
    const uint64_t cycles = dma_events_->finish();
    core_->spend_kernel_cycles(cycles);
    return std::max(last, core_->now_ps());
}

uint64_t Machine::streaming_maintenance(uint64_t addr, uint64_t size, bool to_device, bool unmap, uint64_t at_ps) {
    const os::DmaAllocator& a = kernel_->kalloc().dma();
    const auto d = to_device ? os::DmaDirection::ToDevice : os::DmaDirection::FromDevice;
    const uint64_t cycles = unmap ? a.unmap_cycles(addr, size, d) : a.map_cycles(addr, size, d);
    return run_passes(unmap ? a.unmap_passes(addr, size, d) : a.map_passes(addr, size, d), cycles, at_ps);
}

uint64_t Machine::run_passes(const std::vector<os::MaintenancePass>& passes, uint64_t line_cycles, uint64_t at_ps) {
    if (!caches_) return line_cycles;
    // The passes issue back to back, one line per cycles_per_line; the DSB at the end of each
    // dcache_*_poc waits for their write-backs: the core is held for the longer of the two.
    const os::DmaAllocator& a = kernel_->kalloc().dma();
    const uint64_t ps_per_line = timed_ ? a.params().cycles_per_line * cycle_ps_ : 0;
    uint64_t issue = at_ps, done = at_ps;
    for (const os::MaintenancePass& p : passes) {
        using Op = os::MaintenancePass::Op;
        const cache::CacheOp op = p.op == Op::Clean        ? cache::CacheOp::Clean
                                  : p.op == Op::Invalidate ? cache::CacheOp::Invalidate
                                                           : cache::CacheOp::CleanInvalidate;
        cache::MaintenanceResult r = caches_->maintain(op, p.addr, p.size, issue, ps_per_line);
        issue += r.lines * ps_per_line;
        done = std::max(done, r.done_ps);
    }
    if (timed_ && cycle_ps_) return std::max(line_cycles, (done - at_ps + cycle_ps_ - 1) / cycle_ps_);
    return line_cycles;
}

uint64_t Machine::KernelPort::access(const cpu::Access& a, uint64_t issue_ps) {
    mem::Request r{a.addr, a.size, a.write ? mem::AccessKind::Write : mem::AccessKind::Read};
    uint64_t done = (use_uncached ? uncached : cached)->access(r, issue_ps);
    switch (r.served_by) {
        case 1: a.cause = cpu::StallCause::L1; break;
        case 2: a.cause = cpu::StallCause::L2; break;
        case 3: a.cause = cpu::StallCause::L3; break;
        default: a.cause = cpu::StallCause::Memory; break;
    }
    return done;
}

bool Machine::kernel_touch(const trace::Event& ev) {
    os::KallocEvents::Extent x = kernel_->kalloc().extent_of(ev.id);
    if (x.size == 0) return false;  // not kernel memory: the process's
    const uint64_t off = ev.has_range ? ev.offset : 0;
    const uint64_t len = ev.has_range ? ev.length : x.size;
    kernel_port_.use_uncached = x.dma_buffer && !kernel_->kalloc().dma().params().coherent;
    if (len) core_->access(x.addr + off, len, ev.write, kernel_port_);
    return true;
}

bool Machine::execute_event(const trace::Event& ev, cpu::MemoryPort& port) {
    current_ = &ev;
    // dma_map_single / dma_unmap_single run on the CPU: their cache maintenance is its time. The
    // unmaps of transfers that have completed run first (their completion interrupt).
    if (uint64_t cycles = dma_events_->unmap_completed(core_->now_ps())) core_->spend_kernel_cycles(cycles);
    if (dma_events_->execute(ev, core_->now_ps())) {
        core_->spend_kernel_cycles(dma_events_->last_maintenance_cycles());
        return true;
    }
    if (ev.op == trace::Op::Touch && kernel_touch(ev)) return true;
    if (libc_events_->aborted() && is_process_event(ev.op)) {
        ++*after_death_;
        return true;
    }
    bool handled = kernel_->execute(ev);
    if (handled && ev.op == trace::Op::DmaAlloc) {
        // dma_alloc_coherent for a non-coherent device: arch_dma_prep_coherent on the caches.
        os::KallocEvents::Extent x = kernel_->kalloc().extent_of(ev.id);
        const os::DmaAllocator& a = kernel_->kalloc().dma();
        if (x.size) {
            auto passes = a.prep_coherent_passes(x.addr, x.size);
            uint64_t line_cycles = passes.empty() ? 0 : a.maintenance_lines(x.addr, passes[0].size) *
                                                            a.params().cycles_per_line;
            core_->spend_kernel_cycles(run_passes(passes, line_cycles, core_->now_ps()));
        }
    }
    if (handled && !kernel_->access_allowed()) return true;
    if (handled && ev.op == trace::Op::Touch) {
        // With an MMU the program's touch of a block is the core's: a copy loop over it.
        const os::ProcessEvents::Touch& t = kernel_->touch_for_core();
        if (t.length) core_->access(t.start, t.length, t.write, port);
        return true;
    }
    if (cachegrind_) cachegrind_->observe(ev);
    if (!handled) {
        port_ = &port;
        handled = libc_events_->execute(ev);
        port_ = nullptr;
        if (handled) return true;
    }
    return core_->execute(ev, port) || handled;
}

void Machine::ProcessOfLibc::touch(uint64_t addr, uint64_t size, bool write) {
    if (!size) return;
    // With an MMU model the core's accesses take their own faults.
    if (!m_.mmu_->enabled() || !m_.port_) m_.kernel_->mm().access(addr, size, write);
    if (m_.port_) m_.core_->access(addr, size, write, *m_.port_);
}

void Machine::report(std::ostream& out) const {
    if (cachegrind_) out << cachegrind_->summary();
    kernel_->report(out);
    if (libc_events_->aborted())
        out << fmt::format("  process             aborted by glibc at trace line {}: {}\n", libc_events_->abort_line(),
                           libc_events_->abort_message());
    if (!libc_events_->null_returns().empty()) {
        out << fmt::format("  malloc NULL returns {}", libc_events_->null_returns().size());
        for (const auto& n : libc_events_->null_returns()) out << fmt::format("\n    line {}: {}", n.line, n.call);
        out << "\n";
    }
}

void Machine::write_views(const std::string& dir) {
    kernel_->write_views(dir);
    std::ofstream f(std::filesystem::path(dir) / "malloc_stats.txt");
    if (!f) throw InputError(SourceLocation{dir + "/malloc_stats.txt"}, "cannot write");
    libc_->malloc_stats(f);
}

}  // namespace memsim::run
