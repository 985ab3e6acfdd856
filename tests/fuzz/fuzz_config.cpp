// The configuration loader on arbitrary bytes: every input either loads or is rejected with an
// InputError; nothing else escapes, and whatever loads prints as YAML that loads back to the same
// text (the `memsim config show` round trip).
// fuzz-seeds: configs/*.yaml tests/data/e2e/*.yaml tests/data/config/*.yaml
#include <cstdint>
#include <cstdlib>
#include <string>

#include "sim/config/config.h"

namespace {

using namespace memsim::config;

// One parameter of every type, beside the `sim` section that sim/core registers.
struct EveryType {
    bool b;
    int64_t i;
    uint64_t u, size, time;
    double real, freq, bw;
    std::string choice, text;
    std::vector<std::string> list;
    void visit(ParamVisitor& v) {
        v(ParamSpec::boolean("b", "false", "bool"), b);
        v(ParamSpec::integer("i", "-1", "things", "int").range(-100, 100), i);
        v(ParamSpec::count("u", "8", "ways", "uint").range(1, 64).pow2(), u);
        v(ParamSpec::size("size", "32KiB", "size").range(1024, 1e12), size);
        v(ParamSpec::time("time", "13.75ns", "time"), time);
        v(ParamSpec::real("real", "0.5", "fraction", "real").range(0, 1), real);
        v(ParamSpec::frequency("freq", "800MHz", "frequency"), freq);
        v(ParamSpec::bandwidth("bw", "12.8GB/s", "bandwidth"), bw);
        v(ParamSpec::choice("choice", "lru", {"lru", "fifo"}, "choice"), choice);
        v(ParamSpec::string("text", "x", "string"), text);
        v(ParamSpec::list("list", "a,b", "list"), list);
    }
};

const Schema& schema() {
    static Schema s = [] {
        Schema x = Schema::global();
        x.add({"fuzz.every", "one of each type", declarations_of<EveryType>()});
        return x;
    }();
    return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    // `base:` names a file to read; the fuzzer must not wander the file system (/dev/stdin...).
    if (text.find("base") != std::string::npos) return 0;
    std::string yaml;
    try {
        Config c(schema());
        c.load_yaml_text(text, "fuzz.yaml");
        yaml = c.to_yaml();
    } catch (const memsim::InputError&) {
        return 0;
    }
    Config again(schema());
    again.load_yaml_text(yaml, "again.yaml");  // must not throw: config show output always loads
    if (again.to_yaml() != yaml) std::abort();
    return 0;
}
