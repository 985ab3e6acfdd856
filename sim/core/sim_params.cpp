#include "sim/core/sim_params.h"

#include "sim/config/schema.h"

namespace memsim {
MEMSIM_REGISTER_PARAMS(SimParams, "sim", "how the simulation runs");
}
