#include "models/dram/request_trace.h"

#include <cctype>
#include <sstream>
#include <vector>

#include "sim/core/error.h"

namespace memsim::dram {

namespace {

bool parse_u64(const std::string& s, uint64_t& v, bool hex_needs_prefix) {
    if (s.empty()) return false;
    size_t i = 0;
    int base = 10;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        i = 2;
    } else if (!hex_needs_prefix) {
        base = 16;
    }
    uint64_t x = 0;
    for (; i < s.size(); ++i) {
        int d;
        char c = char(std::tolower(static_cast<unsigned char>(s[i])));
        if (c >= '0' && c <= '9') d = c - '0';
        else if (base == 16 && c >= 'a' && c <= 'f') d = c - 'a' + 10;
        else return false;
        if (x > (UINT64_MAX - uint64_t(d)) / uint64_t(base)) return false;
        x = x * uint64_t(base) + uint64_t(d);
    }
    v = x;
    return true;
}

std::vector<std::string> words(const std::string& line) {
    std::vector<std::string> w;
    std::istringstream s(line);
    std::string x;
    while (s >> x) w.push_back(x);
    return w;
}

std::string lower(std::string s) {
    for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace

bool parse_request_line(const std::string& format, const std::string& line, const std::string& file, uint64_t n,
                        TraceRequest& out) {
    auto w = words(line);
    if (w.empty() || w[0][0] == '#') return false;
    auto bad = [&](const std::string& expected) {
        throw InputError({file, n, 0}, "expected " + expected + ", got '" + line + "'");
    };
    if (format == "dramsim3") {
        const char* want = "'0xADDR READ|WRITE CYCLE' (DRAMSim3)";
        if (w.size() != 3 || !parse_u64(w[0], out.addr, false) || !parse_u64(w[2], out.cycle, true)) bad(want);
        std::string op = w[1];
        if (op == "READ") out.write = false;
        else if (op == "WRITE") out.write = true;
        else bad(want);
        return true;
    }
    if (format == "ramulator") {
        const char* want = "'LD|ST ADDR' (Ramulator 2 LoadStoreTrace)";
        if (w.size() != 2 || !parse_u64(w[1], out.addr, true)) bad(want);
        if (w[0] == "LD") out.write = false;
        else if (w[0] == "ST") out.write = true;
        else bad(want);
        out.cycle = 0;
        return true;
    }
    if (format == "stl") {
        const char* want = "'CYCLE: read|write [(LEN)] 0xADDR [DATA]' (DRAMSys STL)";
        if (w.size() < 3 || w[0].back() != ':' || !parse_u64(w[0].substr(0, w[0].size() - 1), out.cycle, true))
            bad(want);
        std::string op = lower(w[1]);
        if (op == "read") out.write = false;
        else if (op == "write") out.write = true;
        else bad(want);
        size_t a = 2;
        if (w[a].front() == '(') {
            if (w[a].back() != ')' || w.size() < 4) bad(want);
            ++a;
        }
        if (!parse_u64(w[a], out.addr, true)) bad(want);
        return true;
    }
    throw InputError("unknown memory-request trace format '" + format + "' (dramsim3, ramulator, stl)");
}

namespace {

class FileSource final : public RequestSource {
public:
    FileSource(const std::string& path, std::string format) : path_(path), format_(std::move(format)), in_(path) {
        if (!in_) throw InputError("cannot open memory-request trace '" + path + "'");
    }
    bool next(TraceRequest& out) override {
        std::string line;
        while (std::getline(in_, line)) {
            ++n_;
            if (format_ == "auto") {
                auto w = words(line);
                if (w.empty() || w[0][0] == '#') continue;
                if (w[0] == "LD" || w[0] == "ST") format_ = "ramulator";
                else if (w[0].back() == ':') format_ = "stl";
                else if (w.size() == 3 && (w[1] == "READ" || w[1] == "WRITE")) format_ = "dramsim3";
                else
                    throw InputError({path_, n_, 0}, "cannot tell the trace format from '" + line +
                                                         "' (dramsim3: '0xADDR READ 10', ramulator: 'LD 0xADDR', "
                                                         "stl: '10: read 0xADDR')");
            }
            if (parse_request_line(format_, line, path_, n_, out)) {
                if (out.cycle < last_)
                    throw InputError({path_, n_, 0}, "cycle " + std::to_string(out.cycle) + " goes back from " +
                                                         std::to_string(last_) + " (requests must be in time order)");
                last_ = out.cycle;
                return true;
            }
        }
        if (in_.bad()) throw InputError("error reading '" + path_ + "'");
        return false;
    }

private:
    std::string path_, format_;
    std::ifstream in_;
    uint64_t n_ = 0, last_ = 0;
};

}  // namespace

std::unique_ptr<RequestSource> open_request_trace(const std::string& path, const std::string& format) {
    if (format != "auto" && format != "dramsim3" && format != "ramulator" && format != "stl")
        throw InputError("unknown memory-request trace format '" + format + "' (auto, dramsim3, ramulator, stl)");
    return std::make_unique<FileSource>(path, format);
}

}  // namespace memsim::dram
