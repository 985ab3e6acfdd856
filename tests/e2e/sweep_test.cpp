// End-to-end: `memsim sweep` runs every point as its own process, writes results.csv, resumes,
// and gives the same file under mpirun.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/e2e/e2e.h"

using namespace e2e;

namespace {

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

// Column NAME of CSV row ROW (no quoted commas in the columns the tests read).
std::string column(const std::string& csv, size_t row, const std::string& name) {
    auto ls = lines(csv);
    auto split = [](const std::string& l) {
        std::vector<std::string> cells;
        std::string cell;
        bool quoted = false;
        for (char c : l) {
            if (c == '"') quoted = !quoted;
            else if (c == ',' && !quoted) cells.push_back(cell), cell.clear();
            else cell += c;
        }
        cells.push_back(cell);
        return cells;
    };
    auto head = split(ls.at(0));
    auto cells = split(ls.at(row + 1));
    for (size_t i = 0; i < head.size(); ++i)
        if (head[i] == name) return cells.at(i);
    return "<no column " + name + ">";
}

// The minor-faults example with M_MMAP_THRESHOLD 8 MiB, sweeping the trim threshold and D1's size
// under cachegrind's cache model. 48 KiB / (8 ways x 64 B) = 96 sets, not a power of two: those
// points fail in their own run (cachegrind's rule), and the sweep goes on.
fs::path write_sweep(const fs::path& dir) {
    fs::path f = dir / "thresholds.yaml";
    std::ofstream(f) << "base: " << MEMSIM_SOURCE_DIR << "/configs/examples/minor-faults/default.yaml\n"
                     << "set: {libc.mmap_threshold: 8388608, cache.model: cachegrind}\n"
                        "parameters:\n"
                        "  libc.trim_threshold: [131072, -1]\n"
                        "  cache.l1d.size: [32KiB, 48KiB]\n"
                        "stats: [os.faults.minor, libc.brk_calls]\n";
    return f;
}

}  // namespace

TEST_CASE("a sweep writes one row per point and goes on past failures", "[e2e][sweep]") {
    fs::path d = scratch("sweep");
    fs::path f = write_sweep(d);
    auto r = memsim("sweep " + f.string() + " -j 2 --out " + (d / "out").string());
    INFO(r.out << r.err);
    CHECK(r.code == 1);  // two points failed
    CHECK_THAT(r.out, Catch::Contains("4 points (4 run now, 0 already done), 2 failed"));
    std::string csv = slurp(d / "out/results.csv");
    INFO(csv);
    auto ls = lines(csv);
    REQUIRE(ls.size() == 5);
    CHECK(ls[0] == "id,trace,libc.trim_threshold,cache.l1d.size,status,exit_code,error,os.faults.minor,libc.brk_calls");
    // README.md of the example: the 128 KiB trim threshold gives the heap back after every image,
    // 1,013 + 99 x 980 = 98,033 faults and 202 brk calls; never trimming: 1,013 faults, 3 brk calls.
    CHECK(ls[1] == "0,,131072,32KiB,ok,0,,98033,202");
    CHECK(ls[3] == "2,,-1,32KiB,ok,0,,1013,3");
    CHECK(column(csv, 1, "status") == "failed");
    CHECK(column(csv, 1, "exit_code") == "2");
    CHECK_THAT(column(csv, 1, "error"), Catch::Contains("cache.l1d: size 49152 / (assoc 8 x line 64) must be a power-of-two number of sets"));
    CHECK(fs::exists(d / "out/points/0/stats.json"));
    CHECK(fs::exists(d / "out/points/3/status.json"));

    SECTION("running it again resumes: finished points are not run again") {
        auto before = fs::last_write_time(d / "out/points/0/stats.json");
        auto again = memsim("sweep " + f.string() + " -j 2 --out " + (d / "out").string());
        CHECK_THAT(again.out, Catch::Contains("4 points (2 run now, 2 already done), 2 failed"));
        CHECK(fs::last_write_time(d / "out/points/0/stats.json") == before);
        CHECK(slurp(d / "out/results.csv") == csv);
    }
#ifdef MEMSIM_MPIRUN
    SECTION("under mpirun the points are handed out and results.csv is the same, row for row") {
        auto m = shell("OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 " MEMSIM_MPIRUN
                     " --oversubscribe -np 3 " MEMSIM_BINARY " sweep " + f.string() + " --out " + (d / "mpi").string());
        INFO(m.out << m.err);
        CHECK(m.code == 1);
        CHECK(slurp(d / "mpi/results.csv") == csv);
    }
#endif
}

TEST_CASE("errors in a sweep file exit 2 with file and line", "[e2e][sweep]") {
    fs::path d = scratch("sweep-bad");
    fs::path f = d / "bad.yaml";
    std::ofstream(f) << "parameters:\n  cache.l1d.size: [32KiB]\n  cache.l1d.asoc: [2, 4]\n";
    auto r = memsim("sweep " + f.string() + " --out " + (d / "out").string());
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Catch::Contains(f.string() + ":3:3: unknown configuration parameter \"cache.l1d.asoc\""));
    CHECK(memsim("sweep").code == 2);
    CHECK(memsim("sweep " + (d / "none.yaml").string()).code == 2);
    CHECK(memsim("sweep --help").code == 0);
}

TEST_CASE("one pass over a lackey trace gives every point the counts of its own run", "[e2e][sweep]") {
    // L1D sizes x ways x LL sizes under cachegrind's model on the bundled lackey log of /bin/true:
    // one pass with LRU stack distances and one full run, against 32 separate runs. 48 KiB is no
    // power-of-two number of sets at any of these ways: those 4 points fail in both, with the same
    // message. Every column must agree, not only the nine cachegrind counts.
    fs::path d = scratch("sweep-one-pass");
    fs::path f = d / "l1d.yaml";
    std::ofstream(f) << "base: " << MEMSIM_SOURCE_DIR << "/configs/cachegrind.yaml\n"
                     << "trace: " << MEMSIM_SOURCE_DIR << "/traces/true.lackey.zst\n"
                     << "parameters:\n"
                        "  cache.l1d.size: [1KiB, 8KiB, 32KiB, 48KiB]\n"
                        "  cache.l1d.assoc: [1, 2, 4, 8]\n"
                        "  cache.ll.size: [64KiB, 1MiB]\n";
    auto one = memsim("sweep " + f.string() + " -j 2 --out " + (d / "one").string());
    INFO(one.out << one.err);
    CHECK(one.code == 1);
    CHECK_THAT(one.out, Catch::Contains("sweep: one pass: 23 points evaluated in 1 pass(es)"));  // 32 - 8 failing - 1 full run
    auto sep = memsim("sweep " + f.string() + " -j 2 --separate --out " + (d / "separate").string());
    CHECK(sep.code == 1);
    CHECK_THAT(sep.out, !Catch::Contains("one pass"));
    std::string csv = slurp(d / "one/results.csv");
    CHECK(lines(csv).size() == 33);
    CHECK(csv == slurp(d / "separate/results.csv"));
    // The full configuration's counts are cachegrind's own (traces/true.cachegrind.txt):
    // point 23 = size 2 x 8 + ways 3 x 2 + LL 1 is the 32 KiB 8-way D1 with the 1 MiB LL,
    // configs/cachegrind.yaml itself; it was evaluated in the pass, not run.
    CHECK(column(csv, 23, "cache.l1d.size") == "32KiB");
    CHECK(column(csv, 23, "cache.l1d.assoc") == "8");
    CHECK(column(csv, 23, "cache.ll.size") == "1MiB");
    // summary: Ir I1mr ILmr Dr D1mr DLmr Dw D1mw DLmw = 111101 1091 1072 26232 1197 995 10265 341 311
    const char* names[] = {"Ir", "I1mr", "ILmr", "Dr", "D1mr", "DLmr", "Dw", "D1mw", "DLmw"};
    const char* valgrind[] = {"111101", "1091", "1072", "26232", "1197", "995", "10265", "341", "311"};
    for (int i = 0; i < 9; ++i) CHECK(column(csv, 23, std::string("cachegrind.") + names[i]) == valgrind[i]);
    CHECK(slurp(d / "one/points/23/stats.json").find("\"one_pass\"") != std::string::npos);
}

TEST_CASE("one pass over a TLB log gives hand-worked counts", "[e2e][sweep]") {
    // 20 pages written once (each a fault: the DTLB is looked up, misses, the walk faults, the
    // kernel maps the page, the retry misses again and fills), then read 9 more times in order:
    // 20 x 2 + 9 x 20 = 220 lookups. A fully associative LRU DTLB of 20 or 32 entries holds them
    // all after the first round: 40 misses, 180 hits. With 16 entries the cycle of 20 evicts each
    // page before its next use: all 220 miss. (tests/data/e2e/path-machine.yaml: no STLB.)
    fs::path d = scratch("sweep-tlb-hand");
    {
        std::ofstream t(d / "cycle.txt");
        t << "# memsim-trace v1\n";
        for (int round = 0; round < 10; ++round)
            for (int p = 0; p < 20; ++p)
                t << (round ? "read" : "write") << " 0x" << std::hex << (0x10000000 + p * 0x1000) << std::dec << " 8\n";
    }
    fs::path f = d / "fa.yaml";
    std::ofstream(f) << "base: " << MEMSIM_SOURCE_DIR << "/tests/data/e2e/path-machine.yaml\n"
                     << "trace: " << (d / "cycle.txt").string() << "\n"
                     << "parameters:\n"
                        "  mmu.dtlb.entries: [16, 20, 32]\n"
                        "  mmu.dtlb.assoc: [16, 20, 32]\n"
                        "combine: zip\n"
                        "stats: [mmu.dtlb.*]\n";
    auto r = memsim("sweep " + f.string() + " --out " + (d / "out").string());
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("sweep: one pass: 2 points evaluated in 1 pass(es) over TLB reference logs"));
    std::string csv = slurp(d / "out/results.csv");
    const char* misses[] = {"220", "40", "40"};
    const char* hits[] = {"0", "180", "180"};
    for (size_t i = 0; i < 3; ++i) {
        CHECK(column(csv, i, "mmu.dtlb.accesses") == "220");
        CHECK(column(csv, i, "mmu.dtlb.hits") == hits[i]);
        CHECK(column(csv, i, "mmu.dtlb.misses") == misses[i]);
    }
    CHECK(!fs::exists(d / "out/points/0/tlb.log"));  // the representative's log is gone
    CHECK(slurp(d / "out/points/2/stats.json").find("\"kind\": \"tlb\"") != std::string::npos);
}

TEST_CASE("one pass over TLB logs gives every point the counts of its own run", "[e2e][sweep]") {
    // The bundled lackey log of `ls /` through the x86-64 preset: DTLB 4 KiB entries x ways with
    // the ITLB's entries, and THP never/always (two groups, one full run each), against separate
    // runs; then the STLB alone; then a sweep that asks for statistics the pass cannot give.
    fs::path d = scratch("sweep-tlb-one-pass");
    const std::string head = std::string("base: ") + MEMSIM_SOURCE_DIR + "/configs/default.yaml\n" +
                             "trace: " + MEMSIM_SOURCE_DIR + "/traces/default.lackey.zst\n" +
                             "set: {sim.mode: functional}\n";
    fs::path l1 = d / "l1.yaml";
    std::ofstream(l1) << head << "parameters:\n"
                                "  mmu.dtlb.entries_4k: [16, 64, 256]\n"
                                "  mmu.dtlb.assoc_4k: [4, 16]\n"
                                "  mmu.itlb.entries_4k: [32, 128]\n"
                                "  os.mm.thp: [never, always]\n"
                                "stats: [mmu.dtlb.*, mmu.itlb.*]\n";
    auto one = memsim("sweep " + l1.string() + " -j 2 --out " + (d / "l1-one").string());
    INFO(one.out << one.err);
    CHECK(one.code == 0);
    // 24 points in 2 groups of 12: one full run each.
    CHECK_THAT(one.out, Catch::Contains("sweep: one pass: 22 points evaluated in 2 pass(es) over TLB reference logs"));
    auto sep = memsim("sweep " + l1.string() + " -j 2 --separate --out " + (d / "l1-sep").string());
    CHECK(sep.code == 0);
    std::string csv = slurp(d / "l1-one/results.csv");
    CHECK(lines(csv).size() == 25);
    CHECK(csv == slurp(d / "l1-sep/results.csv"));
    // The preset's own DTLB (64 entries 4-way, 128-entry ITLB) is point 11 of each group:
    // dtlb 64 (1) x 2 x 2 + assoc 4 (0) x 2 + itlb 128 (1) = 5 -> x2 for THP (never first): 10.
    CHECK(column(csv, 10, "mmu.dtlb.entries_4k") == "64");
    CHECK(column(csv, 10, "mmu.dtlb.assoc_4k") == "4");
    CHECK(column(csv, 10, "mmu.itlb.entries_4k") == "128");
    CHECK(column(csv, 10, "os.mm.thp") == "never");

    fs::path st = d / "stlb.yaml";
    std::ofstream(st) << head << "parameters:\n"
                                "  mmu.stlb.entries: [16, 64, 256]\n"
                                "  mmu.stlb.assoc: [4, 16]\n"
                                "stats: [mmu.stlb.*]\n";
    auto s1 = memsim("sweep " + st.string() + " -j 2 --out " + (d / "st-one").string());
    INFO(s1.out << s1.err);
    CHECK(s1.code == 0);
    CHECK_THAT(s1.out, Catch::Contains("sweep: one pass: 5 points"));
    auto s2 = memsim("sweep " + st.string() + " -j 2 --separate --out " + (d / "st-sep").string());
    CHECK(slurp(d / "st-one/results.csv") == slurp(d / "st-sep/results.csv"));

    fs::path all = d / "all.yaml";
    std::ofstream(all) << head << "parameters:\n  mmu.dtlb.entries_4k: [16, 64]\n";
    auto a = memsim("sweep " + all.string() + " -j 2 --out " + (d / "all").string());
    CHECK(a.code == 0);
    CHECK_THAT(a.out, !Catch::Contains("one pass"));
    CHECK_THAT(a.err, Catch::Contains("no one pass: the sweep selects every statistic, and walks, caches and time "
                                      "change with the TLB geometry"));
#ifdef MEMSIM_MPIRUN
    // Under mpirun rank 0 does the pass and hands out what is left: the same file.
    auto m = shell("OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 " MEMSIM_MPIRUN
                   " --oversubscribe -np 3 " MEMSIM_BINARY " sweep " + l1.string() + " --out " + (d / "mpi").string());
    INFO(m.out << m.err);
    CHECK(m.code == 0);
    CHECK_THAT(m.out, Catch::Contains("sweep: one pass: 22 points"));
    CHECK(slurp(d / "mpi/results.csv") == csv);
#endif
}

TEST_CASE("scripts/plot draws a sweep's results and memsim sweep --plot calls it", "[e2e][sweep]") {
    if (sh("/usr/bin/python3 -c 'import matplotlib' 2>/dev/null") != 0) {
        WARN("no matplotlib for /usr/bin/python3: plot not tested");
        return;
    }
    fs::path d = scratch("sweep-plot");
    fs::path f = d / "p.yaml";
    std::ofstream(f) << "base: " << MEMSIM_SOURCE_DIR << "/configs/examples/minor-faults/default.yaml\n"
                     << "parameters:\n  libc.mmap_threshold: [default, 8388608]\n  libc.trim_threshold: [default, -1]\n";
    auto r = memsim("sweep " + f.string() + " -j 2 --out " + (d / "out").string() + " --plot os.faults.minor");
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    CHECK(slurp(d / "out/plot.png").rfind("\x89PNG", 0) == 0);
    std::string plot = std::string(MEMSIM_SOURCE_DIR) + "/scripts/plot";
    CHECK(sh(plot + " heatmap " + (d / "out/results.csv").string() +
             " --x libc.mmap_threshold --y libc.trim_threshold --stat os.faults.minor -o " + (d / "h.svg").string() +
             " 2>/dev/null") == 0);
    CHECK(slurp(d / "h.svg").find("<svg") != std::string::npos);
    CHECK(sh(plot + " results " + (d / "out/results.csv").string() + " --stat no.such.stat -o " +
             (d / "x.png").string() + " 2>/dev/null") != 0);
}

TEST_CASE("one pass gives valgrind's own counts for other geometries", "[e2e][sweep]") {
    // /bin/true traced now by lackey and run under cachegrind at three geometries, in the same
    // clean environment (as tests/e2e/cachegrind_test.cpp does for the default one); the zipped
    // sweep over the lackey log must give each cachegrind summary line exactly.
    if (sh("command -v valgrind >/dev/null") != 0) {
        WARN("no valgrind: not tested");
        return;
    }
    fs::path d = scratch("sweep-valgrind");
    std::string env = "cd " + d.string() + " && env -i PATH=/usr/bin:/bin LANG=C ";
    REQUIRE(sh(env + "valgrind --tool=lackey --trace-mem=yes --log-file=true.lackey /bin/true") == 0);
    struct Geometry {
        const char *i1, *d1, *ll;  // cachegrind's size,assoc,line
    };
    const Geometry g[] = {{"32768,8,64", "4096,1,64", "1048576,16,64"},
                          {"8192,2,64", "16384,4,64", "262144,8,64"},
                          {"16384,4,64", "65536,16,64", "2097152,16,64"}};
    std::vector<std::string> summaries;
    for (int i = 0; i < 3; ++i) {
        std::string out = "cg" + std::to_string(i) + ".out";
        REQUIRE(sh(env + "valgrind --tool=cachegrind --cache-sim=yes --I1=" + g[i].i1 + " --D1=" + g[i].d1 +
                   " --LL=" + g[i].ll + " --cachegrind-out-file=" + out + " /bin/true 2>/dev/null") == 0);
        for (const auto& l : lines(slurp(d / out)))
            if (l.rfind("summary: ", 0) == 0) summaries.push_back(l.substr(9));
    }
    REQUIRE(summaries.size() == 3);
    fs::path f = d / "geometries.yaml";
    std::ofstream(f) << "base: " << MEMSIM_SOURCE_DIR << "/configs/cachegrind.yaml\n"
                     << "trace: " << (d / "true.lackey").string() << "\n"
                     << "combine: zip\n"
                        "parameters:\n"
                        "  cache.l1i.size: [32768, 8192, 16384]\n"
                        "  cache.l1i.assoc: [8, 2, 4]\n"
                        "  cache.l1d.size: [4096, 16384, 65536]\n"
                        "  cache.l1d.assoc: [1, 4, 16]\n"
                        "  cache.ll.size: [1048576, 262144, 2097152]\n"
                        "  cache.ll.assoc: [16, 8, 16]\n"
                        "stats: [cachegrind.*]\n";
    auto r = memsim("sweep " + f.string() + " --out " + (d / "out").string());
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("one pass: 2 points"));
    std::string csv = slurp(d / "out/results.csv");
    const char* names[] = {"Ir", "I1mr", "ILmr", "Dr", "D1mr", "DLmr", "Dw", "D1mw", "DLmw"};
    for (size_t p = 0; p < 3; ++p) {
        std::string ours;
        for (const char* n : names) ours += (ours.empty() ? "" : " ") + column(csv, p, std::string("cachegrind.") + n);
        std::string theirs = summaries[p];
        while (!theirs.empty() && theirs.back() == ' ') theirs.pop_back();
        CHECK(ours == theirs);
    }
}
