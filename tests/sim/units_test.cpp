// Quantities as configurations write them. Expected values are the definitions of the units.
#include <catch2/catch.hpp>

#include "sim/config/units.h"

using namespace memsim::units;

TEST_CASE("sizes take binary and decimal units", "[config][units]") {
    uint64_t b = 0;
    CHECK((parse_size("32KiB", b) && b == 32 * 1024));
    CHECK((parse_size("4GiB", b) && b == 4ull << 30));
    CHECK((parse_size("1.5KiB", b) && b == 1536));
    CHECK((parse_size("4096", b) && b == 4096));
    CHECK((parse_size("64B", b) && b == 64));
    CHECK((parse_size("2kB", b) && b == 2000));
    CHECK((parse_size("8 MiB", b) && b == 8ull << 20));
    std::string why;
    CHECK_FALSE(parse_size("1.3B", b, &why));
    CHECK(why.find("whole number of bytes") != std::string::npos);
    CHECK_FALSE(parse_size("32KB/s", b, &why));
    CHECK(why.find("unknown size unit \"KB/s\"") != std::string::npos);
    CHECK_FALSE(parse_size("16EiB", b, &why));
    CHECK_FALSE(parse_size("big", b, &why));
    CHECK_FALSE(parse_size("20000000TiB", b, &why));  // 2^64 is 16,777,216 TiB
}

TEST_CASE("sizes print in the largest unit that divides them", "[config][units]") {
    CHECK(format_size(32768) == "32KiB");
    CHECK(format_size(4ull << 30) == "4GiB");
    CHECK(format_size(1536) == "1536B");
    CHECK(format_size(0) == "0B");
}

TEST_CASE("times are whole picoseconds", "[config][units]") {
    uint64_t ps = 0;
    CHECK((parse_time("13.75ns", ps) && ps == 13750));
    CHECK((parse_time("7.8us", ps) && ps == 7800000));
    CHECK((parse_time("1320ps", ps) && ps == 1320));
    CHECK((parse_time("64ms", ps) && ps == 64000000000ull));
    CHECK((parse_time("0", ps) && ps == 0));
    std::string why;
    CHECK_FALSE(parse_time("1.0005ns", ps, &why));
    CHECK(why.find("whole number of picoseconds") != std::string::npos);
    CHECK_FALSE(parse_time("5", ps, &why));
    CHECK(why == "a time needs a unit (ps, ns, us, ms, s)");
    CHECK(format_time(13750) == "13.75ns");
    CHECK(format_time(7800000) == "7.8us");
    CHECK(format_time(1320) == "1.32ns");
    CHECK(format_time(1) == "1ps");
    CHECK(format_time(0) == "0s");
    CHECK(format_time(1000000000000ull) == "1s");
}

TEST_CASE("frequencies and bandwidths", "[config][units]") {
    double x = 0;
    CHECK((parse_frequency("800MHz", x) && x == 800e6));
    CHECK((parse_frequency("1.5GHz", x) && x == 1.5e9));
    CHECK(format_frequency(800e6) == "800MHz");
    CHECK(format_frequency(3e9) == "3GHz");
    CHECK((parse_bandwidth("12.8GB/s", x) && x == 12.8e9));
    CHECK((parse_bandwidth("1GiB/s", x) && x == 1073741824.0));
    CHECK(format_bandwidth(12.8e9) == "12.8GB/s");
    std::string why;
    CHECK_FALSE(parse_frequency("800", x, &why));
    CHECK(why.find("needs a unit") != std::string::npos);
    CHECK_FALSE(parse_frequency("-1GHz", x, &why));
}

TEST_CASE("plain numbers", "[config][units]") {
    uint64_t u = 0;
    int64_t i = 0;
    CHECK((parse_uint("0x10", u) && u == 16));
    CHECK((parse_uint("18446744073709551615", u) && u == UINT64_MAX));
    CHECK_FALSE(parse_uint("18446744073709551616", u));
    CHECK_FALSE(parse_uint("-1", u));
    CHECK((parse_int("-1", i) && i == -1));
    CHECK((parse_int("-9223372036854775808", i) && i == INT64_MIN));
    CHECK_FALSE(parse_int("9223372036854775808", i));
    bool b = false;
    CHECK((parse_bool("yes", b) && b));
    CHECK_FALSE(parse_bool("maybe", b));
    CHECK(format_real(0.1) == "0.1");
}
