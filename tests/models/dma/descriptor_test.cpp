// Descriptor fetches, status write-backs, per-channel bursts and outstanding, completion interrupts,
// worked out by hand on the 50 ns / 12.8 GB/s memory of fake_memory.h (a request starts when the
// memory is free, occupies it size / 12.8 GB/s, 5 ns per 64 bytes, and is done 50 ns after it
// starts). Descriptors are 64 bytes (PG021's 13-word AXI DMA descriptor on its 16-word alignment):
// a fetch occupies the memory 5 ns; a status write-back is the 4-byte STATUS word at offset 1Ch,
// 5000 x 4 / 64 = 312 ps of occupancy.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "models/dma/engine.h"
#include "models/dma/stream.h"
#include "sim/config/config.h"
#include "sim/core/error.h"
#include "tests/models/dma/fake_memory.h"

using namespace memsim;
using namespace memsim::dma;
using namespace memsim::dma::testing;

namespace {

constexpr uint64_t kRing = 0x80000;  // dma.descriptor_ring_base's default: channel 0's ring

EngineParams params(bool fetch, bool status, uint64_t prefetch = 1) {
    EngineParams p;
    p.burst = 64;
    p.outstanding = 4;
    p.clock_hz = 1e9;  // one burst per ns
    p.descriptor_fetch = fetch;
    p.status_writeback = status;
    p.descriptor_prefetch = prefetch;
    return p;
}

struct Row {
    uint64_t addr;
    uint32_t size;
    bool write;
    uint64_t issue_ns, done_ns;
};

void check_rows(const FakeMemory& mem, const std::vector<std::pair<size_t, Row>>& rows) {
    for (const auto& [i, want] : rows) {
        INFO("request " << i);
        REQUIRE(i < mem.log.size());
        CHECK(mem.log[i].addr == want.addr);
        CHECK(mem.log[i].size == want.size);
        CHECK(mem.log[i].write == want.write);
        CHECK(mem.log[i].issue_ps == want.issue_ns * ns);
        CHECK(mem.log[i].done_ps == want.done_ns * ns);
    }
}

}  // namespace

// engine_test's first case (4 KiB, 64-byte bursts, 4 outstanding: 815 ns) with the descriptor in
// memory. The fetch issues at 0 and is done at 50 ns; the bursts wait for it, so every burst of
// that case moves 50 ns later: burst 4g + j is done at 50(g + 1) + 5j + 50 ns, the last (g = 15,
// j = 3) at 865 ns. The status write is due then; the memory is free since 815 + 5 = 820 ns: it is
// done at 865 + 50 = 915 ns, and so is the transfer.
TEST_CASE("One descriptor fetched then its bursts then its status write", "[dma][dma-descriptors]") {
    stats::Registry r;
    FakeMemory mem;
    Engine e(params(true, true), mem, r);
    e.submit(0, Direction::MemToDev, {{0x100000, 0, 4096}}, 0);
    CHECK(e.drain() == 915 * ns);
    REQUIRE(mem.log.size() == 1 + 64 + 1);
    check_rows(mem, {{0, {kRing, 64, false, 0, 50}},
                     {1, {0x100000, 64, false, 50, 100}},     // first burst: the fetch is back
                     {2, {0x100040, 64, false, 51, 105}},     // next engine cycle; memory free at 55
                     {5, {0x100100, 64, false, 100, 150}},    // burst 4: burst 0's slot
                     {64, {0x100fc0, 64, false, 815, 865}},   // burst 63
                     {65, {kRing + 0x1c, 4, true, 865, 915}}});
    const Completion& c = e.completions().at(0);
    CHECK(c.first_issue_ps == 50 * ns);
    CHECK(c.descriptor_done_ps == std::vector<uint64_t>{915 * ns});
    CHECK(c.done_ps == 915 * ns);
    CHECK(c.bytes == 4096);  // data only
    CHECK(r.value("dma.descriptor_fetches") == 1);
    CHECK(r.value("dma.status_writes") == 1);
    CHECK(r.value("dma.dma0.descriptor_fetches") == 1);
    CHECK(r.value("dma.dma0.status_writes") == 1);
    CHECK(r.value("dma.bursts") == 64);
    CHECK(r.value("dma.bytes") == 4096);
    CHECK(r.value("dma.interrupts") == 1);
    // Busy from the fetch's issue to the status write's completion, without a gap.
    CHECK(r.value("dma.dma0.busy") == 915 * ns);
    CHECK(r.value("dma.dma0.latency.max") == Approx(915).epsilon(0.02));
}

// Each half alone. The fetch adds its 50 ns before the bursts: 865 ns. The status write is due with
// the last burst's completion at 815 ns (that burst started at 765 and freed the memory at 770): it
// is done at 865 ns too.
TEST_CASE("Fetch alone and status write alone each add one memory latency", "[dma][dma-descriptors]") {
    struct Case {
        bool fetch, status;
        uint64_t done_ns;
    };
    for (const Case& k : {Case{true, false, 865}, Case{false, true, 865}}) {
        INFO("fetch " << k.fetch << " status " << k.status);
        stats::Registry r;
        FakeMemory mem;
        Engine e(params(k.fetch, k.status), mem, r);
        e.submit(0, Direction::MemToDev, {{0x100000, 0, 4096}}, 0);
        CHECK(e.drain() == k.done_ns * ns);
        CHECK(mem.log.size() == 65);
        CHECK(r.value("dma.descriptor_fetches") == (k.fetch ? 1 : 0));
        CHECK(r.value("dma.status_writes") == (k.status ? 1 : 0));
        if (k.status) check_rows(mem, {{64, {kRing + 0x1c, 4, true, 815, 865}}});
    }
}

// Two descriptors of 1 KiB (16 bursts each), 4 outstanding, memory to device.
//
// Prefetch 1 (AXI DMA's descriptor queue): D1's address is D0's NXTDESC, so its fetch issues when
// D0's is back, at 50 ns, and goes first in that cycle (fetches before bursts): the memory is busy
// 50-55. D0's bursts 0..3 issue at 50..53 and start at 55, 60, 65, 70 (done 105..120); burst 4g + j
// then issues and starts at 55 + 50g + 5j and is done at 105 + 50g + 5j. D1 was fetched at 100, long
// before its first burst (16, the slot of burst 12 at 255 ns), so the same rule runs on through
// burst 31 (g = 7, j = 3): D0 done with burst 15 at 105 + 150 + 15 = 270 ns, D1 with burst 31 at
// 105 + 350 + 15 = 470 ns.
//
// No prefetch: D1's fetch waits for D0's completion. D0: fetch 0-50, bursts 4g + j done at
// 100 + 50g + 5j, the last at 265 ns. D1's fetch: 265 -> 315 (the memory is free since 220).
// D1's bursts start on an idle channel at 315: done at 315 + 50(g + 1) + 5j, the last at 530 ns.
TEST_CASE("Prefetching the next descriptor overlaps its fetch with the data", "[dma][dma-descriptors]") {
    struct Case {
        uint64_t prefetch;
        uint64_t d0_ns, d1_ns;
        Row d1_fetch;
    };
    for (const Case& k : {Case{1, 270, 470, {kRing + 64, 64, false, 50, 100}},
                          Case{0, 265, 530, {kRing + 64, 64, false, 265, 315}}}) {
        INFO("prefetch " << k.prefetch);
        stats::Registry r;
        FakeMemory mem;
        Engine e(params(true, false, k.prefetch), mem, r);
        e.submit(0, Direction::MemToDev, {{0x100000, 0, 1024}, {0x200000, 0, 1024}}, 0);
        CHECK(e.drain() == k.d1_ns * ns);
        const Completion& c = e.completions().at(0);
        CHECK(c.descriptor_done_ps == (std::vector<uint64_t>{k.d0_ns * ns, k.d1_ns * ns}));
        REQUIRE(mem.log.size() == 2 + 32);
        size_t fetch1 = k.prefetch ? 1 : 17;  // before D0's bursts, or after all of them
        check_rows(mem, {{0, {kRing, 64, false, 0, 50}}, {fetch1, k.d1_fetch}});
        CHECK(r.value("dma.descriptor_fetches") == 2);
    }
}

// No prefetch with status write-back: D0's last burst is done at 265 ns, its status write 265 ->
// 315; only then is D1 fetched: 315 -> 365 (the 312 ps of the status write are long over). D1's
// bursts from 365 on an idle channel: the last done at 365 + 50 x 4 + 15 = 580 ns; its status write
// 580 -> 630 ns.
TEST_CASE("Without prefetch the next fetch waits for the status write", "[dma][dma-descriptors]") {
    stats::Registry r;
    FakeMemory mem;
    Engine e(params(true, true, 0), mem, r);
    e.submit(0, Direction::MemToDev, {{0x100000, 0, 1024}, {0x200000, 0, 1024}}, 0);
    CHECK(e.drain() == 630 * ns);
    REQUIRE(mem.log.size() == 2 + 32 + 2);
    check_rows(mem, {{17, {kRing + 0x1c, 4, true, 265, 315}},
                     {18, {kRing + 64, 64, false, 315, 365}},
                     {19, {0x200000, 64, false, 365, 415}},
                     {35, {kRing + 64 + 0x1c, 4, true, 580, 630}}});
    CHECK(e.completions().at(0).descriptor_done_ps == (std::vector<uint64_t>{315 * ns, 630 * ns}));
}

// Memory to memory, 128 bytes, 2 outstanding, fetch and status write: the status write joins the
// data writes in time order.
TEST_CASE("Memory to memory with descriptor fetch and status write", "[dma][dma-descriptors]") {
    stats::Registry r;
    FakeMemory mem;
    EngineParams p = params(true, true);
    p.outstanding = 2;
    Engine e(p, mem, r);
    e.submit(0, Direction::MemToMem, {{0x1000, 0x8000, 128}}, 0);
    CHECK(e.drain() == 205 * ns);
    // | request | issued | starts | done |  why
    // | fetch   |   0    |   0    |  50  |
    // | R0      |  50    |  50    | 100  |  the descriptor is back
    // | R1      |  51    |  55    | 105  |  memory busy until 55
    // | W0      | 100    | 100    | 150  |  R0's data back
    // | W1      | 105    | 105    | 155  |
    // | status  | 155    | 155    | 205  |  the last write done; memory free since 110
    REQUIRE(mem.log.size() == 6);
    check_rows(mem, {{0, {kRing, 64, false, 0, 50}},
                     {1, {0x1000, 64, false, 50, 100}},
                     {2, {0x1040, 64, false, 51, 105}},
                     {3, {0x8000, 64, true, 100, 150}},
                     {4, {0x8040, 64, true, 105, 155}},
                     {5, {kRing + 0x1c, 4, true, 155, 205}}});
}

// stream_test's first case (1 KiB frames every 300 ns: 215 ns each, 85 ns of headroom) with the
// descriptors in memory. Frame 0: fetch 0 -> 50, bursts done 50 later than without (265 ns), status
// write 265 -> 315: late (due 300). Frame 1 is due at 300: its fetch (D0's NXTDESC back at 50, a free
// queue entry) 300 -> 350; its bursts run as frame 0's did from 350: the last done at 350 + 215 =
// 565; status 565 -> 615: late (due 600). The descriptor traffic eats the headroom.
TEST_CASE("A stream's frames pay their descriptor's fetch and status write", "[dma][dma-descriptors]") {
    stats::Registry r;
    FakeMemory mem;
    EngineParams p = params(true, true);
    p.channels = {"scanout"};
    Engine e(p, mem, r);
    StreamSpec s;
    s.name = "fb";
    s.dir = Direction::MemToDev;
    s.ring = {{{0x100000, 0, 1024}}, {{0x200000, 0, 1024}}};
    s.period_ps = 300 * ns;
    s.frames = 2;
    Stream st(e, s, r);
    st.pump(0);
    e.advance(300 * ns - 1);
    st.pump(300 * ns);
    e.drain();
    REQUIRE(e.completions().size() == 2);
    CHECK(e.completions()[0].done_ps == 315 * ns);
    CHECK(e.completions()[1].done_ps == 615 * ns);
    CHECK(r.value("dma.stream.fb.late") == 2);
    CHECK(r.value("dma.scanout.descriptor_fetches") == 2);
}

// The ring's slots are used in turn across transfers and wrap; a caller may place the ring itself.
TEST_CASE("Descriptors take the ring's slots in turn", "[dma][dma-descriptors]") {
    stats::Registry r;
    FakeMemory mem;
    EngineParams p = params(true, false);
    p.channels = {"rx", "tx"};
    p.descriptor_ring_slots = 2;
    Engine e(p, mem, r);
    // Channel 1's ring follows channel 0's: base + 1 x 2 slots x 64 bytes.
    CHECK(e.descriptor_ring(1).base == kRing + 128);
    e.set_descriptor_ring(0, DescriptorRing{0x3000, 2});
    for (int k = 0; k < 3; ++k) e.submit(0, Direction::DevToMem, {{0, 0x10000, 64}}, 0);
    e.submit(1, Direction::DevToMem, {{0, 0x20000, 64}}, 0);
    e.drain();
    std::vector<uint64_t> fetched;
    for (const auto& s : mem.log)
        if (s.size == 64 && !s.write) fetched.push_back(s.addr);
    std::sort(fetched.begin(), fetched.end());
    CHECK(fetched == (std::vector<uint64_t>{0x3000, 0x3000, 0x3040, kRing + 128}));
    CHECK(r.value("dma.rx.descriptor_fetches") == 3);
    CHECK(r.value("dma.tx.descriptor_fetches") == 1);
    CHECK_THROWS_AS(e.set_descriptor_ring(2, DescriptorRing{0, 1}), std::invalid_argument);
}

TEST_CASE("A descriptor ring outside memory is an error naming its key", "[dma][dma-descriptors]") {
    stats::Registry r;
    FakeMemory mem;
    EngineParams p = params(true, false);
    p.descriptor_ring_base = (16u << 20) - 64;  // one slot fits in 16 MiB, 256 do not
    Engine e(p, mem, r);
    try {
        e.check_descriptor_rings(16u << 20);
        FAIL("no error");
    } catch (const InputError& x) {
        CHECK_THAT(x.what(), Catch::Contains("dma.descriptor_ring_base"));
    }
    e.check_descriptor_rings(1u << 30);
    stats::Registry r2;
    Engine off(params(false, false), mem, r2);  // no descriptor traffic: no ring to place
    off.check_descriptor_rings(16u << 20);
}

// Two channels both ready at 0, fixed priority, no memory contention (only the engine's issue
// cycle and the slots order them). a: 64-byte bursts, 4 outstanding: 16 bursts of its 1 KiB, issued
// at 0..3 ns, then burst 4g + j at 50g + j (burst 4g + j - 4's slot), done 50 later: the last at
// 50 x 3 + 3 + 50 = 203 ns. b: 256-byte bursts, 2 outstanding: 4 bursts, issued at 4 and 5 ns (a
// has no slot), done 54, 55; then at 54 and 55 (a issued at 50..53), done 104, 105.
TEST_CASE("Per-channel bursts and outstanding", "[dma][dma-descriptors]") {
    stats::Registry r;
    FakeMemory mem;
    mem.ps_per_64_bytes = 0;
    EngineParams p = params(false, false);
    p.channels = {"a", "b"};
    p.bursts = {"64B", "256B"};
    p.outstanding_per_channel = {"4", "2"};
    Engine e(p, mem, r);
    CHECK(e.burst(1) == 256);
    CHECK(e.outstanding(1) == 2);
    e.submit(0, Direction::MemToDev, {{0x10000, 0, 1024}}, 0);
    e.submit(1, Direction::MemToDev, {{0x20000, 0, 1024}}, 0);
    e.drain();
    std::vector<Row> b;
    for (const auto& s : mem.log)
        if (s.addr >= 0x20000) b.push_back({s.addr, s.size, s.write, s.issue_ps / ns, s.done_ps / ns});
    REQUIRE(b.size() == 4);
    const uint64_t b_issue[] = {4, 5, 54, 55};
    for (size_t k = 0; k < 4; ++k) {
        INFO("b burst " << k);
        CHECK(b[k].addr == 0x20000 + 256 * k);
        CHECK(b[k].size == 256);
        CHECK(b[k].issue_ns == b_issue[k]);
        CHECK(b[k].done_ns == b_issue[k] + 50);
    }
    REQUIRE(e.completions().size() == 2);
    CHECK(e.completions()[0].channel == 1);
    CHECK(e.completions()[0].done_ps == 105 * ns);
    CHECK(e.completions()[1].done_ps == 203 * ns);
    CHECK(r.value("dma.a.bursts") == 16);
    CHECK(r.value("dma.b.bursts") == 4);
    CHECK(r.value("dma.b.bytes") == 1024);
}

TEST_CASE("Per-channel lists are checked against dma.channels", "[dma][dma-descriptors]") {
    FakeMemory mem;
    auto error_of = [&](EngineParams p) -> std::string {
        stats::Registry r;
        try {
            Engine e(p, mem, r);
        } catch (const InputError& x) {
            return x.what();
        }
        return "";
    };
    EngineParams p = params(false, false);
    p.channels = {"a", "b"};
    p.bursts = {"64B"};
    CHECK_THAT(error_of(p), Catch::Contains("dma.bursts") && Catch::Contains("expected 2 values"));
    p.bursts = {"64B", "lots"};
    CHECK_THAT(error_of(p), Catch::Contains("dma.bursts") && Catch::Contains("'lots'"));
    p.bursts = {"64B", "0B"};
    CHECK_THAT(error_of(p), Catch::Contains("dma.bursts"));
    p.bursts = {};
    p.outstanding_per_channel = {"4", "4", "4"};
    CHECK_THAT(error_of(p), Catch::Contains("dma.outstanding_per_channel"));
    p.outstanding_per_channel = {"4", "2000"};
    CHECK_THAT(error_of(p), Catch::Contains("dma.outstanding_per_channel"));
    p.outstanding_per_channel = {"4", "2"};
    CHECK(error_of(p).empty());
}

// The configuration writes the lists as YAML sequences (or comma-separated strings).
TEST_CASE("Per-channel settings from the configuration", "[dma][dma-descriptors]") {
    config::Config cfg;
    cfg.load_yaml_text(
        "dma:\n  channels: [mm2s, s2mm]\n  bursts: [64B, 256B]\n  outstanding_per_channel: 8,2\n"
        "  descriptor_fetch: true\n  status_writeback: true\n  interrupt_cycles: 1200\n",
        "test.yaml");
    auto p = cfg.section<EngineParams>("dma");
    stats::Registry r;
    FakeMemory mem;
    Engine e(p, mem, r);
    CHECK(e.burst(0) == 64);
    CHECK(e.burst(1) == 256);
    CHECK(e.outstanding(0) == 8);
    CHECK(e.outstanding(1) == 2);
    CHECK(p.descriptor_bytes == 64);
    CHECK(p.descriptor_prefetch == 1);
    CHECK(e.descriptor_ring(0).base == 512 * 1024);
    CHECK(e.descriptor_ring(1).base == 512 * 1024 + 256 * 64);
    CHECK(p.interrupt_cycles == 1200);
}

// Two transfers of one 64-byte burst: done at 50 ns and 1050 ns. Each raises one interrupt; its
// handler's cycles are handed to the caller once its time is reached, once.
TEST_CASE("Completion interrupts are counted and their cycles taken once", "[dma][dma-descriptors]") {
    stats::Registry r;
    FakeMemory mem;
    EngineParams p = params(false, false);
    p.interrupt_cycles = 500;
    Engine e(p, mem, r);
    e.submit(0, Direction::MemToDev, {{0, 0, 64}}, 0);
    e.submit(0, Direction::MemToDev, {{0, 0, 64}}, 1000 * ns);
    e.advance(10 * ns);  // the first transfer's burst only: the second is submitted for 1000 ns
    CHECK(e.take_interrupt_cycles(49 * ns) == 0);
    CHECK(e.take_interrupt_cycles(50 * ns) == 500);
    CHECK(e.take_interrupt_cycles(50 * ns) == 0);
    e.drain();
    CHECK(e.take_interrupt_cycles(1049 * ns) == 0);
    CHECK(e.take_interrupt_cycles(2000 * ns) == 500);
    CHECK(r.value("dma.interrupts") == 2);
    CHECK(e.completions()[1].interrupt_cycles == 500);
}

// Functional mode: the same requests at time 0. 1000 bytes memory to memory: one fetch, 16 reads,
// 16 writes, one status write.
TEST_CASE("Functional mode issues the descriptor traffic too", "[dma][dma-descriptors]") {
    stats::Registry r;
    FakeMemory mem;
    mem.latency_ps = 0;  // as a functional port answers
    mem.ps_per_64_bytes = 0;
    EngineParams p = params(true, true, 0);
    p.outstanding = 1;
    p.interrupt_cycles = 7;
    Engine e(p, mem, r, false);
    e.submit(0, Direction::MemToMem, {{0x1000, 0x8000, 1000}, {0x9000, 0xa000, 10}}, 123 * ns);
    CHECK(e.drain() == 0);
    CHECK(mem.log.size() == 2 + 2 * 17 + 2);
    for (const auto& s : mem.log) CHECK(s.issue_ps == 0);
    CHECK(r.value("dma.descriptor_fetches") == 2);
    CHECK(r.value("dma.status_writes") == 2);
    CHECK(e.take_interrupt_cycles(0) == 7);
}
