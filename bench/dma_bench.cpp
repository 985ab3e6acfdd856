// The DMA models' figures:
//  1. achieved bandwidth of one channel against outstanding bursts on the default SimpleMemory
//     (50 ns, 12.8 GB/s), beside Little's law's bound min(peak, outstanding x burst / latency);
//  2. how many 20 KiB dma_alloc buffers zone DMA (x86: below 16 MiB) gives before the first failure,
//     keeping the order-3 block (x86) or giving back the 3 excess pages (32-bit ARM);
//  3. the engine's speed: simulated bursts per host second;
//  4. coherence: the time to hand 64 KiB the CPU has just written to a device that snoops, against
//     one that does not (the kernel cleans first), and the engine's speed through the snoops.
#include <algorithm>
#include <chrono>
#include <cstdio>

#include "models/cache/hierarchy.h"
#include "models/dma/coherence.h"
#include "models/dma/engine.h"
#include "models/dram/simple_memory.h"
#include "models/os/dma_alloc.h"
#include "models/os/page_alloc.h"
#include "models/os/zone.h"

using namespace memsim;

namespace {

void bandwidth_sweep() {
    std::printf("1. one channel, 64-byte bursts, memory 50 ns / 12.8 GB/s (1 MiB memory-to-device)\n");
    std::printf("   outstanding  achieved GB/s  Little bound GB/s  ratio\n");
    for (uint64_t outstanding : {1, 2, 4, 8, 12, 16, 32}) {
        stats::Registry r;
        dram::SimpleMemory mem(dram::SimpleMemoryParams{50000, 12.8e9}, r);
        dma::EngineParams p;
        p.outstanding = outstanding;
        dma::Engine e(p, mem, r);
        e.submit(0, dma::Direction::MemToDev, {{0, 0, 1 << 20}}, 0);
        double gbs = double(1 << 20) / (double(e.drain()) * 1e-12) / 1e9;
        double bound = std::min(12.8, double(outstanding) * 64 / 50.0);
        std::printf("   %11llu  %13.2f  %17.2f  %5.3f\n", (unsigned long long)outstanding, gbs, bound, gbs / bound);
    }
}

void dma_zone_capacity() {
    std::printf("2. 20 KiB dma_alloc buffers from zone DMA until the first failure (4 GiB machine, GFP_DMA)\n");
    for (bool give_back : {false, true}) {
        stats::Registry r;
        os::PageAllocParams pp;
        os::PageAllocator pa(pp, uint64_t(4) << 30, r);
        os::DmaAllocParams dp;
        dp.zone = "DMA";
        dp.free_excess = give_back;
        os::DmaAllocator dma(dp, pa, r);
        uint64_t n = 0;
        while (dma.alloc(20 << 10, 0)) ++n;
        std::printf("   %-28s %5llu buffers, %5llu pages held, zone DMA free %llu pages\n",
                    give_back ? "excess given back (ARM):" : "whole block kept (x86):", (unsigned long long)n,
                    (unsigned long long)dma.pages_held(), (unsigned long long)pa.zone(os::ZoneType::DMA).free_pages);
        std::printf("   %s   pcp pages %llu\n", pa.buddyinfo().substr(0, pa.buddyinfo().find('\n')).c_str(),
                    (unsigned long long)pa.pcp_page_count());
    }
}

// 256 MiB memory-to-memory in 64-byte bursts on 2 channels of 8 outstanding: bursts per host second,
// with the engine straight on the memory or behind a CoherentPort snooping the declared hierarchy.
double engine_rate(bool snooped) {
    stats::Registry r;
    dram::SimpleMemory mem(dram::SimpleMemoryParams{50000, 12.8e9}, r);
    config::Config cfg;
    cache::Hierarchy h(cfg, r, 1000, true, mem);
    dma::CoherentPort port(mem, &h, true, 20000, r, true);
    dma::EngineParams p;
    p.channels = {"a", "b"};
    p.outstanding = 8;
    dma::Engine e(p, snooped ? static_cast<mem::Port&>(port) : mem, r);
    for (unsigned c = 0; c < 2; ++c)
        for (int t = 0; t < 128; ++t) e.submit(c, dma::Direction::MemToMem, {{0, 1 << 30, 1 << 20}}, 0);
    auto t0 = std::chrono::steady_clock::now();
    e.drain();
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return r.value("dma.bursts") / s;
}

void engine_speed() {
    std::printf("3. engine speed: 256 MiB in 64-byte bursts, memory-to-memory, 2 channels, 8 outstanding\n");
    double best = 0;
    for (int round = 0; round < 3; ++round) {
        double rate = engine_rate(false);
        best = std::max(best, rate);
        std::printf("   round %d: %.2f M bursts/s\n", round, rate / 1e6);
    }
    std::printf("   best %.2f M bursts/s\n", best / 1e6);
}

// The CPU (1 GHz, the declared L1D/L2/LLC) writes 64 KiB, then a device reads it (memory to device)
// through a CoherentPort; returns when the transfer completes, from T0. CLEAN_CYCLES_PER_LINE:
// the kernel cleans the buffer first (dma_map_single on a non-coherent device), at that cost a line.
uint64_t hand_over(bool snoop, bool dirty, uint64_t clean_cycles_per_line, stats::Registry& r) {
    constexpr uint64_t kCycle = 1000, kBytes = 64 << 10, kBase = 1 << 24, kT0 = 1000000000;  // T0: 1 ms
    dram::SimpleMemory mem(dram::SimpleMemoryParams{50000, 12.8e9}, r);
    config::Config cfg;
    cache::Hierarchy h(cfg, r, kCycle, true, mem);
    if (dirty)
        for (uint64_t a = 0; a < kBytes; a += 64) {
            mem::Request w{kBase + a, 64, mem::AccessKind::Write};
            h.dcache().access(w, a * kCycle);
        }
    uint64_t start = kT0;
    if (clean_cycles_per_line) start = h.maintain(cache::CacheOp::Clean, kBase, kBytes, kT0, clean_cycles_per_line * kCycle).done_ps;
    dma::CoherentPort port(mem, &h, snoop, 20000, r, true);
    dma::EngineParams p;
    p.outstanding = 8;
    dma::Engine e(p, port, r);
    e.submit(0, dma::Direction::MemToDev, {{kBase, 0, kBytes}}, start);
    return e.drain() - kT0;
}

void coherence() {
    std::printf("4. 64 KiB the CPU has written, read by a device (8 outstanding 64-byte bursts, memory 50 ns / 12.8 "
                "GB/s, 1 GHz core, snoop 20 ns)\n");
    struct Case {
        const char* what;
        bool snoop, dirty;
        uint64_t clean;
    } cases[] = {{"lines not cached (the floor)", true, false, 0},
                 {"snooped, 1024 dirty lines", true, true, 0},
                 {"not snooped, cleaned first at 1 cycle/line", false, true, 1},
                 {"not snooped, cleaned first at 10 cycles/line", false, true, 10},
                 {"not snooped, not cleaned (stale data!)", false, true, 0}};
    for (const Case& c : cases) {
        stats::Registry r;
        double us = double(hand_over(c.snoop, c.dirty, c.clean, r)) / 1e6;
        std::printf("   %-46s %8.2f us  (snoop write-backs %4.0f, stale device reads %4.0f)\n", c.what, us,
                    r.value("dma.snoop.writebacks"), r.value("dma.stale_device_reads"));
    }
    std::printf("   engine speed through the snoops (section 3's transfers, nothing cached):\n");
    double best = 0;
    for (int round = 0; round < 3; ++round) best = std::max(best, engine_rate(true));
    std::printf("   best %.2f M bursts/s\n", best / 1e6);
}

}  // namespace

int main() {
    bandwidth_sweep();
    dma_zone_capacity();
    engine_speed();
    coherence();
    return 0;
}
