#pragma once
// The parameters of the cache model: which model runs (`cache.model`) and one struct for every
// level of the hierarchy (cache.l1i, cache.l1d, cache.l2, cache.llc), read by the timed
// hierarchy (hierarchy.h) and, for the geometry of I1 and D1, by the cachegrind model.
#include <cstdint>
#include <string>

#include "sim/config/param.h"

namespace memsim::cache {

// Which cache model the machine runs.
struct CacheParams {
    std::string model;
    void visit(config::ParamVisitor& v) {
        v(config::ParamSpec::choice("model", "none", {"none", "cachegrind", "hierarchy"},
                                    "none: accesses go straight to memory; cachegrind: count I1/D1/LL hits and "
                                    "misses exactly as valgrind's cachegrind does (cache.l1i, cache.l1d, cache.ll); "
                                    "hierarchy: the timed L1I/L1D/L2/LLC hierarchy (cache.l1i, cache.l1d, cache.l2, "
                                    "cache.llc)"),
          model);
    }
};

// Text checks of the names that plug-ins register (replacement policies, prefetchers): the
// configuration rejects an unknown name with the list of known ones.
bool replacement_name_ok(const std::string& text, std::string* why);
bool prefetcher_name_ok(const std::string& text, std::string* why);

// One level of the hierarchy. The defaults are a recent x86 core's (Intel Skylake to Golden Cove
// client parts; /work/shared/reference/caches-and-mmu.md): 32 KiB 8-way L1I and L1D of 4 cycles,
// 1 MiB 16-way L2 of 14 cycles, 8 MiB 16-way LLC of ~42 cycles, 64-byte lines; the sections
// override what differs (cache_params.cpp).
struct CacheLevelParams {
    bool enabled;
    uint64_t size;
    uint64_t assoc;
    uint64_t line;
    uint64_t hit_latency;  // core cycles
    std::string replacement;
    std::string write_policy;  // write_back | write_through
    bool write_allocate;
    uint64_t mshrs;
    std::string inclusion;  // inclusive | non_inclusive | exclusive
    std::string prefetcher;
    uint64_t prefetch_degree;
    uint64_t prefetch_distance;
    std::string indexing;  // pipt | vipt

    bool write_back() const { return write_policy == "write_back"; }
    // Virtually indexed: the MMU glue may overlap the TLB lookup with the set lookup.
    bool vipt() const { return indexing == "vipt"; }

    void visit(config::ParamVisitor& v) {
        using config::ParamSpec;
        v(ParamSpec::boolean("enabled", "true",
                             "whether the machine has this level (false: the level above talks to the one below)"),
          enabled);
        v(ParamSpec::size("size", "32KiB", "capacity; size / (assoc x line) must be a power-of-two number of sets")
              .range(256, double(1ull << 40)),
          size);
        v(ParamSpec::count("assoc", "8", "ways", "associativity").range(1, 1024), assoc);
        v(ParamSpec::size("line", "64B", "line size").range(16, 4096).pow2(), line);
        v(ParamSpec::count("hit_latency", "4", "cycles", "lookup time of a hit, in core cycles (load-to-use)")
              .range(0, 10000),
          hit_latency);
        v(ParamSpec::string("replacement", "lru", "replacement policy (lru, fifo, random, tree_plru, srrip)")
              .checked(&replacement_name_ok),
          replacement);
        v(ParamSpec::choice("write_policy", "write_back", {"write_back", "write_through"},
                            "write_back: a write dirties the line, written below on eviction; write_through: "
                            "every write also goes below"),
          write_policy);
        v(ParamSpec::boolean("write_allocate", "true",
                             "a write miss fetches the line (false: the write goes below, the line is not filled)"),
          write_allocate);
        // Intel: 10 L1D fill buffers since Nehalem (12 from Ice Lake), a 16-entry L2 superqueue
        // (Intel 64 and IA-32 Architectures Optimization Reference Manual, Skylake chapter).
        v(ParamSpec::count("mshrs", "10", "entries",
                           "miss status holding registers: lines in flight at once; a miss to a line in flight "
                           "merges, a miss that finds them all busy waits for the first to free")
              .range(1, 4096),
          mshrs);
        v(ParamSpec::choice("inclusion", "non_inclusive", {"inclusive", "non_inclusive", "exclusive"},
                            "this level's relation to the levels above: inclusive (an eviction here invalidates "
                            "the copies above, writing back dirty ones), non_inclusive (fills go to every level, "
                            "evictions are independent), exclusive (filled only by victims from above; a hit moves "
                            "the line up)"),
          inclusion);
        v(ParamSpec::string("prefetcher", "none", "prefetcher (none, next_line, stride)").checked(&prefetcher_name_ok),
          prefetcher);
        v(ParamSpec::count("prefetch_degree", "1", "lines", "lines prefetched per trigger").range(1, 64),
          prefetch_degree);
        v(ParamSpec::count("prefetch_distance", "1", "lines or strides",
                           "how far ahead the first prefetch is: next_line fetches line+distance on, stride "
                           "address+stride*distance on")
              .range(1, 256),
          prefetch_distance);
        v(ParamSpec::choice("indexing", "pipt", {"pipt", "vipt"},
                            "pipt: physically indexed; vipt: virtually indexed, physically tagged (the set "
                            "lookup overlaps the TLB; needs size/assoc <= 4 KiB so no aliases)"),
          indexing);
    }
};

}  // namespace memsim::cache
