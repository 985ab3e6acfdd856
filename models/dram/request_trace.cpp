#include "models/dram/request_trace.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string_view>

#include "sim/core/error.h"
#include "sim/trace/lex.h"
#include "sim/trace/stream.h"

namespace memsim::dram {

namespace {

using trace::lex::Num;

enum class Format { Auto, Dramsim3, Ramulator, Stl };

Format format_of(const std::string& name) {
    if (name == "auto") return Format::Auto;
    if (name == "dramsim3") return Format::Dramsim3;
    if (name == "ramulator") return Format::Ramulator;
    if (name == "stl") return Format::Stl;
    throw InputError("unknown memory-request trace format '" + name + "' (auto, dramsim3, ramulator, stl)");
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
    return true;
}

// DRAMSim3 reads the address with std::hex: hex with or without 0x.
bool parse_hex(std::string_view t, uint64_t& v) {
    if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) t.remove_prefix(2);
    return trace::lex::parse_hex_digits(t, v) == Num::Ok;
}

bool parse_number(std::string_view t, uint64_t& v) { return trace::lex::parse_u64(t, v) == Num::Ok; }
bool parse_decimal(std::string_view t, uint64_t& v) { return trace::lex::parse_decimal(t, v) == Num::Ok; }

// DRAMSim3's operator>> (src/common.cc) counts WRITE, write, P_MEM_WR and BOFF as writes and
// anything else as a read; here the reads must be spelt as DRAMSim2 / DRAMSim3 traces spell them
// (READ, read, P_MEM_RD, P_FETCH), so a typo is an error rather than a read. -1: neither.
int dramsim3_op(std::string_view op) {
    if (op == "READ" || op == "read" || op == "P_MEM_RD" || op == "P_FETCH") return 0;
    if (op == "WRITE" || op == "write" || op == "P_MEM_WR" || op == "BOFF") return 1;
    return -1;
}

// W: the line's words; false for a blank or comment line.
// BYTES: an STL line's (LEN), 0 when the line gives none (one burst).
bool parse_words(Format format, const trace::lex::Tokens& w, std::string_view line, const std::string& file,
                 uint64_t n, TraceRequest& out, uint64_t& bytes) {
    bytes = 0;
    if (w.n == 0) return false;
    auto bad = [&](const std::string& expected) {
        throw InputError({file, n, 0}, "expected " + expected + ", got '" + std::string(line) + "'");
    };
    switch (format) {
        case Format::Dramsim3: {
            const char* want = "'0xADDR READ|WRITE CYCLE' (DRAMSim3)";
            const int op = w.n == 3 ? dramsim3_op(w.tok[1]) : -1;
            // (The cycle is decimal: DRAMSim3 reads it with std::dec.)
            if (op < 0 || w.more || !parse_hex(w.tok[0], out.addr) || !parse_decimal(w.tok[2], out.cycle)) bad(want);
            out.write = op == 1;
            return true;
        }
        case Format::Ramulator: {
            const char* want = "'LD|ST ADDR' (Ramulator 2 LoadStoreTrace)";
            if (w.n != 2 || w.more || !parse_number(w.tok[1], out.addr)) bad(want);
            if (w.tok[0] == "LD") out.write = false;
            else if (w.tok[0] == "ST") out.write = true;
            else bad(want);
            out.cycle = 0;
            return true;
        }
        case Format::Stl: {
            // DRAMSys StlPlayer::parseTraceFile: the clock in decimal (stoull stops at the ':',
            // which may be left out), an optional (LEN) in bytes before the command, the command,
            // the address in hex with or without 0x (stoull base 16); what follows is a write's
            // data, read only when DRAMSys stores data, which timing does not need: ignored.
            const char* want = "'CYCLE: [(LEN)] read|write ADDR [DATA]' (DRAMSys STL; ADDR hex)";
            std::string_view clock = w.tok[0];
            if (!clock.empty() && clock.back() == ':') clock.remove_suffix(1);
            if (w.n < 3 || !parse_decimal(clock, out.cycle)) bad(want);
            int a = 1;
            if (w.tok[a].front() == '(') {
                const std::string_view len = w.tok[a].substr(1, w.tok[a].size() - 2);
                if (w.tok[a].size() < 3 || w.tok[a].back() != ')' || !parse_decimal(len, bytes) || bytes == 0)
                    bad(want);
                ++a;
            }
            if (a + 1 >= w.n) bad(want);
            if (iequals(w.tok[a], "read")) out.write = false;
            else if (iequals(w.tok[a], "write")) out.write = true;
            else bad(want);
            ++a;
            if (!parse_hex(w.tok[a], out.addr)) bad(want);
            return true;
        }
        case Format::Auto: break;
    }
    throw InputError("memory-request trace format 'auto' needs a line to tell it from");
}

bool parses(Format f, const trace::lex::Tokens& w, std::string_view line) {
    try {
        TraceRequest req;
        uint64_t bytes;
        parse_words(f, w, line, "", 0, req, bytes);
        return true;
    } catch (const InputError&) {
        return false;
    }
}

// The format the first request line says, the rule `auto` reads a trace by: the first of
// Ramulator (LD/ST first), STL with its ':', DRAMSim3 (an operation second), then STL without the
// ':' (DRAMSys allows it; "100 read 4000" is DRAMSim3's) whose whole line parses. A line that
// parses as none but is shaped like one (LD/ST first, a clock and ':', or a 0x address and two
// more words: no other trace starts so) is that format's, so its reader names what is wrong.
// Auto if none.
Format format_of_line(const trace::lex::Tokens& w, std::string_view line) {
    const bool ld_st = w.tok[0] == "LD" || w.tok[0] == "ST", clock = w.tok[0].back() == ':';
    if (ld_st && parses(Format::Ramulator, w, line)) return Format::Ramulator;
    if (clock && parses(Format::Stl, w, line)) return Format::Stl;
    if (w.n == 3 && dramsim3_op(w.tok[1]) >= 0 && parses(Format::Dramsim3, w, line)) return Format::Dramsim3;
    if (parses(Format::Stl, w, line)) return Format::Stl;
    if (ld_st) return Format::Ramulator;
    if (clock) return Format::Stl;
    const std::string_view a = w.tok[0];
    if (w.n == 3 && a.size() > 2 && a[0] == '0' && (a[1] == 'x' || a[1] == 'X')) return Format::Dramsim3;
    return Format::Auto;
}

}  // namespace

namespace {

class FileSource final : public RequestSource {
public:
    FileSource(const std::string& path, Format format, const RequestTraceOptions& opts)
        : path_(path), format_(format), opts_(opts), relative_(format == Format::Stl && relative_stl(path)),
          in_(open(path)) {}
    const TraceNotes& notes() const override { return notes_; }
    bool next(TraceRequest& out) override {
        if (!read_next(out)) return false;
        // (A request at or after the window's end is not fed: not counted.)
        if (opts_.memory_size && out.addr >= opts_.memory_size && out.cycle < opts_.until) {
            if (!notes_.beyond_size++) {
                notes_.first_beyond_line = n_;
                notes_.first_beyond_addr = out.addr;
            }
        }
        return true;
    }

private:
    bool read_next(TraceRequest& out) {
        if (more_bursts_) {
            // The next burst of a longer STL request, at the same clock.
            --more_bursts_;
            last_req_.addr = (last_req_.addr / kBurstBytes + 1) * kBurstBytes;
            out = last_req_;
            return true;
        }
        trace::lex::Tokens w;
        std::string_view view;
        while (in_->next_line(view)) {
            ++n_;
            trace::lex::split(view, w);
            if (w.n == 0) continue;
            try {
                if (read_line(w, view, out)) return true;
            } catch (const InputError& e) {
                if (!opts_.lenient) throw;
                if (!notes_.skipped_lines++) {
                    notes_.first_skipped_line = n_;
                    notes_.first_skipped_error = e.what();
                }
            }
        }
        return false;
    }

    bool read_line(const trace::lex::Tokens& w, std::string_view view, TraceRequest& out) {
        if (format_ == Format::Auto) {
            format_ = format_of_line(w, view);
            if (format_ == Format::Auto)
                throw InputError({path_, n_, 0}, "cannot tell the trace format from '" + std::string(view) +
                                                     "' (dramsim3: '0xADDR READ 10', ramulator: 'LD 0xADDR', "
                                                     "stl: '10: read 0xADDR')");
            relative_ = format_ == Format::Stl && relative_stl(path_);
        }
        uint64_t bytes;
        parse_words(format_, w, view, path_, n_, out, bytes);
        // DRAMSys (Simulator.cpp: the .rstl extension): each clock is a delay after the request
        // before.
        if (relative_ && out.cycle <= kMaxCycle) out.cycle += last_;  // (a larger one is refused below)
        if (out.cycle > kMaxCycle)
            throw InputError({path_, n_, 0}, "cycle " + std::to_string(out.cycle) +
                                                 " is beyond 2^52 memory clocks, the latest a run's picosecond "
                                                 "times hold at any DDR3 clock");
        if (bytes > kMaxRequestBytes)
            throw InputError({path_, n_, 0}, "request length " + std::to_string(bytes) + " is over " +
                                                 std::to_string(kMaxRequestBytes) + " bytes");
        if (out.cycle < last_) {
            // Behind the line before: DRAMSys's StlPlayer (nextTrigger: behindSchedule) and
            // DRAMSim3's trace CPU (cpu.cc: clk_ >= trans_.added_cycle) send it at once.
            if (!notes_.late_requests++) notes_.first_late_line = n_;
            out.cycle = last_;
        }
        const uint64_t trace_cycle = out.cycle;
        if (opts_.clock_ps && opts_.memory_tck_ps && opts_.clock_ps != opts_.memory_tck_ps) {
            const unsigned __int128 ps = (unsigned __int128)out.cycle * opts_.clock_ps;
            const unsigned __int128 at = (ps + opts_.memory_tck_ps - 1) / opts_.memory_tck_ps;
            if (at > kMaxCycle)
                throw InputError({path_, n_, 0}, "cycle " + std::to_string(out.cycle) + " of " +
                                                     std::to_string(opts_.clock_ps) +
                                                     " ps is beyond 2^52 memory clocks");
            out.cycle = uint64_t(at);
        }
        last_ = trace_cycle;
        if (bytes) {
            more_bursts_ = (out.addr % kBurstBytes + bytes - 1) / kBurstBytes;
            last_req_ = out;
        }
        return true;
    }

    static bool relative_stl(const std::string& path) {
        auto ends = [&](const std::string& x) {
            return path.size() >= x.size() && path.compare(path.size() - x.size(), x.size(), x) == 0;
        };
        return ends(".rstl") || ends(".rstl.zst");
    }

    static std::unique_ptr<trace::Input> open(const std::string& path) {
        try {
            auto origin = std::make_shared<trace::Origin>();
            auto raw = trace::open_file_stream(path, origin);
            return trace::buffered_input(std::move(raw), path, *origin);
        } catch (const InputError& e) {
            throw InputError(std::string("memory-request trace ") + e.what());
        }
    }

    // Every preset's burst: a 64-bit DIMM's BL8. A longer STL request is one request per burst it
    // touches, all at its clock, as the controllers split a longer mem::Request.
    static constexpr uint64_t kBurstBytes = 64, kMaxRequestBytes = uint64_t(1) << 20;
    static constexpr uint64_t kMaxCycle = uint64_t(1) << 52;
    std::string path_;
    Format format_;
    RequestTraceOptions opts_;
    bool relative_ = false;
    TraceNotes notes_;
    uint64_t more_bursts_ = 0;
    TraceRequest last_req_{};
    std::unique_ptr<trace::Input> in_;
    uint64_t n_ = 0, last_ = 0;
};

}  // namespace

std::string detect_request_trace_format(const std::string& path) {
    // Only a regular file: a pipe or FIFO read here would be gone (or never end) for the reader
    // that opens it next.
    std::error_code ec;
    if (path == "-" || !std::filesystem::is_regular_file(path, ec)) return "";
    std::unique_ptr<trace::Input> in;
    try {
        auto origin = std::make_shared<trace::Origin>();
        in = trace::buffered_input(trace::open_file_stream(path, origin), path, *origin);
    } catch (const InputError&) {
        return "";  // the trace reader that opens it next says why it cannot
    }
    // As far as the first line that is neither blank nor a comment, within the first 16 KiB (a
    // binary trace has no lines to read).
    std::string_view head = in->peek(16 * 1024);
    while (!head.empty()) {
        const size_t nl = head.find('\n');
        if (nl == std::string_view::npos && !in->at_end()) return "";  // a line cut at 16 KiB
        const std::string_view line = head.substr(0, nl);
        head = nl == std::string_view::npos ? std::string_view() : head.substr(nl + 1);
        trace::lex::Tokens w;
        trace::lex::split(line, w);
        if (w.n == 0) continue;
        const Format f = format_of_line(w, line);
        if (f == Format::Auto) return "";
        return f == Format::Dramsim3 ? "dramsim3" : f == Format::Ramulator ? "ramulator" : "stl";
    }
    return "";
}

std::unique_ptr<RequestSource> open_request_trace(const std::string& path, const std::string& format,
                                                  const RequestTraceOptions& opts) {
    return std::make_unique<FileSource>(path, format_of(format), opts);
}

}  // namespace memsim::dram
