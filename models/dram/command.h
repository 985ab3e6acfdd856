#pragma once
// DRAM commands as a controller puts them on the command bus (JESD79-3F section 4: the command
// truth table), and their text form in a command trace:
//     CYCLE CMD RANK BANK ROW COLUMN
// one per line, CYCLE in nCK from time 0; RDA/WRA are RD/WR with auto-precharge (A10 high),
// PREA precharges every bank of the rank (A10 high), REF and ZQCS address the whole rank
// (BANK/ROW/COLUMN 0 where the command has none). PDE / PDX are power-down entry and exit (CKE
// driven low / high with a NOP, JESD79-3F 4.20) and SRE / SRX self-refresh entry (a REF with CKE
// low) and exit (4.19), per rank, written RANK 0 0 0 like REF.
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace memsim::dram {

enum class Cmd : uint8_t { ACT, RD, RDA, WR, WRA, PRE, PREA, REF, ZQCS, PDE, PDX, SRE, SRX };
const char* cmd_name(Cmd c);
constexpr bool is_read(Cmd c) { return c == Cmd::RD || c == Cmd::RDA; }
constexpr bool is_write(Cmd c) { return c == Cmd::WR || c == Cmd::WRA; }
constexpr bool is_column(Cmd c) { return is_read(c) || is_write(c); }
constexpr bool is_power_down(Cmd c) { return c == Cmd::PDE || c == Cmd::PDX; }

struct Command {
    uint64_t cycle;
    Cmd cmd;
    uint32_t rank, bank, row, column;
};

std::string to_string(const Command& c);
void write_command_trace(std::ostream& out, const std::vector<Command>& cmds);
// Reads a command trace written by write_command_trace; InputError names FILE:line on bad input.
std::vector<Command> read_command_trace(std::istream& in, const std::string& file);

}  // namespace memsim::dram
