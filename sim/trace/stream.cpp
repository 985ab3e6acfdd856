#include "sim/trace/stream.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "sim/core/error.h"

namespace memsim::trace {

namespace {

class FileStream final : public ByteStream {
public:
    FileStream(int fd, bool owned, std::string name, std::shared_ptr<Origin> origin)
        : fd_(fd), owned_(owned), name_(std::move(name)), origin_(std::move(origin)) {}
    ~FileStream() override {
        if (owned_) ::close(fd_);
    }
    size_t read(char* dst, size_t n) override {
        for (;;) {
            ssize_t got = ::read(fd_, dst, n);
            if (got >= 0) {
                origin_->consumed += static_cast<uint64_t>(got);
                return static_cast<size_t>(got);
            }
            if (errno != EINTR) throw InputError(name_ + ": cannot read: " + std::strerror(errno));
        }
    }

private:
    int fd_;
    bool owned_;
    std::string name_;
    std::shared_ptr<Origin> origin_;
};

class MemoryStream final : public ByteStream {
public:
    MemoryStream(std::string data, std::shared_ptr<Origin> origin)
        : data_(std::move(data)), origin_(std::move(origin)) {
        origin_->total = data_.size();
    }
    size_t read(char* dst, size_t n) override {
        size_t k = std::min(n, data_.size() - pos_);
        std::memcpy(dst, data_.data() + pos_, k);
        pos_ += k;
        origin_->consumed += k;
        return k;
    }

private:
    std::string data_;
    size_t pos_ = 0;
    std::shared_ptr<Origin> origin_;
};

class ZstdStream final : public ByteStream {
public:
    ZstdStream(std::unique_ptr<ByteStream> inner, std::string name)
        : inner_(std::move(inner)), name_(std::move(name)), ctx_(ZSTD_createDCtx()),
          in_buf_(ZSTD_DStreamInSize()) {
        // 2^27 = 128 MiB is zstd's own default ceiling; say so rather than rely on it.
        ZSTD_DCtx_setParameter(ctx_, ZSTD_d_windowLogMax, 27);
    }
    ~ZstdStream() override { ZSTD_freeDCtx(ctx_); }

    size_t read(char* dst, size_t n) override {
        ZSTD_outBuffer out{dst, n, 0};
        for (;;) {
            if (in_.pos == in_.size && !inner_eof_) {
                in_.size = inner_->read(in_buf_.data(), in_buf_.size());
                in_.src = in_buf_.data();
                in_.pos = 0;
                if (!in_.size) inner_eof_ = true;
            }
            // Called again after a frame ended, ZSTD_decompressStream would expect a new frame.
            if (in_.pos == in_.size && inner_eof_ && frame_done_) return 0;
            size_t ret = ZSTD_decompressStream(ctx_, &out, &in_);
            if (ZSTD_isError(ret))
                throw InputError(name_ + ": corrupt zstd data: " + ZSTD_getErrorName(ret));
            frame_done_ = ret == 0;  // 0: a frame is complete and flushed (zstd.h)
            if (out.pos) return out.pos;
            if (in_.pos == in_.size && inner_eof_) {
                if (!frame_done_) throw InputError(name_ + ": truncated zstd data (the last frame is incomplete)");
                return 0;
            }
        }
    }

private:
    std::unique_ptr<ByteStream> inner_;
    std::string name_;
    ZSTD_DCtx* ctx_;
    std::vector<char> in_buf_;
    ZSTD_inBuffer in_{nullptr, 0, 0};
    bool inner_eof_ = false;
    bool frame_done_ = true;
};

}  // namespace

std::unique_ptr<ByteStream> open_file_stream(const std::string& path, std::shared_ptr<Origin> origin) {
    int fd = 0;
    bool owned = false;
    if (path != "-") {
        fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) throw InputError(path + ": cannot open: " + std::strerror(errno));
        owned = true;
    }
    struct stat st;
    if (::fstat(fd, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            if (owned) ::close(fd);
            throw InputError(path + ": cannot read: it is a directory");
        }
        if (S_ISREG(st.st_mode)) origin->total = static_cast<uint64_t>(st.st_size);
    }
    return std::make_unique<FileStream>(fd, owned, path == "-" ? "<stdin>" : path, std::move(origin));
}

std::unique_ptr<ByteStream> memory_stream(std::string data, std::shared_ptr<Origin> origin) {
    return std::make_unique<MemoryStream>(std::move(data), std::move(origin));
}

std::unique_ptr<ByteStream> zstd_stream(std::unique_ptr<ByteStream> inner, std::string name) {
    return std::make_unique<ZstdStream>(std::move(inner), std::move(name));
}

bool is_zstd_magic(std::string_view h) {
    if (h.size() < 4) return false;
    auto b = [&](int i) { return static_cast<uint8_t>(h[static_cast<size_t>(i)]); };
    if (b(0) == 0x28 && b(1) == 0xB5 && b(2) == 0x2F && b(3) == 0xFD) return true;
    return (b(0) & 0xF0) == 0x50 && b(1) == 0x2A && b(2) == 0x4D && b(3) == 0x18;
}

std::unique_ptr<Input> buffered_input(std::unique_ptr<ByteStream> raw, const std::string& name, const Origin& origin) {
    size_t buffer = Input::kDefaultBuffer;
    if (origin.total && origin.total < buffer) buffer = static_cast<size_t>(origin.total) + 1;
    auto in = std::make_unique<Input>(std::move(raw), name, buffer);
    if (is_zstd_magic(in->peek(4))) in = std::make_unique<Input>(zstd_stream(std::move(in), name), name);
    return in;
}

Input::Input(std::unique_ptr<ByteStream> stream, std::string name, size_t buffer)
    : stream_(std::move(stream)), name_(std::move(name)), buf_(std::max<size_t>(buffer, 64)) {}

const void* Input::memchr_(const char* p, size_t n) { return n ? std::memchr(p, '\n', n) : nullptr; }

bool Input::fill() {
    if (eof_) return false;
    if (pos_ > 0) {
        std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
        end_ -= pos_;
        pos_ = 0;
    }
    if (end_ == buf_.size()) {
        if (buf_.size() >= kMaxLine)
            throw InputError(name_ + ": a line longer than 1 MiB (is this a text trace?)");
        buf_.resize(buf_.size() * 2);
    }
    size_t got = stream_->read(buf_.data() + end_, buf_.size() - end_);
    if (!got) {
        eof_ = true;
        return false;
    }
    end_ += got;
    return true;
}

std::string_view Input::peek(size_t n) {
    while (end_ - pos_ < n && !eof_) {
        if (pos_ + n > buf_.size() && pos_ == 0 && end_ == buf_.size()) break;  // n > buffer
        fill();
    }
    return std::string_view(buf_.data() + pos_, std::min(n, end_ - pos_));
}

bool Input::next_line_slow(std::string_view& line) {
    for (;;) {
        size_t scanned = end_ - pos_;
        if (!fill()) break;
        if (const void* nl = memchr_(buf_.data() + pos_ + scanned, end_ - pos_ - scanned)) {
            auto at = static_cast<size_t>(static_cast<const char*>(nl) - buf_.data());
            line = std::string_view(buf_.data() + pos_, at - pos_);
            pos_ = at + 1;
            return true;
        }
    }
    if (pos_ == end_) return false;
    line = std::string_view(buf_.data() + pos_, end_ - pos_);  // last line without '\n'
    pos_ = end_;
    return true;
}

bool Input::get_slow(uint8_t& byte) {
    if (!fill() && pos_ == end_) return false;
    byte = static_cast<uint8_t>(buf_[pos_++]);
    return true;
}

size_t Input::read(char* dst, size_t n) {
    if (pos_ == end_) {
        if (eof_) return 0;
        // Large reads bypass the buffer.
        if (n >= buf_.size()) return stream_->read(dst, n);
        if (!fill()) return 0;
    }
    size_t k = std::min(n, end_ - pos_);
    std::memcpy(dst, buf_.data() + pos_, k);
    pos_ += k;
    return k;
}

}  // namespace memsim::trace
