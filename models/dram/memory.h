#pragma once
// The machine's main memory as the configuration describes it: its size, and which model serves it.
#include <cstdint>
#include <string>

#include "sim/config/param.h"

namespace memsim::dram {

struct MemoryParams {
    std::string model;
    uint64_t size;

    void visit(config::ParamVisitor& v) {
        v(config::ParamSpec::choice("model", "simple", {"simple"},
                                    "the model that serves requests (the DDR3 controllers come with their issue)"),
          model);
        // 4 GiB: one MT8KTF51264HZ-1G6 SODIMM (8 x 4Gb x8 devices, single rank).
        v(config::ParamSpec::size("size", "4GiB", "physical memory size").range(4096, double(1ull << 50)), size);
    }
};

}  // namespace memsim::dram
