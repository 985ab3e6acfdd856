// The MMU with its default (Skylake-like) configuration over a process that touched 64 MiB of
// anonymous memory: uniformly random 8-byte loads, with 4 KiB pages and with THP. Prints the hit
// rates next to what the TLB reach predicts, and translations per host second (functional mode,
// a walk port that answers at once).
//
// Reach: DTLB 64 x 4 KiB pages of 16384 -> 64/16384 = 0.0039 hits. The STLB's 1536 entries hold
// the DTLB's 64 too (both are filled by each walk), so a DTLB miss finds one of the other 1472 among
// the 16320 pages it may be: 1472/16320 = 0.0902. With THP the 32 2 MiB DTLB entries cover all
// 64 MiB: ~100% DTLB hits. The PDE cache (32 entries, 8-way) holds all 32 PD entries: 1 read a walk.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "models/mmu/mmu.h"
#include "models/os/mm.h"

using namespace memsim;

namespace {

struct NullPort final : mem::Port {
    uint64_t access(const mem::Request&, uint64_t t) override { return t; }
};

void run(const char* thp, uint64_t kLoads) {
    constexpr uint64_t kBytes = 64ull << 20;
    os::SimpleFrameSource frames;
    stats::Registry os_reg, reg;
    os::MmParams params;
    params.thp = thp;
    os::AddressSpace mm(params, frames, os_reg);
    int64_t a = mm.mmap(0, kBytes + (2ull << 20), os::mman::kProtRead | os::mman::kProtWrite,
                        os::mman::kMapPrivate | os::mman::kMapAnonymous);
    if (a < 0) return;
    const uint64_t base = (uint64_t(a) + (2ull << 20) - 1) & ~((2ull << 20) - 1);
    mm.access(base, kBytes, true);
    config::Config cfg;
    cfg.set("mmu.model=tlb");
    mmu::Mmu m(cfg, reg, 250, false);
    m.set_context(&mm.page_table(), 1);
    NullPort port;
    std::mt19937_64 rng(1);
    uint64_t faults = 0;
    auto t0 = std::chrono::steady_clock::now();
    for (uint64_t i = 0; i < kLoads; ++i) {
        uint64_t va = base + (rng() % kBytes & ~uint64_t(7));
        faults += m.translate(va, mem::AccessKind::Read, 0, port).fault != mmu::Fault::None;
    }
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    auto v = [&](const char* n) { return reg.value(n); };
    std::printf("thp=%s: %llu loads over 64 MiB, %llu faults\n", thp, (unsigned long long)kLoads,
                (unsigned long long)faults);
    std::printf("  DTLB hit rate %.4f   STLB hit rate (of DTLB misses) %.4f   walks %.0f   walk reads/walk %.2f\n",
                v("mmu.dtlb.hits") / v("mmu.dtlb.accesses"), v("mmu.stlb.hits") / v("mmu.stlb.accesses"),
                v("mmu.walks"), v("mmu.walk_memory_accesses") / v("mmu.walks"));
    std::printf("  PDE cache hit rate %.4f\n", v("mmu.pwc.pde.hits") / (v("mmu.pwc.pde.hits") + v("mmu.pwc.pde.misses")));
    std::printf("  %.2f M translations/s (host)\n", double(kLoads) / s / 1e6);
}

}  // namespace

// ARGV[1]: loads per run (default 20 M); ARGV[2]: never or always to run one THP setting only.
int main(int argc, char** argv) {
    const uint64_t loads = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 20'000'000;
    std::printf("expected from the reach: 4K pages DTLB 0.0039, STLB 0.0902, PDE cache 1.0; THP DTLB ~1.0\n");
    const std::string only = argc > 2 ? argv[2] : "";
    if (only != "always") run("never", loads);
    if (only != "never") run("always", loads);
}
