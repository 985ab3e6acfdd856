#pragma once
// The memsim binary trace layout (docs/trace-format.md, "Binary format"), shared by its reader
// and writer:
//   header, 16 bytes, uncompressed:
//     0..7   magic 89 4D 53 54 0D 0A 1A 0A  ("\x89MST\r\n\x1a\n", after PNG: the high byte and the
//            CR LF / ^Z / LF catch 7-bit and newline-translating transfers)
//     8..11  version, uint32 little-endian (1)
//     12..15 flags, uint32 little-endian; bit 0: the records are zstd-compressed (always set by
//            memsim's writer); other bits must be 0
//   records: one per event, an opcode byte (1 + Op) then the op's fields as LEB128 varints
//            (zigzag for signed fields); then the end record: opcode 0 and the event count.
#include <cstdint>
#include <string>

namespace memsim::trace::binary {

constexpr char kMagic[8] = {'\x89', 'M', 'S', 'T', '\r', '\n', '\x1a', '\n'};
constexpr uint32_t kVersion = 1;
constexpr uint32_t kFlagZstd = 1;
constexpr size_t kHeaderSize = 16;
constexpr uint8_t kEndRecord = 0;
// touch flags byte
constexpr uint8_t kTouchRange = 1, kTouchWrite = 2;

inline uint64_t zigzag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
inline int64_t unzigzag(uint64_t u) { return static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1); }

inline void put_varint(std::string& out, uint64_t v) {
    while (v >= 0x80) {
        out += static_cast<char>(v | 0x80);
        v >>= 7;
    }
    out += static_cast<char>(v);
}

}  // namespace memsim::trace::binary
