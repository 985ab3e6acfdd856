#pragma once
// A process and an MMU over its page tables, for the MMU's tests: the kernel model's AddressSpace
// (mmap + access() fault pages in, as the kernel would), the Mmu from a configuration, and a walk
// port that records every request and answers after a fixed latency.
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "models/interconnect/port.h"
#include "models/mmu/mmu.h"
#include "models/os/mm.h"
#include "sim/config/config.h"

namespace memsim::mmu_test {

constexpr uint64_t K4 = 4096, M2 = 2ull << 20;
constexpr int RW = os::mman::kProtRead | os::mman::kProtWrite;
constexpr int RO = os::mman::kProtRead;
constexpr int ANON = os::mman::kMapPrivate | os::mman::kMapAnonymous;
constexpr int FIXED = ANON | os::mman::kMapFixed;
constexpr uint64_t kCyclePs = 250;  // 4 GHz

struct Logged {
    uint64_t addr;
    mem::AccessKind kind;
    uint32_t size;
    uint64_t issue_ps;
};

struct RecordingPort final : mem::Port {
    uint64_t latency_ps = 0;
    std::vector<Logged> log;
    uint64_t access(const mem::Request& r, uint64_t issue_ps) override {
        log.push_back({r.addr, r.kind, r.size, issue_ps});
        return issue_ps + latency_ps;
    }
    std::vector<uint64_t> addrs(mem::AccessKind k = mem::AccessKind::PageWalk) const {
        std::vector<uint64_t> out;
        for (const Logged& l : log)
            if (l.kind == k) out.push_back(l.addr);
        return out;
    }
};

struct Machine {
    os::SimpleFrameSource frames;
    stats::Registry os_reg, reg;
    os::MmParams params;
    config::Config cfg;
    std::unique_ptr<os::AddressSpace> mm;
    std::unique_ptr<mmu::Mmu> mmu;
    RecordingPort port;

    // SETS: --set assignments on top of mmu.model=tlb.
    explicit Machine(std::vector<std::string> sets = {}, std::string thp = "never", std::string paging = "x86_64",
                     bool timed = true) {
        params.thp = thp;
        params.paging = paging;
        mm = std::make_unique<os::AddressSpace>(params, frames, os_reg);
        cfg.set("mmu.model=tlb");
        for (const std::string& s : sets) cfg.set(s);
        mmu = std::make_unique<mmu::Mmu>(cfg, reg, kCyclePs, timed);
        mmu->set_context(&mm->page_table(), 1);
    }
    uint64_t map(uint64_t len, int prot = RW, int flags = ANON, uint64_t addr = 0) {
        int64_t a = mm->mmap(addr, len, prot, flags);
        REQUIRE(a > 0);
        return uint64_t(a);
    }
    // The kernel's fault handling for one access (what the lead's retry loop calls).
    void touch(uint64_t va, bool write) {
        os::AccessResult r = mm->access(va, 1, write);
        REQUIRE(r.status != os::AccessStatus::Segv);
    }
    mmu::Translation tr(uint64_t va, mem::AccessKind k = mem::AccessKind::Read, uint64_t t = 0) {
        return mmu->translate(va, k, t, port);
    }
    os::PageTable& pt() { return mm->page_table(); }
    // The kernel's level-0 entry for VA (must exist).
    uint64_t pte(uint64_t va) {
        uint64_t* e = pt().pte(va);
        REQUIRE(e);
        return *e;
    }
    // The physical address the kernel's leaf gives VA: PFN << 12 | offset.
    uint64_t kernel_pa(uint64_t va) { return (pt().format().pfn(pte(va)) << 12) | (va & 0xfff); }
    double stat(const std::string& n) const { return reg.value(n); }
};

}  // namespace memsim::mmu_test
