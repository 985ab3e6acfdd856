#include "models/dram/simple_memory.h"

#include <algorithm>
#include <cmath>

#include "sim/config/schema.h"

namespace memsim::dram {

MEMSIM_REGISTER_PARAMS(SimpleMemoryParams, "memory.simple", "fixed-latency, fixed-bandwidth memory (gem5 SimpleMemory)");

SimpleMemory::Stats::Stats(stats::Registry& r, bool timed)
    : reads(r.counter("memory.reads", "requests", "read requests served")),
      writes(r.counter("memory.writes", "requests", "write requests served")),
      bytes_read(r.counter("memory.bytes_read", "bytes", "bytes read")),
      bytes_written(r.counter("memory.bytes_written", "bytes", "bytes written")) {
    if (timed) {
        queue_ps = &r.counter("memory.queue_ps", "ps", "time requests waited for the memory to be free, summed");
        busy_ps = &r.counter("memory.busy_ps", "ps", "time the memory was busy transferring");
    }
}

SimpleMemory::SimpleMemory(const SimpleMemoryParams& p, stats::Registry& r, bool timed)
    : p_(p), timed_(timed), ps_per_byte_(1e12 / p.bandwidth), stats_(r, timed) {}

uint64_t SimpleMemory::access(uint64_t, uint32_t size, bool write, uint64_t arrival_ps) {
    uint64_t start = std::max(arrival_ps, busy_until_ps_);
    auto transfer = uint64_t(std::ceil(double(size) * ps_per_byte_));
    busy_until_ps_ = start + transfer;
    *stats_.queue_ps += start - arrival_ps;
    *stats_.busy_ps += transfer;
    count(size, write);
    return start + p_.latency_ps;
}

void SimpleMemory::count(uint32_t size, bool write) {
    if (write) {
        ++stats_.writes;
        stats_.bytes_written += size;
    } else {
        ++stats_.reads;
        stats_.bytes_read += size;
    }
}

}  // namespace memsim::dram
