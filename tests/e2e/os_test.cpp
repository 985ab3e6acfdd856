// The kernel model through `memsim run`: page faults, SIGSEGV and allocation failures are results.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/e2e/e2e.h"

namespace fs = std::filesystem;
using namespace e2e;

namespace {

struct Run {
    int code;
    std::string out;
    nlohmann::json stats;
    fs::path dir;
};

Run run(const std::string& trace, const std::string& args = "") {
    fs::path d = fs::temp_directory_path() / ("memsim-os-" + std::to_string(::getpid())) / trace;
    fs::remove_all(d);
    fs::create_directories(d);
    std::string cmd = std::string(MEMSIM_BINARY) + " run -q --mode functional --trace " + MEMSIM_SOURCE_DIR +
                      "/tests/data/e2e/" + trace + " --out " + d.string() + " " + args + " >" +
                      (d / "stdout").string() + " 2>&1";
    int status = std::system(cmd.c_str());
    Run r{WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(d / "stdout"), {}, d};
    if (fs::exists(d / "stats.json")) r.stats = nlohmann::json::parse(slurp(d / "stats.json"))["stats"];
    return r;
}

}  // namespace

TEST_CASE("anonymous demand paging - DONTNEED and munmap - SIGSEGV is a result", "[e2e][os]") {
    // Linux's rules (mm/memory.c do_anonymous_page, do_wp_page), measured the same on this machine
    // (scripts/linux-faults): reading 256 untouched pages maps the zero page, 256 faults; writing
    // them replaces it, 256 more; MADV_DONTNEED of the first 128 drops them, so rewriting the whole
    // range faults 128 times. THP is madvise-only by default, so no huge pages here.
    // Then `write 0x10` is below every VMA and below mmap_min_addr: SIGSEGV (SEGV_MAPERR) at line 9,
    // and the process is dead: line 10 is not executed.
    auto r = run("faults.txt", "--set os.mm.unmapped_access=segv");
    REQUIRE(r.code == 0);  // a simulated SIGSEGV is a result, not a failure of memsim
    CHECK(r.stats["os.faults.minor"] == 256 + 256 + 128);
    CHECK(r.stats["os.faults.major"] == 0);
    CHECK(r.stats["os.rss_peak_bytes"] == 256 * 4096);
    CHECK(r.stats["os.rss_bytes"] == 0);  // munmap dropped everything
    CHECK(r.stats["os.segv"] == 1);
    CHECK(r.out.find("SIGSEGV (SEGV_MAPERR) at trace line 9: write of 0x10") != std::string::npos);
    // The core performs the touches (the default machine's MMU takes their faults) in 64-byte
    // accesses: 256 pages x 64 reads on line 4, as many writes on lines 5 and 7. Neither raw write
    // reached it: one faulted, one came after death.
    CHECK(r.stats["cpu.reads"] == 256 * 4096 / 64);
    CHECK(r.stats["cpu.writes"] == 2 * 256 * 4096 / 64);
    // Per-line accounting: lines 4, 5 and 7 faulted 256, 256 and 128 times.
    std::string lines = slurp(r.dir / "faults_by_line.csv");
    CHECK(lines.find("\n4,touch,256,0,") != std::string::npos);
    CHECK(lines.find("\n5,touch,256,0,1048576,faulted") != std::string::npos);
    CHECK(lines.find("\n7,touch,128,0,1048576,faulted") != std::string::npos);
    CHECK(lines.find("\n9,write,0,0,0,SIGSEGV") != std::string::npos);
}

TEST_CASE("kernel allocations - a failed alloc_pages is a result with its line", "[e2e][os]") {
    // The DMA zone spans pfn 0..4095 (16 MiB); x86 reserves the first 1 MiB (pfn 0..255), so
    // memblock_free_all hands pfn 256..4095 to the buddy allocator as maximal aligned blocks:
    // 256..511 (order 8), 512..1023 (order 9) and three order-10 blocks at 1024, 2048, 3072.
    // Three order-10 DMA allocations take those; the fourth finds no order-10 block in DMA (and a
    // DMA request may use no other zone), so it fails at trace line 10.
    auto r = run("kalloc.txt");
    REQUIRE(r.code == 0);
    CHECK(r.stats["os.buddy.alloc_failures"] == 1);
    CHECK(r.stats["os.kalloc.failures"] == 1);
    CHECK(r.out.find("kernel allocations  1 failed") != std::string::npos);
    CHECK(r.out.find("line 10:") != std::string::npos);
    // /proc/buddyinfo at the end: DMA keeps only its order-8 and order-9 blocks.
    std::string buddy = slurp(r.dir / "proc" / "buddyinfo");
    CHECK(buddy.find("Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      1      0 ") !=
          std::string::npos);
    CHECK(slurp(r.dir / "proc" / "slabinfo").rfind("slabinfo - version: 2.1\n", 0) == 0);
}

TEST_CASE("faults_by_line.csv accounts for every fault including the allocator's own", "[e2e][os]") {
    // A recorded program's heap calls: every fault is taken by malloc's metadata writes, none by a
    // raw access, and the per-line rows must add up to the process's total.
    fs::path d = fs::temp_directory_path() / ("memsim-os-" + std::to_string(::getpid())) / "sort";
    fs::remove_all(d);
    fs::create_directories(d);
    std::string cmd = std::string(MEMSIM_BINARY) + " run -q --mode functional --trace " + MEMSIM_SOURCE_DIR +
                      "/traces/sort-words.trace --out " + d.string() + " > /dev/null";
    REQUIRE(std::system(cmd.c_str()) == 0);
    auto stats = nlohmann::json::parse(slurp(d / "stats.json"))["stats"];
    std::istringstream rows(slurp(d / "faults_by_line.csv"));
    std::string row;
    std::getline(rows, row);  // header
    uint64_t sum = 0;
    while (std::getline(rows, row)) {
        std::stringstream f(row);
        std::string line, event, minor;
        std::getline(f, line, ',');
        std::getline(f, event, ',');
        std::getline(f, minor, ',');
        sum += std::stoull(minor);
    }
    CHECK(stats["os.faults.minor"].get<uint64_t>() > 0);
    CHECK(sum == stats["os.faults.minor"].get<uint64_t>());
}
