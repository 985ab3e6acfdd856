// End-to-end: `memsim compare` runs each configuration as its own process and tabulates them.
#include <catch2/catch.hpp>

#include <string>

#include <nlohmann/json.hpp>

#include "tests/e2e/e2e.h"

using namespace e2e;

namespace {

const std::string kExample = std::string(MEMSIM_SOURCE_DIR) + "/configs/examples/minor-faults/";

}  // namespace

TEST_CASE("compare the minor-faults settings side by side", "[e2e][compare]") {
    // configs/examples/minor-faults/README.md works the faults out from glibc 2.36's malloc.c:
    // default 1,014 + 1,012 = 2,026; nommap-notrim 1,013; threshold 1,013 + 99 x 980 = 98,033.
    // `pinned` is threshold.yaml's mmap threshold with the trim threshold raised too ("what pins
    // the heap"): 1,013 faults, as nommap-notrim.
    auto r = memsim("compare " + kExample + "default.yaml " + kExample + "nommap-notrim.yaml " + kExample +
                    "threshold.yaml 'pinned:--set libc.mmap_threshold=8388608,libc.trim_threshold=-1' "
                    "--format json -j 2");
    INFO(r.err);
    REQUIRE(r.code == 0);
    auto j = nlohmann::json::parse(r.out);
    REQUIRE(j["runs"].size() == 4);
    CHECK(j["runs"][0]["name"] == "default");
    CHECK(j["runs"][3]["name"] == "pinned");
    CHECK(j["runs"][3]["config"] == kExample + "default.yaml");
    nlohmann::json faults, brk;
    for (const auto& s : j["stats"]) {
        if (s["name"] == "os.faults.minor") faults = s;
        if (s["name"] == "libc.brk_calls") brk = s;
    }
    REQUIRE(faults.is_object());
    CHECK(faults["values"] == nlohmann::json::array({2026.0, 1013.0, 98033.0, 1013.0}));
    CHECK(faults["diff"][2] == 98033.0 - 2026.0);
    CHECK(faults["relative"][1] == Approx(-0.5));  // (1013 - 2026) / 2026
    // brk calls: default 3 (brk (0), the first heap, its growth); threshold 3 + 99 x 2 (each image
    // grows the heap back, each free trims it) + 1 = 202, the README's count.
    CHECK(brk["values"][0] == 3.0);
    CHECK(brk["values"][2] == 202.0);
}

TEST_CASE("compare shows a failed run with its exit code and error and goes on", "[e2e][compare]") {
    auto r = memsim("compare base=" + kExample + "default.yaml 'typo:--set libc.mmap_thresold=1' --stats os.faults.*");
    CHECK(r.code == 1);
    CHECK_THAT(r.out, Catch::Contains("failed (exit 2)"));
    CHECK_THAT(r.out, Catch::Contains("typo: exit 2: memsim: error: --set libc.mmap_thresold=1: unknown key"));
    CHECK_THAT(r.out, Catch::Contains("os.faults.minor"));
    CHECK_THAT(r.out, Catch::Contains("2,026"));
    CHECK_THAT(r.out, !Catch::Contains("libc.brk_calls"));  // --stats chose only os.faults.*
}

TEST_CASE("compare's usage errors exit 2", "[e2e][compare]") {
    CHECK(memsim("compare --help").code == 0);
    CHECK_THAT(memsim("compare --help").out, Catch::Contains("NAME:--set"));
    CHECK(memsim("compare " + kExample + "default.yaml").code == 2);  // one configuration
    auto missing = memsim("compare " + kExample + "default.yaml nowhere.yaml");
    CHECK(missing.code == 2);
    CHECK_THAT(missing.err, Catch::Contains("no configuration file \"nowhere.yaml\""));
    CHECK(memsim("compare a=" + kExample + "default.yaml a=" + kExample + "threshold.yaml").code == 2);
    CHECK(memsim("compare " + kExample + "default.yaml " + kExample + "threshold.yaml --format xml").code == 2);
    CHECK(memsim("compare " + kExample + "default.yaml 'x:--set nokey'").code == 2);
}

TEST_CASE("compare in markdown and csv", "[e2e][compare]") {
    auto md = memsim("compare " + kExample + "default.yaml " + kExample + "threshold.yaml --format markdown --stats os.faults.minor");
    REQUIRE(md.code == 0);
    // 98,033 - 2,026 = +96,007; 96,007 / 2,026 = +4738.7%
    CHECK_THAT(md.out, Catch::Contains("| os.faults.minor |   2,026 |    98,033 | +96,007 | +4738.7% |"));
    auto csv = memsim("compare " + kExample + "default.yaml " + kExample + "threshold.yaml --format csv --stats os.faults.minor");
    REQUIRE(csv.code == 0);
    CHECK(csv.out == "stat,default,threshold,threshold diff,threshold relative\n"
                     "status,ok,ok,,\n"
                     "os.faults.minor,2026,98033,96007,47.38746298124383\n");
}
