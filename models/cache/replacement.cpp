#include "models/cache/replacement.h"

#include <map>
#include <stdexcept>

namespace memsim::cache {
namespace {
struct Entry {
    std::string description;
    ReplacementFactory make;
    std::function<std::string(const ReplacementSpec&)> check;
};
std::map<std::string, Entry>& registry() {
    static std::map<std::string, Entry> r;
    return r;
}
}  // namespace

ReplacementRegistrar::ReplacementRegistrar(const char* name, const char* description, ReplacementFactory make,
                                           std::function<std::string(const ReplacementSpec&)> check) {
    registry()[name] = Entry{description, std::move(make), std::move(check)};
}

std::vector<std::string> replacement_names() {
    std::vector<std::string> out;
    for (const auto& [name, e] : registry()) out.push_back(name);
    return out;
}

std::string replacement_descriptions() {
    std::string out;
    for (const auto& [name, e] : registry()) out += name + ": " + e.description + "\n";
    return out;
}

std::string replacement_check(const std::string& name, const ReplacementSpec& spec) {
    auto it = registry().find(name);
    if (it == registry().end()) {
        std::string known;
        for (const auto& n : replacement_names()) known += (known.empty() ? "" : ", ") + n;
        return "unknown replacement policy '" + name + "' (known: " + known + ")";
    }
    if (spec.ways == 0 || spec.sets == 0) return "a set-associative array needs at least one set and one way";
    return it->second.check ? it->second.check(spec) : std::string();
}

std::unique_ptr<ReplacementPolicy> make_replacement(const std::string& name, const ReplacementSpec& spec) {
    std::string why = replacement_check(name, spec);
    if (!why.empty()) throw std::invalid_argument(why);
    return registry().at(name).make(spec);
}

}  // namespace memsim::cache
