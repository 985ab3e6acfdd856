// The text format, docs/trace-format.md "Text format": each event with its fields, numbers,
// comments, and the exact message for each kind of mistake.
#include <catch2/catch.hpp>

#include "sim/trace/names.h"
#include "sim/trace/writer.h"
#include "tests/sim/trace_helpers.h"

using namespace memsim::trace;
using namespace memsim::trace::testing;

TEST_CASE("text: every event kind and its fields", "[trace][text]") {
    SECTION("user-space allocator") {
        Event e = single("malloc 1 100");
        CHECK(e.op == Op::Malloc);
        CHECK(e.id == 1);
        CHECK(e.size == 100);
        e = single("calloc 2 4 25");
        CHECK((e.op == Op::Calloc && e.id == 2 && e.nmemb == 4 && e.size == 25));
        e = single("realloc 1 3 300");
        CHECK((e.op == Op::Realloc && e.id == 1 && e.id2 == 3 && e.size == 300));
        e = single("memalign 4 64 200");
        CHECK((e.op == Op::Memalign && e.id == 4 && e.align == 64 && e.size == 200));
        e = single("free 4");
        CHECK((e.op == Op::Free && e.id == 4));
    }
    SECTION("mallopt takes glibc's names (malloc.h) or the number") {
        CHECK(single("mallopt M_MXFAST 64").param == 1);
        CHECK(single("mallopt M_TRIM_THRESHOLD 131072").param == -1);
        CHECK(single("mallopt M_TOP_PAD 0").param == -2);
        CHECK(single("mallopt M_MMAP_THRESHOLD 4096").param == -3);
        CHECK(single("mallopt M_MMAP_MAX 0").param == -4);
        CHECK(single("mallopt M_CHECK_ACTION 3").param == -5);
        CHECK(single("mallopt M_PERTURB 165").param == -6);
        CHECK(single("mallopt M_ARENA_TEST 8").param == -7);
        CHECK(single("mallopt m_arena_max 2").param == -8);
        CHECK(single("mallopt ARENA_MAX 2").param == -8);
        Event e = single("mallopt -4 -1");
        CHECK((e.op == Op::Mallopt && e.param == -4 && e.value == -1));
        CHECK(single("mallopt 1 -0x10").value == -16);
    }
    SECTION("threads and time") {
        CHECK(single("thread 7").tid == 7);
        CHECK((single("thread_exit 7").op == Op::ThreadExit && single("thread_exit 7").tid == 7));
        CHECK(single("compute 1000").cycles == 1000);
    }
    SECTION("mmap, munmap, madvise, touch") {
        Event e = single("mmap 5 8192");
        CHECK((e.op == Op::Mmap && e.id == 5 && e.length == 8192));
        CHECK(e.prot == (prot::kRead | prot::kWrite));  // default rw
        CHECK(single("mmap 5 4096 r").prot == prot::kRead);
        CHECK(single("mmap 5 4096 rx").prot == (prot::kRead | prot::kExec));
        CHECK(single("mmap 5 4096 r-x").prot == (prot::kRead | prot::kExec));
        CHECK(single("mmap 5 4096 none").prot == prot::kNone);
        CHECK(single("munmap 5").op == Op::Munmap);
        e = single("madvise 5 4096 4096 DONTNEED");
        CHECK((e.op == Op::Madvise && e.offset == 4096 && e.length == 4096 && e.advice == 4));
        CHECK(single("madvise 5 0 4096 MADV_HUGEPAGE").advice == 14);
        CHECK(single("madvise 5 0 4096 madv_free").advice == 8);
        CHECK(single("madvise 5 0 4096 pageout").advice == 21);
        CHECK(single("madvise 5 0 4096 20").advice == 20);
        e = single("touch 5");
        CHECK((e.op == Op::Touch && !e.has_range && e.write));
        e = single("touch 5 r");
        CHECK((!e.has_range && !e.write));
        e = single("touch 5 16 32");
        CHECK((e.has_range && e.offset == 16 && e.length == 32 && e.write));
        e = single("touch 5 16 32 r");
        CHECK((e.has_range && !e.write));
        CHECK(single("touch 5 16 32 w").write);
    }
    SECTION("raw accesses") {
        Event e = single("read 0x7ff0001000 8");
        CHECK((e.op == Op::Read && e.addr == 0x7ff0001000 && e.size == 8));
        CHECK(single("write 4096 64").op == Op::Write);
        CHECK(single("modify 0x10 4").op == Op::Modify);
        CHECK(single("ifetch 0x401000 3").op == Op::Ifetch);
    }
    SECTION("kernel allocators and DMA") {
        CHECK((single("kmalloc 9 192").op == Op::Kmalloc && single("kmalloc 9 192").size == 192));
        CHECK(single("kfree 9").op == Op::Kfree);
        Event e = single("kmem_cache_create dentry 192");
        CHECK((e.op == Op::KmemCacheCreate && e.name == "dentry" && e.size == 192 && e.align == 0));
        CHECK(single("kmem_cache_create kmalloc-rcl-64 64 64").align == 64);
        e = single("kmem_cache_alloc 10 dentry");
        CHECK((e.op == Op::KmemCacheAlloc && e.id == 10 && e.name == "dentry"));
        CHECK(single("kmem_cache_free 10").op == Op::KmemCacheFree);
        e = single("alloc_pages 11 3");
        CHECK((e.op == Op::AllocPages && e.order == 3 && e.name.empty()));
        CHECK(single("alloc_pages 11 0 dma32").name == "DMA32");
        CHECK(single("alloc_pages 11 10 NORMAL").name == "Normal");
        CHECK(single("alloc_pages 11 0 DMA").name == "DMA");
        CHECK(single("free_pages 11").op == Op::FreePages);
        CHECK(single("dma_alloc 12 4096").size == 4096);
        CHECK(single("dma_free 12").op == Op::DmaFree);
        e = single("dma nvme0 12 13 512");
        CHECK((e.op == Op::Dma && e.name == "nvme0" && e.id == 12 && e.id2 == 13 && e.length == 512));
    }
}

TEST_CASE("text: numbers - comments - blank lines - header", "[trace][text]") {
    CHECK(single("malloc 0x10 0XfF").id == 16);
    CHECK(single("malloc 0x10 0XfF").size == 255);
    CHECK(single("malloc 007 1").id == 7);
    CHECK(single("malloc 18446744073709551615 0xffffffffffffffff").id == UINT64_MAX);
    CHECK(single("malloc 18446744073709551615 0xffffffffffffffff").size == UINT64_MAX);
    CHECK(single("mallopt 1 -9223372036854775808").value == INT64_MIN);
    CHECK(single("mallopt 1 9223372036854775807").value == INT64_MAX);

    auto evs = read_all("t.txt",
                        "# memsim-trace v1\n"
                        "\n"
                        "   # an indented comment\n"
                        "malloc 1 16   # trailing comment\n"
                        "\tfree\t1#no space needed\r\n"
                        "   \n"
                        "read 0x1000 8");  // no final newline
    REQUIRE(evs.size() == 3);
    CHECK(evs[0].line == 4);
    CHECK(evs[1].op == Op::Free);
    CHECK(evs[1].line == 5);
    CHECK(evs[2].line == 7);
    CHECK(read_all("empty.txt", "").empty());
    CHECK(read_all("c.txt", "# only a comment\n\n").empty());
}

TEST_CASE("text: malformed lines say where and what was expected", "[trace][text]") {
    // Each row: input, the exact message.
    const std::vector<std::pair<std::string, std::string>> rows = {
        {"malloc 1 abc", "trace.txt:1: malloc: expected SIZE (a number), got \"abc\""},
        {"malloc 1", "trace.txt:1: malloc: expected SIZE (a number), got end of line (usage: malloc ID SIZE)"},
        {"malloc", "trace.txt:1: malloc: expected ID (a number), got end of line (usage: malloc ID SIZE)"},
        {"malloc 1 2 3",
         "trace.txt:1: malloc: expected end of line after SIZE, got \"3\" (usage: malloc ID SIZE)"},
        {"free 18446744073709551616",
         "trace.txt:1: free: expected ID (a number), got \"18446744073709551616\", which does not fit in 64 bits"},
        {"free 0x10000000000000000",
         "trace.txt:1: free: expected ID (a number), got \"0x10000000000000000\", which does not fit in 64 bits"},
        {"free 0x", "trace.txt:1: free: expected ID (a number), got \"0x\""},
        {"free -1", "trace.txt:1: free: expected ID (a number), got \"-1\""},
        {"mallco 1 2", "trace.txt:1: expected an event keyword, got \"mallco\" (did you mean \"malloc\"?)"},
        {"kmem_cache_alloca 1 x",
         "trace.txt:1: expected an event keyword, got \"kmem_cache_alloca\" (did you mean \"kmem_cache_alloc\"?)"},
        {"Hello world",
         "trace.txt:1: expected an event keyword, got \"Hello\" (events are listed in docs/trace-format.md)"},
        {"read 0x1000 0", "trace.txt:1: read: expected SIZE greater than 0, got 0"},
        {"write 0x1000 0", "trace.txt:1: write: expected SIZE greater than 0, got 0"},
        {"read 0xfffffffffffffff8 16",
         "trace.txt:1: read: expected ADDR + SIZE to stay within the 64-bit address space, got "
         "18446744073709551608 + 16"},
        {"alloc_pages 1 11", "trace.txt:1: alloc_pages: expected ORDER from 0 to 10 (MAX_ORDER - 1), got 11"},
        {"alloc_pages 1 0 HighMem",
         "trace.txt:1: alloc_pages: expected ZONE (DMA, DMA32 or Normal), got \"HighMem\""},
        {"kmem_cache_create 9lives 64",
         "trace.txt:1: kmem_cache_create: expected NAME (a letter or '_', then letters, digits, '_', '.', ':' "
         "or '-'; at most 255 bytes), got \"9lives\""},
        {"kmem_cache_create c 64 24",
         "trace.txt:1: kmem_cache_create: expected ALIGN 0 or a power of two, got 24"},
        {"kmem_cache_create c 0", "trace.txt:1: kmem_cache_create: expected SIZE greater than 0, got 0"},
        {"memalign 1 48 100", "trace.txt:1: memalign: expected ALIGN a power of two, got 48"},
        {"calloc 1 0x100000000 0x100000000",
         "trace.txt:1: calloc: expected NMEMB * SIZE to fit in 64 bits, got 4294967296 * 4294967296"},
        {"mmap 1 0", "trace.txt:1: mmap: expected LENGTH greater than 0, got 0"},
        {"mmap 1 4096 rwz", "trace.txt:1: mmap: expected PROT (none, or letters from r, w, x), got \"rwz\""},
        {"mmap 1 4096 rr", "trace.txt:1: mmap: expected PROT (none, or letters from r, w, x), got \"rr\""},
        {"madvise 1 0 4096 MADV_SLEEPY",
         "trace.txt:1: madvise: expected ADVICE (an MADV_* name such as DONTNEED, or a number), got "
         "\"MADV_SLEEPY\""},
        {"mallopt M_FOO 1",
         "trace.txt:1: mallopt: expected PARAM (an M_* name such as M_MMAP_MAX, or a signed number), got \"M_FOO\""},
        {"mallopt 1 9223372036854775808",
         "trace.txt:1: mallopt: expected VALUE (a signed number), got \"9223372036854775808\", which does not "
         "fit in a signed 64-bit number"},
        {"touch 1 16", "trace.txt:1: touch: expected LENGTH (a number) after OFFSET, got end of line (usage: "
                       "touch ID [OFFSET LENGTH] [r|w])"},
        {"touch 1 16 0", "trace.txt:1: touch: expected LENGTH greater than 0, got 0"},
        {"touch 1 16 8 x", "trace.txt:1: touch: expected r or w, got \"x\" (usage: touch ID [OFFSET LENGTH] [r|w])"},
        {"touch 1 r w", "trace.txt:1: touch: expected end of line, got \"w\" (usage: touch ID [OFFSET LENGTH] [r|w])"},
        {"dma 0000:00:1f.2 1 2 64",
         "trace.txt:1: dma: expected DEVICE (a letter or '_', then letters, digits, '_', '.', ':' or '-'; at most "
         "255 bytes), got \"0000:00:1f.2\""},
        {"dma eth0 1 2 0", "trace.txt:1: dma: expected LENGTH greater than 0, got 0"},
        {"# memsim-trace v2",
         "trace.txt:1: expected \"# memsim-trace v1\" (this memsim reads version 1), got \"# memsim-trace v2\""},
        {"compute 1 2 3 4 5 6 7 8 9",
         "trace.txt:1: compute: expected end of line after CYCLES, got \"2\" (usage: compute CYCLES)"},
    };
    for (const auto& [input, message] : rows) {
        INFO(input);
        CHECK(error_of(input + "\n") == message);
    }
    // The line number counts comments and blank lines.
    CHECK(error_of("# x\n\nmalloc 1 2\nfree z\n") == "trace.txt:4: free: expected ID (a number), got \"z\"");
    // Unprintable bytes are escaped in messages.
    CHECK(error_of("free \x01\xff\n") == "trace.txt:1: free: expected ID (a number), got \"\\x01\\xff\"");
}

TEST_CASE("text: lenient mode skips and counts malformed lines", "[trace][text]") {
    ReadOptions o;
    o.lenient = true;
    ReadStats st;
    auto evs = read_all("t.txt", "malloc 1 8\nmalloc x 8\nbogus\nread 0 0\nfree 1\n", o, &st);
    REQUIRE(evs.size() == 2);
    CHECK(evs[1].op == Op::Free);
    CHECK(evs[1].line == 5);
    CHECK(st.lines == 5);
    CHECK(st.events == 2);
    CHECK(st.skipped_lines == 3);
}

TEST_CASE("names: symbolic values round-trip", "[trace][text]") {
    for (int64_t p = -8; p <= 1; ++p) {
        std::string_view n = mallopt_param_name(p);
        if (p == 0) {
            CHECK(n.empty());
            continue;
        }
        int64_t back = 0;
        REQUIRE(mallopt_param_from_name(n, back));
        CHECK(back == p);
    }
    for (int64_t a = 0; a <= 100; ++a) {
        std::string_view n = madvise_name(a);
        if (n.empty()) continue;
        int64_t back = -1;
        REQUIRE(madvise_from_name(n, back));
        CHECK(back == a);
    }
    CHECK(madvise_name(18) == "MADV_WIPEONFORK");  // bits/mman-linux.h, glibc 2.36
    CHECK(madvise_name(5).empty());                // 5..7 are unassigned
    for (uint8_t p = 0; p < 8; ++p) {
        uint8_t back = 99;
        REQUIRE(prot_from_text(prot_text(p), back));
        CHECK(back == p);
    }
}

TEST_CASE("malloc_trim PAD: parsed and kept through the binary form", "[trace][text]") {
    auto r = memsim::trace::open_trace_memory("t.txt", "malloc 1 10\nmalloc_trim 0x1000  # -> 1\nfree 1\n");
    memsim::trace::Event ev;
    REQUIRE(r->next(ev));
    REQUIRE(r->next(ev));
    CHECK(ev.op == memsim::trace::Op::MallocTrim);
    CHECK(ev.size == 4096);
    CHECK(ev.line == 2);
    std::string bin;
    {
        auto w = memsim::trace::open_string_writer(bin, memsim::trace::Format::Binary);
        w->write(ev);
        w->close();
    }
    auto b = memsim::trace::open_trace_memory("t.mst", bin);
    memsim::trace::Event back;
    REQUIRE(b->next(back));
    CHECK(back == ev);
}
