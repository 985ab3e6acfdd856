// The set-associative true-LRU cache of the cachegrind model (cg_sim.c's rules), worked by hand.
#include <catch2/catch.hpp>

#include "models/cache/cachegrind.h"
#include "sim/core/error.h"

using namespace memsim;
using namespace memsim::cache;

TEST_CASE("true LRU in a 2-way cache of 2 sets and 64-byte lines", "[cache]") {
    // 256 bytes / (2 ways x 64 B) = 2 sets; block = addr >> 6, set = block & 1.
    LruCache c({256, 2, 64}, "test");
    const struct {
        uint64_t addr;
        bool miss;
    } steps[] = {
        {0x000, true},   // block 0 -> set 0: [0]
        {0x080, true},   // block 2 -> set 0: [2, 0]
        {0x000, false},  // hit: [0, 2]
        {0x100, true},   // block 4 evicts the LRU, 2: [4, 0]
        {0x080, true},   // 2 again misses, evicts 0: [2, 4]
        {0x100, false},  // [4, 2]
        {0x040, true},   // block 1 -> set 1, untouched by set 0
        {0x03f, true},   // byte 63 is block 0, evicted above
    };
    for (const auto& s : steps) {
        INFO("address " << s.addr);
        CHECK(c.access(s.addr, 1) == s.miss);
    }
}

TEST_CASE("an access straddling two lines looks both up and misses if either does", "[cache]") {
    LruCache c({256, 2, 64}, "test");
    CHECK(c.access(0x00, 8));       // block 0 miss
    CHECK(c.access(0x3c, 8));       // 0x3c..0x43: block 0 hits, block 1 misses -> a miss
    CHECK_FALSE(c.access(0x3c, 8)); // both present now
    CHECK_FALSE(c.access(0x40, 4)); // block 1 was looked up by the straddling access
}

TEST_CASE("a geometry without a power-of-two number of sets is rejected", "[cache]") {
    CHECK_THROWS_AS(LruCache({3 * 64 * 2, 2, 64}, "cache.l1d"), InputError);
}
