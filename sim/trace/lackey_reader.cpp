// Imports valgrind lackey logs (valgrind --tool=lackey --trace-mem=yes). Lackey 3.19
// (lackey/lk_main.c, printInstr/printLoad/printStore/printModify) writes one access a line:
//   "I  %08lx,%lu"   instruction fetch    -> ifetch
//   " L %08lx,%lu"   load                 -> read
//   " S %08lx,%lu"   store                -> write
//   " M %08lx,%lu"   load and store       -> modify
// Valgrind's own messages ("==PID== ...", "--PID-- ...", "**PID** ...") and --trace-superblocks
// lines ("SB %08lx") carry no access and are skipped.
#include "sim/trace/check.h"
#include "sim/trace/lex.h"
#include "sim/trace/readers.h"

namespace memsim::trace {

namespace {

class LackeyReader final : public StreamReader {
public:
    using StreamReader::StreamReader;
    Format format() const override { return Format::Lackey; }

    bool next(Event& ev) override {
        std::string_view line;
        while (ri_.in->next_line(line)) {
            ++stats_.lines;
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            if (line.size() < 3) {
                if (line.find_first_not_of(" \t") != std::string_view::npos) bad(line);
                continue;
            }
            Op op;
            char a = line[0], b = line[1], c = line[2];
            if (a == 'I' && b == ' ' && c == ' ') {
                op = Op::Ifetch;
            } else if (a == ' ' && c == ' ' && (b == 'L' || b == 'S' || b == 'M')) {
                op = b == 'L' ? Op::Read : b == 'S' ? Op::Write : Op::Modify;
            } else {
                if (!valgrind_message(line)) bad(line);
                continue;
            }
            std::string_view rest = line.substr(3);
            size_t comma = rest.find(',');
            reset_event(ev, op);
            if (comma == std::string_view::npos ||
                lex::parse_hex_digits(rest.substr(0, comma), ev.addr) != lex::Num::Ok ||
                lex::parse_decimal(rest.substr(comma + 1), ev.size) != lex::Num::Ok ||
                !event_problem(ev).empty()) {
                bad(line);
                continue;
            }
            ev.line = stats_.lines;
            ++stats_.events;
            return true;
        }
        return false;
    }

private:
    static bool valgrind_message(std::string_view line) {
        if (line.substr(0, 3) == "SB ") return true;
        for (std::string_view mark : {"==", "--", "**"}) {
            if (line.substr(0, 2) != mark) continue;
            size_t end = line.find(mark, 2);
            if (end == std::string_view::npos || end == 2) return false;
            for (size_t i = 2; i < end; ++i)
                if (line[i] < '0' || line[i] > '9') return false;
            return true;
        }
        return false;
    }

    void bad(std::string_view line) {
        malformed("expected a lackey record (\"I  ADDR,SIZE\", \" L ADDR,SIZE\", \" S ADDR,SIZE\", "
                  "\" M ADDR,SIZE\" with ADDR in hex and SIZE > 0 in decimal) or a valgrind "
                  "\"==PID==\" line, got " + lex::quote(line));
    }
};

}  // namespace

std::unique_ptr<Reader> make_lackey_reader(ReaderInput ri) {
    return std::make_unique<LackeyReader>(std::move(ri));
}

}  // namespace memsim::trace
