#include "sim/trace/writer.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "sim/core/error.h"
#include "sim/trace/sink.h"

namespace memsim::trace {

namespace {

class FileSink final : public Sink {
public:
    explicit FileSink(const std::string& path) : path_(path == "-" ? "<stdout>" : path) {
        f_ = path == "-" ? stdout : std::fopen(path.c_str(), "wb");
        if (!f_) throw InputError(path + ": cannot create: " + std::strerror(errno));
    }
    ~FileSink() override {
        if (f_ && f_ != stdout) std::fclose(f_);
    }
    void write(const char* data, size_t n) override {
        if (n && std::fwrite(data, 1, n, f_) != n)
            throw InputError(path_ + ": cannot write: " + std::strerror(errno));
    }
    void close() override {
        FILE* f = f_;
        f_ = nullptr;
        bool ok = std::fflush(f) == 0 && !std::ferror(f);
        int err = errno;
        if (f != stdout && std::fclose(f) != 0) ok = false;
        if (!ok) throw InputError(path_ + ": cannot write: " + std::strerror(err));
    }

private:
    std::string path_;
    FILE* f_;
};

class StringSink final : public Sink {
public:
    explicit StringSink(std::string& out) : out_(out) {}
    void write(const char* data, size_t n) override { out_.append(data, n); }
    void close() override {}

private:
    std::string& out_;
};

void check_output_format(Format format) {
    if (format != Format::Text && format != Format::Binary)
        throw InputError("cannot write traces in the " + std::string(format_name(format)) +
                         " format (output formats: text, binary)");
}

std::unique_ptr<Writer> make_writer(std::unique_ptr<Sink> sink, Format format) {
    if (format == Format::Text) return make_text_writer(std::move(sink));
    return make_binary_writer(std::move(sink));
}

}  // namespace

std::unique_ptr<Sink> file_sink(const std::string& path) { return std::make_unique<FileSink>(path); }
std::unique_ptr<Sink> string_sink(std::string& out) { return std::make_unique<StringSink>(out); }

std::unique_ptr<Writer> open_writer(const std::string& path, Format format) {
    check_output_format(format);
    return make_writer(file_sink(path), format);
}

std::unique_ptr<Writer> open_string_writer(std::string& out, Format format) {
    check_output_format(format);
    return make_writer(string_sink(out), format);
}

Format output_format_for(const std::string& path) {
    static const std::string kExt = ".mst";
    bool mst = path.size() >= kExt.size() && path.compare(path.size() - kExt.size(), kExt.size(), kExt) == 0;
    return mst ? Format::Binary : Format::Text;
}

ReadStats convert(const std::string& in_path, const ReadOptions& opts, const std::string& out_path,
                  Format out_format) {
    if (out_format == Format::Auto) out_format = output_format_for(out_path);
    auto reader = open_trace(in_path, opts);
    auto writer = open_writer(out_path, out_format);
    try {
        Event ev;
        while (reader->next(ev)) writer->write(ev);
        writer->close();
    } catch (...) {
        // A half-written output would look like a complete shorter trace; remove it.
        writer.reset();
        if (out_path != "-") std::remove(out_path.c_str());
        throw;
    }
    return reader->stats();
}

}  // namespace memsim::trace
