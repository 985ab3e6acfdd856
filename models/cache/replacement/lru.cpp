// True LRU: each way carries the time of its last use; the victim is the least recent.
// (cachegrind keeps the same order as an MRU-first array: cg_sim.c cachesim_setref.)
#include "models/cache/replacement/stamps.h"

namespace memsim::cache {
namespace {

const ReplacementRegistrar reg("lru", "true least-recently-used", [](const ReplacementSpec& s) {
    return std::make_unique<OldestStamp<true>>(s);
});

}  // namespace
}  // namespace memsim::cache
