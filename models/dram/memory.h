#pragma once
// The machine's main memory: its size and which model serves it.
#include <cstdint>
#include <string>

#include "sim/config/param.h"

namespace memsim::dram {

struct MemoryParams {
    std::string model;
    uint64_t size;
    uint64_t channels;
    std::string request_log;

    void visit(config::ParamVisitor& v) {
        // 4 GiB is one MT8KTF51264HZ-1G6 SODIMM (DDR3L-1600, 8 x 4 Gb x8 chips, one rank).
        v(config::ParamSpec::size("size", "4GiB", "physical memory size").range(16 << 20, 1ull << 40), size);
        v(config::ParamSpec::choice("model", "simple", {"simple", "ddr3", "mig"},
                                    "the model that serves requests: simple (fixed latency and bandwidth, "
                                    "memory.simple), ddr3 (the generic DDR3 controller, memory.generic) or mig "
                                    "(the MIG 7-series rules, memory.mig), both on the part memory.ddr3.part"),
          model);
        // One SODIMM per channel: a dual-channel laptop has two; NetFPGA-SUME two, a MIG core each.
        v(config::ParamSpec::count("channels", "1", "channels",
                                   "independent memory channels, each its own controller, buses and DIMM (ddr3 and "
                                   "mig); the address map's Ch field picks the channel (models/dram/channels.h)")
              .range(1, 16)
              .pow2(),
          channels);
        v(config::ParamSpec::string("request_log", "",
                                    "file to write every request the memory receives to (timing mode), a line per "
                                    "64-byte burst in DRAMSim3's trace format (0xADDR READ|WRITE CYCLE, its arrival "
                                    "clock), in time order: replayed by a standalone run (--trace-format dramsim3) or "
                                    "DRAMSim3; empty: none"),
          request_log);
    }
};

}  // namespace memsim::dram
