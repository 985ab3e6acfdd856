#pragma once
// What `memsim trace stats IN` reports about a trace: events per kind, allocation volume and peak
// live heap, request sizes, and the footprint of the raw accesses. Reading it also checks the
// trace's IDs (sim/trace/id_tracker.h).
#include <array>
#include <cstdint>
#include <iosfwd>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "sim/trace/reader.h"

namespace memsim::trace {

struct Summary {
    std::string file;
    Format format = Format::Auto;
    ReadStats read;  // lines, skipped lines, dropped importer records

    uint64_t events = 0;
    std::array<uint64_t, kOpCount> per_op{};
    uint64_t threads = 0;  // distinct TIDs named by thread events

    // User-space heap: malloc, calloc, realloc, memalign requests (free releases).
    uint64_t heap_requests = 0;
    uint64_t bytes_allocated = 0;  // sum of requested sizes (calloc: NMEMB * SIZE)
    uint64_t peak_live_bytes = 0;
    uint64_t peak_live_blocks = 0;
    uint64_t live_bytes_at_end = 0;
    uint64_t live_blocks_at_end = 0;
    uint64_t size_min = 0, size_max = 0;
    double size_mean = 0;
    // size_histogram[0] counts size 0; [k + 1] counts sizes in [2^k, 2^(k+1)).
    std::array<uint64_t, 65> size_histogram{};

    // Raw accesses (read, write, modify, ifetch). modify counts as a read and a write.
    uint64_t read_bytes = 0, write_bytes = 0, ifetch_bytes = 0;
    uint64_t distinct_addresses = 0;  // distinct ADDR values
    uint64_t distinct_pages = 0;      // distinct 4 KiB pages any access overlaps
    bool distinct_capped = false;     // the exact sets hit kDistinctCap; counts are lower bounds
    uint64_t compute_cycles = 0;

    // Exact sets cost ~40 bytes an entry; past this many entries each they stop growing.
    static constexpr uint64_t kDistinctCap = 1 << 24;
};

// Reads every event of R. With check_ids, an ID error ("free of ID 7, which is not live") throws
// InputError at FILE:line.
Summary summarize(Reader& r, const std::string& file, bool check_ids = true);
void print_summary(std::ostream& os, const Summary& s);
nlohmann::json summary_json(const Summary& s);

}  // namespace memsim::trace
