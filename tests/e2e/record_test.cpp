// scripts/record/record on a small real program: the trace parses, holds the calls the program
// made (and not glibc's own mmaps), and the recorder leaves the program's heap where it was.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/e2e/e2e.h"

namespace fs = std::filesystem;
using namespace e2e;

namespace {

// Every heap call the trace format has, a thread that exits, a fork whose child allocates, a
// 1 MiB malloc (glibc mmaps it itself) and one mmap of the program's own. The main thread's
// heap pointers go to stdout through write(2), so printing them allocates nothing.
const char* kProgram = R"(#define _GNU_SOURCE
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static void show(void *p) {
    char t[24]; int k = 0; uintptr_t v = (uintptr_t)p;
    do { t[k++] = "0123456789abcdef"[v & 15]; v >>= 4; } while (v);
    char line[24]; int n = 0; line[n++] = '0'; line[n++] = 'x';
    while (k) line[n++] = t[--k];
    line[n++] = '\n'; write(1, line, n);
}
static void *worker(void *arg) { for (int i = 0; i < 10; ++i) free(malloc(100 + i)); return arg; }
int main(void) {
    void *v[8];
    v[0] = malloc(100);            show(v[0]);
    v[1] = calloc(4, 25);          show(v[1]);
    v[0] = realloc(v[0], 3000);    show(v[0]);
    v[2] = memalign(64, 200);      show(v[2]);
    posix_memalign(&v[3], 128, 50); show(v[3]);
    v[4] = aligned_alloc(256, 512); show(v[4]);
    void *volatile none = NULL;    /* GCC turns a literal realloc(NULL, n) into malloc(n) */
    v[5] = realloc(none, 40);      show(v[5]);
    realloc(v[5], 0);
    v[6] = malloc(1 << 20);
    v[7] = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mallopt(M_MMAP_THRESHOLD, 65536);
    pthread_t t; pthread_create(&t, NULL, worker, NULL); pthread_join(t, NULL);
    pid_t pid = fork();
    if (pid == 0) { free(malloc(10)); _exit(0); }
    waitpid(pid, NULL, 0);
    munmap(v[7], 65536);
    for (int i = 0; i < 7; ++i) if (i != 5) free(v[i]);
    return 0;
}
)";

std::vector<uint64_t> hex_lines(const std::string& text) {
    std::vector<uint64_t> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);)
        if (!l.empty()) out.push_back(std::stoull(l, nullptr, 16));
    return out;
}

}  // namespace

TEST_CASE("the recorder writes a trace memsim reads with the program's own pointers", "[e2e][record]") {
    if (sh("command -v cc >/dev/null 2>&1") != 0) {
        WARN("no cc: the recorder cannot be built here");
        return;
    }
    fs::path d = fs::temp_directory_path() / ("memsim-record-" + std::to_string(::getpid()));
    fs::create_directories(d);
    {
        std::ofstream(d / "prog.c") << kProgram;
    }
    REQUIRE(sh("cc -O0 -pthread -o " + (d / "prog").string() + " " + (d / "prog.c").string()) == 0);
    // The recorder's library is built into XDG_CACHE_HOME; keep it inside the scratch directory.
    std::string env = "XDG_CACHE_HOME=" + (d / "cache").string() + " ";
    std::string recorder = std::string(MEMSIM_SOURCE_DIR) + "/scripts/record/record";
    fs::path trace = d / "prog.trace";
    REQUIRE(sh("cd " + d.string() + " && " + env + recorder + " -o " + trace.string() + " -- ./prog > rec.out 2>rec.err") == 0);
    REQUIRE(sh("cd " + d.string() + " && ./prog > plain.out") == 0);

    std::string text = slurp(trace);
    CHECK(text.rfind("# memsim-trace v1\n# command: ./prog\n", 0) == 0);

    REQUIRE(sh(std::string(MEMSIM_BINARY) + " trace stats --json " + trace.string() + " > " + (d / "s.json").string()) == 0);
    auto j = nlohmann::json::parse(slurp(d / "s.json"));
    auto kinds = j["events_by_kind"];
    CHECK(j["format"] == "text");
    CHECK(j["threads"] == 2);
    CHECK(kinds["calloc"] >= 1);            // the program's, plus pthread_create's DTV
    CHECK(kinds["realloc"] == 1);           // realloc(NULL, n) is a malloc, realloc(p, 0) a free
    CHECK(kinds["memalign"] == 3);          // memalign, posix_memalign, aligned_alloc
    CHECK(kinds["mallopt"] == 1);
    CHECK(kinds["mmap"] == 1);              // not the 1 MiB chunk: glibc maps it through __mmap
    CHECK(kinds["munmap"] == 1);
    CHECK(kinds["thread_exit"] == 1);
    CHECK(text.find("realloc(p, 0)") != std::string::npos);
    CHECK(text.find("realloc(NULL, n)") != std::string::npos);
    // The worker's ten malloc/free pairs, and none of the forked child's.
    CHECK(kinds["malloc"] == 1 + 1 + 10 + 1);  // v[0], realloc(NULL, 40), worker, the 1 MiB block

    // The pointers the program printed are the ones the trace recorded ...
    std::vector<uint64_t> rec = hex_lines(slurp(d / "rec.out"));
    std::vector<uint64_t> plain = hex_lines(slurp(d / "plain.out"));
    REQUIRE(rec.size() == 7);
    REQUIRE(plain.size() == rec.size());
    std::vector<uint64_t> commented;
    std::regex alloc(R"(^(malloc|calloc|realloc|memalign) .*# 0x([0-9a-f]+))");
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) {
        std::smatch m;
        if (std::regex_search(l, m, alloc)) commented.push_back(std::stoull(m[2].str(), nullptr, 16));
    }
    REQUIRE(commented.size() >= rec.size());
    CHECK(std::vector<uint64_t>(commented.begin(), commented.begin() + 7) == rec);
    // ... and, relative to the first, where they are without the recorder: ASLR moves the heap
    // as a whole, the recorder moves nothing inside it.
    for (size_t i = 1; i < rec.size(); ++i) CHECK(rec[i] - rec[0] == plain[i] - plain[0]);

    fs::remove_all(d);
}
