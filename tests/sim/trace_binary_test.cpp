// The binary format, docs/trace-format.md "Binary format": its bytes, the lossless round trip
// text -> binary -> text, and clean errors on damaged files.
#include <catch2/catch.hpp>
#include <unistd.h>
#include <zstd.h>

#include <cstdlib>

#include "sim/trace/writer.h"
#include "tests/sim/trace_helpers.h"

using namespace memsim::trace;
using namespace memsim::trace::testing;

namespace {

// One line of every event kind, with extreme values where a field allows them.
const char* kEveryEvent =
    "# memsim-trace v1\n"
    "malloc 0 0\n"
    "malloc 18446744073709551615 18446744073709551615\n"
    "calloc 2 4 25\n"
    "realloc 2 3 300\n"
    "memalign 4 4096 200\n"
    "free 4\n"
    "mallopt M_MMAP_MAX -9223372036854775808\n"
    "mallopt M_ARENA_MAX 9223372036854775807\n"
    "mallopt -100 -1\n"
    "mallopt 1 0\n"
    "thread 0\n"
    "thread 18446744073709551615\n"
    "thread_exit 3\n"
    "mmap 5 8192\n"
    "mmap 6 4096 none\n"
    "mmap 7 4096 rwx\n"
    "munmap 6\n"
    "madvise 5 4096 4096 MADV_DONTNEED\n"
    "madvise 5 0 0 -3\n"
    "madvise 5 0 8192 99\n"
    "touch 5\n"
    "touch 5 r\n"
    "touch 5 0 8192\n"
    "touch 5 100 28 r\n"
    "read 0xfffffffffffffff8 8\n"
    "write 0 1\n"
    "modify 0x2000 18446744073709543424\n"
    "ifetch 0x401000 15\n"
    "read 0x401000 8\n"
    "compute 0\n"
    "compute 18446744073709551615\n"
    "kmalloc 8 192\n"
    "kfree 8\n"
    "kmem_cache_create dentry 192\n"
    "kmem_cache_create kmalloc-rcl-64 64 64\n"
    "kmem_cache_alloc 9 dentry\n"
    "kmem_cache_free 9\n"
    "alloc_pages 10 0\n"
    "alloc_pages 11 10 DMA32\n"
    "free_pages 10\n"
    "dma_alloc 12 4096\n"
    "dma_free 12\n"
    "dma nvme0 12 13 512\n";

std::string write_all(const std::vector<Event>& evs, Format f) {
    std::string out;
    auto w = open_string_writer(out, f);
    for (const Event& e : evs) w->write(e);
    w->close();
    return out;
}

std::string header(uint32_t version, uint32_t flags) {
    std::string h("\x89MST\r\n\x1a\n", 8);
    for (int i = 0; i < 4; ++i) h += static_cast<char>(version >> (8 * i));
    for (int i = 0; i < 4; ++i) h += static_cast<char>(flags >> (8 * i));
    return h;
}

}  // namespace

TEST_CASE("binary: text -> binary -> text is lossless", "[trace][binary]") {
    auto original = read_all("every.txt", kEveryEvent);
    REQUIRE(original.size() == 43);
    std::string bin = write_all(original, Format::Binary);
    auto from_bin = read_all("every.mst", bin);
    REQUIRE(from_bin.size() == original.size());
    for (size_t i = 0; i < original.size(); ++i) {
        INFO("event " << i << ": " << op_name(original[i].op));
        CHECK(from_bin[i] == original[i]);
        CHECK(from_bin[i].line == 0);
    }
    std::string text = write_all(from_bin, Format::Text);
    auto from_text = read_all("again.txt", text);
    CHECK(from_text == original);
    // The text writer's output is canonical: writing it again gives the same bytes.
    CHECK(write_all(from_text, Format::Text) == text);
    CHECK(text.substr(0, 18) == "# memsim-trace v1\n");
}

TEST_CASE("binary: the layout byte by byte", "[trace][binary]") {
    std::string bin = write_all(read_all("t.txt", "malloc 1 300\n"), Format::Binary);
    // magic, version 1, flags 1 (zstd), little-endian
    CHECK(bin.substr(0, 16) == header(1, 1));
    // Records, decompressed: opcode 1 (Op::Malloc + 1), ID 1, SIZE 300 = 0xAC 0x02 in LEB128;
    // then the end record: opcode 0, count 1.
    std::string body(64, '\0');
    size_t n = ZSTD_decompress(body.data(), body.size(), bin.data() + 16, bin.size() - 16);
    REQUIRE(!ZSTD_isError(n));
    body.resize(n);
    CHECK(body == std::string("\x01\x01\xac\x02\x00\x01", 6));

    // The same records uncompressed (flags 0) read as the same trace.
    auto evs = read_all("raw.mst", header(1, 0) + body);
    REQUIRE(evs.size() == 1);
    CHECK((evs[0].op == Op::Malloc && evs[0].id == 1 && evs[0].size == 300));

    // Addresses are deltas from the previous access, zigzagged: 0x1000 then 0xff8 = -8 -> 15.
    evs = read_all("raw.mst", header(1, 0) + std::string("\x0c\x80\x40\x08\x0c\x0f\x08\x00\x02", 9));
    REQUIRE(evs.size() == 2);
    CHECK((evs[0].op == Op::Read && evs[0].addr == 0x1000 && evs[0].size == 8));
    CHECK(evs[1].addr == 0xff8);
}

TEST_CASE("binary: damaged files are errors - not crashes", "[trace][binary]") {
    std::string good = write_all(read_all("t.txt", kEveryEvent), Format::Binary);
    auto err = [](const std::string& data) { return error_of(data, Format::Auto, "t.mst"); };

    CHECK(err(good.substr(0, 12)) == "t.mst: truncated binary trace header");
    CHECK(err(header(2, 1)) == "t.mst: binary trace version 2, expected 1 (written by a newer memsim?)");
    CHECK(err(header(1, 6)) == "t.mst: binary trace header has unknown flags 6");
    CHECK(err(good.substr(0, good.size() - 5)).find("t.mst: truncated zstd data") == 0);
    CHECK(err(header(1, 0)) == "t.mst: record 1: truncated: the records end without the end record (after 0 events)");
    CHECK(err(header(1, 0) + "\x01\x01") == "t.mst: record 1: truncated in the middle of a record");
    CHECK(err(header(1, 0) + "\x63") == "t.mst: record 1: unknown opcode 99");
    CHECK(err(header(1, 0) + std::string("\x00\x05", 2)) ==
          "t.mst: record 1: end record counts 5 events, but 0 were read");
    CHECK(err(header(1, 0) + std::string("\x00\x00\x00", 3)) == "t.mst: record 1: data after the end record");
    CHECK(err(header(1, 0) + "\x05\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f") ==
          "t.mst: record 1: varint does not fit in 64 bits");
    // A read of size 0 cannot be written as text, so it cannot be read from binary either.
    CHECK(err(header(1, 0) + std::string("\x0c\x00\x00\x00\x01", 5)) ==
          "t.mst: record 1: read: expected SIZE greater than 0, got 0");
    // --trace-format binary on a text file
    CHECK(error_of("malloc 1 2\n", Format::Binary, "t.txt") ==
          "t.txt: expected the memsim binary magic 89 4D 53 54 0D 0A 1A 0A at the start (not a binary trace)");
}

TEST_CASE("binary: convert writes binary for .mst and text otherwise", "[trace][binary]") {
    CHECK(output_format_for("out.mst") == Format::Binary);
    CHECK(output_format_for("out.txt") == Format::Text);
    CHECK(output_format_for("-") == Format::Text);
    std::string dir = "/tmp/memsim_trace_test_" + std::to_string(::getpid());
    REQUIRE(std::system(("mkdir -p " + dir).c_str()) == 0);
    ReadStats st = convert(data_path("prog.mtrace"), {}, dir + "/prog.mst");
    CHECK(st.events == 11);
    convert(dir + "/prog.mst", {}, dir + "/prog.txt");
    auto a = read_all("a", "", {});
    auto direct = [&](const std::string& p) {
        auto r = open_trace(p);
        std::vector<Event> v;
        Event e;
        while (r->next(e)) v.push_back(e);
        return v;
    };
    auto from_log = direct(data_path("prog.mtrace"));
    auto from_mst = direct(dir + "/prog.mst");
    auto from_txt = direct(dir + "/prog.txt");
    CHECK(from_mst == from_log);
    CHECK(from_txt == from_log);
    CHECK(open_trace(dir + "/prog.mst")->format() == Format::Binary);
    CHECK(open_trace(dir + "/prog.txt")->format() == Format::Text);
    // A failed conversion leaves no output behind.
    CHECK_THROWS_AS(convert(data_path("../../../CMakeLists.txt"), {}, dir + "/bad.mst"), memsim::InputError);
    CHECK(::access((dir + "/bad.mst").c_str(), F_OK) != 0);
    CHECK_THROWS_WITH(open_writer(dir + "/x", Format::Mtrace),
                      "cannot write traces in the mtrace format (output formats: text, binary)");
    std::system(("rm -rf " + dir).c_str());
}
