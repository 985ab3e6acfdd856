#pragma once
// Streaming trace readers. Every command that takes a trace opens it with open_trace(), which
// recognises the format by content (docs/trace-format.md); memory use does not grow with length.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "sim/trace/event.h"

namespace memsim::trace {

enum class Format {
    Auto,     // detect from content
    Text,     // memsim text format
    Binary,   // memsim binary (varint records, zstd)
    Mtrace,   // glibc mtrace() log (MALLOC_TRACE)
    Lackey,   // valgrind --tool=lackey --trace-mem=yes
};
std::string_view format_name(Format f);
// "auto", "text", "binary", "mtrace", "lackey"; throws InputError naming the choices otherwise.
Format parse_format(std::string_view name);

struct ReadOptions {
    Format format = Format::Auto;
    bool lenient = false;  // skip and count malformed lines instead of stopping with an error
    bool warn = true;      // print importer warnings (e.g. free of an unknown pointer) to stderr
};

// What a reader saw besides events.
struct ReadStats {
    uint64_t lines = 0;          // input lines read (text formats)
    uint64_t events = 0;         // events returned
    uint64_t skipped_lines = 0;  // malformed lines skipped under lenient
    uint64_t dropped = 0;        // importer: records dropped with a warning (mtrace free of unknown ptr)
};

class Reader {
public:
    virtual ~Reader() = default;
    // The next event, or false at the end. Throws InputError ("file:line: expected ...") on
    // malformed input unless lenient.
    virtual bool next(Event& ev) = 0;
    virtual Format format() const = 0;
    const ReadStats& stats() const { return stats_; }
    // Progress for the progress line: bytes consumed of the input file and its size (0 if unknown).
    virtual uint64_t bytes_read() const = 0;
    virtual uint64_t bytes_total() const = 0;

protected:
    ReadStats stats_;
};

// Opens PATH ("-" for standard input). Throws InputError if it cannot be opened or its format is
// not recognised.
std::unique_ptr<Reader> open_trace(const std::string& path, const ReadOptions& opts = {});

// The same for a trace held in memory; NAME is what messages call it (tests, fuzz targets).
std::unique_ptr<Reader> open_trace_memory(const std::string& name, std::string data,
                                          const ReadOptions& opts = {});

// The format of a trace starting with HEAD (already decompressed): Binary by its magic, else the
// first line that decides (docs/trace-format.md, "Format detection"). COMPLETE: HEAD is the whole
// input. Format::Auto if no line decides; a complete HEAD of comments and blank lines is Text.
Format detect_format(std::string_view head, bool complete);

}  // namespace memsim::trace
