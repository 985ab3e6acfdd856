#pragma once
// Writing traces: the text format and the binary format (docs/trace-format.md). `memsim trace
// convert IN OUT` is convert(): binary when OUT ends in ".mst", text otherwise.
#include <memory>
#include <string>

#include "sim/trace/reader.h"

namespace memsim::trace {

class Writer {
public:
    virtual ~Writer() = default;
    virtual void write(const Event& ev) = 0;
    // Flushes and finishes the file (the binary end record, the zstd epilogue). Throws InputError
    // if the output cannot be written. The destructor closes silently if close() was not called.
    virtual void close() = 0;
};

// PATH ("-" for standard output) in Format::Text or Format::Binary; other formats are input-only
// and throw InputError.
std::unique_ptr<Writer> open_writer(const std::string& path, Format format);
// The same, appending to a string (tests and fuzz targets).
std::unique_ptr<Writer> open_string_writer(std::string& out, Format format);

// Format::Binary when path ends in ".mst", else Format::Text.
Format output_format_for(const std::string& path);

// Reads IN_PATH (opts.format, usually Auto) and writes every event to OUT_PATH in OUT_FORMAT
// (Format::Auto: output_format_for(out_path)). Returns the reader's statistics.
ReadStats convert(const std::string& in_path, const ReadOptions& opts, const std::string& out_path,
                  Format out_format = Format::Auto);

}  // namespace memsim::trace
