// The mtrace log memsim writes (--mtrace-out) reads back through the mtrace importer as the same
// calls, in the line forms glibc 2.36's mtrace-impl.c prints.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/trace/mtrace_writer.h"
#include "sim/trace/reader.h"

using namespace memsim::trace;

TEST_CASE("an mtrace log written by memsim imports back as the same calls", "[trace][mtrace]") {
    std::string path = (std::filesystem::temp_directory_path() / "memsim-mtrace-writer-test.log").string();
    {
        MtraceWriter w(path);
        w.alloc(3, 0x5555555592a0, 0x10);
        w.alloc(4, 0x5555555592c0, 0);
        w.realloc(5, 0x5555555592a0, 0x5555555596e0, 0x400);
        w.realloc(6, 0, 0x555555559af0, 0x20);  // realloc(NULL, n) is logged as a malloc
        w.free(7, 0x5555555596e0);
        w.alloc(8, 0, 0x7fffffffffff);  // a failed malloc
    }
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    CHECK(text.str() ==
          "= Start\n"
          "@ memsim:[0x3] + 0x5555555592a0 0x10\n"
          "@ memsim:[0x4] + 0x5555555592c0 0\n"
          "@ memsim:[0x5] < 0x5555555592a0\n"
          "@ memsim:[0x5] > 0x5555555596e0 0x400\n"
          "@ memsim:[0x6] + 0x555555559af0 0x20\n"
          "@ memsim:[0x7] - 0x5555555596e0\n"
          "@ memsim:[0x8] + (nil) 0x7fffffffffff\n"
          "= End\n");
    ReadOptions o;
    o.warn = false;
    auto r = open_trace(path, o);
    CHECK(r->format() == Format::Mtrace);
    Event ev;
    std::vector<Op> ops;
    while (r->next(ev)) ops.push_back(ev.op);
    // The failed malloc makes no event; the rest keep their order.
    CHECK(ops == std::vector<Op>{Op::Malloc, Op::Malloc, Op::Realloc, Op::Malloc, Op::Free});
}
