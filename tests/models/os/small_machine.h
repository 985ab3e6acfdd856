#pragma once
// The machine the page-allocator and SLUB tests work their expectations out on: 2 cpus, no kernel
// image and no struct-page array reserved, so every frame above the first 1 MiB (x86's low
// reservation) is free at boot and the free lists follow from the memory size alone.
#include <cstdint>

#include "models/os/page_alloc.h"

namespace memsim::os::testing {

inline PageAllocParams small_machine() {
    PageAllocParams p;
    p.ncpus = 2;
    p.kernel_size = 0;
    p.reserve_memmap = false;
    return p;
}

constexpr uint64_t k64MiB = uint64_t(64) << 20;

}  // namespace memsim::os::testing
