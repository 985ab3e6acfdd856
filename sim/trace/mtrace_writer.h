#pragma once
// Writes a glibc mtrace() log (the MALLOC_TRACE format of glibc 2.36 malloc/mtrace-impl.c), so a
// model's allocator results can be read by the tools that read real ones (mtrace(1), memsim's own
// importer) and compared with a real capture line by line:
//   = Start
//   @ memsim:[LINE] + 0xPTR 0xSIZE      malloc, calloc, memalign, realloc(NULL, n)
//   @ memsim:[LINE] - 0xPTR             free, realloc(p, 0)
//   @ memsim:[LINE] < 0xOLD             realloc: the old block...
//   @ memsim:[LINE] > 0xNEW 0xSIZE      ...and the new one
//   @ memsim:[LINE] + (nil) 0xSIZE      a failed allocation
//   = End
// The caller field (glibc prints the return address) carries the trace line instead.
#include <cstdint>
#include <fstream>
#include <string>

namespace memsim::trace {

class MtraceWriter {
public:
    explicit MtraceWriter(const std::string& path);  // throws InputError if PATH cannot be written
    ~MtraceWriter();
    void alloc(uint64_t line, uint64_t ptr, uint64_t size);  // ptr 0: a failed allocation
    void free(uint64_t line, uint64_t ptr);
    void realloc(uint64_t line, uint64_t old_ptr, uint64_t new_ptr, uint64_t size);
    void close();

private:
    std::ofstream out_;
    std::string path_;
    void where(uint64_t line);
};

}  // namespace memsim::trace
