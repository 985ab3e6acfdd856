// Periodic frames on one channel, on the 50 ns / 12.8 GB/s memory of fake_memory.h, 64-byte bursts,
// 4 outstanding. A 1 KiB frame is 16 bursts; as in engine_test's first case, burst 4g + j of a frame
// that starts on an idle channel is done at 50(g + 1) + 5j ns after its start: the last (g = 3,
// j = 3) at 215 ns.
#include <catch2/catch.hpp>

#include "models/dma/stream.h"
#include "tests/models/dma/fake_memory.h"

using namespace memsim;
using namespace memsim::dma;
using namespace memsim::dma::testing;

namespace {

EngineParams params() {
    EngineParams p;
    p.channels = {"scanout"};
    p.outstanding = 4;
    return p;
}

StreamSpec spec(uint64_t period_ns) {
    StreamSpec s;
    s.name = "fb";
    s.channel = 0;
    s.dir = Direction::MemToDev;
    s.ring = {{{0x100000, 0, 1024}}, {{0x200000, 0, 1024}}};  // two buffers
    s.period_ps = period_ns * ns;
    s.frames = 2;
    return s;
}

}  // namespace

TEST_CASE("A stream with headroom completes every frame before the next is due", "[dma]") {
    stats::Registry r;
    FakeMemory mem;
    Engine e(params(), mem, r);
    Stream s(e, spec(300), r);
    s.pump(0);
    CHECK(s.frames_submitted() == 1);
    e.advance(299 * ns);
    s.pump(300 * ns);
    CHECK(s.frames_submitted() == 2);
    e.drain();
    s.pump(10000 * ns);  // two frames only
    CHECK(s.frames_submitted() == 2);
    // Frame 0: 0 -> 215 ns; frame 1 starts at 300 on an idle memory: 300 -> 515 ns, from buffer 2.
    REQUIRE(e.completions().size() == 2);
    CHECK(e.completions()[0].done_ps == 215 * ns);
    CHECK(e.completions()[1].done_ps == 515 * ns);
    CHECK(mem.log[16].addr == 0x200000);
    CHECK(r.value("dma.stream.fb.frames") == 2);
    CHECK(r.value("dma.stream.fb.late") == 0);
}

// A period of 200 ns is shorter than a frame's 215 ns. Frame 0: 0 -> 215, late (due 200). Frame 1 is
// due at 200: its first burst takes the slot burst 12 of frame 0 frees at 200 (bursts 12..15 are done
// at 200, 205, 210, 215) and the memory is idle since 170, so frame 1 runs 200 -> 415 exactly as
// frame 0 did: late by 15 ns too (due 400).
TEST_CASE("A stream without headroom misses every deadline", "[dma]") {
    stats::Registry r;
    FakeMemory mem;
    Engine e(params(), mem, r);
    Stream s(e, spec(200), r);
    s.pump(0);
    e.advance(200 * ns - 1);
    s.pump(200 * ns);
    e.drain();
    REQUIRE(e.completions().size() == 2);
    CHECK(e.completions()[0].done_ps == 215 * ns);
    CHECK(e.completions()[1].done_ps == 415 * ns);
    CHECK(r.value("dma.stream.fb.late") == 2);
    CHECK(r.value("dma.stream.fb.frame_time.max") == Approx(215).epsilon(0.02));
}

// streams_from_config checks the dma section's carve-outs against memory.size: the stream rings and,
// when descriptors are memory traffic, the descriptor rings (256 slots x 64 B = 16 KiB per channel).
TEST_CASE("Descriptor rings outside memory are a configuration error", "[dma][dma-descriptors]") {
    for (bool fetch : {false, true}) {
        config::Config cfg;
        cfg.load_yaml_text(std::string("dma:\n  descriptor_ring_base: 16MiB\n  descriptor_fetch: ") +
                               (fetch ? "true" : "false") + "\n",
                           "test.yaml");
        stats::Registry r;
        FakeMemory mem;
        Engine e(cfg.section<EngineParams>("dma"), mem, r);
        INFO("descriptor_fetch " << fetch);
        if (fetch)
            CHECK_THROWS_WITH(streams_from_config(cfg, e, 16u << 20, r), Catch::Contains("dma.descriptor_ring_base"));
        else
            CHECK(streams_from_config(cfg, e, 16u << 20, r).empty());
    }
}
