#pragma once
// libc::Process over the kernel model's address space (models/os/mm.h): the allocator's system
// calls are the AddressSpace's, with Linux 6.1's behaviour, and its metadata accesses and its
// fills and copies touch the pages they cover, faulting them in as the CPU would.
// For tests and benchmarks; the machine (sim/run) has its own implementation over the core.
#include <cstdint>

#include "models/libc/process.h"
#include "models/os/mm.h"

namespace memsim::libc {

class MmProcess final : public Process {
public:
    explicit MmProcess(os::AddressSpace& as) : as_(as) {}

    uint64_t brk(uint64_t addr) override { return as_.brk(addr); }
    int64_t mmap(uint64_t addr, uint64_t len, int prot, int flags) override { return as_.mmap(addr, len, prot, flags); }
    int munmap(uint64_t addr, uint64_t len) override { return as_.munmap(addr, len); }
    int mprotect(uint64_t addr, uint64_t len, int prot) override { return as_.mprotect(addr, len, prot); }
    int madvise(uint64_t addr, uint64_t len, int advice) override { return as_.madvise(addr, len, advice); }
    int64_t mremap(uint64_t old_addr, uint64_t old_len, uint64_t new_len, int flags) override {
        return as_.mremap(old_addr, old_len, new_len, flags);
    }
    void load(uint64_t addr, unsigned size) override { account(as_.access(addr, size, false)); }
    void store(uint64_t addr, unsigned size) override { account(as_.access(addr, size, true)); }
    void fill(uint64_t addr, uint64_t size) override {
        if (size) account(as_.access(addr, size, true));
    }
    void copy(uint64_t dst, uint64_t src, uint64_t size) override {
        if (!size) return;
        account(as_.access(src, size, false));
        account(as_.access(dst, size, true));
    }

    uint64_t accesses() const { return accesses_; }
    uint64_t segv() const { return segv_; }  // accesses that hit no VMA: a model bug if ever nonzero

private:
    os::AddressSpace& as_;
    uint64_t accesses_ = 0, segv_ = 0;
    void account(const os::AccessResult& r) {
        ++accesses_;
        if (r.status == os::AccessStatus::Segv) ++segv_;
    }
};

}  // namespace memsim::libc
