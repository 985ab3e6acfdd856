// `memsim trace stats` (sim/trace/summary.h) and the ID rules it enforces (sim/trace/id_tracker.h).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <sstream>

#include "sim/trace/id_tracker.h"
#include "sim/trace/summary.h"
#include "tests/sim/trace_helpers.h"

using namespace memsim::trace;
using namespace memsim::trace::testing;

namespace {

Summary summary_of(const std::string& text) {
    auto r = open_trace_memory("s.txt", text);
    return summarize(*r, "s.txt");
}

std::string id_error(const std::string& text) {
    try {
        summary_of(text);
    } catch (const memsim::InputError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("summary: a text trace worked by hand", "[trace][summary]") {
    Summary s = summary_of(
        "thread 1\n"
        "malloc 1 100\n"       // live 100 in 1
        "calloc 2 4 25\n"      // live 200 in 2
        "realloc 1 3 300\n"    // live 100 + 300 = 400 in 2
        "memalign 4 64 1\n"    // live 401 in 3 (peak)
        "free 2\n"             // live 301 in 2
        "thread 2\n"
        "read 0x1000 8\n"      // page 1
        "write 0x1ffc 8\n"     // crosses into page 2
        "modify 0x1000 4\n"    // same address as the read
        "ifetch 0x401000 5\n"  // page 0x401
        "compute 70\n"
        "thread 1\n");
    CHECK(s.events == 13);
    CHECK(s.per_op[static_cast<int>(Op::Thread)] == 3);
    CHECK(s.threads == 2);
    CHECK(s.heap_requests == 4);
    CHECK(s.bytes_allocated == 100 + 100 + 300 + 1);
    CHECK(s.peak_live_bytes == 401);
    CHECK(s.peak_live_blocks == 3);
    CHECK(s.live_bytes_at_end == 301);
    CHECK(s.live_blocks_at_end == 2);
    CHECK(s.size_min == 1);
    CHECK(s.size_max == 300);
    CHECK(s.size_mean == Approx(501.0 / 4));
    CHECK(s.size_histogram[1] == 1);  // 1 in [1, 2)
    CHECK(s.size_histogram[7] == 2);  // 100 twice in [64, 128)
    CHECK(s.size_histogram[9] == 1);  // 300 in [256, 512)
    CHECK(s.read_bytes == 8 + 4);     // modify reads...
    CHECK(s.write_bytes == 8 + 4);    // ...and writes
    CHECK(s.ifetch_bytes == 5);
    CHECK(s.distinct_addresses == 3);  // 0x1000, 0x1ffc, 0x401000
    CHECK(s.distinct_pages == 3);      // 0x1, 0x2, 0x401
    CHECK(s.compute_cycles == 70);

    std::ostringstream os;
    print_summary(os, s);
    CHECK(os.str().find("peak live bytes             401") != std::string::npos);
    nlohmann::json j = summary_json(s);
    CHECK(j["heap"]["peak_live_bytes"] == 401);
    CHECK(j["events_by_kind"]["malloc"] == 1);
    CHECK(j["accesses"]["distinct_pages"] == 3);
}

TEST_CASE("summary: the real ls / mtrace log", "[trace][summary]") {
    auto r = open_trace(data_path("ls.mtrace"));
    Summary s = summarize(*r, "ls.mtrace");
    // From tests/data/trace/capture/mtrace_reference.py ls.mtrace:
    // requests 237 bytes 77692 peak_bytes 66067 peak_blocks 171 live_bytes 21821 live_blocks 31 min 2 max 32816
    CHECK(s.heap_requests == 237);
    CHECK(s.bytes_allocated == 77692);
    CHECK(s.peak_live_bytes == 66067);
    CHECK(s.peak_live_blocks == 171);
    CHECK(s.live_bytes_at_end == 21821);
    CHECK(s.live_blocks_at_end == 31);
    CHECK(s.size_min == 2);
    CHECK(s.size_max == 32816);
    CHECK(s.format == Format::Mtrace);
}

TEST_CASE("summary: the real tiny.c lackey log", "[trace][summary]") {
    auto r = open_trace(data_path("tiny.lackey"));
    Summary s = summarize(*r, "tiny.lackey");
    // tiny.lackey: fetches 11*4 + 7 + 7 + 3 + 7 + 8 + 5 + 2 + 2 = 85 bytes; 5 stores and 2 loads of 8
    // bytes and one 8-byte M (read and written): written 48, read 24. 12 instruction addresses and
    // 4 data addresses (0x403000..0x403018), on pages 0x401 and 0x403.
    CHECK(s.events == 20);
    CHECK(s.ifetch_bytes == 85);
    CHECK(s.write_bytes == 48);
    CHECK(s.read_bytes == 24);
    CHECK(s.distinct_addresses == 16);
    CHECK(s.distinct_pages == 2);
}

TEST_CASE("IDs are live from allocation to release and reusable after", "[trace][ids]") {
    CHECK(id_error("malloc 1 8\nfree 1\nmalloc 1 8\nfree 1\n").empty());
    const std::vector<std::pair<std::string, std::string>> rows = {
        {"free 7\n", "s.txt:1: free of ID 7, which is not live"},
        {"malloc 1 8\nfree 1\nfree 1\n", "s.txt:3: free of ID 1, which is not live"},
        {"malloc 7 8\nmalloc 7 8\n",
         "s.txt:2: malloc of ID 7, which is already live (a heap block; IDs are reusable only after they are freed)"},
        {"mmap 1 4096\nmalloc 1 8\n",
         "s.txt:2: malloc of ID 1, which is already live (an mmap region; IDs are reusable only after they are "
         "freed)"},
        {"mmap 1 4096\nfree 1\n", "s.txt:2: free of ID 1, which is an mmap region (release it with munmap)"},
        {"malloc 1 8\nmunmap 1\n", "s.txt:2: munmap of ID 1, which is a heap block (release it with free)"},
        {"realloc 1 2 8\n", "s.txt:1: realloc of ID 1, which is not live"},
        {"malloc 1 8\nmalloc 2 8\nrealloc 1 2 16\n", "s.txt:3: realloc to ID 2, which is already live"},
        {"malloc 1 8\ntouch 1 4 8\n", "s.txt:2: touch of ID 1: bytes 4 to 4 + 8 are past the end of its 8 bytes"},
        {"touch 3\n", "s.txt:1: touch of ID 3, which is not live"},
        {"malloc 1 8\nmadvise 1 0 8 DONTNEED\n", "s.txt:2: madvise of ID 1, which is a heap block, not an mmap region"},
        {"kmem_cache_alloc 1 dentry\n",
         "s.txt:1: kmem_cache_alloc from cache \"dentry\", which no kmem_cache_create made"},
        {"kmem_cache_create c 64\nkmem_cache_create c 64\n",
         "s.txt:2: kmem_cache_create of cache \"c\", which already exists"},
        {"dma_alloc 1 64\ndma nvme0 1 2 64\n", "s.txt:2: dma to ID 2, which is not live"},
        {"dma_alloc 1 64\ndma_alloc 2 32\ndma nvme0 1 2 64\n",
         "s.txt:3: dma to ID 2: bytes 0 to 0 + 64 are past the end of its 32 bytes"},
    };
    for (const auto& [input, message] : rows) {
        INFO(input);
        CHECK(id_error(input) == message);
    }
    // realloc in place keeps its ID; a moved block's old ID is free again.
    CHECK(id_error("malloc 1 8\nrealloc 1 1 16\nrealloc 1 2 32\nmalloc 1 4\n").empty());
    // alloc_pages ORDER n is 4096 << n bytes
    CHECK(id_error("alloc_pages 1 2\ntouch 1 16380 4\n").empty());
    CHECK(id_error("alloc_pages 1 2\ntouch 1 16380 5\n") ==
          "s.txt:2: touch of ID 1: bytes 16380 to 16380 + 5 are past the end of its 16384 bytes");
    CHECK(id_error("kmem_cache_create c 64\nkmem_cache_alloc 1 c\ntouch 1 0 64\nkmem_cache_free 1\n").empty());

    IdTracker t;
    Event e;
    e.op = Op::Malloc;
    e.id = 5;
    e.size = 40;
    CHECK(t.apply(e).empty());
    CHECK(t.apply(e) != "");  // a problem changes nothing...
    CHECK(t.live_blocks(BlockKind::Heap) == 1);
    CHECK(t.live_bytes(BlockKind::Heap) == 40);
    REQUIRE(t.find(5));
    CHECK(t.find(5)->kind == BlockKind::Heap);
}
