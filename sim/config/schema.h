#pragma once
// Every configuration section memsim knows, gathered from the models' parameter structs.
// A model registers its section where it declares its parameters (MEMSIM_REGISTER_PARAMS); one
// struct may serve several sections with different defaults (cache.l1d and cache.l2 share one).
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "sim/config/param.h"

namespace memsim::config {

struct SectionDecl {
    std::string path;         // "memory.simple"
    std::string description;  // one line: what the section configures
    std::vector<ParamSpec> params;
};

class Schema {
public:
    static Schema& global();

    void add(SectionDecl section);
    const std::vector<SectionDecl>& sections() const { return sections_; }
    // The declaration of a full key ("memory.simple.latency"), or nullptr.
    const ParamSpec* find(const std::string& full_key) const;
    // True if PATH is a section or a prefix of one ("memory", "memory.simple").
    bool is_section(const std::string& path) const;
    // The declared key or section closest to KEY in edit distance, or "" if none is close.
    std::string nearest(const std::string& key) const;

private:
    std::vector<SectionDecl> sections_;
    std::map<std::string, const ParamSpec*> index_;
    void reindex();
};

// Collects a parameter struct's declarations (with DEFAULTS overriding declared defaults by key).
template <class Params>
std::vector<ParamSpec> declarations_of(const std::map<std::string, std::string>& defaults = {});

class SpecCollector final : public ParamVisitor {
public:
    explicit SpecCollector(const std::map<std::string, std::string>& defaults) : defaults_(defaults) {}
    std::vector<ParamSpec> specs;
    void operator()(const ParamSpec& s, bool&) override { add(s); }
    void operator()(const ParamSpec& s, int64_t&) override { add(s); }
    void operator()(const ParamSpec& s, uint64_t&) override { add(s); }
    void operator()(const ParamSpec& s, double&) override { add(s); }
    void operator()(const ParamSpec& s, std::string&) override { add(s); }
    void operator()(const ParamSpec& s, std::vector<std::string>&) override { add(s); }

private:
    const std::map<std::string, std::string>& defaults_;
    void add(const ParamSpec& s);
};

template <class Params>
std::vector<ParamSpec> declarations_of(const std::map<std::string, std::string>& defaults) {
    Params p{};
    SpecCollector c(defaults);
    p.visit(c);
    return std::move(c.specs);
}

// Registers Params under PATH at static-initialisation time. The libraries are linked whole
// (CMakeLists.txt) so no registration is dropped by the linker.
template <class Params>
struct SectionRegistrar {
    SectionRegistrar(const char* path, const char* description,
                     const std::map<std::string, std::string>& defaults = {}) {
        Schema::global().add({path, description, declarations_of<Params>(defaults)});
    }
};

#define MEMSIM_CONCAT_(a, b) a##b
#define MEMSIM_CONCAT(a, b) MEMSIM_CONCAT_(a, b)
// MEMSIM_REGISTER_PARAMS(Struct, "section.path", "description" [, {{"key", "default"}, ...}])
#define MEMSIM_REGISTER_PARAMS(Params, ...)                                                    \
    static const ::memsim::config::SectionRegistrar<Params> MEMSIM_CONCAT(memsim_section_, __LINE__) { \
        __VA_ARGS__                                                                             \
    }

}  // namespace memsim::config
