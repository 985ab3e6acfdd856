#include "sim/config/units.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace memsim::units {
namespace {

using u128 = unsigned __int128;

bool fail(std::string* why, std::string msg) {
    if (why) *why = std::move(msg);
    return false;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// A non-negative decimal "123.45" as digits 12345 and 2 fraction digits; the rest of the text
// (the unit) goes to *unit. Exponents are not accepted: quantities are written the way humans do.
struct Decimal {
    u128 digits = 0;
    int frac = 0;
};

bool split_decimal(std::string_view text, Decimal& d, std::string_view& unit) {
    size_t i = 0;
    bool any = false, dot = false;
    for (; i < text.size(); ++i) {
        char c = text[i];
        if (c >= '0' && c <= '9') {
            if (d.digits > (u128(1) << 100)) return false;
            d.digits = d.digits * 10 + u128(c - '0');
            if (dot) ++d.frac;
            any = true;
        } else if (c == '.' && !dot) {
            dot = true;
        } else {
            break;
        }
    }
    if (!any) return false;
    unit = trim(text.substr(i));
    return true;
}

// value * scale exactly as an integer, or false if it has a fraction left or exceeds 64 bits.
bool exact_scale(const Decimal& d, u128 scale, uint64_t& out) {
    u128 v = d.digits * scale;
    u128 div = 1;
    for (int i = 0; i < d.frac; ++i) div *= 10;
    if (v % div != 0) return false;
    v /= div;
    if (v > UINT64_MAX) return false;
    out = static_cast<uint64_t>(v);
    return true;
}

struct UnitScale {
    const char* name;
    double scale;
};

// Splits "12.8GB/s" into 12.8 and "GB/s" and looks the unit up in TABLE.
template <size_t N>
bool parse_scaled(std::string_view text, const UnitScale (&table)[N], const char* kind, double& out,
                  std::string* why) {
    text = trim(text);
    double num = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), num);
    if (ec != std::errc() || p == text.data())
        return fail(why, std::string("expected a ") + kind + " such as " + table[N / 2].name);
    std::string_view unit = trim(std::string_view(p, text.data() + text.size() - p));
    if (num < 0 || !std::isfinite(num)) return fail(why, std::string(kind) + " must not be negative");
    for (const auto& u : table) {
        if (unit == u.name) {
            out = num * u.scale;
            return true;
        }
    }
    std::string names;
    for (const auto& u : table) names += std::string(names.empty() ? "" : ", ") + u.name;
    if (unit.empty()) return fail(why, std::string(kind) + " needs a unit (" + names + ")");
    return fail(why, "unknown " + std::string(kind) + " unit \"" + std::string(unit) + "\" (expected one of " +
                         names + ")");
}

// Prints value/scale with the unit of the largest scale that keeps at most 3 decimals exactly.
template <size_t N>
std::string format_scaled(double v, const UnitScale (&table)[N]) {
    for (size_t i = N; i-- > 0;) {
        double x = v / table[i].scale;
        if (x < 1 && i > 0) continue;
        if (std::fabs(x * 1000 - std::round(x * 1000)) < 1e-6 * std::max(1.0, x) || i == 0)
            return format_real(std::round(x * 1000) / 1000) + table[i].name;
    }
    return format_real(v) + table[0].name;
}

const UnitScale kFrequencyUnits[] = {{"Hz", 1}, {"kHz", 1e3}, {"MHz", 1e6}, {"GHz", 1e9}};
const UnitScale kBandwidthUnits[] = {{"B/s", 1},          {"kB/s", 1e3},          {"KB/s", 1e3},
                                     {"KiB/s", 1024.0},   {"MB/s", 1e6},          {"MiB/s", 1048576.0},
                                     {"GB/s", 1e9},       {"GiB/s", 1073741824.0}, {"TB/s", 1e12}};
const UnitScale kBandwidthFormatUnits[] = {{"B/s", 1}, {"kB/s", 1e3}, {"MB/s", 1e6}, {"GB/s", 1e9}};

}  // namespace

bool parse_size(std::string_view text, uint64_t& bytes, std::string* why) {
    text = trim(text);
    Decimal d;
    std::string_view unit;
    if (!split_decimal(text, d, unit)) return fail(why, "expected a size such as 4096, 32KiB or 4GiB");
    static const struct {
        const char* name;
        u128 scale;
    } kUnits[] = {{"", 1},
                  {"B", 1},
                  {"KiB", u128(1) << 10},
                  {"MiB", u128(1) << 20},
                  {"GiB", u128(1) << 30},
                  {"TiB", u128(1) << 40},
                  {"kB", 1000},
                  {"KB", 1000},
                  {"MB", 1000000},
                  {"GB", 1000000000},
                  {"TB", u128(1000000000) * 1000}};
    for (const auto& u : kUnits) {
        if (unit != u.name) continue;
        if (unit.empty() && d.frac) return fail(why, "a size without a unit is a whole number of bytes");
        if (!exact_scale(d, u.scale, bytes))
            return fail(why, "size \"" + std::string(text) + "\" is not a whole number of bytes below 2^64");
        return true;
    }
    return fail(why, "unknown size unit \"" + std::string(unit) + "\" (expected B, KiB, MiB, GiB, TiB, kB, MB, GB, TB)");
}

std::string format_size(uint64_t bytes) {
    static const char* kNames[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int i = 0;
    while (i < 4 && bytes != 0 && bytes % 1024 == 0) {
        bytes /= 1024;
        ++i;
    }
    return std::to_string(bytes) + kNames[i];
}

bool parse_time(std::string_view text, uint64_t& ps, std::string* why) {
    text = trim(text);
    Decimal d;
    std::string_view unit;
    if (!split_decimal(text, d, unit)) return fail(why, "expected a time such as 13.75ns or 7.8us");
    static const struct {
        const char* name;
        u128 ps;
    } kUnits[] = {{"ps", 1}, {"ns", 1000}, {"us", 1000000}, {"ms", 1000000000}, {"s", u128(1000000000) * 1000}};
    if (unit.empty() && d.digits == 0) {
        ps = 0;
        return true;
    }
    for (const auto& u : kUnits) {
        if (unit != u.name) continue;
        if (!exact_scale(d, u.ps, ps))
            return fail(why, "time \"" + std::string(text) + "\" is not a whole number of picoseconds");
        return true;
    }
    if (unit.empty()) return fail(why, "a time needs a unit (ps, ns, us, ms, s)");
    return fail(why, "unknown time unit \"" + std::string(unit) + "\" (expected ps, ns, us, ms, s)");
}

std::string format_time(uint64_t ps) {
    if (ps == 0) return "0s";
    static const struct {
        const char* name;
        uint64_t ps;
    } kUnits[] = {{"s", 1000000000000ull}, {"ms", 1000000000ull}, {"us", 1000000ull}, {"ns", 1000ull}};
    // The largest unit in which the value is at least 1 and has at most 3 decimals.
    for (const auto& u : kUnits) {
        if (ps >= u.ps && (ps * 1000) % u.ps == 0 && ps < UINT64_MAX / 1000) {
            uint64_t whole = ps / u.ps, milli = (ps % u.ps) * 1000 / u.ps;
            std::string s = std::to_string(whole);
            if (milli) {
                char buf[8];
                std::snprintf(buf, sizeof buf, ".%03u", static_cast<unsigned>(milli));
                std::string f = buf;
                while (f.back() == '0') f.pop_back();
                s += f;
            }
            return s + u.name;
        }
    }
    return std::to_string(ps) + "ps";
}

bool parse_frequency(std::string_view text, double& hz, std::string* why) {
    return parse_scaled(text, kFrequencyUnits, "frequency", hz, why);
}

std::string format_frequency(double hz) { return format_scaled(hz, kFrequencyUnits); }

bool parse_bandwidth(std::string_view text, double& bytes_per_s, std::string* why) {
    return parse_scaled(text, kBandwidthUnits, "bandwidth", bytes_per_s, why);
}

std::string format_bandwidth(double bytes_per_s) { return format_scaled(bytes_per_s, kBandwidthFormatUnits); }

bool parse_uint(std::string_view text, uint64_t& v, std::string* why) {
    text = trim(text);
    int base = 10;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        text.remove_prefix(2);
        base = 16;
    }
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v, base);
    if (ec == std::errc::result_out_of_range) return fail(why, "number does not fit in 64 bits");
    if (ec != std::errc() || p != text.data() + text.size() || text.empty())
        return fail(why, "expected a non-negative integer (decimal or 0x hex)");
    return true;
}

bool parse_int(std::string_view text, int64_t& v, std::string* why) {
    text = trim(text);
    bool neg = !text.empty() && text[0] == '-';
    if (neg) text.remove_prefix(1);
    uint64_t mag = 0;
    if (!parse_uint(text, mag, why)) return fail(why, "expected an integer (decimal or 0x hex)");
    if (mag > (neg ? uint64_t(INT64_MAX) + 1 : uint64_t(INT64_MAX))) return fail(why, "number does not fit in 64 bits");
    v = neg ? static_cast<int64_t>(0 - mag) : static_cast<int64_t>(mag);
    return true;
}

bool parse_real(std::string_view text, double& v, std::string* why) {
    text = trim(text);
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || p != text.data() + text.size() || text.empty() || !std::isfinite(v))
        return fail(why, "expected a number");
    return true;
}

bool parse_bool(std::string_view text, bool& v, std::string* why) {
    text = trim(text);
    if (text == "true" || text == "yes" || text == "on") return v = true, true;
    if (text == "false" || text == "no" || text == "off") return v = false, true;
    return fail(why, "expected true or false");
}

std::string format_real(double v) {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest text that reads back exactly
    return std::string(buf, ec == std::errc() ? end : buf);
}

}  // namespace memsim::units
