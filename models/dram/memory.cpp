#include "models/dram/memory.h"

#include "sim/config/schema.h"

namespace memsim::dram {
MEMSIM_REGISTER_PARAMS(MemoryParams, "memory", "main memory");
}
