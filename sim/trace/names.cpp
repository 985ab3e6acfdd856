#include "sim/trace/names.h"

namespace memsim::trace {

namespace {

struct Named {
    std::string_view name;
    int64_t value;
};

// glibc 2.36 malloc/malloc.h.
constexpr Named kMallopt[] = {
    {"M_MXFAST", 1},        {"M_TRIM_THRESHOLD", -1}, {"M_TOP_PAD", -2},
    {"M_MMAP_THRESHOLD", -3}, {"M_MMAP_MAX", -4},     {"M_CHECK_ACTION", -5},
    {"M_PERTURB", -6},      {"M_ARENA_TEST", -7},     {"M_ARENA_MAX", -8},
};

// glibc 2.36 sysdeps/unix/sysv/linux/bits/mman-linux.h (values from the Linux UAPI).
constexpr Named kMadvise[] = {
    {"MADV_NORMAL", 0},        {"MADV_RANDOM", 1},         {"MADV_SEQUENTIAL", 2},
    {"MADV_WILLNEED", 3},      {"MADV_DONTNEED", 4},       {"MADV_FREE", 8},
    {"MADV_REMOVE", 9},        {"MADV_DONTFORK", 10},      {"MADV_DOFORK", 11},
    {"MADV_MERGEABLE", 12},    {"MADV_UNMERGEABLE", 13},   {"MADV_HUGEPAGE", 14},
    {"MADV_NOHUGEPAGE", 15},   {"MADV_DONTDUMP", 16},      {"MADV_DODUMP", 17},
    {"MADV_WIPEONFORK", 18},   {"MADV_KEEPONFORK", 19},    {"MADV_COLD", 20},
    {"MADV_PAGEOUT", 21},      {"MADV_POPULATE_READ", 22}, {"MADV_POPULATE_WRITE", 23},
    {"MADV_DONTNEED_LOCKED", 24}, {"MADV_HWPOISON", 100},
};

char upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

bool iequal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (upper(a[i]) != upper(b[i])) return false;
    return true;
}

template <size_t N>
bool lookup(const Named (&table)[N], std::string_view prefix, std::string_view name, int64_t& v) {
    for (const Named& n : table) {
        if (iequal(n.name, name) || iequal(n.name.substr(prefix.size()), name)) {
            v = n.value;
            return true;
        }
    }
    return false;
}

template <size_t N>
std::string_view reverse(const Named (&table)[N], int64_t v) {
    for (const Named& n : table)
        if (n.value == v) return n.name;
    return {};
}

}  // namespace

bool mallopt_param_from_name(std::string_view name, int64_t& param) {
    return lookup(kMallopt, "M_", name, param);
}
std::string_view mallopt_param_name(int64_t param) { return reverse(kMallopt, param); }

bool madvise_from_name(std::string_view name, int64_t& advice) {
    return lookup(kMadvise, "MADV_", name, advice);
}
std::string_view madvise_name(int64_t advice) { return reverse(kMadvise, advice); }

bool zone_from_name(std::string_view name, std::string& canonical) {
    for (std::string_view z : {"DMA", "DMA32", "Normal"}) {
        if (iequal(z, name)) {
            canonical = std::string(z);
            return true;
        }
    }
    return false;
}

bool is_zone(std::string_view z) { return z.empty() || z == "DMA" || z == "DMA32" || z == "Normal"; }

bool prot_from_text(std::string_view text, uint8_t& bits) {
    if (iequal(text, "none")) {
        bits = prot::kNone;
        return true;
    }
    if (text.empty()) return false;
    uint8_t p = 0;
    for (char c : text) {
        uint8_t bit = c == 'r' ? prot::kRead : c == 'w' ? prot::kWrite : c == 'x' ? prot::kExec : 0;
        if (c == '-') continue;
        if (!bit || (p & bit)) return false;
        p |= bit;
    }
    if (!p) return false;  // "---" is spelled "none"
    bits = p;
    return true;
}

std::string prot_text(uint8_t bits) {
    if (!bits) return "none";
    std::string s;
    if (bits & prot::kRead) s += 'r';
    if (bits & prot::kWrite) s += 'w';
    if (bits & prot::kExec) s += 'x';
    return s;
}

bool is_name(std::string_view s) {
    if (s.empty() || s.size() > kMaxNameLength) return false;
    auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
    if (!alpha(s[0])) return false;
    for (char c : s)
        if (!alpha(c) && !(c >= '0' && c <= '9') && c != '.' && c != ':' && c != '-') return false;
    return true;
}

}  // namespace memsim::trace
