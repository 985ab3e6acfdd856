#pragma once
// The memory side's one interface: a request for SIZE bytes at a (physical) address, served by a
// cache level, the interconnect or a memory controller, which returns when it completes. Every
// model of the memory hierarchy is a Port and holds the Port below it, so levels stack in any
// order the configuration asks for; the SystemC shells carry the same requests over TLM-2.0
// sockets (b_transport, the completion annotated on the delay).
//
// Functional mode has no time: ports count and keep state, are called with issue_ps 0 and may
// return 0.
#include <cstdint>

namespace memsim::mem {

// Why a request was made. The kinds a cache counts its misses by (issue #5: read, write,
// instruction, page walk), plus the traffic the hierarchy makes itself.
enum class AccessKind : uint8_t {
    Read,       // a data load
    Write,      // a data store
    Ifetch,     // an instruction fetch
    PageWalk,   // a page-table walker's read of a page-table entry
    PteUpdate,  // a page-table walker's write of the accessed/dirty bits (a locked RMW)
    Writeback,  // a dirty line evicted by the level above
    Prefetch,   // a prefetcher's fill request
};
constexpr unsigned kAccessKinds = 7;

constexpr bool is_write(AccessKind k) {
    return k == AccessKind::Write || k == AccessKind::PteUpdate || k == AccessKind::Writeback;
}

const char* kind_name(AccessKind k);

struct Request {
    uint64_t addr;    // physical, unless no MMU translates (then the trace's virtual addresses)
    uint32_t size;    // bytes; a cache splits a request that straddles its lines
    AccessKind kind;
    // Set by whoever served the request: 1 for the first cache level, 2 for the next, ...,
    // kServedByMemory when it went to memory. Lets the core attribute its stalls by level.
    mutable uint8_t served_by = 0;
};
constexpr uint8_t kServedByMemory = 255;

class Port {
public:
    virtual ~Port() = default;
    // Serves R arriving at ISSUE_PS; returns its completion time (ps), >= ISSUE_PS when timed.
    virtual uint64_t access(const Request& r, uint64_t issue_ps) = 0;
};

}  // namespace memsim::mem
