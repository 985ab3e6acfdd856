#pragma once
// An independent JEDEC DDR3 timing checker. It shares nothing with the controller but the timing
// struct and the command format: it replays a command trace, keeps for every bank and rank the
// last commands of each kind, and checks each new command against the JESD79-3F constraints
// that apply, re-deriving the spacings from the timing parameters itself (the data bus is
// checked as burst intervals rather than the controller's command-to-command spacings).
// Each violation names the constraint, the two commands involved and the shortfall. What it does
// not check is listed in docs/dram.md, "How it is checked".
#include <cstdint>
#include <string>
#include <vector>

#include "models/dram/command.h"
#include "models/dram/ddr3_timing.h"

namespace memsim::dram {

struct Violation {
    std::string rule;     // "tRCD", "tFAW", "bank open", "auto-precharge", ...
    Command earlier, later;
    std::string message;  // "cycle 11 RD 0 0 5 0: tRCD: needs 11 nCK after cycle 2, got 9 (earlier: 2 ACT 0 0 5 0)"
};

// Checks CMDS (in issue order). MAX_POSTPONE: refreshes the controller may owe (JEDEC allows up to
// 8): by cycle c a rank must have issued floor(c / tREFI) - MAX_POSTPONE - 1 REFs, of which at most
// 8 (plus the one due) ahead of time count (JESD79-3F 4.18: more may be pulled in but earn
// nothing); a self-refresh counts as refreshing, except for REFs owed when it began. Whatever the
// setting, two REFs are at most 9 x tREFI apart.
// SLOW_EXIT: the DLL is frozen in precharge power-down (MR0 A12 = 0), so a read after PDX from
// precharge power-down needs tXPDLL, not tXP.
std::vector<Violation> check_commands(const Ddr3Timing& t, const std::vector<Command>& cmds,
                                      unsigned max_postpone = 8, bool slow_exit = false);

}  // namespace memsim::dram
