// Reads the memsim binary format (sim/trace/binary_format.h). The records are decompressed as a
// stream; a corrupt or truncated file is an InputError naming the record, never a crash.
#include <cstring>

#include "sim/core/error.h"
#include "sim/trace/binary_format.h"
#include "sim/trace/check.h"
#include "sim/trace/names.h"
#include "sim/trace/readers.h"

namespace memsim::trace {

namespace {

uint32_t le32(const char* p) {
    uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
    return v;
}

class BinaryReader final : public StreamReader {
public:
    explicit BinaryReader(ReaderInput ri) : StreamReader(std::move(ri)) {
        char h[binary::kHeaderSize];
        size_t got = 0;
        while (got < sizeof h) {
            size_t k = ri_.in->read(h + got, sizeof h - got);
            if (!k) break;
            got += k;
        }
        if (got < 8 || std::memcmp(h, binary::kMagic, 8) != 0)
            throw InputError(ri_.name + ": expected the memsim binary magic 89 4D 53 54 0D 0A 1A 0A "
                                        "at the start (not a binary trace)");
        if (got < sizeof h) throw InputError(ri_.name + ": truncated binary trace header");
        uint32_t version = le32(h + 8), flags = le32(h + 12);
        if (version != binary::kVersion)
            throw InputError(ri_.name + ": binary trace version " + std::to_string(version) +
                             ", expected 1 (written by a newer memsim?)");
        if (flags & ~binary::kFlagZstd)
            throw InputError(ri_.name + ": binary trace header has unknown flags " + std::to_string(flags));
        if (flags & binary::kFlagZstd)
            body_ = std::make_unique<Input>(zstd_stream(std::move(ri_.in), ri_.name), ri_.name, 64 * 1024);
        else
            body_ = std::move(ri_.in);
    }

    Format format() const override { return Format::Binary; }

    bool next(Event& ev) override {
        if (done_) return false;
        uint8_t opcode;
        if (!body_->get(opcode))
            fail("truncated: the records end without the end record (after " +
                 std::to_string(stats_.events) + " events)");
        if (opcode == binary::kEndRecord) {
            uint64_t count = varint();
            if (count != stats_.events)
                fail("end record counts " + std::to_string(count) + " events, but " +
                     std::to_string(stats_.events) + " were read");
            uint8_t extra;
            if (body_->get(extra)) fail("data after the end record");
            done_ = true;
            return false;
        }
        if (opcode > kOpCount) fail("unknown opcode " + std::to_string(opcode));
        decode(ev, static_cast<Op>(opcode - 1));
        std::string p = event_problem(ev);
        if (!p.empty()) fail(p);
        ++stats_.events;
        return true;
    }

private:
    [[noreturn]] void fail(const std::string& what) {
        throw InputError(ri_.name + ": record " + std::to_string(stats_.events + 1) + ": " + what);
    }

    uint64_t varint() {
        uint64_t v = 0;
        for (int shift = 0;; shift += 7) {
            uint8_t b;
            if (!body_->get(b)) fail("truncated in the middle of a record");
            // The 10th byte may only carry bit 63.
            if (shift == 63 && b > 1) fail("varint does not fit in 64 bits");
            v |= static_cast<uint64_t>(b & 0x7f) << shift;
            if (!(b & 0x80)) return v;
        }
    }

    void string(std::string& s) {
        uint64_t n = varint();
        if (n > kMaxNameLength) fail("string of " + std::to_string(n) + " bytes (at most 255)");
        s.resize(n);
        for (uint64_t i = 0; i < n; ++i) {
            uint8_t b;
            if (!body_->get(b)) fail("truncated in the middle of a string");
            s[i] = static_cast<char>(b);
        }
    }

    uint64_t address() {
        last_addr_ += static_cast<uint64_t>(binary::unzigzag(varint()));
        return last_addr_;
    }

    void decode(Event& ev, Op op) {
        reset_event(ev, op);
        switch (op) {
            case Op::Malloc: case Op::Kmalloc: case Op::DmaAlloc:
                ev.id = varint(); ev.size = varint(); break;
            case Op::MallocTrim: ev.size = varint(); break;
            case Op::Calloc: ev.id = varint(); ev.nmemb = varint(); ev.size = varint(); break;
            case Op::Realloc: ev.id = varint(); ev.id2 = varint(); ev.size = varint(); break;
            case Op::Memalign: ev.id = varint(); ev.align = varint(); ev.size = varint(); break;
            case Op::Free: case Op::Munmap: case Op::Kfree: case Op::KmemCacheFree:
            case Op::FreePages: case Op::DmaFree:
                ev.id = varint(); break;
            case Op::Mallopt:
                ev.param = binary::unzigzag(varint()); ev.value = binary::unzigzag(varint()); break;
            case Op::ThreadExit: case Op::Thread: ev.tid = varint(); break;
            case Op::Mmap: {
                ev.id = varint(); ev.length = varint();
                uint64_t p = varint();
                if (p > 7) fail("mmap PROT bits " + std::to_string(p));
                ev.prot = static_cast<uint8_t>(p);
                break;
            }
            case Op::Madvise:
                ev.id = varint(); ev.offset = varint(); ev.length = varint();
                ev.advice = binary::unzigzag(varint()); break;
            case Op::Touch: {
                ev.id = varint();
                uint64_t f = varint();
                if (f > 3) fail("touch flags " + std::to_string(f));
                ev.has_range = f & binary::kTouchRange;
                ev.write = f & binary::kTouchWrite;
                if (ev.has_range) { ev.offset = varint(); ev.length = varint(); }
                break;
            }
            case Op::Read: case Op::Write: case Op::Modify: case Op::Ifetch:
                ev.addr = address(); ev.size = varint(); break;
            case Op::Compute: ev.cycles = varint(); break;
            case Op::KmemCacheCreate: string(ev.name); ev.size = varint(); ev.align = varint(); break;
            case Op::KmemCacheAlloc: ev.id = varint(); string(ev.name); break;
            case Op::AllocPages: ev.id = varint(); ev.order = varint(); string(ev.name); break;
            case Op::Dma:
                string(ev.name); ev.id = varint(); ev.id2 = varint(); ev.length = varint(); break;
        }
    }

    std::unique_ptr<Input> body_;
    uint64_t last_addr_ = 0;
    bool done_ = false;
};

}  // namespace

std::unique_ptr<Reader> make_binary_reader(ReaderInput ri) {
    return std::make_unique<BinaryReader>(std::move(ri));
}

}  // namespace memsim::trace
