#pragma once
// Replacement policies of set-associative arrays (caches and TLBs alike). A policy keeps its own
// state for SETS x WAYS and is told of hits, fills and invalidations; the array asks it for a
// victim only when every way of the set is valid (an invalid way is always filled first, as
// hardware does). Each policy is one file in replacement/ that registers itself by name, so the
// configuration chooses it (`replacement: srrip`) and adding one touches no list.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace memsim::cache {

class ReplacementPolicy {
public:
    virtual ~ReplacementPolicy() = default;
    virtual void on_hit(uint64_t set, unsigned way) = 0;
    virtual void on_fill(uint64_t set, unsigned way) = 0;
    virtual void on_invalidate(uint64_t set, unsigned way) { (void)set, (void)way; }
    // The way to evict from a full set. Does not change the state (the fill that follows does),
    // except where the policy's own search does (SRRIP ages the set while it looks).
    virtual unsigned victim(uint64_t set) = 0;
};

struct ReplacementSpec {
    uint64_t sets;
    unsigned ways;
    uint64_t seed = 1;  // for random: the same seed gives the same run
};

using ReplacementFactory = std::function<std::unique_ptr<ReplacementPolicy>(const ReplacementSpec&)>;

// Registers a policy under NAME; CHECK says why a geometry does not suit it ("" when it does).
struct ReplacementRegistrar {
    ReplacementRegistrar(const char* name, const char* description, ReplacementFactory make,
                         std::function<std::string(const ReplacementSpec&)> check = {});
};

// The registered names, sorted.
std::vector<std::string> replacement_names();
// One line per policy: name and what it does.
std::string replacement_descriptions();
// Why NAME cannot run on SPEC ("" when it can); unknown names say so and list the known ones.
std::string replacement_check(const std::string& name, const ReplacementSpec& spec);
// Throws std::invalid_argument with replacement_check's text when it is not "".
std::unique_ptr<ReplacementPolicy> make_replacement(const std::string& name, const ReplacementSpec& spec);

}  // namespace memsim::cache
