#pragma once
// The resolved configuration of one simulation: every declared parameter with its value and where
// that value came from (a default, a YAML file's line and column, or a --set).
//
// Layers apply in order: declared defaults, then YAML files (a file may name another with
// `base: FILE`, loaded first, relative to it), then --set KEY=VALUE. Every layer is checked
// against the schema: unknown keys (with the nearest valid key suggested), wrong types, bad units
// and out-of-range values are InputErrors naming file:line:column.
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "sim/config/schema.h"
#include "sim/core/error.h"

namespace memsim::config {

struct Value {
    const ParamSpec* spec = nullptr;
    bool b = false;
    int64_t i = 0;
    uint64_t u = 0;  // Uint, Size (bytes), Time (ps)
    double d = 0;    // Real, Frequency (Hz), Bandwidth (B/s)
    std::string s;   // Enum, String
    std::vector<std::string> list;
    SourceLocation from;  // empty file: the declared default

    std::string text() const;  // as a configuration writes it: "32KiB", "13.75ns", "lru"
};

// Parses TEXT as SPEC's type and checks its range; on failure returns false with *why set.
bool parse_value(const ParamSpec& spec, const std::string& text, Value& out, std::string* why);

class Config {
public:
    // Every parameter of SCHEMA at its declared default.
    explicit Config(const Schema& schema = Schema::global());

    void load_file(const std::string& path);
    // TEXT as if read from a file called NAME (used by tests and the fuzzer).
    void load_yaml_text(const std::string& text, const std::string& name);
    // "KEY=VALUE" as given to --set.
    void set(const std::string& assignment);

    const Value& value(const std::string& key) const;
    // Fills a parameter struct from the section at PATH.
    template <class Params>
    Params section(const std::string& path) const;

    // The whole configuration as YAML that load_file accepts back unchanged.
    std::string to_yaml() const;
    nlohmann::json to_json() const;
    // The YAML files read, outermost last.
    const std::vector<std::string>& files() const { return files_; }

private:
    const Schema& schema_;
    std::map<std::string, Value> values_;
    std::vector<std::string> files_;
    std::vector<std::string> loading_;  // `base:` chain, to report cycles

    void load_node(const void* yaml_node, const std::string& prefix, const std::string& file);
    void assign(const std::string& key, const std::string& text, const SourceLocation& where);
    void check_known(const std::string& key, const SourceLocation& where) const;
};

class SectionFiller final : public ParamVisitor {
public:
    SectionFiller(const Config& c, std::string path) : c_(c), path_(std::move(path)) {}
    void operator()(const ParamSpec& s, bool& f) override { f = get(s).b; }
    void operator()(const ParamSpec& s, int64_t& f) override { f = get(s).i; }
    void operator()(const ParamSpec& s, uint64_t& f) override { f = get(s).u; }
    void operator()(const ParamSpec& s, double& f) override { f = get(s).d; }
    void operator()(const ParamSpec& s, std::string& f) override { f = get(s).s; }
    void operator()(const ParamSpec& s, std::vector<std::string>& f) override { f = get(s).list; }

private:
    const Config& c_;
    std::string path_;
    const Value& get(const ParamSpec& s) const { return c_.value(path_ + "." + s.key); }
};

template <class Params>
Params Config::section(const std::string& path) const {
    Params p{};
    SectionFiller f(*this, path);
    p.visit(f);
    return p;
}

}  // namespace memsim::config
