// The memsim text format (docs/trace-format.md, "Text format"): one event a line, the keyword
// first, fields by position. Parsing is table-driven: kSpecs lists each event's fields.
#include <algorithm>
#include <cstring>

#include "sim/core/error.h"
#include "sim/trace/check.h"
#include "sim/trace/lex.h"
#include "sim/trace/names.h"
#include "sim/trace/readers.h"

namespace memsim::trace {

namespace {

enum class Arg : uint8_t {
    Num,     // unsigned 64-bit, decimal or 0x hex
    Signed,  // signed 64-bit
    Param,   // mallopt PARAM: M_* name or signed number
    Advice,  // madvise ADVICE: MADV_* name or signed number
    Prot,    // mmap PROT
    Zone,    // alloc_pages ZONE
    Name,    // kmem cache or device name
};

struct ArgSpec {
    const char* label = nullptr;
    Arg kind = Arg::Num;
    uint64_t Event::*u = nullptr;  // Num
    int64_t Event::*s = nullptr;   // Signed, Param, Advice
};

struct OpSpec {
    const char* usage;
    int required;
    int total;
    ArgSpec args[5];
};

constexpr ArgSpec num(const char* label, uint64_t Event::*u) { return {label, Arg::Num, u, nullptr}; }
constexpr ArgSpec sig(const char* label, Arg k, int64_t Event::*s) { return {label, k, nullptr, s}; }
constexpr ArgSpec other(const char* label, Arg k) { return {label, k, nullptr, nullptr}; }

// Indexed by Op. Touch has its own grammar (optional range, optional r|w) handled in parse_touch.
const OpSpec kSpecs[kOpCount] = {
    {"malloc ID SIZE", 2, 2, {num("ID", &Event::id), num("SIZE", &Event::size)}},
    {"calloc ID NMEMB SIZE", 3, 3,
     {num("ID", &Event::id), num("NMEMB", &Event::nmemb), num("SIZE", &Event::size)}},
    {"realloc OLD_ID NEW_ID SIZE", 3, 3,
     {num("OLD_ID", &Event::id), num("NEW_ID", &Event::id2), num("SIZE", &Event::size)}},
    {"memalign ID ALIGN SIZE", 3, 3,
     {num("ID", &Event::id), num("ALIGN", &Event::align), num("SIZE", &Event::size)}},
    {"free ID", 1, 1, {num("ID", &Event::id)}},
    {"mallopt PARAM VALUE", 2, 2,
     {sig("PARAM", Arg::Param, &Event::param), sig("VALUE", Arg::Signed, &Event::value)}},
    {"thread_exit TID", 1, 1, {num("TID", &Event::tid)}},
    {"mmap ID LENGTH [PROT]", 2, 3,
     {num("ID", &Event::id), num("LENGTH", &Event::length), other("PROT", Arg::Prot)}},
    {"munmap ID", 1, 1, {num("ID", &Event::id)}},
    {"madvise ID OFFSET LENGTH ADVICE", 4, 4,
     {num("ID", &Event::id), num("OFFSET", &Event::offset), num("LENGTH", &Event::length),
      sig("ADVICE", Arg::Advice, &Event::advice)}},
    {"touch ID [OFFSET LENGTH] [r|w]", 1, 4, {}},
    {"read ADDR SIZE", 2, 2, {num("ADDR", &Event::addr), num("SIZE", &Event::size)}},
    {"write ADDR SIZE", 2, 2, {num("ADDR", &Event::addr), num("SIZE", &Event::size)}},
    {"modify ADDR SIZE", 2, 2, {num("ADDR", &Event::addr), num("SIZE", &Event::size)}},
    {"ifetch ADDR SIZE", 2, 2, {num("ADDR", &Event::addr), num("SIZE", &Event::size)}},
    {"compute CYCLES", 1, 1, {num("CYCLES", &Event::cycles)}},
    {"thread TID", 1, 1, {num("TID", &Event::tid)}},
    {"kmalloc ID SIZE", 2, 2, {num("ID", &Event::id), num("SIZE", &Event::size)}},
    {"kfree ID", 1, 1, {num("ID", &Event::id)}},
    {"kmem_cache_create NAME SIZE [ALIGN]", 2, 3,
     {other("NAME", Arg::Name), num("SIZE", &Event::size), num("ALIGN", &Event::align)}},
    {"kmem_cache_alloc ID NAME", 2, 2, {num("ID", &Event::id), other("NAME", Arg::Name)}},
    {"kmem_cache_free ID", 1, 1, {num("ID", &Event::id)}},
    {"alloc_pages ID ORDER [ZONE]", 2, 3,
     {num("ID", &Event::id), num("ORDER", &Event::order), other("ZONE", Arg::Zone)}},
    {"free_pages ID", 1, 1, {num("ID", &Event::id)}},
    {"dma_alloc ID SIZE", 2, 2, {num("ID", &Event::id), num("SIZE", &Event::size)}},
    {"dma_free ID", 1, 1, {num("ID", &Event::id)}},
    {"dma DEVICE SRC_ID DST_ID LENGTH", 4, 4,
     {other("DEVICE", Arg::Name), num("SRC_ID", &Event::id), num("DST_ID", &Event::id2),
      num("LENGTH", &Event::length)}},
    {"malloc_trim PAD", 1, 1, {num("PAD", &Event::size)}},
};

const char* what(Arg k) {
    switch (k) {
        case Arg::Num: return "a number";
        case Arg::Signed: return "a signed number";
        case Arg::Param: return "an M_* name such as M_MMAP_MAX, or a signed number";
        case Arg::Advice: return "an MADV_* name such as DONTNEED, or a number";
        case Arg::Prot: return "none, or letters from r, w, x";
        case Arg::Zone: return "DMA, DMA32 or Normal";
        case Arg::Name: return "a name";
    }
    return "";
}

size_t edit_distance(std::string_view a, std::string_view b) {
    size_t row[32];
    if (b.size() >= 32) return 99;
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] != b[j - 1])});
            diag = up;
        }
    }
    return row[b.size()];
}

std::string unknown_keyword(std::string_view word) {
    std::string best;
    size_t best_d = 3;  // suggest only within two edits
    for (int i = 0; i < kOpCount; ++i) {
        std::string_view k = op_name(static_cast<Op>(i));
        if (word.size() > k.size() + 2 || k.size() > word.size() + 2) continue;  // > 2 edits apart
        size_t d = edit_distance(word, k);
        if (d < best_d) {
            best_d = d;
            best = std::string(k);
        }
    }
    std::string msg = "expected an event keyword, got " + lex::quote(word);
    if (!best.empty()) return msg + " (did you mean \"" + best + "\"?)";
    return msg + " (events are listed in docs/trace-format.md)";
}

class TextReader final : public StreamReader {
public:
    using StreamReader::StreamReader;
    Format format() const override { return Format::Text; }

    bool next(Event& ev) override {
        std::string_view line;
        while (ri_.in->next_line(line)) {
            ++stats_.lines;
            if (stats_.lines == 1 && !check_header(line)) {
                malformed(error_);
                continue;
            }
            lex::split(line, toks_);
            if (!toks_.n) continue;
            if (!parse(ev)) {
                malformed(error_);
                continue;
            }
            ev.line = stats_.lines;
            ++stats_.events;
            return true;
        }
        return false;
    }

private:
    bool check_header(std::string_view line) {
        static constexpr std::string_view kHeader = "# memsim-trace";
        if (line.substr(0, kHeader.size()) != kHeader) return true;
        std::string_view rest = line.substr(kHeader.size());
        while (!rest.empty() && (rest.back() == '\r' || rest.back() == ' ')) rest.remove_suffix(1);
        if (rest == " v1") return true;
        error_ = "expected \"# memsim-trace v1\" (this memsim reads version 1), got " + lex::quote(line);
        return false;
    }

    bool fail(std::string msg) {
        error_ = std::move(msg);
        return false;
    }

    bool bad_arg(std::string_view kw, const ArgSpec& a, std::string_view tok, lex::Num r) {
        std::string m = std::string(kw) + ": expected " + a.label + " (" + what(a.kind) + "), got ";
        if (r == lex::Num::Overflow) {
            const char* range = a.kind == Arg::Num ? "64 bits" : "a signed 64-bit number";
            return fail(m + lex::quote(tok) + ", which does not fit in " + range);
        }
        return fail(m + lex::quote(tok));
    }

    bool parse(Event& ev) {
        Op op;
        std::string_view kw = toks_.tok[0];
        if (!op_from_name(kw, op)) return fail(unknown_keyword(kw));
        reset_event(ev, op);
        const OpSpec& spec = kSpecs[static_cast<int>(op)];
        int given = toks_.n - 1;
        if (op == Op::Touch) {
            if (!parse_touch(ev, kw, spec)) return false;
        } else {
            int n = std::min(given, spec.total);
            for (int i = 0; i < n; ++i)
                if (!parse_arg(ev, kw, spec.args[i], toks_.tok[i + 1])) return false;
            if (given < spec.required) {
                const ArgSpec& a = spec.args[given];
                return fail(std::string(kw) + ": expected " + a.label + " (" + what(a.kind) +
                            "), got end of line (usage: " + spec.usage + ")");
            }
            if (given > spec.total || toks_.more) {
                return fail(std::string(kw) + ": expected end of line after " +
                            spec.args[spec.total - 1].label + ", got " +
                            lex::quote(toks_.tok[spec.total + 1]) + " (usage: " + spec.usage + ")");
            }
        }
        std::string p = event_problem(ev);
        if (!p.empty()) return fail(std::move(p));
        return true;
    }

    bool parse_arg(Event& ev, std::string_view kw, const ArgSpec& a, std::string_view t) {
        lex::Num r = lex::Num::Ok;
        switch (a.kind) {
            case Arg::Num:
                r = lex::parse_u64(t, ev.*(a.u));
                break;
            case Arg::Signed:
                r = lex::parse_i64(t, ev.*(a.s));
                break;
            case Arg::Param:
            case Arg::Advice: {
                bool is_num = !t.empty() && (t[0] == '-' || (t[0] >= '0' && t[0] <= '9'));
                if (is_num) {
                    r = lex::parse_i64(t, ev.*(a.s));
                } else {
                    bool ok = a.kind == Arg::Param ? mallopt_param_from_name(t, ev.*(a.s))
                                                   : madvise_from_name(t, ev.*(a.s));
                    if (!ok) r = lex::Num::NotNumber;
                }
                break;
            }
            case Arg::Prot:
                if (!prot_from_text(t, ev.prot)) r = lex::Num::NotNumber;
                break;
            case Arg::Zone:
                if (!zone_from_name(t, ev.name)) r = lex::Num::NotNumber;
                break;
            case Arg::Name:
                ev.name.assign(t.data(), t.size());  // event_problem checks the spelling
                break;
        }
        return r == lex::Num::Ok || bad_arg(kw, a, t, r);
    }

    // touch ID [OFFSET LENGTH] [r|w]
    bool parse_touch(Event& ev, std::string_view kw, const OpSpec& spec) {
        static const ArgSpec kId = num("ID", &Event::id), kOff = num("OFFSET", &Event::offset),
                             kLen = num("LENGTH", &Event::length);
        int given = toks_.n - 1;
        if (given < 1)
            return fail("touch: expected ID (a number), got end of line (usage: " +
                        std::string(spec.usage) + ")");
        if (!parse_arg(ev, kw, kId, toks_.tok[1])) return false;
        int i = 2;
        auto is_rw = [](std::string_view t) { return t == "r" || t == "w"; };
        if (i < toks_.n && !is_rw(toks_.tok[i])) {
            if (!parse_arg(ev, kw, kOff, toks_.tok[i])) return false;
            if (i + 1 >= toks_.n)
                return fail("touch: expected LENGTH (a number) after OFFSET, got end of line (usage: " +
                            std::string(spec.usage) + ")");
            if (!parse_arg(ev, kw, kLen, toks_.tok[i + 1])) return false;
            ev.has_range = true;
            i += 2;
        }
        if (i < toks_.n) {
            if (!is_rw(toks_.tok[i]))
                return fail("touch: expected r or w, got " + lex::quote(toks_.tok[i]) +
                            " (usage: " + spec.usage + ")");
            ev.write = toks_.tok[i] == "w";
            ++i;
        }
        if (i < toks_.n || toks_.more)
            return fail("touch: expected end of line, got " + lex::quote(toks_.tok[i]) +
                        " (usage: " + spec.usage + ")");
        return true;
    }

    lex::Tokens toks_;
    std::string error_;
};

}  // namespace

std::unique_ptr<Reader> make_text_reader(ReaderInput ri) {
    return std::make_unique<TextReader>(std::move(ri));
}

}  // namespace memsim::trace
