#pragma once
// Byte sources under the readers: a file or standard input, a string in memory, a zstd
// decompressor, and Input, the buffered view every reader consumes (lines or bytes). Each layer
// holds a bounded buffer, so a trace of any length streams in constant memory.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace memsim::trace {

// What the progress line shows: bytes taken from the outermost file, and its size (0 if unknown).
struct Origin {
    uint64_t consumed = 0;
    uint64_t total = 0;
};

class ByteStream {
public:
    virtual ~ByteStream() = default;
    // Up to n bytes into dst; 0 only at the end. Throws InputError on read or decode errors.
    virtual size_t read(char* dst, size_t n) = 0;
};

// PATH, or standard input for "-". Throws InputError("PATH: cannot open: reason").
std::unique_ptr<ByteStream> open_file_stream(const std::string& path, std::shared_ptr<Origin> origin);
std::unique_ptr<ByteStream> memory_stream(std::string data, std::shared_ptr<Origin> origin);
// Decompresses a zstd stream (one or more frames) read from inner, streaming.
std::unique_ptr<ByteStream> zstd_stream(std::unique_ptr<ByteStream> inner, std::string name);

// The zstd frame magic 0xFD2FB528 (RFC 8878 3.1.1) or a skippable frame 0x184D2A5?, little-endian.
bool is_zstd_magic(std::string_view head);

class Input final : public ByteStream {
public:
    // BUFFER: the initial buffer size; it grows for longer lines, up to kMaxLine.
    Input(std::unique_ptr<ByteStream> stream, std::string name, size_t buffer = kDefaultBuffer);

    // At least n bytes unless the stream ends first; nothing is consumed.
    std::string_view peek(size_t n);
    // True when everything the stream will give is buffered (peek() has seen the end).
    bool at_end() const { return eof_; }
    // The next line without its '\n'; false at the end. The view lives until the next call.
    // Throws InputError for a line longer than kMaxLine (a binary file read as text).
    bool next_line(std::string_view& line) {
        const char* b = buf_.data();
        if (const void* nl = memchr_(b + pos_, end_ - pos_)) {
            auto at = static_cast<size_t>(static_cast<const char*>(nl) - b);
            line = std::string_view(b + pos_, at - pos_);
            pos_ = at + 1;
            return true;
        }
        return next_line_slow(line);
    }
    bool get(uint8_t& byte) {
        if (pos_ < end_) {
            byte = static_cast<uint8_t>(buf_[pos_++]);
            return true;
        }
        return get_slow(byte);
    }
    size_t read(char* dst, size_t n) override;
    const std::string& name() const { return name_; }

    static constexpr size_t kMaxLine = 1 << 20;
    static constexpr size_t kDefaultBuffer = 256 * 1024;

private:
    static const void* memchr_(const char* p, size_t n);
    bool fill();  // reads more after end_; false at the end
    bool next_line_slow(std::string_view& line);
    bool get_slow(uint8_t& byte);

    std::unique_ptr<ByteStream> stream_;
    std::string name_;
    std::vector<char> buf_;
    size_t pos_ = 0, end_ = 0;
    bool eof_ = false;
};

// RAW buffered, through the zstd decoder when its first bytes are a zstd frame: what a reader
// consumes. A small input (ORIGIN knows its size) gets no more buffer than it needs.
std::unique_ptr<Input> buffered_input(std::unique_ptr<ByteStream> raw, const std::string& name, const Origin& origin);

}  // namespace memsim::trace
