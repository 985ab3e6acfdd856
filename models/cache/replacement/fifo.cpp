// First-in first-out: the victim is the way filled longest ago; hits do not change the order
// (round-robin replacement of ARM's Cortex-A caches behaves the same on a full set).
#include "models/cache/replacement/stamps.h"

namespace memsim::cache {
namespace {

const ReplacementRegistrar reg("fifo", "first in, first out (hits do not reorder)", [](const ReplacementSpec& s) {
    return std::make_unique<OldestStamp<false>>(s);
});

}  // namespace
}  // namespace memsim::cache
