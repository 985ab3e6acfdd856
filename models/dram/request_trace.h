#pragma once
// Memory-request traces of the DRAM simulators users compare with, to drive a controller alone:
//   dramsim3   `0xADDR READ|WRITE CYCLE`      DRAMSim3's trace CPU (src/cpu.cc TraceBasedCPU);
//                                            ADDR hex (0x optional, as its std::hex reads it),
//                                            CYCLE decimal, in memory clocks; also DRAMSim2's
//                                            read / write / P_MEM_RD / P_FETCH / P_MEM_WR / BOFF
//   ramulator  `LD|ST ADDR`                   Ramulator 2's LoadStoreTrace (ADDR hex with 0x, or
//                                            decimal); no times: requests go as fast as accepted
//   stl        `CYCLE: [(LEN)] read|write ADDR [DATA]`   DRAMSys's StlPlayer (parseTraceFile):
//                                            CYCLE decimal (the ':' may be left out), in memory
//                                            clocks here (DRAMSys: the player's clock); LEN
//                                            bytes (default one burst) read as one request per
//                                            64-byte burst they touch, at CYCLE; ADDR hex, 0x
//                                            optional; DATA hex; a .rstl file is relative
// CYCLE at most 2^52 (what picosecond times hold at any DDR3 clock). A line whose clock is before
// the line before is sent at that clock (at once), as DRAMSys and DRAMSim3 send it, and counted.
// Empty lines and '#' comments (to the end of the line) are skipped; a zstd-compressed file is read
// as its content. Anything else that does not parse is an InputError naming the file and line
// (counted and skipped when lenient).
#include <cstdint>
#include <memory>
#include <string>

namespace memsim::dram {

struct TraceRequest {
    uint64_t cycle;  // arrival in memory clocks (nCK)
    uint64_t addr;
    bool write;
};

// What a trace source met that a run reports rather than stops for.
struct TraceNotes {
    // Requests at or beyond the memory's size: the controller decodes only the DIMM's address
    // lines, so those beyond its capacity alias onto lower addresses (a trace made for a larger
    // memory).
    uint64_t beyond_size = 0, first_beyond_line = 0, first_beyond_addr = 0;
    // Lines whose clock is before the line before: sent at that line's clock (at once), as
    // DRAMSys's StlPlayer and DRAMSim3's trace CPU send a line that is behind schedule.
    uint64_t late_requests = 0, first_late_line = 0;
    // Malformed lines skipped (RequestTraceOptions::lenient), the first one's line and error.
    uint64_t skipped_lines = 0, first_skipped_line = 0;
    std::string first_skipped_error;
};

class RequestSource {
public:
    virtual ~RequestSource() = default;
    // The next request in arrival order; false at the end.
    virtual bool next(TraceRequest& out) = 0;
    // What the lines read so far held that the run reports.
    virtual const TraceNotes& notes() const {
        static const TraceNotes none;
        return none;
    }
};

// The memory-request format whose line the trace at PATH starts with (after blank lines and
// comments, within its first 16 KiB): "dramsim3", "ramulator" or "stl"; "" when its first line is
// none of them (another kind of trace), for standard input, a pipe or anything but a regular
// file, or a file that cannot be opened. A first line shaped like one format's but malformed
// (`LD` / `ST` first, a clock and ':', or a 0x address and two more words) is that format's, so
// its reader names the line.
// `memsim run --trace-format auto` asks this first.
std::string detect_request_trace_format(const std::string& path);

struct RequestTraceOptions {
    uint64_t memory_size = 0;  // > 0: the bursts at or beyond it are counted (TraceNotes)
    bool lenient = false;      // skip and count malformed lines instead of stopping
    // > 0: the trace's clocks last CLOCK_PS each (DRAMSys's player clock) and a request arrives
    // at the first memory clock (MEMORY_TCK_PS) at or after its time; 0: memory clocks.
    uint64_t clock_ps = 0, memory_tck_ps = 0;
    // Requests at or after this memory clock are not fed (a window, DRAMSim3's -c): the notes
    // leave them out.
    uint64_t until = UINT64_MAX;
};

// FORMAT: dramsim3, ramulator, stl, or auto (from the first request line). An STL trace whose
// name ends in .rstl (or .rstl.zst) is relative, as DRAMSys reads it: each line's clock is a delay
// after the line before.
std::unique_ptr<RequestSource> open_request_trace(const std::string& path, const std::string& format = "auto",
                                                  const RequestTraceOptions& opts = {});

}  // namespace memsim::dram
