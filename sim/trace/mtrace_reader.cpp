// Imports a glibc mtrace() log (MALLOC_TRACE). glibc 2.36 malloc/mtrace-impl.c writes, per call:
//   [@ WHERE ]+ PTR SIZE      malloc, calloc, memalign, and realloc(NULL, n)   (PTR "(nil)": failed)
//   [@ WHERE ]- PTR           free, and realloc(p, 0) that freed p
//   [@ WHERE ]< OLD           realloc that moved or resized OLD; always followed (under the same
//   [@ WHERE ]> NEW SIZE      stream lock) by the '>' line with the result
//   [@ WHERE ]! OLD SIZE      realloc that failed; OLD stays allocated
// with "= Start" / "= End" around them. WHERE is tr_where()'s "FILE:(SYM+OFF)[CALLER]",
// "FILE:[CALLER]" or "[CALLER]", ending "] "; it is absent when the caller is unknown. PTR is
// "%p" (0x..., or "(nil)"); SIZE is "%#lx" (0x..., or "0").
// Pointers become small IDs, reused after free; calloc and memalign appear as malloc because the
// log does not tell them apart.
#include <unordered_map>
#include <vector>

#include "sim/trace/check.h"
#include "sim/trace/lex.h"
#include "sim/trace/readers.h"

namespace memsim::trace {

namespace {

class MtraceReader final : public StreamReader {
public:
    using StreamReader::StreamReader;
    Format format() const override { return Format::Mtrace; }

    bool next(Event& ev) override {
        std::string_view line;
        while (ri_.in->next_line(line)) {
            ++stats_.lines;
            if (handle(line, ev)) {
                ev.line = stats_.lines;
                ++stats_.events;
                return true;
            }
        }
        if (pending_old_line_) {
            uint64_t at = pending_old_line_;
            pending_old_line_ = 0;
            stats_.lines = at;
            malformed("expected a '>' line after this realloc '<' line, got end of file");
        }
        return false;
    }

private:
    // Splits off tr_where's "@ ...] " prefix. The caller's file name may contain "] ", so each
    // candidate is tried until the rest starts with an operation character and a space.
    static std::string_view strip_where(std::string_view line) {
        if (line.size() < 2 || line[0] != '@' || line[1] != ' ') return line;
        size_t from = 2;
        for (;;) {
            size_t at = line.find("] ", from);
            if (at == std::string_view::npos) return {};
            std::string_view rest = line.substr(at + 2);
            if (rest.size() >= 2 && rest[1] == ' ' && std::string_view("+-<>!").find(rest[0]) != std::string_view::npos)
                return rest;
            from = at + 1;
        }
    }

    // "0x..." or "(nil)" (0).
    static bool pointer(std::string_view t, uint64_t& p) {
        if (t == "(nil)") {
            p = 0;
            return true;
        }
        return t.size() > 2 && t[0] == '0' && t[1] == 'x' && lex::parse_hex_digits(t.substr(2), p) == lex::Num::Ok;
    }
    // "%#lx": "0x..." or "0".
    static bool size(std::string_view t, uint64_t& s) {
        if (t == "0") {
            s = 0;
            return true;
        }
        return t.size() > 2 && t[0] == '0' && t[1] == 'x' && lex::parse_hex_digits(t.substr(2), s) == lex::Num::Ok;
    }

    // True when the line produced ev.
    bool handle(std::string_view line, Event& ev) {
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty() || line[0] == '=') return false;  // "= Start", "= End"
        std::string_view rec = strip_where(line);
        lex::split(rec, toks_);
        char op = toks_.n ? (toks_.tok[0].size() == 1 ? toks_.tok[0][0] : '?') : '?';
        int want = (op == '+' || op == '>' || op == '!') ? 3 : (op == '-' || op == '<') ? 2 : 0;
        uint64_t ptr = 0, sz = 0;
        if (!want || toks_.n != want || !pointer(toks_.tok[1], ptr) || (want == 3 && !size(toks_.tok[2], sz))) {
            malformed("expected an mtrace record such as \"@ ./prog:[0x1189] + 0x55d0c2a4f2a0 0x64\", got " +
                      lex::quote(line));
            return false;
        }
        if (pending_old_line_ && op != '>') {
            uint64_t here = stats_.lines;
            stats_.lines = pending_old_line_;
            pending_old_line_ = 0;
            malformed("expected a '>' line after this realloc '<' line");
            stats_.lines = here;
        }
        switch (op) {
            case '+':
                if (!ptr) return false;  // a failed allocation: the program got NULL, no block
                reset_event(ev, Op::Malloc);
                ev.id = allocate(ptr);
                ev.size = sz;
                return true;
            case '-': {
                if (!ptr) return false;
                auto it = live_.find(ptr);
                if (it == live_.end()) {
                    drop(fmt_ptr("free of ", ptr, ", which this log never allocated"));
                    return false;
                }
                reset_event(ev, Op::Free);
                ev.id = it->second;
                release(it);
                return true;
            }
            case '<':
                pending_old_ = ptr;
                pending_old_line_ = stats_.lines;
                return false;
            case '>': {
                if (!pending_old_line_) {
                    malformed("expected a realloc '<' line before this '>' line");
                    return false;
                }
                pending_old_line_ = 0;
                auto it = live_.find(pending_old_);
                if (it == live_.end()) {
                    // The old block is unknown but the new one is real: keep it, as a malloc.
                    drop(fmt_ptr("realloc of ", pending_old_, ", which this log never allocated; kept as a malloc"));
                    reset_event(ev, Op::Malloc);
                    ev.id = allocate(ptr);
                    ev.size = sz;
                    return true;
                }
                reset_event(ev, Op::Realloc);
                ev.id = it->second;
                ev.size = sz;
                if (ptr == pending_old_) {
                    ev.id2 = ev.id;  // resized in place: same block, same ID
                } else {
                    // A moved block gets a new ID, so OLD_ID != NEW_ID says "moved" in the trace.
                    live_.erase(it);
                    ev.id2 = allocate(ptr);
                    free_ids_.push_back(ev.id);
                }
                return true;
            }
            default:  // '!': a failed realloc leaves the old block as it was
                return false;
        }
    }

    static std::string fmt_ptr(const char* before, uint64_t p, const char* after) {
        static const char hex[] = "0123456789abcdef";
        std::string s = "0x";
        bool lead = true;
        for (int sh = 60; sh >= 0; sh -= 4) {
            int d = static_cast<int>((p >> sh) & 15);
            if (lead && d == 0 && sh) continue;
            lead = false;
            s += hex[d];
        }
        return before + s + after;
    }

    void drop(const std::string& what) {
        ++stats_.dropped;
        warn(stats_.lines, what + "; dropped");
    }

    uint64_t allocate(uint64_t ptr) {
        auto it = live_.find(ptr);
        if (it != live_.end()) {
            // A second '+' for a live pointer means its free was not logged (e.g. freed by code
            // that ran with tracing off); the old ID stays live, as a leak.
            drop(fmt_ptr("allocation of ", ptr, ", which is already live (its free is missing)"));
            live_.erase(it);
        }
        uint64_t id;
        if (!free_ids_.empty()) {
            id = free_ids_.back();
            free_ids_.pop_back();
        } else {
            id = ++max_id_;
        }
        live_.emplace(ptr, id);
        return id;
    }

    void release(std::unordered_map<uint64_t, uint64_t>::iterator it) {
        free_ids_.push_back(it->second);
        live_.erase(it);
    }

    lex::Tokens toks_;
    std::unordered_map<uint64_t, uint64_t> live_;  // pointer -> ID
    std::vector<uint64_t> free_ids_;
    uint64_t max_id_ = 0;
    uint64_t pending_old_ = 0;
    uint64_t pending_old_line_ = 0;  // line of an unanswered '<', or 0
};

}  // namespace

std::unique_ptr<Reader> make_mtrace_reader(ReaderInput ri) {
    return std::make_unique<MtraceReader>(std::move(ri));
}

}  // namespace memsim::trace
