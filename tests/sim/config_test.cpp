// The configuration loader: every kind of error names file:line:column and what was expected.
#include <catch2/catch.hpp>

#include <fstream>

#include "sim/config/config.h"

using namespace memsim;
using namespace memsim::config;

namespace {

struct LevelParams {
    uint64_t size, assoc, hit_ps;
    std::string replacement;
    bool write_back;
    double frequency;
    std::vector<std::string> tags;
    void visit(ParamVisitor& v) {
        v(ParamSpec::size("size", "32KiB", "capacity").range(1024, double(1ull << 40)).pow2(), size);
        v(ParamSpec::count("assoc", "8", "ways", "associativity").range(1, 64), assoc);
        v(ParamSpec::time("hit_latency", "1ns", "hit latency"), hit_ps);
        v(ParamSpec::choice("replacement", "lru", {"lru", "plru", "random"}, "policy"), replacement);
        v(ParamSpec::boolean("write_back", "true", "write-back"), write_back);
        v(ParamSpec::frequency("clock", "2GHz", "clock"), frequency);
        v(ParamSpec::list("tags", "", "labels"), tags);
    }
};

Schema test_schema() {
    Schema s;
    s.add({"cache.l1d", "L1 data cache", declarations_of<LevelParams>()});
    s.add({"cache.l2", "L2 cache", declarations_of<LevelParams>({{"size", "1MiB"}, {"assoc", "16"}})});
    return s;
}

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const InputError& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("defaults come from the declarations - per section", "[config]") {
    Schema s = test_schema();
    Config c(s);
    auto l1 = c.section<LevelParams>("cache.l1d");
    auto l2 = c.section<LevelParams>("cache.l2");
    CHECK(l1.size == 32768);
    CHECK(l1.assoc == 8);
    CHECK(l2.size == 1048576);
    CHECK(l2.assoc == 16);
    CHECK(l1.hit_ps == 1000);
    CHECK(l1.replacement == "lru");
    CHECK(l1.frequency == 2e9);
    CHECK(l1.tags.empty());
}

TEST_CASE("YAML values are parsed by type - and --set overrides them", "[config]") {
    Schema s = test_schema();
    Config c(s);
    c.load_yaml_text("cache:\n  l1d:\n    size: 64KiB\n    replacement: plru\n    tags: [a, b]\n", "m.yaml");
    c.set("cache.l2.hit_latency=13.75ns");
    auto l1 = c.section<LevelParams>("cache.l1d");
    CHECK(l1.size == 65536);
    CHECK(l1.replacement == "plru");
    CHECK(l1.tags == std::vector<std::string>{"a", "b"});
    CHECK(c.section<LevelParams>("cache.l2").hit_ps == 13750);
    CHECK(c.value("cache.l1d.size").from.str() == "m.yaml:3:11");
}

TEST_CASE("each kind of configuration error names where and what", "[config]") {
    Schema s = test_schema();
    auto load = [&](const std::string& text) { return error_of([&] { Config(s).load_yaml_text(text, "m.yaml"); }); };
    CHECK(load("cache:\n  l1d:\n    sise: 64KiB\n") ==
          "m.yaml:3:5: unknown key \"cache.l1d.sise\"; did you mean \"cache.l1d.size\"?");
    CHECK(load("cahce:\n  l1d:\n    size: 64KiB\n") == "m.yaml:1:1: unknown section \"cahce\"; did you mean \"cache\"?");
    CHECK(load("cache:\n  l1d:\n    size: big\n") ==
          "m.yaml:3:11: cache.l1d.size: expected a size such as 4096, 32KiB or 4GiB, got \"big\"");
    CHECK(load("cache:\n  l1d:\n    size: 32KB/s\n") ==
          "m.yaml:3:11: cache.l1d.size: unknown size unit \"KB/s\" (expected B, KiB, MiB, GiB, TiB, kB, MB, GB, TB), "
          "got \"32KB/s\"");
    CHECK(load("cache:\n  l1d:\n    size: 512B\n") == "m.yaml:3:11: cache.l1d.size: 512B is below the minimum 1KiB");
    CHECK(load("cache:\n  l1d:\n    size: 48KiB\n") == "m.yaml:3:11: cache.l1d.size: 48KiB is not a power of two");
    CHECK(load("cache:\n  l1d:\n    assoc: 65\n") == "m.yaml:3:12: cache.l1d.assoc: 65 is above the maximum 64");
    CHECK(load("cache:\n  l1d:\n    replacement: lfu\n") ==
          "m.yaml:3:18: cache.l1d.replacement: expected one of lru, plru, random, got \"lfu\"");
    CHECK(load("cache:\n  l1d:\n    write_back: maybe\n") ==
          "m.yaml:3:17: cache.l1d.write_back: expected true or false, got \"maybe\"");
    CHECK(load("cache:\n  l1d:\n    hit_latency: 4\n") ==
          "m.yaml:3:18: cache.l1d.hit_latency: a time needs a unit (ps, ns, us, ms, s), got \"4\"");
    CHECK(load("cache:\n  l1d: 5\n") == "m.yaml:2:3: \"cache.l1d\" is a section: expected a mapping of its keys, got \"5\"");
    CHECK(load("cache:\n  l1d:\n    size:\n      big: 1\n") ==
          "m.yaml:3:5: cache.l1d.size: expected a size, got a mapping");
    CHECK(load("cache:\n  l1d:\n    assoc: [1, 2]\n") ==
          "m.yaml:3:5: cache.l1d.assoc: expected an unsigned integer, got a list");
    CHECK(load("cache:\n  l1d:\n    size:\n") == "m.yaml:3:5: cache.l1d.size: expected a value");
    CHECK(load("cache: [\n") .rfind("m.yaml:2:1: invalid YAML:", 0) == 0);
    CHECK(load("- 1\n- 2\n") == "m.yaml:1:1: expected a mapping of sections (sim:, cpu:, ...)");
    CHECK(error_of([&] { Config(s).set("cache.l1d.size"); }) == "--set cache.l1d.size: expected KEY=VALUE");
    CHECK(error_of([&] { Config(s).set("cache.l1d.asoc=4"); }) ==
          "--set cache.l1d.asoc=4: unknown key \"cache.l1d.asoc\"; did you mean \"cache.l1d.assoc\"?");
    CHECK(error_of([&] { Config(s).set("cache.l1d=4"); }) ==
          "--set cache.l1d=4: \"cache.l1d\" is a section, not a key: give its keys");
}

TEST_CASE("an empty file changes nothing", "[config]") {
    Schema s = test_schema();
    Config c(s);
    c.load_yaml_text("# nothing\n", "empty.yaml");
    CHECK(c.section<LevelParams>("cache.l1d").size == 32768);
}

TEST_CASE("to_yaml prints what loads back to the same configuration", "[config]") {
    Schema s = test_schema();
    Config a(s);
    a.load_yaml_text("cache:\n  l2:\n    size: 2MiB\n    tags: [\"x y\", z]\n    hit_latency: 1320ps\n", "a.yaml");
    std::string text = a.to_yaml();
    Config b(s);
    b.load_yaml_text(text, "b.yaml");
    CHECK(b.to_yaml() == text);
    auto l2 = b.section<LevelParams>("cache.l2");
    CHECK(l2.size == 2u << 20);
    CHECK(l2.hit_ps == 1320);
    CHECK(l2.tags == std::vector<std::string>{"x y", "z"});
}

TEST_CASE("base: loads another file first - relative to the including one", "[config]") {
    Schema s = test_schema();
    std::string dir = std::string(MEMSIM_SOURCE_DIR) + "/build";
    {
        std::ofstream(dir + "/cfg_base_test.yaml") << "cache:\n  l1d:\n    size: 16KiB\n    assoc: 4\n";
        std::ofstream(dir + "/cfg_top_test.yaml") << "base: cfg_base_test.yaml\ncache:\n  l1d:\n    assoc: 2\n";
        std::ofstream(dir + "/cfg_loop_test.yaml") << "base: cfg_loop_test.yaml\n";
    }
    Config c(s);
    c.load_file(dir + "/cfg_top_test.yaml");
    auto l1 = c.section<LevelParams>("cache.l1d");
    CHECK(l1.size == 16384);
    CHECK(l1.assoc == 2);
    CHECK(error_of([&] { Config(s).load_file(dir + "/cfg_loop_test.yaml"); }).find("`base:` chain loops back") !=
          std::string::npos);
    CHECK(error_of([&] { Config(s).load_file(dir + "/no_such_file.yaml"); }) ==
          dir + "/no_such_file.yaml: cannot open configuration file");
}

namespace {
bool digits_only(const std::string& t, std::string* why) {
    bool ok = !t.empty() && t.find_first_not_of("0123456789") == std::string::npos;
    if (!ok && why) *why = "expected digits";
    return ok;
}
struct Checked {
    std::string code;
    void visit(ParamVisitor& v) { v(ParamSpec::string("code", "42", "digits").checked(&digits_only), code); }
};
}  // namespace

TEST_CASE("a string parameter's own rule is checked where the value is written", "[config]") {
    Schema s;
    s.add({"x", "checked strings", declarations_of<Checked>()});
    Config c(s);
    c.load_yaml_text("x:\n  code: 7\n", "ok.yaml");
    CHECK(c.section<Checked>("x").code == "7");
    CHECK(error_of([&] { Config(s).load_yaml_text("x:\n  code: 7a\n", "bad.yaml"); }) ==
          "bad.yaml:2:9: x.code: expected digits, got \"7a\"");
}
