// memory.channels: independent channels, each its own controller (models/dram/channels.h), picked
// by the address map's Ch field. Worked on MT8KTF51264HZ-1G6 (4 GB, 1 rank of 8 banks x 65536
// rows x 1024 columns, BL8: 128 bursts of 64 B per row; DDR3-1600K: tRCD = CL = 11, tRRD 5,
// BL/2 = 4 nCK of 1.25 ns).
#include <catch2/catch.hpp>

#include <cmath>

#include "models/dram/channels.h"
#include "models/dram/standalone.h"
#include "sim/core/error.h"
#include "tests/models/dram/dram_test_util.h"

using namespace memsim;
using namespace memsim::dram;
using memsim::dram::testing::VectorSource;

namespace {

struct ChannelsRig {
    stats::Registry reg;
    Ddr3Timing t = ddr3_preset("MT8KTF51264HZ-1G6");
    std::unique_ptr<Channels> mem;
    explicit ChannelsRig(uint32_t channels, const std::string& mapping = "RoBaRaCoCh",
                         const std::string& queue = "shared", uint64_t write_queue_depth = 32) {
        GenericControllerParams p = memsim::dram::testing::generic_defaults();
        p.address_mapping = mapping;
        p.queue = queue;
        p.write_queue_depth = write_queue_depth;
        std::vector<std::unique_ptr<Controller>> ctl;
        for (uint32_t i = 0; i < channels; ++i)
            ctl.push_back(std::make_unique<Controller>(t, p, reg, true, ChannelSlot{i, channels}));
        mem = std::make_unique<Channels>(std::move(ctl), reg);
        mem->keep_commands(true);
    }
    uint64_t read(uint64_t addr, uint64_t issue_ps) {
        return mem->access(mem::Request{addr, 64, mem::AccessKind::Read}, issue_ps);
    }
    void require_clean() const {
        for (size_t i = 0; i < mem->size(); ++i) {
            INFO("channel " << i);
            auto v = check_commands(t, mem->channel(i).commands(), 0);
            for (size_t k = 0; k < v.size() && k < 5; ++k) UNSCOPED_INFO(v[k].message);
            REQUIRE(v.empty());
        }
    }
};

}  // namespace

TEST_CASE("The address map's Ch field picks the channel at its place in the order", "[dram][channels]") {
    const Ddr3Timing t = ddr3_preset("MT8KTF51264HZ-1G6");
    // RoBaRaCoCh, 2 channels: 6 burst bits, Ch bit 6, Co (bursts) bits 7-13, Ba 14-16, Ro 17-32.
    AddressMap low(t, "RoBaRaCoCh", 2);
    CHECK(low.channel(0) == 0);
    CHECK(low.channel(64) == 1);  // consecutive bursts alternate
    DramAddress a = low.decode(128);
    CHECK(a.channel == 0);
    CHECK(a.column == 8);  // the channel's second burst: columns 8-15
    a = low.decode((uint64_t(5) << 17) | (uint64_t(3) << 14) | 64);
    CHECK((a.channel == 1 && a.bank == 3 && a.row == 5 && a.column == 0));
    // ChRoBaRaCo, 2 channels: Co 6-12, Ba 13-15, Ro 16-31, Ch 32: each channel one 4 GiB range.
    AddressMap high(t, "ChRoBaRaCo", 2);
    CHECK(high.channel((4ull << 30) - 64) == 0);
    a = high.decode(4ull << 30);
    CHECK((a.channel == 1 && a.row == 0 && a.bank == 0 && a.column == 0));
    // RoChRaBaCo (DRAMSim3's rochrababgco), 4 channels: Co 6-12, Ba 13-15, Ch 16-17, Ro 18-33.
    AddressMap mid(t, "RoChRaBaCo", 4);
    CHECK(mid.channel(uint64_t(3) << 16) == 3);
    CHECK(mid.decode(uint64_t(1) << 18).row == 1);
    for (const DramAddress& x : {DramAddress{0, 7, 65535, 1016, 3}, DramAddress{0, 2, 9, 64, 1}})
        CHECK(mid.decode(mid.encode(x)).channel == x.channel);
    CHECK_THROWS_AS(AddressMap(t, "RoBaRaCoCh", 3), InputError);
}

namespace {
// Queues a read of each address at cycle 0 (event-driven: all are seen together) and drains;
// returns their completions in ps.
std::vector<uint64_t> reads_at_0(ChannelsRig& r, const std::vector<uint64_t>& addrs) {
    std::vector<uint64_t> done(addrs.size());
    r.mem->set_on_done([&](uint64_t id, uint64_t ps) { done[id] = ps; });
    for (size_t i = 0; i < addrs.size(); ++i) r.mem->enqueue(i, addrs[i], false, 0);
    r.mem->drain();
    return done;
}
}  // namespace

TEST_CASE("Two channels serve at once what one channel serves one after the other", "[dram][channels]") {
    // Unloaded read of a precharged bank: ACT 0, RD tRCD = 11, data CL + BL/2 later: 26 nCK = 32.5 ns.
    // One channel, banks 0 and 1 queued at 0: the second ACT waits tRRD (5), RD 16, data to 31 =
    // 38.75 ns. Two channels (RoBaRaCoCh: 0 and 64 are channels 0 and 1): both 32.5 ns.
    ChannelsRig one(1);
    CHECK(reads_at_0(one, {0, uint64_t(1) << 13}) == std::vector<uint64_t>{32500, 38750});  // Ba bits 13-15
    ChannelsRig two(2);
    CHECK(reads_at_0(two, {0, 64}) == std::vector<uint64_t>{32500, 32500});
    // Through Port::access (the machine's way) too: a channel does not wait for another's commands.
    ChannelsRig lt(2);
    CHECK(lt.read(0, 0) == 32500);
    CHECK(lt.read(64, 0) == 32500);
    // At 100 ns (cycle 80) 128 bytes at row 1 of bank 0: channel 0 has row 0 open (a conflict:
    // PRE, tRP, ACT, tRCD, RD, CL + BL/2 = 11 + 11 + 11 + 4 = 37 nCK), channel 1's too; the
    // request is both channels' first bursts (bits 17 up are the row) and completes with the
    // later, 46.25 ns after arrival.
    CHECK(lt.mem->access(mem::Request{uint64_t(1) << 17, 128, mem::AccessKind::Read}, 100000) == 100000 + 46250);
    CHECK(lt.mem->channel(0).commands().size() == 5);  // ACT RD, PRE ACT RD
    CHECK(lt.mem->channel(1).commands().size() == 5);
    one.require_clean();
    two.require_clean();
    lt.require_clean();
}

TEST_CASE("Through Port::access a write waiting for its channel's queue holds the other channel's arrivals", "[dram][channels]") {
    // The memory is one port. Write queues one deep: W1 and W2 (channel 0, bank 0, rows 1 and 2)
    // at clock 1; W2 waits for W1's WR (ACT 1, WR 12) and is accepted at 12. R (channel 1, idle),
    // issued at clock 2, is taken at 12: ACT 12, RD 23, end 38 (not ACT 2, end 28).
    ChannelsRig r(2, "RoBaRaCoCh", "shared", 1);
    auto at = [&](uint32_t ch, uint32_t bank, uint32_t row) { return r.mem->map().encode({0, bank, row, 0, ch}); };
    r.mem->access(mem::Request{at(0, 0, 1), 64, mem::AccessKind::Writeback}, 1250);
    r.mem->access(mem::Request{at(0, 0, 2), 64, mem::AccessKind::Writeback}, 1250);
    CHECK(r.read(at(1, 3, 5), 2500) == 38 * 1250);
    r.mem->drain();
    r.require_clean();
    // A late write that finds its queue full of writes that arrived after it (the controller ran
    // ahead) waits, but holds nothing: a read on idle channel 1 at 200 takes 26 nCK (it took
    // 849 when that wait held the port).
    ChannelsRig q(2, "RoBaRaCoCh", "shared", 2);
    auto in = [&](uint32_t ch, uint32_t bank, uint32_t row) { return q.mem->map().encode({0, bank, row, 0, ch}); };
    q.read(in(0, 1, 0), 1000 * 1250);
    q.mem->access(mem::Request{in(0, 2, 1), 64, mem::AccessKind::Writeback}, 900 * 1250);
    q.mem->access(mem::Request{in(0, 3, 1), 64, mem::AccessKind::Writeback}, 900 * 1250);
    q.mem->access(mem::Request{in(0, 4, 1), 64, mem::AccessKind::Writeback}, 100 * 1250);
    CHECK(q.read(in(1, 0, 0), 200 * 1250) == 226 * 1250);
    q.mem->drain();
    q.require_clean();
}

TEST_CASE("The whole memory's statistics add up its channels'", "[dram][channels]") {
    // Channel 0: one read (26 nCK). Channel 1: banks 0 and 1 (26 and 31 nCK, above). drain()
    // ends both channels at clock 31.
    ChannelsRig r(2);
    reads_at_0(r, {0, 64, (uint64_t(1) << 14) | 64});  // channel 1, bank 1: Ba bits 14-16
    auto v = [&](const char* n) { return r.reg.value(n); };
    CHECK(v("dram.ch0.reads") == 1);
    CHECK(v("dram.ch1.reads") == 2);
    CHECK(v("dram.reads") == 3);
    CHECK(v("dram.row_misses") == 3);
    CHECK(v("dram.activates") == 3);
    CHECK(v("dram.bytes_read") == 192);
    CHECK(v("dram.end_ps") == 38750);  // the latest channel's last data
    CHECK(v("dram.cycles") == 31);
    CHECK(v("dram.ch0.cycles") == 31);
    CHECK(v("dram.bandwidth_bytes_per_s") == Approx(192 / 38.75e-9));
    CHECK(v("dram.read_latency_avg_ns") == Approx((32.5 + 32.5 + 38.75) / 3));
    CHECK(v("dram.read_latency_ns.count") == 3);
    CHECK(v("dram.read_latency_ns.max") == 38.75);
    CHECK(v("dram.read_latency_p50_ns") == Approx(32.5).epsilon(0.016));  // histogram bucket (stats.h)
    // Busy data-bus clocks over channel clocks: 3 bursts of BL/2 in 31 + 31 clocks.
    CHECK(v("dram.bus_utilisation") == Approx(12.0 / 62));
    CHECK(v("dram.energy.total") == Approx(v("dram.ch0.energy.total") + v("dram.ch1.energy.total")));
    CHECK(v("dram.power_mw") == Approx(v("dram.energy.total") / (31 * 1.25)));  // pJ / ns
    CHECK(std::isnan(v("dram.rank0.bank0.reads")));  // per-bank counts stay per channel
    CHECK(v("dram.ch1.rank0.bank1.reads") == 1);
    r.require_clean();
}

TEST_CASE("Sequential reads over two interleaved channels reach twice one channel's bandwidth", "[dram][channels][load]") {
    // Each channel streams its own bursts (RoBaRaCoCh: even bursts channel 0, odd channel 1), one
    // row after another: per channel the single-channel bound of bandwidth_test.cpp, peak 12.8 GB/s
    // less tRFC (208) to the REF gap (232 + a few clocks) per tREFI (6240).
    ChannelsRig r(2);
    VectorSource src;
    for (uint64_t i = 0; i < 100000; ++i) src.reqs.push_back({0, i * 64, false});
    uint64_t last = 0;
    r.mem->set_on_done([&](uint64_t, uint64_t ps) { last = std::max(last, ps); });
    CHECK(drive(*r.mem, src) == 100000);
    const double bw = 100000.0 * 64 * 1e12 / double(last);
    CHECK(bw <= 2 * 12.8e9 * (1 - 208.0 / 6240));
    CHECK(bw >= 2 * 12.8e9 * (1 - 240.0 / 6240));
    CHECK(r.reg.value("dram.ch0.reads") == 50000);
    CHECK(r.reg.value("dram.ch1.reads") == 50000);
    CHECK(r.reg.value("dram.bandwidth_bytes_per_s") == Approx(bw));
    // drain() ends every channel at the latest one's clock: they count the same run.
    CHECK(r.reg.value("dram.ch0.cycles") == r.reg.value("dram.ch1.cycles"));
    r.require_clean();
}

TEST_CASE("Two MIG channels each serve their own address range", "[dram][channels][mig]") {
    // One MIG core per SODIMM (NetFPGA-SUME has two): Ch above MIG's own BANK_ROW_COLUMN order, so
    // 4 GiB and up is the second core's. Its unloaded read is MIG's 52 nCK = 65 ns (mig_test.cpp).
    config::Config cfg;
    cfg.load_file(std::string(MEMSIM_SOURCE_DIR) + "/configs/dram-only-mig.yaml");
    cfg.set("memory.channels=2");
    cfg.set("memory.size=8GiB");
    stats::Registry reg;
    auto mem = make_memory(cfg, reg);
    REQUIRE(mem->size() == 2);
    mem->keep_commands(true);
    CHECK(mem->map().channel((4ull << 30) - 64) == 0);
    CHECK(mem->access(mem::Request{4ull << 30, 64, mem::AccessKind::Read}, 0) == 65000);
    CHECK(reg.value("dram.ch0.reads") == 0);
    CHECK(reg.value("dram.ch1.reads") == 1);
    CHECK(reg.value("dram.reads") == 1);
    // A mixed load over both: each channel's commands keep the part's JEDEC timing.
    uint64_t seed = 5;
    for (uint64_t i = 0; i < 4000; ++i) {
        const uint64_t a = memsim::dram::testing::mix(seed) % (8ull << 30) & ~63ull;
        mem->access(mem::Request{a, 64, i % 3 == 0 ? mem::AccessKind::Writeback : mem::AccessKind::Read},
                    100000 + i * 5000);
    }
    CHECK(reg.value("dram.ch0.reads") > 1000);
    CHECK(reg.value("dram.ch1.reads") > 1000);
    const Ddr3Timing part = ddr3_part(cfg.section<Ddr3Params>("memory.ddr3"));
    for (size_t c = 0; c < 2; ++c) {
        auto v = check_commands(part, mem->channel(c).commands(), 0);
        for (size_t k = 0; k < v.size() && k < 5; ++k) UNSCOPED_INFO(v[k].message);
        CHECK(v.empty());
    }
    CHECK_THROWS_AS(cfg.set("memory.channels=3"), InputError);  // a power of two: the Ch field's bits
}

TEST_CASE("Functional mode counts each channel's requests and the whole memory's", "[dram][channels]") {
    stats::Registry reg;
    const Ddr3Timing t = ddr3_preset("MT8KTF51264HZ-1G6");
    std::vector<std::unique_ptr<Controller>> ctl;
    for (uint32_t i = 0; i < 2; ++i)
        ctl.push_back(std::make_unique<Controller>(t, memsim::dram::testing::generic_defaults(), reg, false,
                                                   ChannelSlot{i, 2}));
    Channels mem(std::move(ctl), reg);
    // 256 bytes from 32: bursts 0-4, channels 0 1 0 1 0 (RoBaRaCoCh).
    mem.access(mem::Request{32, 256, mem::AccessKind::Read}, 0);
    CHECK(reg.value("dram.ch0.reads") == 3);
    CHECK(reg.value("dram.ch1.reads") == 2);
    CHECK(reg.value("dram.reads") == 5);
    CHECK(reg.value("dram.bytes_read") == 5 * 64);
}

TEST_CASE("A trace's end reaches every channel at its last arrival", "[dram][channels]") {
    // queue: two_level writes idle buffered writes only when more than 8 wait (DRAMSim3's drain
    // rule, two_level_test.cpp), so channel 0's 4 writes at cycles 0-3 stay buffered while channel
    // 1 serves reads up to the last arrival at cycle 990; the end of the trace flushes them then,
    // on every channel alike (as the AT target, which brings all channels up to each arrival).
    ChannelsRig r(2, "RoBaRaCoCh", "two_level");
    VectorSource src;
    for (uint64_t i = 0; i < 4; ++i) src.reqs.push_back({i, i * 128, true});  // even bursts: channel 0
    for (uint64_t i = 1; i <= 99; ++i) src.reqs.push_back({10 * i, 64 + i * 128, false});  // channel 1
    CHECK(drive(*r.mem, src) == 103);
    const auto& c0 = r.mem->channel(0).commands();
    REQUIRE(!c0.empty());
    for (const Command& c : c0) CHECK(c.cycle >= 990);
    CHECK(r.reg.value("dram.ch0.writes") == 4);
    r.require_clean();
}
