// `memsim trace convert` and `memsim trace stats` on a real mtrace log (traces/sort-words.mtrace).
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

const std::string kMemsim = MEMSIM_BINARY;
const std::string kLog = std::string(MEMSIM_SOURCE_DIR) + "/traces/sort-words.mtrace";

}  // namespace

TEST_CASE("trace stats counts what the mtrace log holds", "[e2e][trace]") {
    // Count the log's records independently: `+ PTR SIZE` allocations, `- PTR` frees,
    // `< OLD` / `> NEW SIZE` realloc pairs.
    std::ifstream in(kLog);
    uint64_t allocs = 0, frees = 0, reallocs = 0;
    for (std::string line; std::getline(in, line);) {
        if (line.find("] + 0x") != std::string::npos || line.find(") + 0x") != std::string::npos) ++allocs;
        if (line.find("] - 0x") != std::string::npos || line.find(") - 0x") != std::string::npos) ++frees;
        if (line.find("] < 0x") != std::string::npos || line.find(") < 0x") != std::string::npos) ++reallocs;
    }
    REQUIRE(allocs > 100);
    fs::path d = scratch("trace-cli");
    REQUIRE(sh(kMemsim + " trace stats --json " + kLog + " > " + (d / "s.json").string()) == 0);
    auto j = nlohmann::json::parse(slurp(d / "s.json"));
    CHECK(j["events_by_kind"]["malloc"] == allocs);
    CHECK(j["events_by_kind"]["free"] == frees);
    CHECK(j["events_by_kind"]["realloc"] == reallocs);
}

TEST_CASE("trace convert: mtrace -> binary -> text equals mtrace -> text", "[e2e][trace]") {
    fs::path d = scratch("trace-cli");
    std::string bin = (d / "t.mst").string(), a = (d / "a.txt").string(), b = (d / "b.txt").string();
    REQUIRE(sh(kMemsim + " trace convert " + kLog + " " + bin + " 2>/dev/null") == 0);
    REQUIRE(sh(kMemsim + " trace convert " + bin + " " + b + " 2>/dev/null") == 0);
    REQUIRE(sh(kMemsim + " trace convert " + kLog + " " + a + " 2>/dev/null") == 0);
    CHECK(slurp(a) == slurp(b));
    CHECK(fs::file_size(bin) * 4 < fs::file_size(a));  // the binary form is compact
    CHECK(sh(kMemsim + " trace convert /no/such/file " + a + " 2>/dev/null") == 2);
    CHECK(sh(kMemsim + " trace convert " + kLog + " 2>/dev/null") == 2);  // OUT missing
}
