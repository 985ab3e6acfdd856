#pragma once
// Quantities with units as configurations write them: sizes (32KiB, 4GiB), times (13.75ns, 7.8us),
// frequencies (800MHz), bandwidths (12.8GB/s). Each parser returns false and leaves an explanation
// in *why when the text is not such a quantity; formatters print what the parsers read back exactly.
#include <cstdint>
#include <string>
#include <string_view>

namespace memsim::units {

// Bytes. Binary prefixes KiB MiB GiB TiB (1024^n), decimal kB/KB MB GB TB (1000^n), B, or a plain
// integer (bytes). Fractions are allowed when the result is a whole number of bytes (1.5KiB).
bool parse_size(std::string_view text, uint64_t& bytes, std::string* why = nullptr);
std::string format_size(uint64_t bytes);  // largest binary unit that divides exactly: "32KiB"

// Picoseconds, the resolution of every time in memsim. Units s ms us ns ps; no bare numbers.
bool parse_time(std::string_view text, uint64_t& ps, std::string* why = nullptr);
std::string format_time(uint64_t ps);  // "13.75ns", "7.8us", "0s"

// Hertz. Units Hz kHz MHz GHz; no bare numbers.
bool parse_frequency(std::string_view text, double& hz, std::string* why = nullptr);
std::string format_frequency(double hz);  // "800MHz", "1.5GHz"

// Bytes per second. B/s kB/s MB/s GB/s (1000^n) and KiB/s MiB/s GiB/s (1024^n).
bool parse_bandwidth(std::string_view text, double& bytes_per_s, std::string* why = nullptr);
std::string format_bandwidth(double bytes_per_s);  // "12.8GB/s"

// Plain numbers: decimal or 0x hex for integers; a signed integer may start with '-'.
bool parse_uint(std::string_view text, uint64_t& v, std::string* why = nullptr);
bool parse_int(std::string_view text, int64_t& v, std::string* why = nullptr);
bool parse_real(std::string_view text, double& v, std::string* why = nullptr);
bool parse_bool(std::string_view text, bool& v, std::string* why = nullptr);

// Shortest text that parses back to the same double ("0.1", "12.8", "1e-09").
std::string format_real(double v);

}  // namespace memsim::units
