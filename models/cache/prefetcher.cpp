#include "models/cache/prefetcher.h"

#include <map>
#include <stdexcept>

namespace memsim::cache {
namespace {
struct Entry {
    std::string description;
    PrefetcherFactory make;
};
std::map<std::string, Entry>& registry() {
    static std::map<std::string, Entry> r;
    return r;
}
}  // namespace

PrefetcherRegistrar::PrefetcherRegistrar(const char* name, const char* description, PrefetcherFactory make) {
    registry()[name] = Entry{description, std::move(make)};
}

std::vector<std::string> prefetcher_names() {
    std::vector<std::string> out;
    for (const auto& [name, e] : registry()) out.push_back(name);
    return out;
}

std::unique_ptr<Prefetcher> make_prefetcher(const std::string& name, const PrefetcherSpec& spec) {
    if (name == "none") return nullptr;
    auto it = registry().find(name);
    if (it == registry().end()) {
        std::string known = "none";
        for (const auto& n : prefetcher_names()) known += ", " + n;
        throw std::invalid_argument("unknown prefetcher '" + name + "' (known: " + known + ")");
    }
    return it->second.make(spec);
}

}  // namespace memsim::cache
