// The DMA engine's times worked out by hand against a memory with one latency and one bandwidth
// (the rule of gem5's SimpleMemory: a request waits until the memory is free, occupies it for
// size / bandwidth, and completes `latency` after it started). With 50 ns and 12.8 GB/s a 64-byte
// burst occupies the memory 64 / 12.8 GB/s = 5 ns and completes 50 ns after it starts.
#include <catch2/catch.hpp>

#include <vector>

#include "models/dma/engine.h"
#include "models/dram/simple_memory.h"
#include "sim/core/error.h"
#include "tests/models/dma/fake_memory.h"

using namespace memsim;
using namespace memsim::dma;
using namespace memsim::dma::testing;

namespace {

EngineParams params(uint64_t outstanding, std::vector<std::string> channels = {"dma0"}) {
    EngineParams p;
    p.channels = std::move(channels);
    p.burst = 64;
    p.outstanding = outstanding;
    p.clock_hz = 1e9;  // one burst per ns
    return p;
}

}  // namespace

// 4 KiB = 64 bursts, reads only (memory to device), 4 outstanding: latency-bound.
// Bursts 0..3 issue at 0, 1, 2, 3 ns (one per engine cycle) and start on the memory at 0, 5, 10,
// 15 ns (each waits for the previous 5 ns): done at 50, 55, 60, 65 ns. Burst 4 needs a slot: the
// first frees at 50 ns; the memory is idle since 20 ns, so it starts at 50 and is done at 100.
// By induction burst 4g + j is issued and starts at 50g + 5j and is done at 50(g + 1) + 5j.
// The last, 63 = 4 x 15 + 3: 50 x 16 + 15 = 815 ns. Achieved 4096 B / 815 ns = 5.03 GB/s, not the
// 12.8 GB/s peak: 4 x 64 bytes per 50 ns round trip is the ceiling (5.12 GB/s), as Little's law says.
TEST_CASE("4 KiB in 64-byte bursts with 4 outstanding is latency-bound", "[dma]") {
    stats::Registry r;
    FakeMemory mem;
    Engine e(params(4), mem, r);
    e.submit(0, Direction::MemToDev, {{0x100000, 0, 4096}}, 0);
    CHECK(e.drain() == 815 * ns);
    REQUIRE(mem.log.size() == 64);
    for (uint64_t k = 0; k < 64; ++k) {
        uint64_t g = k / 4, j = k % 4;
        uint64_t issue = g == 0 ? j * ns : (50 * g + 5 * j) * ns;
        CHECK(mem.log[k].issue_ps == issue);
        CHECK(mem.log[k].done_ps == (50 * (g + 1) + 5 * j) * ns);
        CHECK(mem.log[k].addr == 0x100000 + 64 * k);
        CHECK_FALSE(mem.log[k].write);
    }
    REQUIRE(e.completions().size() == 1);
    CHECK(e.completions()[0].done_ps == 815 * ns);
    CHECK(e.completions()[0].bytes == 4096);
    CHECK(r.value("dma.bursts") == 64);
    CHECK(r.value("dma.bytes") == 4096);
    CHECK(r.value("dma.transfers") == 1);
    CHECK(r.value("dma.dma0.busy") == 815 * ns);
    CHECK(r.value("dma.dma0.bandwidth") == Approx(4096.0 / 815e-9));
    CHECK(r.value("dma.dma0.latency.max") == Approx(815).epsilon(0.02));
}

// 16 outstanding: bandwidth-bound. Bursts 0..15 issue at k ns and start at 5k ns (the memory is the
// bottleneck), done at 5k + 50. Burst k >= 16 gets the slot of burst k - 16 at 5(k - 16) + 50 =
// 5k - 30 ns, before the memory frees at 5k: it starts at 5k too. Last: 5 x 63 + 50 = 365 ns;
// 4096 B / 365 ns = 11.2 GB/s (the peak less one latency at the end).
TEST_CASE("4 KiB with 16 outstanding is bandwidth-bound", "[dma]") {
    stats::Registry r;
    FakeMemory mem;
    Engine e(params(16), mem, r);
    e.submit(0, Direction::MemToDev, {{0x100000, 0, 4096}}, 0);
    CHECK(e.drain() == 365 * ns);
    for (uint64_t k = 0; k < 64; ++k) CHECK(mem.log[k].done_ps == (5 * k + 50) * ns);
    CHECK(mem.log[16].issue_ps == 50 * ns);
    CHECK(r.value("dma.dma0.bandwidth") == Approx(4096.0 / 365e-9));
}

// Memory to memory, 256 bytes, 2 outstanding. A burst holds its slot from its read until its write
// completes; the write is issued when the read data is back.
TEST_CASE("Memory to memory: each burst reads then writes", "[dma]") {
    stats::Registry r;
    FakeMemory mem;
    Engine e(params(2), mem, r);
    e.submit(0, Direction::MemToMem, {{0x1000, 0x8000, 256}}, 0);
    CHECK(e.drain() == 205 * ns);
    // | request | issued | starts | done |  why
    // | R0      |   0    |   0    |  50  |
    // | R1      |   1    |   5    |  55  |  memory busy until 5
    // | W0      |  50    |  50    | 100  |  R0's data back; both slots held
    // | W1      |  55    |  55    | 105  |
    // | R2      | 100    | 100    | 150  |  W0 done frees a slot
    // | R3      | 105    | 105    | 155  |
    // | W2      | 150    | 150    | 200  |
    // | W3      | 155    | 155    | 205  |
    struct Row {
        uint64_t addr;
        bool write;
        uint64_t issue, done;
    };
    const std::vector<Row> want = {{0x1000, false, 0, 50},    {0x1040, false, 1, 55},   {0x8000, true, 50, 100},
                                   {0x8040, true, 55, 105},   {0x1080, false, 100, 150}, {0x10c0, false, 105, 155},
                                   {0x8080, true, 150, 200},  {0x80c0, true, 155, 205}};
    REQUIRE(mem.log.size() == want.size());
    for (size_t i = 0; i < want.size(); ++i) {
        INFO("request " << i);
        CHECK(mem.log[i].addr == want[i].addr);
        CHECK(mem.log[i].write == want[i].write);
        CHECK(mem.log[i].issue_ps == want[i].issue * ns);
        CHECK(mem.log[i].done_ps == want[i].done * ns);
    }
    CHECK(r.value("dma.bursts") == 4);
    CHECK(r.value("dma.bytes") == 256);
}

// A scatter-gather list: each descriptor completes with its last burst.
TEST_CASE("Descriptors of a scatter-gather list complete one by one", "[dma]") {
    stats::Registry r;
    FakeMemory mem;
    Engine e(params(4), mem, r);
    // Device to memory: writes only. 128 B at 0x2000 (2 bursts), then 100 B at 0x9000 (64 + 36).
    // Bursts issue at 0, 1, 2, 3 ns; start at 0, 5, 10, 15 ns; done at 50, 55, 60, 65 ns.
    e.submit(0, Direction::DevToMem, {{0, 0x2000, 128}, {0, 0x9000, 100}}, 10 * ns);
    e.drain();
    REQUIRE(mem.log.size() == 4);
    CHECK(mem.log[2].addr == 0x9000);
    CHECK(mem.log[3].addr == 0x9040);
    CHECK(mem.log[3].size == 36);
    CHECK(mem.log[3].write);
    // Submitted at 10 ns: everything 10 ns later.
    const Completion& c = e.completions().at(0);
    CHECK(c.submit_ps == 10 * ns);
    CHECK(c.first_issue_ps == 10 * ns);
    CHECK(c.descriptor_done_ps == (std::vector<uint64_t>{65 * ns, 75 * ns}));
    CHECK(c.done_ps == 75 * ns);
    CHECK(r.value("dma.latency.max") == Approx(65).epsilon(0.02));
}

// advance() issues only what is due by its time: the SystemC shell steps the engine per quantum.
TEST_CASE("advance issues the bursts due by its time", "[dma]") {
    stats::Registry r;
    FakeMemory mem;
    Engine e(params(4), mem, r);
    e.submit(0, Direction::MemToDev, {{0, 0, 4096}}, 0);
    // Issue times (first test): 0, 1, 2, 3, 50, 55, 60, 65, 100, 105, ...: nine by 100 ns.
    e.advance(100 * ns);
    CHECK(mem.log.size() == 9);
    CHECK(e.completions().empty());
    CHECK_FALSE(e.idle());
    e.advance(1000 * ns);
    CHECK(e.idle());
    CHECK(e.completions().size() == 1);
}

// Two channels ready in the same cycles: fixed priority lets the first declared go first, round robin
// alternates. 4 bursts each, 4 outstanding, both submitted at 0; the engine issues one per ns.
TEST_CASE("Arbitration between channels ready in the same cycle", "[dma]") {
    for (const char* scheme : {"fixed", "round_robin"}) {
        stats::Registry r;
        FakeMemory mem;
        mem.ps_per_64_bytes = 0;  // no memory contention: only the engine's arbitration orders them
        EngineParams p = params(4, {"video_in", "video_out"});
        p.arbitration = scheme;
        Engine e(p, mem, r);
        REQUIRE(e.channel("video_out") == 1);
        e.submit(e.channel("video_out"), Direction::MemToDev, {{0x20000, 0, 256}}, 0);
        e.submit(e.channel("video_in"), Direction::MemToDev, {{0x10000, 0, 256}}, 0);
        e.drain();
        std::vector<uint64_t> order;
        for (const auto& s : mem.log) order.push_back(s.addr >> 16);
        INFO(scheme);
        if (std::string(scheme) == "fixed")
            CHECK(order == (std::vector<uint64_t>{1, 1, 1, 1, 2, 2, 2, 2}));
        else
            CHECK(order == (std::vector<uint64_t>{1, 2, 1, 2, 1, 2, 1, 2}));
        // video_in's last burst issues at 3 ns (fixed) or 6 ns (round robin): done 50 ns later.
        CHECK(r.value("dma.video_in.bytes") == 256);
        CHECK(r.value("dma.video_out.bytes") == 256);
    }
}

TEST_CASE("Functional mode counts and keeps no time", "[dma]") {
    stats::Registry r;
    FakeMemory mem;
    mem.latency_ps = 0;
    mem.ps_per_64_bytes = 0;
    Engine e(params(1), mem, r, false);
    e.submit(0, Direction::MemToMem, {{0x1000, 0x8000, 1000}}, 123 * ns);
    CHECK(e.drain() == 0);
    CHECK(mem.log.size() == 2 * 16);  // 15 bursts of 64 and one of 40, each a read and a write
    for (const auto& s : mem.log) CHECK(s.issue_ps == 0);
    CHECK(r.value("dma.bursts") == 16);
    CHECK(r.value("dma.bytes") == 1000);
    CHECK(r.matching("dma.dma0.busy").empty());
}

TEST_CASE("Channel declarations are checked", "[dma]") {
    stats::Registry r;
    FakeMemory mem;
    CHECK_THROWS_AS(Engine(params(4, {"a", "a"}), mem, r), InputError);
    stats::Registry r2;
    CHECK_THROWS_AS(Engine(params(4, {}), mem, r2), InputError);
    for (const char* bad : {"bytes", "stream", "a.b", ""}) {
        stats::Registry rb;
        CHECK_THROWS_AS(Engine(params(4, {bad}), mem, rb), InputError);
    }
    stats::Registry r3;
    Engine e(params(4, {"a"}), mem, r3);
    CHECK(e.channel("b") == Engine::kNoChannel);
    CHECK_THROWS_AS(e.submit(0, Direction::MemToDev, {{0, 0, 0}}), std::invalid_argument);
}

// The same 4 KiB on memsim's SimpleMemory with its defaults (50 ns, 12.8 GB/s: the DDR3-1600
// channel peak) gives the times worked out above: 815 ns with 4 outstanding, 365 ns with 16.
TEST_CASE("The hand-worked transfer times hold on SimpleMemory", "[dma]") {
    for (auto [outstanding, want_ns] : {std::pair<uint64_t, uint64_t>{4, 815}, {16, 365}}) {
        stats::Registry r;
        dram::SimpleMemory mem(dram::SimpleMemoryParams{50 * ns, 12.8e9}, r);
        Engine e(params(outstanding), mem, r);
        e.submit(0, Direction::MemToDev, {{0x100000, 0, 4096}}, 0);
        CHECK(e.drain() == want_ns * ns);
        CHECK(r.value("memory.reads") == 64);
        CHECK(r.value("memory.busy_ps") == 64 * 5 * ns);
    }
}
