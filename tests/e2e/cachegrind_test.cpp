// configs/cachegrind.yaml against valgrind's cachegrind: the nine counts of its summary line must
// be equal, on lackey logs of real programs (the stored captures and a live one).
#include <catch2/catch.hpp>

#include <string>

#include "tests/e2e/e2e.h"

using namespace e2e;

namespace {

std::string summary_line(const std::string& text) {
    size_t at = text.find("\nsummary: ");
    if (at == std::string::npos && text.rfind("summary: ", 0) == 0) at = 0;
    else if (at != std::string::npos) ++at;
    if (at == std::string::npos) return "(no summary line)";
    return text.substr(at, text.find('\n', at) - at);
}

std::string memsim_summary(const std::string& lackey_log, const fs::path& dir) {
    std::string cmd = std::string(MEMSIM_BINARY) + " run -q " + MEMSIM_SOURCE_DIR + "/configs/cachegrind.yaml --trace " +
                      lackey_log + " > " + (dir / "out").string();
    REQUIRE(sh(cmd) == 0);
    std::string out = slurp(dir / "out");
    CHECK(out.find("events: Ir I1mr ILmr Dr D1mr DLmr Dw D1mw DLmw\n") != std::string::npos);
    return summary_line(out);
}

}  // namespace

TEST_CASE("cachegrind counts on the stored lackey logs of real programs", "[e2e][cachegrind]") {
    // traces/NAME.cachegrind.txt holds valgrind 3.19 cachegrind's own summary for the same program
    // with --I1=32768,8,64 --D1=32768,8,64 --LL=1048576,16,64 (traces/README.md says how).
    fs::path d = scratch("cachegrind-stored");
    for (const char* name : {"true", "default", "sort-words"}) {
        std::string base = std::string(MEMSIM_SOURCE_DIR) + "/traces/" + name;
        INFO(name);
        CHECK(memsim_summary(base + ".lackey.zst", d) == summary_line(slurp(base + ".cachegrind.txt")));
    }
}

TEST_CASE("cachegrind counts on a program traced now by lackey and by cachegrind", "[e2e][cachegrind]") {
    // Both tools run /bin/true in the same clean environment, so they see the same accesses.
    fs::path d = scratch("cachegrind-live");
    std::string env = "cd " + d.string() + " && env -i PATH=/usr/bin:/bin LANG=C ";
    REQUIRE(sh(env + "valgrind --tool=lackey --trace-mem=yes --log-file=true.lackey /bin/true") == 0);
    REQUIRE(sh(env + "valgrind --tool=cachegrind --cache-sim=yes --I1=32768,8,64 --D1=32768,8,64 "
                     "--LL=1048576,16,64 --cachegrind-out-file=cg.out /bin/true 2>/dev/null") == 0);
    CHECK(memsim_summary((d / "true.lackey").string(), d) == summary_line(slurp(d / "cg.out")));
}
