#pragma once
// Symbolic values the text format accepts and writes: glibc mallopt parameters, Linux madvise
// advice, zones and mmap protections. Shared by the text reader and writer so that a value written
// is always read back.
#include <cstdint>
#include <string>
#include <string_view>

#include "sim/trace/event.h"

namespace memsim::trace {

// glibc 2.36 <malloc.h>: M_MXFAST 1, M_TRIM_THRESHOLD -1 ... M_ARENA_MAX -8. NAME may omit the
// "M_" prefix and is case-insensitive.
bool mallopt_param_from_name(std::string_view name, int64_t& param);
std::string_view mallopt_param_name(int64_t param);  // "" when glibc has no name for it

// Linux <bits/mman-linux.h> (glibc 2.36): MADV_NORMAL 0 ... MADV_DONTNEED_LOCKED 24,
// MADV_HWPOISON 100. NAME may omit "MADV_" and is case-insensitive.
bool madvise_from_name(std::string_view name, int64_t& advice);
std::string_view madvise_name(int64_t advice);  // "MADV_DONTNEED", or "" when unknown

// Linux zones an alloc_pages may ask for (include/linux/mmzone.h): ZONE_DMA, ZONE_DMA32,
// ZONE_NORMAL. Case-insensitive; canonical spelling out: "DMA", "DMA32", "Normal".
bool zone_from_name(std::string_view name, std::string& canonical);
bool is_zone(std::string_view canonical);  // "" (any zone) or a canonical spelling

// mmap PROT: "none", or letters r, w, x in any order, each at most once ('-' ignored, as in
// /proc/PID/maps). Canonical spelling: "none" or the letters in r, w, x order.
bool prot_from_text(std::string_view text, uint8_t& bits);
std::string prot_text(uint8_t bits);

// A slab cache or device name: a letter or '_', then letters, digits, '_', '.', ':' or '-'; at
// most kMaxNameLength bytes.
constexpr size_t kMaxNameLength = 255;
bool is_name(std::string_view s);

}  // namespace memsim::trace
