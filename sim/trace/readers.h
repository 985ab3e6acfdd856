#pragma once
// The concrete readers behind open_trace() (sim/trace/open.cpp). Each file *_reader.cpp holds one.
#include <memory>
#include <string>

#include "sim/trace/reader.h"
#include "sim/trace/stream.h"

namespace memsim::trace {

// What every reader gets: its input (already decompressed if the file was .zst), the name used
// in messages, and the origin for progress.
struct ReaderInput {
    std::unique_ptr<Input> in;
    std::string name;
    std::shared_ptr<Origin> origin;
    ReadOptions opts;
};

// Base of the readers: progress from the origin and the lenient/warning policy.
class StreamReader : public Reader {
public:
    explicit StreamReader(ReaderInput ri) : ri_(std::move(ri)) {}
    uint64_t bytes_read() const override { return ri_.origin->consumed; }
    uint64_t bytes_total() const override { return ri_.origin->total; }

protected:
    // A malformed line at stats_.lines: throws InputError unless lenient, in which case it is
    // counted (and the first few are reported on stderr when opts.warn).
    void malformed(const std::string& what);
    // An importer warning ("file:line: warning: ..."); the first kMaxWarnings are printed.
    void warn(uint64_t line, const std::string& what);

    ReaderInput ri_;
    static constexpr uint64_t kMaxWarnings = 10;
    uint64_t warnings_ = 0;
};

std::unique_ptr<Reader> make_text_reader(ReaderInput ri);
std::unique_ptr<Reader> make_binary_reader(ReaderInput ri);
std::unique_ptr<Reader> make_mtrace_reader(ReaderInput ri);
std::unique_ptr<Reader> make_lackey_reader(ReaderInput ri);

}  // namespace memsim::trace
