// open_trace(): the input layers (file or memory, then zstd if the content says so), format
// detection, and the reader for the format.
#include <cstdio>
#include <cstring>

#include "sim/core/error.h"
#include "sim/trace/binary_format.h"
#include "sim/trace/lex.h"
#include "sim/trace/readers.h"

namespace memsim::trace {

namespace {

constexpr Format kFormats[] = {Format::Auto, Format::Text, Format::Binary, Format::Mtrace, Format::Lackey};

bool starts(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// "==1234==", "--1234--", "**1234**": valgrind's own messages.
bool valgrind_prefix(std::string_view line) {
    for (char m : {'=', '-', '*'}) {
        if (line.size() < 3 || line[0] != m || line[1] != m || line[2] < '0' || line[2] > '9') continue;
        return true;
    }
    return false;
}

Format classify(std::string_view line) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
        line.remove_suffix(1);
    if (line.empty()) return Format::Auto;
    if (starts(line, "# memsim-trace")) return Format::Text;
    if (valgrind_prefix(line)) return Format::Lackey;
    if ((starts(line, "I  ") || starts(line, " L ") || starts(line, " S ") || starts(line, " M ")) &&
        line.size() > 3 && lex::hex_digit(line[3]) >= 0)
        return Format::Lackey;
    if (starts(line, "= ") || starts(line, "@ ")) return Format::Mtrace;
    if (line.size() > 2 && std::strchr("+-<>!", line[0]) && line[1] == ' ' &&
        (starts(line.substr(2), "0x") || starts(line.substr(2), "(nil)")))
        return Format::Mtrace;
    lex::Tokens t;
    lex::split(line, t);
    if (!t.n) return Format::Auto;  // a comment
    Op op;
    return op_from_name(t.tok[0], op) ? Format::Text : Format::Auto;
}

// The first line that decides. Auto with `stuck` set: a line no format claims. Auto with
// `need_more`: every complete line was blank or a comment and HEAD is not the whole input.
Format detect(std::string_view head, bool complete, std::string* stuck, bool* need_more) {
    if (need_more) *need_more = false;
    if (head.size() >= 4 && std::memcmp(head.data(), binary::kMagic, 4) == 0) return Format::Binary;
    for (int n = 0; n < 64 && !head.empty(); ++n) {
        size_t nl = head.find('\n');
        if (nl == std::string_view::npos && !complete) break;  // a cut line says nothing
        std::string_view line = head.substr(0, nl);
        head = nl == std::string_view::npos ? std::string_view() : head.substr(nl + 1);
        Format f = classify(line);
        if (f != Format::Auto) return f;
        lex::Tokens t;
        lex::split(line, t);
        if (t.n) {  // neither blank nor a comment, and no format claims it
            if (stuck) *stuck = lex::quote(line);
            return Format::Auto;
        }
    }
    if (!complete) {
        if (need_more) *need_more = true;
        return Format::Auto;
    }
    return Format::Text;  // blank lines and comments only: a text trace
}

std::unique_ptr<Reader> open_stream(const std::string& name, std::unique_ptr<ByteStream> raw,
                                     std::shared_ptr<Origin> origin, const ReadOptions& opts) {
    auto in = buffered_input(std::move(raw), name, *origin);
    Format f = opts.format;
    if (f == Format::Auto) {
        // Read only as much as the decision needs: a pipe's writer may still be producing.
        constexpr size_t kWindow = 16 * 1024;
        std::string_view head = in->peek(1);
        std::string stuck;
        for (;;) {
            bool complete = in->at_end();
            bool need_more = false;
            f = detect(head, complete, &stuck, &need_more);
            if (!need_more) break;
            if (head.size() >= kWindow) {
                f = Format::Text;  // 16 KiB of comments and blank lines
                break;
            }
            head = in->peek(head.size() + 1);
        }
        if (f == Format::Auto)
            throw InputError(name + ": unrecognised trace format (tried binary, text, mtrace, lackey; "
                             "no format starts like " + stuck + "); use --trace-format to choose one");
    }
    ReaderInput ri{std::move(in), name, std::move(origin), opts};
    switch (f) {
        case Format::Binary: return make_binary_reader(std::move(ri));
        case Format::Mtrace: return make_mtrace_reader(std::move(ri));
        case Format::Lackey: return make_lackey_reader(std::move(ri));
        default: return make_text_reader(std::move(ri));
    }
}

}  // namespace

std::string_view format_name(Format f) {
    switch (f) {
        case Format::Auto: return "auto";
        case Format::Text: return "text";
        case Format::Binary: return "binary";
        case Format::Mtrace: return "mtrace";
        case Format::Lackey: return "lackey";
    }
    return "?";
}

Format parse_format(std::string_view name) {
    for (Format f : kFormats)
        if (format_name(f) == name) return f;
    throw InputError("unknown trace format " + lex::quote(name) +
                     " (expected auto, text, binary, mtrace or lackey)");
}

Format detect_format(std::string_view head, bool complete) {
    return detect(head, complete, nullptr, nullptr);
}

std::unique_ptr<Reader> open_trace(const std::string& path, const ReadOptions& opts) {
    auto origin = std::make_shared<Origin>();
    auto raw = open_file_stream(path, origin);
    return open_stream(path == "-" ? "<stdin>" : path, std::move(raw), std::move(origin), opts);
}

std::unique_ptr<Reader> open_trace_memory(const std::string& name, std::string data, const ReadOptions& opts) {
    auto origin = std::make_shared<Origin>();
    auto raw = memory_stream(std::move(data), origin);
    return open_stream(name, std::move(raw), std::move(origin), opts);
}

void StreamReader::malformed(const std::string& what) {
    SourceLocation at{ri_.name, stats_.lines, 0};
    if (!ri_.opts.lenient) throw InputError(at, what);
    ++stats_.skipped_lines;
    if (ri_.opts.warn && stats_.skipped_lines <= kMaxWarnings) {
        std::fprintf(stderr, "%s: skipped: %s\n", at.str().c_str(), what.c_str());
        if (stats_.skipped_lines == kMaxWarnings)
            std::fprintf(stderr, "%s: further malformed lines are skipped silently\n", ri_.name.c_str());
    }
}

void StreamReader::warn(uint64_t line, const std::string& what) {
    if (!ri_.opts.warn || ++warnings_ > kMaxWarnings) return;
    SourceLocation at{ri_.name, line, 0};
    std::fprintf(stderr, "%s: warning: %s\n", at.str().c_str(), what.c_str());
    if (warnings_ == kMaxWarnings)
        std::fprintf(stderr, "%s: further warnings are not shown (the summary counts them)\n", ri_.name.c_str());
}

}  // namespace memsim::trace
