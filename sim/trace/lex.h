#pragma once
// Token scanning shared by the line-oriented readers (text, mtrace, lackey). Hand-written so a
// line costs a few dozen instructions: no iostream, no regex, no allocation.
#include <cstdint>
#include <string>
#include <string_view>

namespace memsim::trace::lex {

enum class Num { Ok, NotNumber, Overflow };

inline int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Hex digits without a prefix ("7ff0000ff8", as lackey prints addresses).
inline Num parse_hex_digits(std::string_view t, uint64_t& v) {
    if (t.empty()) return Num::NotNumber;
    uint64_t x = 0;
    for (char c : t) {
        int d = hex_digit(c);
        if (d < 0) return Num::NotNumber;
        x = (x << 4) | static_cast<uint64_t>(d);
    }
    // Leading zeros do not overflow; more than 16 significant digits do.
    size_t lead = t.find_first_not_of('0');
    if (lead != std::string_view::npos && t.size() - lead > 16) return Num::Overflow;
    v = x;
    return Num::Ok;
}

inline Num parse_decimal(std::string_view t, uint64_t& v) {
    if (t.empty()) return Num::NotNumber;
    uint64_t x = 0;
    bool overflow = false;
    // Up to 19 digits cannot overflow (10^19 - 1 < 2^64), so most tokens skip the check.
    if (t.size() <= 19) {
        for (char c : t) {
            unsigned d = static_cast<unsigned>(c) - '0';
            if (d > 9) return Num::NotNumber;
            x = x * 10 + d;
        }
    } else {
        for (char c : t) {
            unsigned d = static_cast<unsigned>(c) - '0';
            if (d > 9) return Num::NotNumber;
            if (x > (UINT64_MAX - d) / 10) overflow = true;
            x = x * 10 + d;
        }
    }
    if (overflow) return Num::Overflow;
    v = x;
    return Num::Ok;
}

// Decimal, or hex after "0x"/"0X".
inline Num parse_u64(std::string_view t, uint64_t& v) {
    if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X'))
        return parse_hex_digits(t.substr(2), v);
    return parse_decimal(t, v);
}

// parse_u64 with an optional leading '-'; the result must fit in int64_t.
inline Num parse_i64(std::string_view t, int64_t& v) {
    bool neg = !t.empty() && t[0] == '-';
    uint64_t m = 0;
    Num r = parse_u64(neg ? t.substr(1) : t, m);
    if (r != Num::Ok) return r;
    const uint64_t limit = neg ? (uint64_t(1) << 63) : (uint64_t(1) << 63) - 1;
    if (m > limit) return Num::Overflow;
    v = neg ? static_cast<int64_t>(0 - m) : static_cast<int64_t>(m);
    return Num::Ok;
}

constexpr int kMaxTokens = 8;

// The whitespace-separated words of a line up to a '#' comment. A '\r' counts as space, so CRLF
// files read as LF files. Words past kMaxTokens are counted in `more` but not kept.
struct Tokens {
    std::string_view tok[kMaxTokens];
    int n = 0;
    bool more = false;
};

inline void split(std::string_view line, Tokens& out) {
    out.n = 0;
    out.more = false;
    const char* p = line.data();
    const char* e = p + line.size();
    for (;;) {
        while (p < e && (*p == ' ' || *p == '\t' || *p == '\r')) ++p;
        if (p == e || *p == '#') return;
        const char* s = p;
        while (p < e && *p != ' ' && *p != '\t' && *p != '\r' && *p != '#') ++p;
        if (out.n == kMaxTokens) {
            out.more = true;
            return;
        }
        out.tok[out.n++] = std::string_view(s, static_cast<size_t>(p - s));
    }
}

// A token as an error message shows it: in double quotes, cut at 40 bytes, unprintable bytes as
// \xNN, so a binary file fed to the text reader gives a readable message.
inline std::string quote(std::string_view t) {
    static const char hex[] = "0123456789abcdef";
    std::string s = "\"";
    size_t n = 0;
    for (char c : t) {
        if (++n > 40) {
            s += "...";
            break;
        }
        auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u >= 0x7f || c == '"' || c == '\\') {
            s += "\\x";
            s += hex[u >> 4];
            s += hex[u & 15];
        } else {
            s += c;
        }
    }
    s += '"';
    return s;
}

}  // namespace memsim::trace::lex
