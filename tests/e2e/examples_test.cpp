// The examples of configs/examples/ through `memsim run`: the figures their READMEs work out from
// glibc 2.36's rules, and the same programs run natively on this machine (images.c, workers.c).
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/e2e/e2e.h"

namespace fs = std::filesystem;
using namespace e2e;

namespace {

constexpr uint64_t kPage = 4096;

fs::path example(const std::string& name) { return fs::path(MEMSIM_SOURCE_DIR) / "configs/examples" / name; }

// The host's THP mode ("always [madvise] never" -> "madvise"): the model must run with the same.
std::string host_thp() {
    std::string s = slurp("/sys/kernel/mm/transparent_hugepage/enabled");
    auto a = s.find('['), b = s.find(']');
    return a == std::string::npos || b == std::string::npos ? "never" : s.substr(a + 1, b - a - 1);
}

// `memsim run CONFIG --out DIR ARGS`; DIR's stats.json "stats".
nlohmann::json memsim(const fs::path& config, const fs::path& out, const std::string& args = "") {
    std::string cmd = std::string(MEMSIM_BINARY) + " run -q " + config.string() + " --out " + out.string() + " " +
                      args + " > " + (out / "stdout").string() + " 2>&1";
    REQUIRE(sh(cmd) == 0);
    return nlohmann::json::parse(slurp(out / "stats.json"))["stats"];
}

// "key value" lines of a native run's output.
std::map<std::string, std::string> key_values(const fs::path& p) {
    std::map<std::string, std::string> kv;
    std::ifstream in(p);
    for (std::string k, v; in >> k >> v;) kv[k] = v;
    return kv;
}

uint64_t request2size(uint64_t n) { return (n + 8 + 15) & ~uint64_t(15); }  // SIZE_SZ 8, MALLOC_ALIGNMENT 16

// ---- minor-faults -------------------------------------------------------------------------------

constexpr int kImages = 100;

// Minor faults of each image: the time series has one row per event; event 1 is `thread 1`, image i
// (from 1) is events 3i-1 .. 3i+1 (malloc, touch, free).
std::vector<long> faults_per_image(const fs::path& out) {
    std::ifstream in(out / "timeseries.csv");
    std::string header, line;
    std::getline(in, header);
    size_t col = 0, events_col = 0;
    {
        std::stringstream h(header);
        size_t i = 0;
        for (std::string name; std::getline(h, name, ','); ++i) {
            if (name == "os.faults.minor") col = i;
            if (name == "events") events_col = i;
        }
    }
    std::map<long, long> at;  // events -> faults so far
    while (std::getline(in, line)) {
        std::stringstream l(line);
        std::vector<std::string> f;
        for (std::string x; std::getline(l, x, ',');) f.push_back(x);
        at[std::stol(f.at(events_col))] = std::stol(f.at(col));
    }
    std::vector<long> per;
    for (int i = 1; i <= kImages; ++i) per.push_back(at.at(1 + 3 * i) - at.at(1 + 3 * (i - 1)));
    return per;
}

nlohmann::json run_images(const std::string& config, std::vector<long>& per_image) {
    fs::path out = scratch("minor-faults-" + config);
    auto stats = memsim(example("minor-faults") / (config + ".yaml"), out,
                        "--set sim.sample_every_events=1 --set os.mm.thp=" + host_thp());
    per_image = faults_per_image(out);
    return stats;
}

long sum_from(const std::vector<long>& v, size_t first) {
    long s = 0;
    for (size_t i = first; i < v.size(); ++i) s += v[i];
    return s;
}

// ---- arena-retention ----------------------------------------------------------------------------

constexpr int kKeep = 2;  // gen_trace.py KEEP: each worker's last two buffers stay live

// Each worker's malloc sizes in order, from the trace.
std::map<int, std::vector<uint64_t>> worker_sizes(const fs::path& trace) {
    std::map<int, std::vector<uint64_t>> by_tid;
    std::ifstream in(trace);
    int tid = 0;
    for (std::string line; std::getline(in, line);) {
        std::stringstream l(line);
        std::string op;
        l >> op;
        if (op == "thread") l >> tid;
        if (op == "malloc") {
            uint64_t id, size;
            l >> id >> size;
            by_tid[tid].push_back(size);
        }
    }
    return by_tid;
}

}  // namespace

TEST_CASE("minor-faults example - faults per image and brk/mmap calls follow glibc's thresholds", "[e2e][examples]") {
    // One image: malloc (1920 * 1080 * 2 = 4147200), a chunk of request2size = 4147216 bytes.
    const uint64_t nb = request2size(4147200);
    REQUIRE(nb == 4147216);
    // mmapped (sysmalloc_mmap): ALIGN_UP (nb + 8, 4096) = 1013 pages, the user bytes [16, 16 + 4147200)
    // cover all of them: 1013 write faults.
    const long mmapped_pages = long((nb + 8 + kPage - 1) / kPage);
    REQUIRE(mmapped_pages == 1013);
    // From the brk heap: the first malloc's tcache (a 0x290 chunk) opens the heap; the image chunk
    // follows it and top's header follows the image: heap pages 0 .. (0x290 + nb + 8) / 4096 = 1012.
    const long heap_pages = long((0x290 + nb + 8) / kPage + 1);
    REQUIRE(heap_pages == 1013);
    std::vector<long> per;

    SECTION("default: image 1 is mmapped - its free raises the thresholds - the rest reuse the heap") {
        auto s = run_images("default", per);
        CHECK(per[0] == mmapped_pages + 1);  // + heap page 0 (the tcache)
        // free raised mmap_threshold to 4149248 and trim_threshold to 2x that: image 2 comes from the
        // heap (pages 1..1012 are new) and its free leaves a top of about 4.3 MB, below 8.3 MB: no trim.
        CHECK(per[1] == heap_pages - 1);
        CHECK(sum_from(per, 2) == 0);
        CHECK(s["libc.mmap_calls"] == 1);
        CHECK(s["libc.munmap_calls"] == 1);
        CHECK(s["libc.brk_calls"] == 3);  // sbrk's brk (0), the first 0x21000 heap, its growth for image 2
        CHECK(s["os.rss_bytes"] == heap_pages * kPage);
    }
    SECTION("mmap_max 0 and trim_threshold -1: the heap only and never trimmed - faults in image 1 only") {
        auto s = run_images("nommap-notrim", per);
        CHECK(per[0] == heap_pages);
        CHECK(sum_from(per, 1) == 0);
        CHECK(s["libc.mmap_calls"] == 0);
        CHECK(s["libc.brk_calls"] == 3);  // brk (0), the first heap, its growth for image 1
        CHECK(s["os.rss_bytes"] == heap_pages * kPage);
    }
    SECTION("mmap_threshold 8 MiB: the heap from the start - but each free trims it back to top_pad") {
        auto s = run_images("threshold", per);
        CHECK(per[0] == heap_pages);
        // Setting the threshold switched the dynamic thresholds off: trim_threshold stays 128 KiB, so
        // each free's systrim (top_pad 128 KiB) leaves the heap at 0x21000, 33 resident pages; the next
        // image faults in the other 1013 - 33 = 980 again.
        const long kept = 0x21000 / kPage;
        for (int i = 1; i < kImages; ++i) CHECK(per[i] == heap_pages - kept);
        CHECK(s["libc.brk_calls"] == 2 + 2 * kImages);  // brk (0), the first heap, then grow and trim per image
        CHECK(s["libc.mmap_calls"] == 0);
        CHECK(s["os.rss_bytes"] == 0x21000);
    }
}

TEST_CASE("minor-faults example - memsim's faults per image equal the real program's", "[e2e][examples]") {
    if (sh("command -v cc >/dev/null 2>&1") != 0) {
        WARN("no cc: images.c cannot be built here");
        return;
    }
    fs::path d = scratch("minor-faults-native");
    REQUIRE(sh("cc -O2 -o " + (d / "images").string() + " " + (example("minor-faults") / "images.c").string()) == 0);
    for (std::string config : {"default", "nommap-notrim", "threshold"}) {
        CAPTURE(config);
        std::vector<long> sim;
        run_images(config, sim);
        REQUIRE(sh((d / "images").string() + " " + config + " " + std::to_string(kImages) + " > " +
                   (d / (config + ".txt")).string()) == 0);
        auto real = key_values(d / (config + ".txt"));
        // Every image, not only the total: the real counts are getrusage deltas around each image,
        // with libc's text and data touched beforehand (the model's process has no libraries).
        for (int i = 0; i < kImages; ++i) {
            CAPTURE(i + 1);
            CHECK(sim[i] == std::stol(real.at("image" + std::to_string(i + 1) + "_faults")));
        }
        CHECK(sum_from(sim, 0) == std::stol(real.at("loop_faults")));
    }
}

TEST_CASE("arena-retention example - RSS held by per-thread arenas and what malloc_trim gives back", "[e2e][examples]") {
    auto sizes = worker_sizes(example("arena-retention") / "workers.trace");
    REQUIRE(sizes.size() == 8);
    // Each worker's arena is a heap of its own: heap_info and malloc_state (top at heap + 0x8d0), the
    // worker's tcache (0x290), its 48 chunks, top's header. Every page up to there was written.
    // main_arena holds main's tcache and the 8 DTV callocs (0x290 + 8 x 0x120): heap page 0.
    uint64_t expect_rss = kPage, expect_trimmed = kPage, live = 0;
    for (const auto& [tid, s] : sizes) {
        REQUIRE(s.size() == 48);
        uint64_t start = 0x8d0 + 0x290, chunks = 0, freed = 0;
        for (size_t i = 0; i < s.size(); ++i) {
            chunks += request2size(s[i]);
            if (i + kKeep < s.size()) freed += request2size(s[i]);
            else live += s[i];
        }
        uint64_t pages = (start + chunks + 16 + kPage - 1) / kPage;
        expect_rss += pages * kPage;
        // The 46 freed buffers coalesce into one free chunk at `start`; mtrim madvises the whole pages
        // in [chunk + sizeof (struct malloc_chunk), chunk + size).
        uint64_t lo = (start + 48 + kPage - 1) / kPage * kPage, hi = (start + freed) / kPage * kPage;
        expect_trimmed += pages * kPage - (hi - lo);
    }
    auto run = [](const std::string& config) {
        return memsim(example("arena-retention") / (config + ".yaml"), scratch("arena-retention-" + config),
                      "--set libc.ncpus=2");
    };

    auto def = run("default");
    CHECK(def["libc.arenas"] == 9);  // main + one per worker: narenas never passes arena_test (8)
    CHECK(def["os.rss_bytes"] == expect_rss);
    CHECK(def["os.rss_bytes"].get<uint64_t>() > 20 * live);

    // Trimming shortens only the top chunk, and each worker's last buffers sit just below top.
    auto eager = run("trim-eager");
    CHECK(eager["os.rss_bytes"] == expect_rss);
    CHECK(eager["libc.madvise_calls"] == 0);

    auto shared = run("arena-max-1");
    CHECK(shared["libc.arenas"] == 1);
    // One heap: each worker reuses what the ones before it freed, so about one batch stays resident,
    // plus everyone's kept buffers.
    CHECK(shared["os.rss_bytes"].get<uint64_t>() >= live);
    CHECK(shared["os.rss_bytes"].get<uint64_t>() * 5 < expect_rss);

    auto trimmed = run("malloc-trim");
    CHECK(trimmed["os.rss_bytes"] == expect_trimmed);
    CHECK(trimmed["libc.madvise_calls"] == 8);  // one free chunk in each worker's arena
    CHECK(trimmed["os.rss_bytes"].get<uint64_t>() < live + 9 * 3 * kPage);
}

TEST_CASE("arena-retention example - memsim's RSS and malloc_stats equal the real program's", "[e2e][examples]") {
    if (sh("command -v cc >/dev/null 2>&1") != 0) {
        WARN("no cc: workers.c cannot be built here");
        return;
    }
    fs::path d = scratch("arena-retention-native");
    REQUIRE(sh("cc -O2 -pthread -o " + (d / "workers").string() + " " +
               (example("arena-retention") / "workers.c").string()) == 0);
    long ncpus = ::sysconf(_SC_NPROCESSORS_ONLN);  // arena_get2's limit is 8 x __get_nprocs ()
    for (std::string config : {"default", "arena-max-1", "trim-eager", "malloc-trim"}) {
        CAPTURE(config);
        fs::path out = scratch("arena-retention-vs-" + config);
        auto s = memsim(example("arena-retention") / (config + ".yaml"), out,
                        "--set os.mm.thp=" + host_thp() + " --set libc.ncpus=" + std::to_string(ncpus));
        REQUIRE(sh((d / "workers").string() + " " + config + " > " + (d / (config + ".txt")).string() + " 2> " +
                   (d / (config + ".stats")).string()) == 0);
        auto real = key_values(d / (config + ".txt"));
        CHECK(s["os.rss_bytes"].get<long>() / 1024 == std::stol(real.at("malloc_rss_kib")));
        CHECK(slurp(out / "malloc_stats.txt") == slurp(d / (config + ".stats")));
    }
}
