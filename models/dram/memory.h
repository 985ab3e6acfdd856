#pragma once
// The machine's main memory: which model serves it. (Its size arrives with the kernel model, which
// is the first to use it: a parameter nothing reads would only mislead.)
#include <cstdint>
#include <string>

#include "sim/config/param.h"

namespace memsim::dram {

struct MemoryParams {
    std::string model;

    void visit(config::ParamVisitor& v) {
        v(config::ParamSpec::choice("model", "simple", {"simple"},
                                    "the model that serves requests (the DDR3 controllers come with their issue)"),
          model);
    }
};

}  // namespace memsim::dram
