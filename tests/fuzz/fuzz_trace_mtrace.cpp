// The mtrace trace reader on arbitrary bytes (tests/fuzz/fuzz_trace.h says what is checked).
// fuzz-seeds: tests/data/trace/*.mtrace
#include "tests/fuzz/fuzz_trace.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    memsim::fuzz::read_trace(memsim::trace::Format::Mtrace, data, size);
    return 0;
}
