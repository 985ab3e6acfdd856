// End-to-end: sim.protocol: at, the machine whose outstanding accesses each run in a SystemC thread
// of their own and wait at the DDR3 controller's approximately-timed target.
#include <catch2/catch.hpp>

#include <cstdint>
#include <fstream>
#include <string>

#include "tests/e2e/e2e.h"

using namespace e2e;

namespace {

// A 1 MiB mapping written once (256 pages: their faults and clear_page), then 3,000 8-byte reads
// at offsets of a 64-bit LCG (Knuth's MMIX constants): reads, write-backs and page walks together.
fs::path write_then_read_trace(const fs::path& d) {
    fs::path p = d / "write-then-read.trace";
    std::ofstream f(p);
    f << "# memsim-trace v1\nthread 1\nmmap 1 0x100000 rw\ntouch 1\n";
    uint64_t x = 1;
    for (int i = 0; i < 3000; ++i) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        f << "touch 1 " << ((x >> 33) % (0x100000 - 8) & ~uint64_t(7)) << " 8 r\n";
    }
    return p;
}

// Small caches, so the writes reach the DRAM as write-backs.
const std::string kSmallCaches = " --set cache.l2.size=64KiB --set cache.llc.size=128KiB --set cache.llc.assoc=8";
// A capture stream beside the program: a 64 KiB frame written into a two-frame ring at 1 GiB
// every 20 us (1,024 bursts of 64 bytes a frame, eight in flight).
const std::string kCaptureStream =
    " --set dma.outstanding=8 --set dma.stream0.enabled=true --set dma.stream0.frame=64KiB"
    " --set dma.stream0.ring=2 --set dma.stream0.ring_base=1GiB --set dma.stream0.period=20us";

}  // namespace

TEST_CASE("sim.protocol at: the controller decides as it does with every arrival known", "[e2e][dram][at]") {
    // The machine's requests reach the controller at their times through the AT target, so its
    // figures are, by construction, those of the event-driven controller replaying the requests
    // it received (memory.request_log): every dram.* statistic, bit for bit, against both the
    // direct replay (standalone.h: drive) and the AT target's (a trace initiator:
    // sim.memory_only.interface tlm_at).
    fs::path d = scratch("at-replay"), run = scratch("at-replay-run");
    const std::string trace = write_then_read_trace(d).string();
    const std::string log = (d / "requests.trace").string();
    REQUIRE(memsim("run -q --trace " + trace + kSmallCaches + kCaptureStream +
                   " --set sim.protocol=at --set memory.request_log=" + log + " --out " + run.string())
                .code == 0);
    auto m = stats_of(run)["stats"];
    REQUIRE(m["dram.writes"].get<double>() > 1000);  // the write-backs of the written megabyte, the frames
    REQUIRE(m["dram.reads"].get<double>() > 1000);
    REQUIRE(m["dma.bursts"].get<double>() >= 1024);
    for (std::string interface : {"direct", "tlm_at"}) {
        fs::path replay = scratch("at-replay-" + interface);
        REQUIRE(memsim("run -q --trace " + log + " --trace-format dramsim3 --set sim.memory_only.interface=" +
                       interface + " --out " + replay.string())
                    .code == 0);
        auto r = stats_of(replay)["stats"];
        unsigned compared = 0;
        for (auto it = m.begin(); it != m.end(); ++it) {
            if (it.key().rfind("dram.", 0) != 0 || !r.contains(it.key())) continue;
            INFO(interface << " " << it.key());
            CHECK(it.value() == r[it.key()]);
            ++compared;
        }
        CHECK(compared > 50);
    }
    // What the kernel did does not depend on the protocol: a minor fault per page touched.
    CHECK(m["os.faults.minor"] == 256);
    CHECK(m["cpu.mmu_faults"] == 256);
}

TEST_CASE("sim.protocol at: a second access to a line in flight waits for its fill", "[e2e][cache][at]") {
    // Two loads of one cold line a cycle apart (no MMU: the addresses go down as they are): the
    // first misses everywhere and fetches the line; the second finds it allocated with its fill
    // pending, waits for it and merges (a secondary miss in the L1D's MSHR). One burst is read,
    // and both complete with the fill: the second's latency is the first's less one 333 ps cycle.
    fs::path d = scratch("at-merge");
    std::ofstream(d / "two.trace") << "# memsim-trace v1\nread 0x10000 8\nread 0x10008 8\n";
    for (std::string protocol : {"lt", "at"}) {
        fs::path o = scratch("at-merge-" + protocol);
        REQUIRE(memsim("run -q --trace " + (d / "two.trace").string() + " --set mmu.model=none --set sim.protocol=" +
                       protocol + " --out " + o.string())
                    .code == 0);
        auto s = stats_of(o)["stats"];
        INFO(protocol);
        CHECK(s["dram.reads"] == 1);
        CHECK(s["cache.l1d.misses"] == 2);
        CHECK(s["cache.l1d.mshr.merges"] == 1);
        CHECK(s["cache.l2.accesses"] == 1);
        const double spread = s["cpu.access_latency_ns.max"].get<double>() - s["cpu.access_latency_ns.min"].get<double>();
        CHECK(spread == Approx(0.333).margin(1e-9));
    }
}

TEST_CASE("sim.protocol at: page faults are taken once and in program order", "[e2e][os][at]") {
    // 16 pages written 8 bytes at a time (8,192 stores, ten in flight): the first store to a page
    // faults; the younger stores to the page met its entry not present while the fault was
    // pending and translate again once it is handled. Linux counts one minor fault per page
    // (do_anonymous_page), as the loosely-timed run does.
    fs::path d = scratch("at-faults");
    {
        std::ofstream f(d / "pages.trace");
        f << "# memsim-trace v1\nthread 1\nmmap 1 0x10000 rw\n";
        for (int off = 0; off < 0x10000; off += 8) f << "touch 1 " << off << " 8 w\n";
    }
    for (std::string protocol : {"lt", "at"}) {
        fs::path o = scratch("at-faults-" + protocol);
        REQUIRE(memsim("run -q --trace " + (d / "pages.trace").string() + " --set sim.protocol=" + protocol +
                       " --out " + o.string())
                    .code == 0);
        auto s = stats_of(o)["stats"];
        INFO(protocol);
        CHECK(s["os.faults.minor"] == 16);
        CHECK(s["cpu.mmu_faults"] == 16);
        CHECK(s["cpu.fault_handler_accesses"] == 16 * (64 + 1));  // clear_page's 64 lines and the PTE
        CHECK(s["cpu.writes"] == 8192);
    }
}

TEST_CASE("sim.protocol at: the default run counts as the loosely-timed one", "[e2e][at]") {
    fs::path lt = scratch("at-default-lt"), at = scratch("at-default-at");
    REQUIRE(memsim("run -q --out " + lt.string()).code == 0);
    auto r = memsim("run -q --set sim.protocol=at --out " + at.string());
    REQUIRE(r.code == 0);
    auto a = stats_of(at)["stats"], l = stats_of(lt)["stats"];
    CHECK(a["os.faults.minor"] == l["os.faults.minor"]);
    CHECK(a["cpu.accesses"] == l["cpu.accesses"]);
    CHECK(a["cache.l1i.accesses"] == l["cache.l1i.accesses"]);
}

TEST_CASE("sim.protocol at: a DMA transfer snoops or is maintained as loosely timed", "[e2e][dma][at]") {
    // tests/data/e2e/dma-coherence.txt under the AT machine: the same counts as worked out in
    // dma_coherence_test.cpp from the trace. Snooped: the NIC's 64 TX reads hit the L1D's dirty
    // lines (64 write-backs) and its 64 RX writes invalidate the copies in L1D, L2 and LLC; not
    // snooped: the streaming mappings' maintenance (690 + 640 + 640 cycles) and RX's 64 lines
    // left stale in three levels.
    for (std::string coherent : {"true", "false"}) {
        fs::path o = scratch("at-dma-" + coherent);
        REQUIRE(memsim("run -q " + data("dma-coherence.yaml") + " --trace " + data("dma-coherence.txt") +
                       " --set sim.protocol=at --set os.dma.coherent=" + coherent + " --out " + o.string())
                    .code == 0);
        auto s = stats_of(o)["stats"];
        INFO("coherent " << coherent);
        CHECK(s["dma.transfers"] == 1);
        CHECK(s["dma.bursts"] == 64);
        if (coherent == "true") {
            CHECK(s["dma.snoop.hits"] == 64 + 64);
            CHECK(s["dma.snoop.writebacks"] == 64);
            CHECK(s["dma.snoop.invalidations"] == 64 * 3);
            CHECK(s["dma.maintenance_cycles"] == 0);
        } else {
            CHECK(s["dma.snoop.hits"] == 0);
            CHECK(s["dma.maintenance_cycles"] == 690 + 640 + 640);
            CHECK(s["dma.stale_lines"] == 64 * 3);
        }
    }
}
