// Replacement policies on one 4-way set, each sequence worked out by hand from the policy's rule.
#include <catch2/catch.hpp>

#include "models/cache/replacement.h"

using namespace memsim::cache;

namespace {
std::unique_ptr<ReplacementPolicy> filled(const std::string& name, unsigned ways = 4) {
    auto p = make_replacement(name, {1, ways, 7});
    for (unsigned w = 0; w < ways; ++w) p->on_fill(0, w);  // the array fills invalid ways in order
    return p;
}
}  // namespace

TEST_CASE("replacement: every policy is registered by name") {
    auto names = replacement_names();
    CHECK(names == std::vector<std::string>{"fifo", "lru", "random", "srrip", "tree_plru"});
    CHECK(replacement_check("mru", {1, 4}).find("unknown replacement policy 'mru'") == 0);
    CHECK_THROWS_AS(make_replacement("tree_plru", {64, 12}), std::invalid_argument);
    CHECK(replacement_check("tree_plru", {64, 12}) == "tree_plru needs a power-of-two associativity, not 12");
    CHECK(replacement_check("lru", {64, 12}).empty());
}

TEST_CASE("replacement: LRU evicts the least recently used way") {
    auto p = filled("lru");
    CHECK(p->victim(0) == 0);
    p->on_hit(0, 0);  // order by recency now 1 2 3 0
    CHECK(p->victim(0) == 1);
    p->on_hit(0, 1);
    p->on_hit(0, 2);
    CHECK(p->victim(0) == 3);
}

TEST_CASE("replacement: FIFO ignores hits") {
    auto p = filled("fifo");
    p->on_hit(0, 0);
    CHECK(p->victim(0) == 0);
    p->on_fill(0, 0);  // refilled: now the newest
    CHECK(p->victim(0) == 1);
}

TEST_CASE("replacement: tree-PLRU follows the bits away from recent uses") {
    // 4 ways: root bit chooses {0,1} or {2,3}; each touch points the path's bits to the other side.
    auto p = filled("tree_plru");
    CHECK(p->victim(0) == 0);  // after 3: root -> left; left node last set by way 1 -> way 0
    p->on_hit(0, 0);           // root -> right; right node last set by way 3 -> way 2
    CHECK(p->victim(0) == 2);  // true LRU would say 1: the pseudo in pseudo-LRU
    p->on_hit(0, 2);           // root -> left; left node points at way 1 since the hit on 0
    CHECK(p->victim(0) == 1);
}

TEST_CASE("replacement: SRRIP ages the set until a way is distant") {
    auto p = filled("srrip");  // RRPV 2 2 2 2
    p->on_hit(0, 1);           // 2 0 2 2
    CHECK(p->victim(0) == 0);  // aged once: 3 1 3 3 -> first distant is way 0
    p->on_fill(0, 0);          // 2 1 3 3
    CHECK(p->victim(0) == 2);
}

TEST_CASE("replacement: random stays in the set and repeats with the seed") {
    auto a = make_replacement("random", {1, 8, 42});
    auto b = make_replacement("random", {1, 8, 42});
    unsigned seen[8] = {};
    for (int i = 0; i < 8000; ++i) {
        unsigned v = a->victim(0);
        REQUIRE(v < 8);
        REQUIRE(v == b->victim(0));
        ++seen[v];
    }
    for (unsigned n : seen) CHECK(n > 800);  // 1000 expected per way
}
