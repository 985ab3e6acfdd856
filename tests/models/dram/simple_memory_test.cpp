// SimpleMemory: gem5 SimpleMemory's rule, worked by hand. latency 50 ns, 12.8 GB/s, so a 64-byte
// request occupies the memory 64 / 12.8e9 s = 5 ns and an 8-byte one 625 ps.
#include <catch2/catch.hpp>

#include "models/dram/simple_memory.h"

using namespace memsim;

TEST_CASE("SimpleMemory queues requests behind the one being transferred", "[dram][simple]") {
    stats::Registry r;
    dram::SimpleMemory mem({50000, 12.8e9}, r);
    struct Row {
        uint64_t arrival_ps;
        uint32_t size;
        bool write;
        uint64_t done_ps;  // start + 50 ns
    };
    const Row table[] = {
        {0, 64, false, 50000},      // idle: starts at once, busy until 5000
        {1000, 64, true, 55000},    // waits until 5000, busy until 10000
        {20000, 8, false, 70000},   // idle again: starts at 20000, busy until 20625
        {20000, 64, false, 70625},  // waits 625 ps
    };
    for (const auto& row : table) CHECK(mem.access(0x1000, row.size, row.write, row.arrival_ps) == row.done_ps);
    CHECK(r.value("memory.reads") == 3);
    CHECK(r.value("memory.writes") == 1);
    CHECK(r.value("memory.bytes_read") == 136);
    CHECK(r.value("memory.bytes_written") == 64);
    CHECK(r.value("memory.queue_ps") == 4000 + 625);
    CHECK(r.value("memory.busy_ps") == 5000 * 3 + 625);
}
