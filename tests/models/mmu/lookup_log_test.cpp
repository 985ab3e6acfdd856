// The TLB reference log (models/mmu/lookup_log.h) as the MMU writes it and a reader reads it back.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "models/mmu/lookup_log.h"
#include "sim/core/error.h"
#include "tests/models/mmu/machine.h"

using namespace memsim;
using namespace memsim::mmu;
using namespace memsim::mmu_test;
using Kind = mem::AccessKind;

namespace {

std::string temp_log(const char* name) {
    return (std::filesystem::temp_directory_path() / (std::string("memsim-tlblog-") + std::to_string(::getpid()) +
                                                      "-" + name))
        .string();
}

std::vector<TlbLogRecord> read_all(const std::string& path) {
    std::vector<TlbLogRecord> v;
    read_tlb_lookup_log(path, [&](const TlbLogRecord& r) { v.push_back(r); });
    return v;
}

}  // namespace

TEST_CASE("mmu: the lookup log holds each level's references and probes and flushes in order", "[mmu]") {
    const std::string path = temp_log("order");
    Machine m;
    TlbLookupLog log(path);
    m.mmu->set_lookup_log(&log);
    const uint64_t va = m.map(2 * K4);

    // Not yet faulted in: the DTLB and the STLB are asked, the walk faults, the page is flushed.
    CHECK(m.tr(va).fault == Fault::NotPresent);
    m.touch(va, true);
    // The retry: both levels miss and are filled by the walk.
    CHECK(m.tr(va).source == Source::Walk);
    // Two more reads of the page: DTLB hits, one record standing for all three.
    m.tr(va + 8);
    m.tr(va + 16, Kind::Write);
    // The second page (faulted in first): another DTLB record.
    m.touch(va + K4, false);
    m.tr(va + K4);
    // munmap's shootdown of both pages.
    m.mmu->flush_range(1, va, va + 2 * K4);
    m.mmu->set_lookup_log(nullptr);
    log.close();

    // A level's reference is held back while identical ones follow and written when the level's
    // next record comes or a flush does (levels in the order itlb, dtlb, stlb): the order within a
    // level and against the flushes is the TLBs' own.
    auto r = read_all(path);
    REQUIRE(r.size() == 8);
    CHECK((r[0].type == TlbLogType::Probe && r[0].level == TlbLevel::Dtlb && r[0].a == va && r[0].asid == 1));
    CHECK((r[1].type == TlbLogType::Probe && r[1].level == TlbLevel::Stlb && r[1].a == va));
    CHECK((r[2].type == TlbLogType::FlushRange && r[2].a == va && r[2].b == va + 1 && r[2].asid == 1));
    CHECK((r[3].type == TlbLogType::Ref && r[3].level == TlbLevel::Dtlb && r[3].vpn() == va >> 12 && r[3].count == 3 &&
           r[3].size == PageSize::Size4K && r[3].asid == 1 && !r[3].global));
    CHECK((r[4].type == TlbLogType::Ref && r[4].level == TlbLevel::Stlb && r[4].vpn() == va >> 12 && r[4].count == 1));
    CHECK((r[5].type == TlbLogType::Ref && r[5].level == TlbLevel::Dtlb && r[5].vpn() == (va + K4) >> 12));
    CHECK((r[6].type == TlbLogType::Ref && r[6].level == TlbLevel::Stlb && r[6].vpn() == (va + K4) >> 12));
    CHECK((r[7].type == TlbLogType::FlushRange && r[7].a == va && r[7].b == va + 2 * K4));
    std::filesystem::remove(path);
}

TEST_CASE("mmu: a lookup log that is not one is an input error with its byte offset", "[mmu]") {
    const std::string path = temp_log("bad");
    std::ofstream(path) << "memsim-tlblog-1\n" << std::string(30, '\0');  // one record and 2 bytes
    CHECK_THROWS_WITH(read_all(path), Catch::Contains("byte 44: a truncated record (2 of 28 bytes)"));
    std::ofstream(path) << "memsim-tlblog-1\n" << std::string(1, '\x09') << std::string(27, '\0');
    CHECK_THROWS_WITH(read_all(path), Catch::Contains("byte 16: not a TLB log record (type 9"));
    std::ofstream(path) << "hello";
    CHECK_THROWS_AS(read_all(path), InputError);
    std::filesystem::remove(path);
}
