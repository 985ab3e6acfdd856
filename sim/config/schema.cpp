#include "sim/config/schema.h"

#include <algorithm>
#include <stdexcept>

namespace memsim::config {
namespace {

// Top-level sections in the order a machine is described, from the clock to the software.
int top_rank(const std::string& path) {
    static const char* kOrder[] = {"sim", "cpu", "mmu", "cache", "interconnect", "memory", "dram", "dma", "os", "libc"};
    std::string top = path.substr(0, path.find('.'));
    for (int i = 0; i < int(std::size(kOrder)); ++i)
        if (top == kOrder[i]) return i;
    return int(std::size(kOrder));
}

size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (size_t j = 1; j <= b.size(); ++j)
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

}  // namespace

const char* type_name(Type t) {
    switch (t) {
        case Type::Bool: return "bool";
        case Type::Int: return "integer";
        case Type::Uint: return "unsigned integer";
        case Type::Real: return "number";
        case Type::Size: return "size";
        case Type::Time: return "time";
        case Type::Frequency: return "frequency";
        case Type::Bandwidth: return "bandwidth";
        case Type::Enum: return "choice";
        case Type::String: return "string";
        case Type::StringList: return "list of strings";
    }
    return "?";
}

void SpecCollector::add(const ParamSpec& s) {
    specs.push_back(s);
    if (auto it = defaults_.find(s.key); it != defaults_.end()) specs.back().default_text = it->second;
}

Schema& Schema::global() {
    static Schema schema;
    return schema;
}

void Schema::add(SectionDecl section) {
    for (const auto& s : sections_)
        if (s.path == section.path) throw std::logic_error("config section registered twice: " + section.path);
    sections_.push_back(std::move(section));
    std::stable_sort(sections_.begin(), sections_.end(),
                     [](const SectionDecl& a, const SectionDecl& b) { return top_rank(a.path) < top_rank(b.path); });
    reindex();
}

void Schema::reindex() {
    index_.clear();
    for (const auto& s : sections_)
        for (const auto& p : s.params) index_[s.path + "." + p.key] = &p;
}

const ParamSpec* Schema::find(const std::string& full_key) const {
    auto it = index_.find(full_key);
    return it == index_.end() ? nullptr : it->second;
}

bool Schema::is_section(const std::string& path) const {
    for (const auto& s : sections_)
        if (s.path == path || (s.path.size() > path.size() && s.path.compare(0, path.size(), path) == 0 &&
                               s.path[path.size()] == '.'))
            return true;
    return false;
}

std::string Schema::nearest(const std::string& key) const {
    std::string best;
    size_t best_d = SIZE_MAX;
    auto consider = [&](const std::string& cand) {
        size_t d = edit_distance(key, cand);
        if (d < best_d) best_d = d, best = cand;
    };
    for (const auto& [k, spec] : index_) consider(k);
    for (const auto& s : sections_)  // every section and each of its parents ("cache" of "cache.l1d")
        for (size_t dot = 0; dot != std::string::npos; dot = s.path.find('.', dot + 1))
            consider(dot ? s.path.substr(0, dot) : s.path);
    // Close enough to be a typo: a few edits, relative to the length of the last component.
    std::string last = key.substr(key.rfind('.') == std::string::npos ? 0 : key.rfind('.') + 1);
    size_t limit = std::max<size_t>(2, last.size() / 3);
    return best_d <= limit ? best : std::string();
}

}  // namespace memsim::config
