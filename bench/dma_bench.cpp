// The DMA models' figures:
//  1. achieved bandwidth of one channel against outstanding bursts on the default SimpleMemory
//     (50 ns, 12.8 GB/s), beside Little's law's bound min(peak, outstanding x burst / latency);
//  2. how many 20 KiB dma_alloc buffers zone DMA (x86: below 16 MiB) gives before the first failure,
//     keeping the order-3 block (x86) or giving back the 3 excess pages (32-bit ARM);
//  3. the engine's speed: simulated bursts per host second.
#include <algorithm>
#include <chrono>
#include <cstdio>

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

void engine_speed() {
    std::printf("3. engine speed: 256 MiB in 64-byte bursts, memory-to-memory, 2 channels, 8 outstanding\n");
    double best = 0;
    for (int round = 0; round < 3; ++round) {
        stats::Registry r;
        dram::SimpleMemory mem(dram::SimpleMemoryParams{50000, 12.8e9}, r);
        dma::EngineParams p;
        p.channels = {"a", "b"};
        p.outstanding = 8;
        dma::Engine e(p, mem, r);
        for (unsigned c = 0; c < 2; ++c)
            for (int t = 0; t < 128; ++t) e.submit(c, dma::Direction::MemToMem, {{0, 1 << 30, 1 << 20}}, 0);
        auto t0 = std::chrono::steady_clock::now();
        e.drain();
        double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        double bursts = r.value("dma.bursts");
        best = std::max(best, bursts / s);
        std::printf("   round %d: %.0f bursts in %.3f s = %.2f M bursts/s\n", round, bursts, s, bursts / s / 1e6);
    }
    std::printf("   best %.2f M bursts/s\n", best / 1e6);
}

}  // namespace

int main() {
    bandwidth_sweep();
    dma_zone_capacity();
    engine_speed();
    return 0;
}
