// The binary trace reader on arbitrary bytes (tests/fuzz/fuzz_trace.h says what is checked).
// Inputs without the magic get an uncompressed header (flags 0) put in front, so most inputs reach
// the record decoder instead of stopping at the magic or in zstd.
// fuzz-seeds: tests/data/trace/*.mst
#include <cstring>

#include "sim/trace/binary_format.h"
#include "tests/fuzz/fuzz_trace.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace memsim::trace;
    if (size >= 8 && std::memcmp(data, binary::kMagic, 8) == 0) {
        memsim::fuzz::read_trace(Format::Binary, data, size);
        return 0;
    }
    std::string raw(binary::kMagic, sizeof binary::kMagic);
    raw += std::string("\x01\x00\x00\x00\x00\x00\x00\x00", 8);  // version 1, flags 0
    raw.append(reinterpret_cast<const char*>(data), size);
    memsim::fuzz::read_trace(Format::Binary, reinterpret_cast<const uint8_t*>(raw.data()), raw.size());
    return 0;
}
