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

class RequestSource {
public:
    virtual ~RequestSource() = default;
    // The next request in arrival order; false at the end.
    virtual bool next(TraceRequest& out) = 0;
};

// FORMAT: dramsim3, ramulator, stl, or auto (from the first request line).
std::unique_ptr<RequestSource> open_request_trace(const std::string& path, const std::string& format = "auto");

}  // namespace memsim::dram
