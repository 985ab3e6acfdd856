// Importers and input handling (docs/trace-format.md "Importers", "Format detection"): glibc
// mtrace logs and valgrind lackey logs captured from real programs (tests/data/trace/README.md),
// zstd-compressed input, detection by content, and reading from a pipe as it is written.
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <future>
#include <thread>

#include "tests/sim/trace_helpers.h"

using namespace memsim::trace;
using namespace memsim::trace::testing;

namespace {

std::vector<Event> read_file(const std::string& path, ReadOptions opts = {}, ReadStats* st = nullptr) {
    opts.warn = false;
    auto r = open_trace(path, opts);
    std::vector<Event> v;
    Event e;
    while (r->next(e)) v.push_back(e);
    if (st) *st = r->stats();
    return v;
}

std::string ev_str(const Event& e) {
    std::string s(op_name(e.op));
    switch (e.op) {
        case Op::Malloc: return s + " " + std::to_string(e.id) + " " + std::to_string(e.size);
        case Op::Realloc:
            return s + " " + std::to_string(e.id) + " " + std::to_string(e.id2) + " " + std::to_string(e.size);
        case Op::Free: return s + " " + std::to_string(e.id);
        default: return s + " " + std::to_string(e.addr) + "," + std::to_string(e.size);
    }
}

std::vector<std::string> strs(const std::vector<Event>& evs) {
    std::vector<std::string> v;
    for (const Event& e : evs) v.push_back(ev_str(e));
    return v;
}

}  // namespace

TEST_CASE("mtrace: a real log of tests/data/trace/capture/prog.c", "[trace][mtrace]") {
    ReadStats st;
    auto evs = read_file(data_path("prog.mtrace"), {}, &st);
    // prog.c, call by call (IDs are handed out from 1; a freed ID is reused first):
    const std::vector<std::string> expected = {
        "malloc 1 100",       // a = malloc(100)                     + ... 0x64
        "malloc 2 100",       // b = calloc(4, 25): logged as '+'    + ... 0x64
        "realloc 1 3 300",    // a = realloc(a, 300) moved           < old / > new 0x12c
        "malloc 1 50",        // c = realloc(NULL, 50): logged '+'; ID 1 is free again
        "malloc 4 200",       // memalign(64, 200)                   + ... 0xc8
        "malloc 5 0",         // malloc(0): SIZE printed as "0"
        "free 1",             // realloc(c, 0) frees c: logged '-'
        "free 2", "free 4", "free 5", "free 3",
        // free(NULL) logs nothing; the failed malloc logs "+ (nil)" and is no event.
    };
    CHECK(strs(evs) == expected);
    CHECK(st.lines == 14);
    CHECK(st.dropped == 0);
    CHECK(evs[2].line == 5);  // the '>' line
}

TEST_CASE("mtrace: a real log of ls /", "[trace][mtrace]") {
    ReadStats st;
    auto evs = read_file(data_path("ls.mtrace"), {}, &st);
    // grep on the log: 236 "] + 0x" lines, 205 "] - " lines, one '<'/'>' pair, "= Start".
    CHECK(evs.size() == 236 + 205 + 1);
    CHECK(st.lines == 444);
    CHECK(st.dropped == 0);
    size_t reallocs = 0;
    for (const Event& e : evs) reallocs += e.op == Op::Realloc;
    CHECK(reallocs == 1);
    // "@ /lib/x86_64-linux-gnu/libc.so.6:(_IO_file_doallocate+8c)[0x758cc] + 0x55eb23a54b10 0x1000"
    CHECK((evs[2].op == Op::Malloc && evs[2].size == 0x1d8));
    CHECK((evs[3].op == Op::Malloc && evs[3].size == 0x1000));
}

TEST_CASE("mtrace: every line form glibc 2.36 writes", "[trace][mtrace]") {
    ReadOptions mt;
    mt.format = Format::Mtrace;
    ReadStats st;
    auto evs = read_all("m.log",
                        "= Start\n"
                        "@ ./a.out:(main+0x1c)[0x401136] + 0x1000 0x10\n"  // with symbol
                        "@ [0x401136] + 0x2000 0x20\n"                      // no dladdr info
                        "+ 0x3000 0\n"                                      // caller NULL: no '@'
                        "@ /odd] dir/lib.so:[0x1] < 0x1000\n"               // "] " inside the file name
                        "@ /odd] dir/lib.so:[0x1] > 0x1000 0x40\n"          // resized in place
                        "@ [0x1] ! 0x2000 0x99999\n"                        // failed realloc: no event
                        "- 0x9000\n"                                        // never allocated: dropped
                        "@ [0x1] - 0x2000\r\n"                              // CRLF
                        "= End\n",
                        mt, &st);
    CHECK(strs(evs) == std::vector<std::string>{"malloc 1 16", "malloc 2 32", "malloc 3 0", "realloc 1 1 64",
                                                "free 2"});
    CHECK(st.dropped == 1);
    CHECK(st.lines == 10);

    // A realloc of a pointer the log never saw keeps the new block, as a malloc.
    evs = read_all("m.log", "< 0x5000\n> 0x6000 0x8\n- 0x6000\n", mt, &st);
    CHECK(strs(evs) == std::vector<std::string>{"malloc 1 8", "free 1"});
    CHECK(st.dropped == 1);

    CHECK(error_of("+ 0x1000 0x10\n< 0x1000\n- 0x1000\n", Format::Mtrace, "m.log") ==
          "m.log:2: expected a '>' line after this realloc '<' line");
    CHECK(error_of("+ 0x1000 0x10\n< 0x1000\n", Format::Mtrace, "m.log") ==
          "m.log:2: expected a '>' line after this realloc '<' line, got end of file");
    CHECK(error_of("> 0x1000 0x10\n", Format::Mtrace, "m.log") ==
          "m.log:1: expected a realloc '<' line before this '>' line");
    CHECK(error_of("+ 0x1000 16\n", Format::Mtrace, "m.log") ==
          "m.log:1: expected an mtrace record such as \"@ ./prog:[0x1189] + 0x55d0c2a4f2a0 0x64\", got "
          "\"+ 0x1000 16\"");
    CHECK(error_of("@ [0x1] * 0x1000\n", Format::Mtrace, "m.log").find("m.log:1: expected an mtrace record") == 0);

    ReadOptions lenient = mt;
    lenient.lenient = true;
    evs = read_all("m.log", "+ 0x1000 0x10\ngarbage\n- 0x1000\n", lenient, &st);
    CHECK(evs.size() == 2);
    CHECK(st.skipped_lines == 1);
}

TEST_CASE("lackey: a real log of tests/data/trace/capture/tiny.c", "[trace][lackey]") {
    ReadStats st;
    auto evs = read_file(data_path("tiny.lackey"), {}, &st);
    // tiny.lackey: 12 "I  " lines, 5 " S ", 2 " L ", 1 " M "; 25 "==PID==" lines skipped.
    REQUIRE(evs.size() == 20);
    CHECK(st.lines == 45);
    CHECK((evs[0].op == Op::Ifetch && evs[0].addr == 0x401000 && evs[0].size == 11));  // "I  00401000,11"
    CHECK((evs[1].op == Op::Write && evs[1].addr == 0x403000 && evs[1].size == 8));    // " S 00403000,8"
    CHECK((evs[9].op == Op::Read && evs[9].addr == 0x403010));                         // " L 00403010,8"
    CHECK((evs[16].op == Op::Modify && evs[16].addr == 0x403018 && evs[16].size == 8));  // " M 00403018,8"
    CHECK(evs[0].line == 7);
}

TEST_CASE("lackey: zstd-compressed real log", "[trace][lackey][zstd]") {
    ReadStats st;
    auto evs = read_file(data_path("true-head.lackey.zst"), {}, &st);
    // true-head.lackey (before zstd): 767 I, 137 L, 73 S, 20 M lines; 25 ==PID== lines; 1022 lines.
    size_t n[kOpCount] = {};
    for (const Event& e : evs) ++n[static_cast<int>(e.op)];
    CHECK(n[static_cast<int>(Op::Ifetch)] == 767);
    CHECK(n[static_cast<int>(Op::Read)] == 137);
    CHECK(n[static_cast<int>(Op::Write)] == 73);
    CHECK(n[static_cast<int>(Op::Modify)] == 20);
    CHECK(st.lines == 1022);
    CHECK((evs[0].op == Op::Ifetch && evs[0].addr == 0x0401ab70 && evs[0].size == 3));  // "I  0401ab70,3"
    CHECK(open_trace(data_path("true-head.lackey.zst"))->format() == Format::Lackey);
}

TEST_CASE("lackey: malformed lines", "[trace][lackey]") {
    const std::string prefix = "lk.log:1: expected a lackey record (\"I  ADDR,SIZE\", \" L ADDR,SIZE\", \" S ADDR,SIZE\", "
                               "\" M ADDR,SIZE\" with ADDR in hex and SIZE > 0 in decimal) or a valgrind \"==PID==\" "
                               "line, got ";
    CHECK(error_of(" L 0x1000,8\n", Format::Lackey, "lk.log") == prefix + "\" L 0x1000,8\"");
    CHECK(error_of(" L 1000,0\n", Format::Lackey, "lk.log") == prefix + "\" L 1000,0\"");
    CHECK(error_of(" L 1000\n", Format::Lackey, "lk.log") == prefix + "\" L 1000\"");
    CHECK(error_of(" X 1000,8\n", Format::Lackey, "lk.log") == prefix + "\" X 1000,8\"");
    CHECK(error_of(" L 10000000000000000,8\n", Format::Lackey, "lk.log") == prefix + "\" L 10000000000000000,8\"");
    // valgrind's messages, superblock lines and blank lines are no errors
    CHECK(read_all("lk.log", "==12== hi\n--12-- verbose\n**12** err\nSB 00401000\n\nI  0,1\n", {}).size() == 1);
    ReadOptions lk;
    lk.format = Format::Lackey;
    CHECK(read_all("lk.log", "==12== hi\n--12-- verbose\n**12** err\nSB 00401000\n\n", lk).empty());
}

TEST_CASE("detection by content", "[trace][detect]") {
    CHECK(detect_format("# memsim-trace v1\nmalloc 1 2\n", true) == Format::Text);
    CHECK(detect_format("\n# a comment\n  malloc 1 2\n", true) == Format::Text);
    CHECK(detect_format("", true) == Format::Text);
    CHECK(detect_format("\x89MST\r\n\x1a\n", true) == Format::Binary);
    CHECK(detect_format("= Start\n", true) == Format::Mtrace);
    CHECK(detect_format("@ ./prog:[0x118b] + 0x55739cdc14a0 0x64\n", true) == Format::Mtrace);
    CHECK(detect_format("- 0x55739cdc14a0\n", true) == Format::Mtrace);
    CHECK(detect_format("==3853== Lackey, an example Valgrind tool\n", true) == Format::Lackey);
    CHECK(detect_format("I  0401ab70,3\n", true) == Format::Lackey);
    CHECK(detect_format(" S 1fff000708,8\n", true) == Format::Lackey);
    CHECK(detect_format("hello world\n", true) == Format::Auto);
    CHECK(detect_format("malloc 1", false) == Format::Auto);  // a cut first line decides nothing...
    CHECK(detect_format("malloc 1", true) == Format::Text);   // ...unless it is the whole input

    CHECK(error_of("hello world\n", Format::Auto, "x.log") ==
          "x.log: unrecognised trace format (tried binary, text, mtrace, lackey; no format starts like "
          "\"hello world\"); use --trace-format to choose one");
    CHECK(error_of("\x28\xb5\x2f\xfd garbage", Format::Auto, "x.zst").find("x.zst: corrupt zstd data") == 0);

    // A forced format wins over the content.
    CHECK(error_of("= Start\n", Format::Text, "f.txt") == "f.txt:1: expected an event keyword, got \"=\" "
                                                          "(events are listed in docs/trace-format.md)");
    CHECK(parse_format("lackey") == Format::Lackey);
    CHECK(parse_format("auto") == Format::Auto);
    CHECK_THROWS_WITH(parse_format("csv"), "unknown trace format \"csv\" (expected auto, text, binary, mtrace or lackey)");
    CHECK_THROWS_WITH(open_trace("/nonexistent/t.txt"), "/nonexistent/t.txt: cannot open: No such file or directory");
}

TEST_CASE("a trace is read as it arrives through a pipe", "[trace][stream]") {
    std::string fifo = "/tmp/memsim_trace_fifo_" + std::to_string(::getpid());
    ::unlink(fifo.c_str());
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    std::promise<void> first_event_read;
    auto got_first = first_event_read.get_future();
    std::thread producer([&] {
        int fd = ::open(fifo.c_str(), O_WRONLY);
        std::string head = "# memsim-trace v1\nmalloc 1 64\n";
        REQUIRE(::write(fd, head.data(), head.size()) == static_cast<ssize_t>(head.size()));
        // The rest is written only after the reader has returned the first event: a reader that
        // waited for the whole input would never get here.
        got_first.wait();
        std::string tail = "free 1\n";
        REQUIRE(::write(fd, tail.data(), tail.size()) == static_cast<ssize_t>(tail.size()));
        ::close(fd);
    });
    auto r = open_trace(fifo);
    Event e;
    REQUIRE(r->next(e));
    CHECK(e.op == Op::Malloc);
    CHECK(r->bytes_total() == 0);  // a pipe has no size
    first_event_read.set_value();
    REQUIRE(r->next(e));
    CHECK(e.op == Op::Free);
    CHECK_FALSE(r->next(e));
    producer.join();
    ::unlink(fifo.c_str());
}
