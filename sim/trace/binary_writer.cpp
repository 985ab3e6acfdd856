// Writes the memsim binary format (sim/trace/binary_format.h): the 16-byte header, then the
// records through one streaming zstd compressor (ZSTD_compressStream2), 64 KiB at a time.
#include <zstd.h>

#include <vector>

#include "sim/core/error.h"
#include "sim/trace/binary_format.h"
#include "sim/trace/sink.h"
#include "sim/trace/writer.h"

namespace memsim::trace {

namespace {

void put_le32(std::string& s, uint32_t v) {
    for (int i = 0; i < 4; ++i) s += static_cast<char>((v >> (8 * i)) & 0xff);
}

class BinaryWriter final : public Writer {
public:
    explicit BinaryWriter(std::unique_ptr<Sink> sink)
        : sink_(std::move(sink)), ctx_(ZSTD_createCCtx()), out_(ZSTD_CStreamOutSize()) {
        // Level 3 is zstd's default: converting runs near disk speed and lackey logs shrink ~10x.
        ZSTD_CCtx_setParameter(ctx_, ZSTD_c_compressionLevel, 3);
        std::string h(binary::kMagic, sizeof binary::kMagic);
        put_le32(h, binary::kVersion);
        put_le32(h, binary::kFlagZstd);
        sink_->write(h.data(), h.size());
    }
    ~BinaryWriter() override {
        try {
            close();
        } catch (...) {
        }
        ZSTD_freeCCtx(ctx_);
    }

    void write(const Event& e) override {
        using binary::put_varint;
        std::string& r = rec_;
        r += static_cast<char>(static_cast<uint8_t>(e.op) + 1);
        switch (e.op) {
            case Op::Malloc: case Op::Kmalloc: case Op::DmaAlloc:
                put_varint(r, e.id); put_varint(r, e.size); break;
            case Op::MallocTrim: put_varint(r, e.size); break;
            case Op::Calloc: put_varint(r, e.id); put_varint(r, e.nmemb); put_varint(r, e.size); break;
            case Op::Realloc: put_varint(r, e.id); put_varint(r, e.id2); put_varint(r, e.size); break;
            case Op::Memalign: put_varint(r, e.id); put_varint(r, e.align); put_varint(r, e.size); break;
            case Op::Free: case Op::Munmap: case Op::Kfree: case Op::KmemCacheFree:
            case Op::FreePages: case Op::DmaFree:
                put_varint(r, e.id); break;
            case Op::Mallopt:
                put_varint(r, binary::zigzag(e.param)); put_varint(r, binary::zigzag(e.value)); break;
            case Op::ThreadExit: case Op::Thread: put_varint(r, e.tid); break;
            case Op::Mmap: put_varint(r, e.id); put_varint(r, e.length); put_varint(r, e.prot); break;
            case Op::Madvise:
                put_varint(r, e.id); put_varint(r, e.offset); put_varint(r, e.length);
                put_varint(r, binary::zigzag(e.advice)); break;
            case Op::Touch:
                put_varint(r, e.id);
                put_varint(r, (e.has_range ? binary::kTouchRange : 0) | (e.write ? binary::kTouchWrite : 0));
                if (e.has_range) { put_varint(r, e.offset); put_varint(r, e.length); }
                break;
            case Op::Read: case Op::Write: case Op::Modify: case Op::Ifetch:
                // Successive accesses are usually near each other: the signed delta is 1-2 bytes.
                put_varint(r, binary::zigzag(static_cast<int64_t>(e.addr - last_addr_)));
                last_addr_ = e.addr;
                put_varint(r, e.size);
                break;
            case Op::Compute: put_varint(r, e.cycles); break;
            case Op::KmemCacheCreate: string(e.name); put_varint(r, e.size); put_varint(r, e.align); break;
            case Op::KmemCacheAlloc: put_varint(r, e.id); string(e.name); break;
            case Op::AllocPages: put_varint(r, e.id); put_varint(r, e.order); string(e.name); break;
            case Op::Dma:
                string(e.name); put_varint(r, e.id); put_varint(r, e.id2); put_varint(r, e.length); break;
        }
        ++events_;
        if (rec_.size() >= 1 << 16) compress(ZSTD_e_continue);
    }

    void close() override {
        if (!sink_) return;
        rec_ += static_cast<char>(binary::kEndRecord);
        binary::put_varint(rec_, events_);
        compress(ZSTD_e_end);
        auto sink = std::move(sink_);
        sink->close();
    }

private:
    void string(const std::string& s) {
        binary::put_varint(rec_, s.size());
        rec_ += s;
    }

    void compress(ZSTD_EndDirective mode) {
        ZSTD_inBuffer in{rec_.data(), rec_.size(), 0};
        for (;;) {
            ZSTD_outBuffer out{out_.data(), out_.size(), 0};
            size_t left = ZSTD_compressStream2(ctx_, &out, &in, mode);
            if (ZSTD_isError(left)) throw InputError(std::string("zstd: ") + ZSTD_getErrorName(left));
            sink_->write(out_.data(), out.pos);
            bool finished = mode == ZSTD_e_end ? left == 0 : in.pos == in.size;
            if (finished) break;
        }
        rec_.clear();
    }

    std::unique_ptr<Sink> sink_;
    ZSTD_CCtx* ctx_;
    std::vector<char> out_;
    std::string rec_;
    uint64_t last_addr_ = 0;
    uint64_t events_ = 0;
};

}  // namespace

std::unique_ptr<Writer> make_binary_writer(std::unique_ptr<Sink> sink) {
    return std::make_unique<BinaryWriter>(std::move(sink));
}

}  // namespace memsim::trace
