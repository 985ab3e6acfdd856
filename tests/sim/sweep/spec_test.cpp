// Sweep files: expansion into points, ranges, and errors that name the file and line.
#include <catch2/catch.hpp>

#include <string>

#include "sim/core/error.h"
#include "sim/sweep/spec.h"

using namespace memsim;
using namespace memsim::sweep;

namespace {

std::string error_of(const std::string& text) {
    try {
        parse_sweep(text, "s.yaml");
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("a product sweep varies the last parameter fastest", "[sweep]") {
    auto spec = parse_sweep("parameters:\n"
                            "  cache.l1d.size: [16KiB, 32KiB]\n"
                            "  cache.l1d.assoc: [2, 4, 8]\n",
                            "s.yaml");
    auto pts = expand(spec);
    // 2 sizes x 3 ways = 6 points, nested loops in file order.
    REQUIRE(pts.size() == 6);
    CHECK(pts[0].values == std::vector<std::string>{"16KiB", "2"});
    CHECK(pts[1].values == std::vector<std::string>{"16KiB", "4"});
    CHECK(pts[3].values == std::vector<std::string>{"32KiB", "2"});
    CHECK(pts[5].values == std::vector<std::string>{"32KiB", "8"});
    for (size_t i = 0; i < pts.size(); ++i) CHECK(pts[i].id == i);
    CHECK(point_sets(spec, pts[4]) == std::vector<std::string>{"cache.l1d.size=32KiB", "cache.l1d.assoc=4"});
}

TEST_CASE("a zipped sweep pairs the lists element by element", "[sweep]") {
    auto spec = parse_sweep("combine: zip\n"
                            "set: {sim.mode: functional}\n"
                            "parameters:\n"
                            "  cache.l1d.size: [16KiB, 32KiB, 64KiB]\n"
                            "  cache.l1d.assoc: [2, 4, 8]\n",
                            "s.yaml");
    auto pts = expand(spec);
    REQUIRE(pts.size() == 3);
    CHECK(pts[2].values == std::vector<std::string>{"64KiB", "8"});
    CHECK(point_sets(spec, pts[0]) ==
          std::vector<std::string>{"sim.mode=functional", "cache.l1d.size=16KiB", "cache.l1d.assoc=2"});
}

TEST_CASE("ranges by step and by factor", "[sweep]") {
    SECTION("factor 2 from 16 KiB to 128 KiB: 16 32 64 128") {
        auto spec = parse_sweep("parameters:\n  cache.l1d.size: {from: 16KiB, to: 128KiB, factor: 2}\n", "s.yaml");
        CHECK(spec.parameters[0].values == std::vector<std::string>{"16KiB", "32KiB", "64KiB", "128KiB"});
    }
    SECTION("step 16 KiB from 16 KiB to 64 KiB: 16 32 48 64 (48 KiB is a size, not a power of two)") {
        auto spec = parse_sweep("parameters:\n  cache.ll.size: {from: 16KiB, to: 64KiB, step: 16KiB}\n", "s.yaml");
        CHECK(spec.parameters[0].values == std::vector<std::string>{"16KiB", "32KiB", "48KiB", "64KiB"});
    }
    SECTION("a step that does not land on the end stops before it: 1 4 7") {
        auto spec = parse_sweep("parameters:\n  cache.l1d.assoc: {from: 1, to: 9, step: 3}\n", "s.yaml");
        CHECK(spec.parameters[0].values == std::vector<std::string>{"1", "4", "7"});
    }
    SECTION("times: 40ns to 60ns by 10ns") {
        auto spec = parse_sweep("parameters:\n  memory.simple.latency: {from: 40ns, to: 60ns, step: 10ns}\n", "s.yaml");
        CHECK(spec.parameters[0].values == std::vector<std::string>{"40ns", "50ns", "60ns"});
    }
}

TEST_CASE("traces multiply the points and come first", "[sweep]") {
    std::string dir = std::string(MEMSIM_SOURCE_DIR) + "/configs/sweeps/";
    auto spec = parse_sweep("traces: [../../traces/true.lackey.zst, ../../traces/default.lackey.zst]\n"
                            "parameters:\n  cache.l1d.assoc: [4, 8]\n",
                            dir + "t.yaml");
    auto pts = expand(spec);
    REQUIRE(pts.size() == 4);
    CHECK(point_trace(spec, pts[0]) == "../../traces/true.lackey.zst");
    CHECK(point_trace(spec, pts[2]) == "../../traces/default.lackey.zst");
    CHECK(pts[2].values[0] == "4");
    CHECK(spec.trace_paths[1] == std::string(MEMSIM_SOURCE_DIR) + "/traces/default.lackey.zst");
}

TEST_CASE("errors in a sweep file name its line", "[sweep]") {
    // Each row: the file, then what the message must contain (lines count from 1).
    struct Row {
        const char* text;
        const char* expected;
    };
    const Row rows[] = {
        {"parameters:\n  cache.l1d.sise: [1]\n", "s.yaml:2:3: unknown configuration parameter \"cache.l1d.sise\" (did you mean \"cache.l1d.size\"?)"},
        {"parameters:\n  cache.l1d.size: [16KiB, lots]\n", "s.yaml:2:27: cache.l1d.size: \"lots\""},
        {"parameters:\n  cache.l1d.size: {from: 16KiB, to: 8KiB, factor: 2}\n", "s.yaml:2:19: cache.l1d.size: the range goes from 16KiB down to 8KiB"},
        {"parameters:\n  cache.l1d.size: {from: 16KiB, to: 64KiB, factor: 1}\n", "must be a number above 1"},
        {"parameters:\n  cache.l1d.size: {from: 16KiB, to: 64KiB}\n", "exactly one of step: or factor:"},
        {"parameters:\n  cache.l1d.size: {from: 16KiB, to: 64KiB, step: 0}\n", "step must be more than 0"},
        {"parameters:\n  cache.model: {from: 1, to: 2, step: 1}\n", "a range needs a numeric parameter"},
        {"combine: zip\nparameters:\n  cache.l1d.size: [16KiB, 32KiB]\n  cache.l1d.assoc: [2]\n", "s.yaml:4:3: combine: zip needs lists of one length"},
        {"combine: cross\nparameters:\n  cache.l1d.assoc: [2]\n", "s.yaml:1:10: combine: \"cross\": expected product or zip"},
        {"paramters:\n  cache.l1d.assoc: [2]\n", "s.yaml:1:1: unknown key \"paramters\""},
        {"base: nowhere.yaml\nparameters:\n  cache.l1d.assoc: [2]\n", "s.yaml:1:7: base: no configuration file"},
        {"trace: nowhere.trace\nparameters:\n  cache.l1d.assoc: [2]\n", "s.yaml:1:8: trace: no trace"},
        {"set: {cpu.frequency: fast}\nparameters:\n  cache.l1d.assoc: [2]\n", "s.yaml:1:22: cpu.frequency: \"fast\""},
        {"combine: zip\n", "parameters: expected a mapping"},
        {"parameters: [a\n", "s.yaml:2:1: invalid YAML"},
        {"parameters:\n  [a, b]: [1]\n", "s.yaml:2:3: unexpected YAML here"},
    };
    for (const auto& r : rows) {
        INFO(r.text);
        CHECK_THAT(error_of(r.text), Catch::Contains(r.expected));
    }
}
