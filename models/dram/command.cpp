#include "models/dram/command.h"

#include <istream>
#include <ostream>
#include <sstream>

#include "sim/core/error.h"

namespace memsim::dram {

namespace {
const char* kCmdNames[] = {"ACT", "RD", "RDA", "WR", "WRA", "PRE", "PREA", "REF", "ZQCS", "PDE", "PDX", "SRE", "SRX"};
}

const char* cmd_name(Cmd c) { return kCmdNames[unsigned(c)]; }

std::string to_string(const Command& c) {
    std::ostringstream s;
    s << c.cycle << ' ' << cmd_name(c.cmd) << ' ' << c.rank << ' ' << c.bank << ' ' << c.row << ' ' << c.column;
    return s.str();
}

void write_command_trace(std::ostream& out, const std::vector<Command>& cmds) {
    for (const auto& c : cmds) out << to_string(c) << '\n';
}

std::vector<Command> read_command_trace(std::istream& in, const std::string& file) {
    std::vector<Command> cmds;
    std::string line;
    uint64_t n = 0;
    while (std::getline(in, line)) {
        ++n;
        if (line.empty() || line[0] == '#') continue;
        std::istringstream s(line);
        Command c{};
        std::string name, extra;
        if (!(s >> c.cycle >> name >> c.rank >> c.bank >> c.row >> c.column) || (s >> extra))
            throw InputError({file, n, 0}, "expected 'CYCLE CMD RANK BANK ROW COLUMN', got '" + line + "'");
        bool known = false;
        for (unsigned i = 0; i < sizeof kCmdNames / sizeof *kCmdNames; ++i)
            if (name == kCmdNames[i]) {
                c.cmd = Cmd(i);
                known = true;
            }
        if (!known) throw InputError({file, n, 0}, "unknown DRAM command '" + name + "'");
        cmds.push_back(c);
    }
    return cmds;
}

}  // namespace memsim::dram
