#pragma once
// What glibc's malloc needs from the process it runs in: the system calls it makes, with Linux's
// return conventions (an address, 0, or -errno), and a way to report every read and write it makes
// to its own metadata (chunk headers, bins, the tcache, arena state), so that those accesses take
// page faults where glibc's would and, in timing mode, go through the MMU and caches.
//
// INTERFACE CONTRACT between models/libc (the allocator) and the machine (sim/run), which
// implements it over the kernel model's AddressSpace and the core.
#include <cstdint>

namespace memsim::libc {

class Process {
public:
    virtual ~Process() = default;
    // brk(2): the new break, or the current one when it cannot move (brk(0) asks). sbrk is built on it.
    virtual uint64_t brk(uint64_t addr) = 0;
    virtual int64_t mmap(uint64_t addr, uint64_t len, int prot, int flags) = 0;
    virtual int munmap(uint64_t addr, uint64_t len) = 0;
    virtual int mprotect(uint64_t addr, uint64_t len, int prot) = 0;
    virtual int madvise(uint64_t addr, uint64_t len, int advice) = 0;
    virtual int64_t mremap(uint64_t old_addr, uint64_t old_len, uint64_t new_len, int flags) = 0;
    // The allocator read or wrote SIZE bytes of its metadata at ADDR (the thread TID's access).
    virtual void load(uint64_t addr, unsigned size) = 0;
    virtual void store(uint64_t addr, unsigned size) = 0;
    // memset/memcpy of user memory the allocator performs (calloc clearing, realloc copying).
    virtual void fill(uint64_t addr, uint64_t size) = 0;
    virtual void copy(uint64_t dst, uint64_t src, uint64_t size) = 0;

    // Added with the ptmalloc model: where libc's writable data (main_arena, mp_) lies in the
    // simulated address space, so that the allocator's accesses to it are reported too. 0 (the
    // default): it is not simulated, and those accesses are not reported.
    virtual uint64_t libc_data_base() const { return 0; }
};

}  // namespace memsim::libc
