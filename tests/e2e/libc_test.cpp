// glibc's allocator model through `memsim run`, against the real program: traces recorded by
// scripts/record carry, as a trailing comment, the pointer each call returned in the real process
// (glibc 2.36 on this machine). memsim's --mtrace-out log must give the same pointers, measured
// from the heap start (the real run had ASLR; the recorder notes its initial brk).
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

std::vector<std::string> lines_of(const fs::path& p) {
    std::ifstream in(p);
    std::vector<std::string> out;
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

}  // namespace

TEST_CASE("sort's recorded heap pointers come back from the model call by call", "[e2e][libc]") {
    fs::path d = fs::temp_directory_path() / ("memsim-libc-" + std::to_string(::getpid()));
    fs::create_directories(d);
    std::string trace = std::string(MEMSIM_SOURCE_DIR) + "/traces/sort-words.trace";
    std::string cmd = std::string(MEMSIM_BINARY) + " run -q --mode functional --trace " + trace + " --mtrace-out " +
                      (d / "m.log").string() + " > /dev/null";
    REQUIRE(std::system(cmd.c_str()) == 0);

    // The real run: "initial brk 0x..." in the header, then "malloc ID SIZE  # 0xPTR" per call.
    uint64_t real_base = 0;
    std::vector<uint64_t> real;  // offsets of malloc/realloc results from the initial brk
    std::regex brk_re("initial brk (0x[0-9a-f]+)"), call_re("^(malloc|calloc|realloc|memalign) .*# (0x[0-9a-f]+)");
    for (const auto& l : lines_of(trace)) {
        std::smatch m;
        if (std::regex_search(l, m, brk_re)) real_base = std::stoull(m[1], nullptr, 16);
        else if (std::regex_search(l, m, call_re)) real.push_back(std::stoull(m[2], nullptr, 16) - real_base);
    }
    REQUIRE(real_base != 0);
    REQUIRE(real.size() == 221);  // 220 mallocs and one realloc

    // memsim's log: "+ PTR SIZE" per allocation, "> PTR SIZE" for the realloc's result. The
    // model's heap starts at its process's initial brk: the end of the program image's data.
    std::vector<uint64_t> sim;
    std::regex alloc_re("[+>] (0x[0-9a-f]+) ");
    for (const auto& l : lines_of(d / "m.log")) {
        std::smatch m;
        if (std::regex_search(l, m, alloc_re)) sim.push_back(std::stoull(m[1], nullptr, 16));
    }
    REQUIRE(sim.size() == real.size());
    uint64_t sim_base = sim[0] - real[0];  // both first blocks sit 0x2a0 into the heap (after the tcache)
    CHECK(real[0] == 0x2a0);
    size_t same = 0;
    for (size_t i = 0; i < real.size(); ++i) {
        bool mmapped = real[i] > (uint64_t(1) << 40);  // a chunk of its own mapping, far from the heap
        if (mmapped || sim[i] - sim_base == real[i]) ++same;
        else FAIL_CHECK("call " << i << ": real heap+0x" << std::hex << real[i] << ", memsim heap+0x" << sim[i] - sim_base);
    }
    CHECK(same == real.size());
}

TEST_CASE("a free of an ID that is not live is a trace error with its line", "[e2e][libc]") {
    fs::path d = fs::temp_directory_path() / ("memsim-libc-" + std::to_string(::getpid()));
    fs::create_directories(d);
    std::ofstream(d / "df.txt") << "malloc 1 24\nfree 1\nfree 1\n";
    for (const char* mode : {"timing", "functional"}) {
        std::string cmd = std::string(MEMSIM_BINARY) + " run -q --mode " + mode + " --trace " + (d / "df.txt").string() +
                          " > /dev/null 2> " + (d / "err").string();
        int status = std::system(cmd.c_str());
        CHECK(WEXITSTATUS(status) == 2);
        std::ifstream e(d / "err");
        std::string err((std::istreambuf_iterator<char>(e)), std::istreambuf_iterator<char>());
        CHECK(err.find((d / "df.txt").string() + ":3: free: ID 1 is not live") != std::string::npos);
    }
}
