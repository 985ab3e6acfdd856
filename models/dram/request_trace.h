#pragma once
// Memory-request traces of the DRAM simulators users compare with, to drive a controller alone:
//   dramsim3   `0xADDR READ|WRITE CYCLE`      DRAMSim3's trace CPU (src/cpu.cc TraceBasedCPU);
//                                            ADDR hex (0x optional, as its std::hex reads it),
//                                            CYCLE in memory clocks; also DRAMSim2's spellings
//                                            read / write / P_MEM_RD / P_FETCH / P_MEM_WR / BOFF
//   ramulator  `LD|ST ADDR`                   Ramulator 2's LoadStoreTrace (ADDR hex with 0x, or
//                                            decimal); no times: requests go as fast as accepted
//   stl        `CYCLE: read|write [(LEN)] 0xADDR [DATA]`   DRAMSys's StlPlayer; CYCLE in memory
//                                            clocks here (DRAMSys: the player's clock); LEN
//                                            bytes (default one burst) read as one request per
//                                            64-byte burst they touch, at CYCLE; DATA hex
// CYCLE at most 2^52 (what picosecond times hold at any DDR3 clock).
// Empty lines and '#' comments (to the end of the line) are skipped; a zstd-compressed file is read
// as its content. Anything else that does not parse is an
// InputError naming the file and line.
#include <cstdint>
#include <memory>
#include <string>

namespace memsim::dram {

struct TraceRequest {
    uint64_t cycle;  // arrival in memory clocks (nCK)
    uint64_t addr;
    bool write;
};

// Requests at or beyond the memory's size: the controller decodes only the DIMM's address lines,
// so those beyond its capacity alias onto lower addresses (a trace made for a larger memory).
struct BeyondSize {
    uint64_t requests = 0;
    uint64_t first_line = 0;  // the trace line of the first of them
    uint64_t first_addr = 0;
};

class RequestSource {
public:
    virtual ~RequestSource() = default;
    // The next request in arrival order; false at the end.
    virtual bool next(TraceRequest& out) = 0;
    // The requests read so far at or beyond the size given to open_request_trace.
    virtual BeyondSize beyond_size() const { return {}; }
};

// The memory-request format whose line the trace at PATH starts with (after blank lines and
// comments, within its first 16 KiB): "dramsim3", "ramulator" or "stl"; "" when its first line is
// none of them (another kind of trace), for standard input, or a file that cannot be opened.
// `memsim run --trace-format auto` asks this first.
std::string detect_request_trace_format(const std::string& path);

// FORMAT: dramsim3, ramulator, stl, or auto (from the first request line). MEMORY_SIZE > 0: the
// bursts at or beyond it are counted (beyond_size()).
std::unique_ptr<RequestSource> open_request_trace(const std::string& path, const std::string& format = "auto",
                                                  uint64_t memory_size = 0);

}  // namespace memsim::dram
