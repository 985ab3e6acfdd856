#include "sim/trace/summary.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <ostream>
#include <unordered_set>

#include "sim/trace/id_tracker.h"

namespace memsim::trace {

namespace {

int size_bucket(uint64_t size) {
    if (!size) return 0;
    return 64 - __builtin_clzll(size);  // [2^k, 2^(k+1)) -> k + 1
}

std::string bucket_label(int b) {
    if (b == 0) return "0";
    uint64_t lo = uint64_t(1) << (b - 1);
    if (b == 64) return fmt::format("[{}, 2^64)", lo);
    return fmt::format("[{}, {})", lo, lo << 1);
}

class Footprint {
public:
    void access(uint64_t addr, uint64_t size) {
        add(addresses_, addr);
        // event_problem guarantees addr + size - 1 does not wrap.
        for (uint64_t p = addr >> 12, last = (addr + size - 1) >> 12; p <= last; ++p) {
            add(pages_, p);
            if (p == last) break;
        }
    }
    std::unordered_set<uint64_t> addresses_, pages_;
    bool capped = false;

private:
    void add(std::unordered_set<uint64_t>& set, uint64_t v) {
        if (set.size() < Summary::kDistinctCap) set.insert(v);
        else if (!set.count(v)) capped = true;
    }
};

}  // namespace

Summary summarize(Reader& r, const std::string& file, bool check_ids) {
    Summary s;
    s.file = file;
    s.format = r.format();
    IdTracker ids;
    Footprint fp;
    std::unordered_set<uint64_t> tids;
    Event ev;
    auto request = [&](uint64_t size) {
        ++s.heap_requests;
        s.bytes_allocated += size;
        s.size_min = s.heap_requests == 1 ? size : std::min(s.size_min, size);
        s.size_max = std::max(s.size_max, size);
        ++s.size_histogram[size_bucket(size)];
    };
    while (r.next(ev)) {
        ++s.events;
        ++s.per_op[static_cast<int>(ev.op)];
        if (check_ids) ids.apply_or_throw(ev, file);
        else ids.apply(ev);
        switch (ev.op) {
            case Op::Malloc: case Op::Realloc: case Op::Memalign: request(ev.size); break;
            case Op::Calloc: request(ev.nmemb * ev.size); break;
            case Op::Read: s.read_bytes += ev.size; fp.access(ev.addr, ev.size); break;
            case Op::Write: s.write_bytes += ev.size; fp.access(ev.addr, ev.size); break;
            case Op::Modify:
                s.read_bytes += ev.size;
                s.write_bytes += ev.size;
                fp.access(ev.addr, ev.size);
                break;
            case Op::Ifetch: s.ifetch_bytes += ev.size; fp.access(ev.addr, ev.size); break;
            case Op::Compute: s.compute_cycles += ev.cycles; break;
            case Op::Thread: tids.insert(ev.tid); break;
            default: break;
        }
        s.peak_live_bytes = std::max(s.peak_live_bytes, ids.live_bytes(BlockKind::Heap));
        s.peak_live_blocks = std::max(s.peak_live_blocks, ids.live_blocks(BlockKind::Heap));
    }
    s.read = r.stats();
    s.threads = tids.size();
    s.live_bytes_at_end = ids.live_bytes(BlockKind::Heap);
    s.live_blocks_at_end = ids.live_blocks(BlockKind::Heap);
    s.size_mean = s.heap_requests ? static_cast<double>(s.bytes_allocated) / static_cast<double>(s.heap_requests) : 0;
    s.distinct_addresses = fp.addresses_.size();
    s.distinct_pages = fp.pages_.size();
    s.distinct_capped = fp.capped;
    return s;
}

void print_summary(std::ostream& os, const Summary& s) {
    auto out = [&](auto&&... args) { os << fmt::format(std::forward<decltype(args)>(args)...); };
    out("{}: {} trace, {} events", s.file, format_name(s.format), s.events);
    if (s.read.lines) out(", {} lines", s.read.lines);
    out("\n");
    if (s.read.skipped_lines) out("  skipped lines (lenient): {}\n", s.read.skipped_lines);
    if (s.read.dropped) out("  dropped records (importer warnings): {}\n", s.read.dropped);
    out("events by kind:\n");
    for (int i = 0; i < kOpCount; ++i)
        if (s.per_op[i]) out("  {:<18} {:>12}\n", op_name(static_cast<Op>(i)), s.per_op[i]);
    if (s.threads) out("threads: {}\n", s.threads);
    if (s.heap_requests) {
        out("heap (malloc, calloc, realloc, memalign):\n");
        out("  requests           {:>12}\n", s.heap_requests);
        out("  bytes allocated    {:>12}\n", s.bytes_allocated);
        out("  peak live bytes    {:>12}\n", s.peak_live_bytes);
        out("  peak live blocks   {:>12}\n", s.peak_live_blocks);
        out("  live at end        {:>12} bytes in {} blocks\n", s.live_bytes_at_end, s.live_blocks_at_end);
        out("  size min/mean/max  {} / {:.1f} / {}\n", s.size_min, s.size_mean, s.size_max);
        out("  sizes:\n");
        for (int b = 0; b < 65; ++b)
            if (s.size_histogram[b]) out("    {:<28} {:>12}\n", bucket_label(b), s.size_histogram[b]);
    }
    if (s.read_bytes || s.write_bytes || s.ifetch_bytes) {
        const char* capped = s.distinct_capped ? " (at least; exact set capped)" : "";
        out("raw accesses:\n");
        out("  bytes read         {:>12}\n", s.read_bytes);
        out("  bytes written      {:>12}\n", s.write_bytes);
        out("  bytes fetched      {:>12}\n", s.ifetch_bytes);
        out("  distinct addresses {:>12}{}\n", s.distinct_addresses, capped);
        out("  distinct 4K pages  {:>12}{}\n", s.distinct_pages, capped);
    }
    if (s.compute_cycles) out("compute cycles: {}\n", s.compute_cycles);
}

nlohmann::json summary_json(const Summary& s) {
    nlohmann::json per_op = nlohmann::json::object();
    for (int i = 0; i < kOpCount; ++i)
        if (s.per_op[i]) per_op[std::string(op_name(static_cast<Op>(i)))] = s.per_op[i];
    nlohmann::json hist = nlohmann::json::array();
    for (int b = 0; b < 65; ++b) {
        if (!s.size_histogram[b]) continue;
        uint64_t lo = b ? uint64_t(1) << (b - 1) : 0;
        hist.push_back({{"min", lo}, {"count", s.size_histogram[b]}});
    }
    return {
        {"file", s.file},
        {"format", std::string(format_name(s.format))},
        {"lines", s.read.lines},
        {"skipped_lines", s.read.skipped_lines},
        {"dropped", s.read.dropped},
        {"events", s.events},
        {"events_by_kind", per_op},
        {"threads", s.threads},
        {"heap",
         {{"requests", s.heap_requests},
          {"bytes_allocated", s.bytes_allocated},
          {"peak_live_bytes", s.peak_live_bytes},
          {"peak_live_blocks", s.peak_live_blocks},
          {"live_bytes_at_end", s.live_bytes_at_end},
          {"live_blocks_at_end", s.live_blocks_at_end},
          {"size_min", s.size_min},
          {"size_max", s.size_max},
          {"size_mean", s.size_mean},
          {"size_histogram", hist}}},
        {"accesses",
         {{"read_bytes", s.read_bytes},
          {"write_bytes", s.write_bytes},
          {"ifetch_bytes", s.ifetch_bytes},
          {"distinct_addresses", s.distinct_addresses},
          {"distinct_pages", s.distinct_pages},
          {"distinct_capped", s.distinct_capped}}},
        {"compute_cycles", s.compute_cycles},
    };
}

}  // namespace memsim::trace
