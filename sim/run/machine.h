#pragma once
// The simulated machine's plain models, built from a configuration. Functional mode drives them
// directly; timing mode wraps each in its SystemC shell and binds their sockets (netlist_sc.h).
// Each issue's models join here: the memory side grows with the cache hierarchy and the DRAM
// controllers; the software side is the kernel and glibc's allocator.
#include <fstream>
#include <iosfwd>
#include <memory>

#include "models/cache/cachegrind.h"
#include "models/cache/hierarchy.h"
#include "models/cpu/memory_path.h"
#include "models/cpu/trace_core.h"
#include "models/dma/coherence.h"
#include "models/dma/dma_events.h"
#include "models/dma/engine.h"
#include "models/dma/stream.h"
#include "models/dram/memory.h"
#include "models/dram/simple_memory.h"
#include "models/libc/libc_events.h"
#include "models/libc/process.h"
#include "models/libc/ptmalloc.h"
#include "models/mmu/mmu.h"
#include "models/os/kernel.h"
#include "sim/config/config.h"
#include "sim/stats/stats.h"

namespace memsim::dram {
class Channels;
}

namespace memsim::run {

class Machine {
public:
    // TRACE_FILE names the trace in the models' messages.
    Machine(const config::Config& cfg, stats::Registry& stats, bool timed, const std::string& trace_file);

    // One trace event through the machine: the kernel first (its allocator and address-space
    // events; for a raw access, the page faults it takes), then glibc's allocator (the malloc
    // family; its metadata accesses go through the process's page tables and the core), then the
    // core, whose accesses go out through PORT unless the access killed the process. True if a
    // model handled it. Once the process is dead (SIGSEGV, glibc abort), its events are skipped.
    bool execute(const trace::Event& ev, cpu::MemoryPort& port);

    // Per trace line accounting: each line whose execution took page faults (the program's own
    // accesses and the allocator's), or on which the process died, gets a row
    // `line,event,minor_faults,major_faults,rss_bytes,result` in PATH (CSV).
    void open_line_log(const std::string& path);

    // How the process ended and what failed, in words, for the run's summary.
    void report(std::ostream& out) const;
    // The software's views at the end of the run into DIR (docs/os.md, docs/libc.md).
    void write_views(const std::string& dir);

    cpu::TraceCore& core() { return *core_; }
    os::Kernel& kernel() { return *kernel_; }
    libc::LibcEvents& libc_events() { return *libc_events_; }
    // The memory's plain model (memory.model), a port of the memory side.
    mem::Port& memory() { return *memory_; }
    // The DDR3 controllers (memory.model ddr3 or mig), or null.
    dram::Channels* channels() { return channels_; }
    // The MMU (disabled when mmu.model is none).
    mmu::Mmu& mmu() { return *mmu_; }
    // The cache hierarchy (cache.model: hierarchy), else null.
    cache::Hierarchy* caches() { return caches_.get(); }
    // Where page walks read (mmu.walk_level): a cache level, or the memory.
    mem::Port& walk_target();
    // Its name: "l1d", "l2", "llc" or "memory" (the memory also when that level is absent).
    std::string walk_level();
    // The core's way to memory: MMU, page faults, caches. Its ports are the plain models'
    // (functional mode) until the netlist rebinds them to its sockets (timing mode).
    cpu::MemoryPath& memory_path() { return *path_; }
    // The DMA engine's way to memory, after its snoops of the caches (dma::CoherentPort): the memory
    // model itself until the netlist rebinds it to the engine's own initiator socket.
    void set_dma_port(mem::Port* p) { dma_port_.to = p; }
    dma::Engine& dma_engine() { return *dma_; }
    // The approximately-timed machine (sim.protocol: at): the DMA engine's requests wait at the
    // memory in threads of their own and the engine is advanced by a thread of the netlist's, not
    // after each event. ON_SUBMIT: called when a transfer is submitted (that thread starts).
    void set_concurrency(mem::Concurrency* c, std::function<void()> on_submit);
    // sim.protocol: at, in the core's thread once the trace is replayed: what finish() does that
    // waits at the memory (the streams' last frames, the DMA transfers still in flight, the
    // driver's last unmaps); finish() then finds it done.
    void finish_devices(mem::Concurrency& c);
    // After the trace: the DMA transfers still in flight complete, and the core unmaps their
    // streaming buffers. Returns when the last of them ended (ps).
    uint64_t finish();

private:
    // The kernel's TLB shootdowns, to the MMU (ASID 0: the one process).
    class TlbOfMmu final : public os::TlbFlusher {
    public:
        explicit TlbOfMmu(Machine& m) : m_(m) {}
        void flush_tlb_range(uint64_t start, uint64_t end) override { m_.mmu_->flush_range(0, start, end); }
        void flush_tlb_mm() override { m_.mmu_->flush_asid(0); }
        void syscall_entry() override { m_.core_->wait_in_flight(); }

    private:
        Machine& m_;
    };

    // glibc's view of the process: its system calls go to the kernel model; its own memory
    // accesses fault through the address space and are issued by the core.
    class ProcessOfLibc final : public libc::Process {
    public:
        explicit ProcessOfLibc(Machine& m) : m_(m) {}
        uint64_t brk(uint64_t addr) override { return m_.kernel_->mm().brk(addr); }
        int64_t mmap(uint64_t addr, uint64_t len, int prot, int flags) override {
            return m_.kernel_->mm().mmap(addr, len, prot, flags);
        }
        int munmap(uint64_t addr, uint64_t len) override { return m_.kernel_->mm().munmap(addr, len); }
        int mprotect(uint64_t addr, uint64_t len, int prot) override { return m_.kernel_->mm().mprotect(addr, len, prot); }
        int madvise(uint64_t addr, uint64_t len, int advice) override {
            return m_.kernel_->mm().madvise(addr, len, advice);
        }
        int64_t mremap(uint64_t old_addr, uint64_t old_len, uint64_t new_len, int flags) override {
            return m_.kernel_->mm().mremap(old_addr, old_len, new_len, flags);
        }
        void load(uint64_t addr, unsigned size) override { touch(addr, size, false); }
        void store(uint64_t addr, unsigned size) override { touch(addr, size, true); }
        void fill(uint64_t addr, uint64_t size) override { touch(addr, size, true); }
        void copy(uint64_t dst, uint64_t src, uint64_t size) override {
            touch(src, size, false);
            touch(dst, size, true);
        }

    private:
        Machine& m_;
        void touch(uint64_t addr, uint64_t size, bool write);
    };

    bool timed_;
    std::unique_ptr<mem::Port> memory_;  // memory.model
    dram::Channels* channels_ = nullptr;  // memory_, when it is DDR3 (ddr3, mig)
    std::unique_ptr<cache::Hierarchy> caches_;
    std::unique_ptr<mmu::Mmu> mmu_;
    std::unique_ptr<cpu::MemoryPath> path_;
    TlbOfMmu tlb_of_mmu_{*this};
    // Forwards the DMA engine's requests to wherever set_dma_port points.
    struct ForwardPort final : mem::Port {
        mem::Port* to = nullptr;
        uint64_t access(const mem::Request& r, uint64_t issue_ps) override { return to->access(r, issue_ps); }
    } dma_port_;
    std::unique_ptr<dma::CoherentPort> dma_coherence_;  // between the engine and dma_port_
    std::unique_ptr<dma::Engine> dma_;
    bool at_ = false;  // sim.protocol: at
    std::unique_ptr<dma::DmaEvents> dma_events_;
    std::vector<std::unique_ptr<dma::Stream>> streams_;  // dma.stream0..3
    const trace::Event* current_ = nullptr;  // the event being executed
    cpu::FaultOutcome handle_fault(uint64_t va, bool write, bool exec);
    std::unique_ptr<os::Kernel> kernel_;
    std::unique_ptr<cpu::TraceCore> core_;
    ProcessOfLibc libc_process_{*this};
    std::unique_ptr<libc::Ptmalloc> libc_;
    std::unique_ptr<libc::LibcEvents> libc_events_;
    std::unique_ptr<cache::Cachegrind> cachegrind_;  // cache.model: cachegrind
    cpu::MemoryPort* port_ = nullptr;  // the core's port while an event runs
    // The kernel's own accesses to its memory (`touch` of a kernel ID: a driver filling or reading
    // a buffer): physical addresses, through the data side of the caches (the linear map, whose TLB
    // entries are not modelled), or straight to memory for a dma_alloc buffer of a non-coherent
    // device, which the CPU maps uncached (arm64 dma_direct_alloc: pgprot_dmacoherent, Normal
    // non-cacheable). The plain models are called directly, in timing mode too.
    struct KernelPort final : cpu::MemoryPort {
        mem::Port* cached = nullptr;
        mem::Port* uncached = nullptr;
        bool use_uncached = false;
        uint64_t access(const cpu::Access& a, uint64_t issue_ps) override;
    } kernel_port_;
    bool kernel_touch(const trace::Event& ev);
    // dma_map_single (UNMAP false) or dma_unmap_single of a streaming buffer at AT_PS: the passes
    // os.dma gives, run on the caches; returns the CPU cycles (per line, or the write-backs' time).
    uint64_t streaming_maintenance(uint64_t addr, uint64_t size, bool to_device, bool unmap, uint64_t at_ps);
    // Runs PASSES on the caches from AT_PS; returns the CPU cycles (at least LINE_CYCLES).
    uint64_t run_passes(const std::vector<os::MaintenancePass>& passes, uint64_t line_cycles, uint64_t at_ps);
    uint64_t cycle_ps_ = 0;
    std::ofstream line_log_;
    bool execute_event(const trace::Event& ev, cpu::MemoryPort& port);
    bool execute_logged(const trace::Event& ev, cpu::MemoryPort& port);  // execute_event and the line log
    stats::Counter* after_death_ = nullptr;
};

}  // namespace memsim::run
