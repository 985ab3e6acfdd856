// Writes the text format so that reading it back gives the same events (names for known mallopt
// parameters and madvise advice, hex for addresses, decimal elsewhere).
#include <fmt/format.h>

#include "sim/trace/names.h"
#include "sim/trace/sink.h"
#include "sim/trace/writer.h"

namespace memsim::trace {

namespace {

class TextWriter final : public Writer {
public:
    explicit TextWriter(std::unique_ptr<Sink> sink) : sink_(std::move(sink)) {
        fmt::format_to(std::back_inserter(buf_), "# memsim-trace v1\n");
    }
    ~TextWriter() override {
        try {
            close();
        } catch (...) {
        }
    }

    void write(const Event& e) override {
        auto out = std::back_inserter(buf_);
        std::string_view kw = op_name(e.op);
        switch (e.op) {
            case Op::Malloc: case Op::Kmalloc: case Op::DmaAlloc:
                fmt::format_to(out, "{} {} {}\n", kw, e.id, e.size); break;
            case Op::Calloc: fmt::format_to(out, "calloc {} {} {}\n", e.id, e.nmemb, e.size); break;
            case Op::MallocTrim: fmt::format_to(out, "malloc_trim {}\n", e.size); break;
            case Op::Realloc: fmt::format_to(out, "realloc {} {} {}\n", e.id, e.id2, e.size); break;
            case Op::Memalign: fmt::format_to(out, "memalign {} {} {}\n", e.id, e.align, e.size); break;
            case Op::Free: case Op::Munmap: case Op::Kfree: case Op::KmemCacheFree:
            case Op::FreePages: case Op::DmaFree:
                fmt::format_to(out, "{} {}\n", kw, e.id); break;
            case Op::Mallopt: {
                std::string_view n = mallopt_param_name(e.param);
                if (n.empty()) fmt::format_to(out, "mallopt {} {}\n", e.param, e.value);
                else fmt::format_to(out, "mallopt {} {}\n", n, e.value);
                break;
            }
            case Op::ThreadExit: case Op::Thread: fmt::format_to(out, "{} {}\n", kw, e.tid); break;
            case Op::Mmap:
                if (e.prot == (prot::kRead | prot::kWrite)) fmt::format_to(out, "mmap {} {}\n", e.id, e.length);
                else fmt::format_to(out, "mmap {} {} {}\n", e.id, e.length, prot_text(e.prot));
                break;
            case Op::Madvise: {
                std::string_view n = madvise_name(e.advice);
                if (n.empty()) fmt::format_to(out, "madvise {} {} {} {}\n", e.id, e.offset, e.length, e.advice);
                else fmt::format_to(out, "madvise {} {} {} {}\n", e.id, e.offset, e.length, n);
                break;
            }
            case Op::Touch:
                fmt::format_to(out, "touch {}", e.id);
                if (e.has_range) fmt::format_to(out, " {} {}", e.offset, e.length);
                fmt::format_to(out, e.write ? "\n" : " r\n");
                break;
            case Op::Read: case Op::Write: case Op::Modify: case Op::Ifetch:
                fmt::format_to(out, "{} {:#x} {}\n", kw, e.addr, e.size); break;
            case Op::Compute: fmt::format_to(out, "compute {}\n", e.cycles); break;
            case Op::KmemCacheCreate:
                if (e.align) fmt::format_to(out, "kmem_cache_create {} {} {}\n", e.name, e.size, e.align);
                else fmt::format_to(out, "kmem_cache_create {} {}\n", e.name, e.size);
                break;
            case Op::KmemCacheAlloc: fmt::format_to(out, "kmem_cache_alloc {} {}\n", e.id, e.name); break;
            case Op::AllocPages:
                if (e.name.empty()) fmt::format_to(out, "alloc_pages {} {}\n", e.id, e.order);
                else fmt::format_to(out, "alloc_pages {} {} {}\n", e.id, e.order, e.name);
                break;
            case Op::Dma: fmt::format_to(out, "dma {} {} {} {}\n", e.name, e.id, e.id2, e.length); break;
        }
        if (buf_.size() >= 1 << 16) flush();
    }

    void close() override {
        if (!sink_) return;
        flush();
        auto sink = std::move(sink_);
        sink->close();
    }

private:
    void flush() {
        sink_->write(buf_.data(), buf_.size());
        buf_.clear();
    }

    std::unique_ptr<Sink> sink_;
    fmt::memory_buffer buf_;
};

}  // namespace

std::unique_ptr<Writer> make_text_writer(std::unique_ptr<Sink> sink) {
    return std::make_unique<TextWriter>(std::move(sink));
}

}  // namespace memsim::trace
