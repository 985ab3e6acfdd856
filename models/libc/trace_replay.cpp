#include "models/libc/trace_replay.h"

#include <cstdio>
#include <stdexcept>

#include "sim/trace/reader.h"

namespace memsim::libc {

namespace {
const char* const kNames[] = {"malloc", "calloc", "realloc", "memalign", "free", "mallopt", "thread",
                              "thread_exit", "malloc_trim", "valloc", "pvalloc", "posix_memalign"};

struct Cursor {
    const std::string& s;
    size_t i = 0, line = 1;
    void blanks() {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r')) ++i;
    }
    bool word(std::string& w) {
        blanks();
        if (i >= s.size() || s[i] == '\n' || s[i] == '#') return false;
        size_t b = i;
        while (i < s.size() && s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r' && s[i] != '#') ++i;
        w.assign(s, b, i - b);
        return true;
    }
    [[noreturn]] void fail(const std::string& what) {
        throw std::runtime_error("line " + std::to_string(line) + ": " + what);
    }
    uint64_t number() {
        std::string w;
        if (!word(w)) fail("expected a number");
        bool neg = w[0] == '-';
        const char* p = w.c_str() + (neg ? 1 : 0);
        char* end = nullptr;
        uint64_t v = std::strtoull(p, &end, 0);
        if (*end || end == p) fail("bad number \"" + w + "\"");
        return neg ? uint64_t(0) - v : v;
    }
    uint64_t mallopt_param() {
        blanks();
        size_t save = i;
        std::string w;
        if (!word(w)) fail("mallopt: expected PARAM");
        if ((w[0] >= '0' && w[0] <= '9') || w[0] == '-') {
            i = save;
            return number();
        }
        for (auto& c : w) c = char(toupper(c));
        if (w.rfind("M_", 0) == 0) w = w.substr(2);
        static const std::pair<const char*, int> names[] = {{"MXFAST", 1}, {"TRIM_THRESHOLD", -1}, {"TOP_PAD", -2},
                                                            {"MMAP_THRESHOLD", -3}, {"MMAP_MAX", -4}, {"CHECK_ACTION", -5},
                                                            {"PERTURB", -6}, {"ARENA_TEST", -7}, {"ARENA_MAX", -8}};
        for (auto& [n, v] : names)
            if (w == n) return uint64_t(int64_t(v));
        fail("mallopt: unknown PARAM " + w);
    }
};

void hex(std::string& out, uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%llx", (unsigned long long)v);
    out += b;
}
}  // namespace

std::vector<ReplayOp> parse_replay_text(const std::string& text, std::vector<uint64_t>* recorded) {
    std::vector<ReplayOp> ops;
    Cursor c{text};
    while (c.i < text.size()) {
        c.blanks();
        if (c.i < text.size() && text[c.i] == '#') {
            static const std::string tag = "# libc:";
            if (text.compare(c.i, tag.size(), tag) == 0) c.i += tag.size();
            else
                while (c.i < text.size() && text[c.i] != '\n') ++c.i;
        }
        std::string w;
        if (c.word(w)) {
            ReplayOp o;
            bool known = true;
            if (w == "malloc") o.kind = ReplayOp::Malloc, o.id = c.number(), o.a = c.number();
            else if (w == "calloc") o.kind = ReplayOp::Calloc, o.id = c.number(), o.a = c.number(), o.b = c.number();
            else if (w == "realloc") o.kind = ReplayOp::Realloc, o.id = c.number(), o.id2 = c.number(), o.a = c.number();
            else if (w == "memalign") o.kind = ReplayOp::Memalign, o.id = c.number(), o.a = c.number(), o.b = c.number();
            else if (w == "free") o.kind = ReplayOp::Free, o.id = c.number();
            else if (w == "mallopt") o.kind = ReplayOp::Mallopt, o.a = c.mallopt_param(), o.b = c.number();
            else if (w == "thread") o.kind = ReplayOp::Thread, o.id = c.number();
            else if (w == "thread_exit") o.kind = ReplayOp::ThreadExit, o.id = c.number();
            else if (w == "malloc_trim") o.kind = ReplayOp::Trim, o.a = c.number();
            else if (w == "valloc") o.kind = ReplayOp::Valloc, o.id = c.number(), o.a = c.number();
            else if (w == "pvalloc") o.kind = ReplayOp::Pvalloc, o.id = c.number(), o.a = c.number();
            else if (w == "posix_memalign") o.kind = ReplayOp::PosixMemalign, o.id = c.number(), o.a = c.number(), o.b = c.number();
            else known = false;
            if (known) {
                ops.push_back(o);
                if (recorded) {
                    c.blanks();
                    uint64_t addr = 0;
                    if (text.compare(c.i, 4, "# 0x") == 0) addr = std::strtoull(text.c_str() + c.i + 2, nullptr, 16);
                    recorded->push_back(addr);
                }
            }
        }
        while (c.i < text.size() && text[c.i] != '\n') ++c.i;
        if (c.i < text.size()) ++c.i, ++c.line;
    }
    return ops;
}

std::vector<ReplayOp> read_replay_ops(const std::string& path) {
    std::vector<ReplayOp> ops;
    auto reader = trace::open_trace(path);
    trace::Event ev;
    while (reader->next(ev)) {
        ReplayOp o;
        switch (ev.op) {
        case trace::Op::Malloc: o = {ReplayOp::Malloc, ev.id, 0, ev.size, 0}; break;
        case trace::Op::Calloc: o = {ReplayOp::Calloc, ev.id, 0, ev.nmemb, ev.size}; break;
        case trace::Op::Realloc: o = {ReplayOp::Realloc, ev.id, ev.id2, ev.size, 0}; break;
        case trace::Op::Memalign: o = {ReplayOp::Memalign, ev.id, 0, ev.align, ev.size}; break;
        case trace::Op::Free: o = {ReplayOp::Free, ev.id, 0, 0, 0}; break;
        case trace::Op::Mallopt: o = {ReplayOp::Mallopt, 0, 0, uint64_t(ev.param), uint64_t(ev.value)}; break;
        case trace::Op::Thread: o = {ReplayOp::Thread, ev.tid, 0, 0, 0}; break;
        case trace::Op::ThreadExit: o = {ReplayOp::ThreadExit, ev.tid, 0, 0, 0}; break;
        case trace::Op::MallocTrim: o = {ReplayOp::Trim, 0, 0, ev.size, 0}; break;
        default: continue;
        }
        ops.push_back(o);
    }
    return ops;
}

std::string write_replay_text(const std::vector<ReplayOp>& ops) {
    std::string s = "# memsim-trace v1\n";
    char b[128];
    for (auto& o : ops) {
        switch (o.kind) {
        case ReplayOp::Malloc: std::snprintf(b, sizeof b, "malloc %llu %llu\n", (unsigned long long)o.id, (unsigned long long)o.a); break;
        case ReplayOp::Calloc: std::snprintf(b, sizeof b, "calloc %llu %llu %llu\n", (unsigned long long)o.id, (unsigned long long)o.a, (unsigned long long)o.b); break;
        case ReplayOp::Realloc: std::snprintf(b, sizeof b, "realloc %llu %llu %llu\n", (unsigned long long)o.id, (unsigned long long)o.id2, (unsigned long long)o.a); break;
        case ReplayOp::Memalign: std::snprintf(b, sizeof b, "memalign %llu %llu %llu\n", (unsigned long long)o.id, (unsigned long long)o.a, (unsigned long long)o.b); break;
        case ReplayOp::Free: std::snprintf(b, sizeof b, "free %llu\n", (unsigned long long)o.id); break;
        case ReplayOp::Mallopt: std::snprintf(b, sizeof b, "mallopt %lld %lld\n", (long long)o.a, (long long)o.b); break;
        case ReplayOp::Thread: std::snprintf(b, sizeof b, "thread %llu\n", (unsigned long long)o.id); break;
        case ReplayOp::ThreadExit: std::snprintf(b, sizeof b, "thread_exit %llu\n", (unsigned long long)o.id); break;
        case ReplayOp::Trim: std::snprintf(b, sizeof b, "# libc: malloc_trim %llu\n", (unsigned long long)o.a); break;
        case ReplayOp::Valloc: std::snprintf(b, sizeof b, "# libc: valloc %llu %llu\n", (unsigned long long)o.id, (unsigned long long)o.a); break;
        case ReplayOp::Pvalloc: std::snprintf(b, sizeof b, "# libc: pvalloc %llu %llu\n", (unsigned long long)o.id, (unsigned long long)o.a); break;
        case ReplayOp::PosixMemalign: std::snprintf(b, sizeof b, "# libc: posix_memalign %llu %llu %llu\n", (unsigned long long)o.id, (unsigned long long)o.a, (unsigned long long)o.b); break;
        }
        s += b;
    }
    return s;
}

TraceReplay::TraceReplay(Ptmalloc& m) : m_(m) {}

void TraceReplay::where(uint64_t ptr, std::string& out) {
    ChunkPlace c = m_.place(ptr);
    auto ordinal = [](std::vector<uint64_t>& seen, uint64_t v) {
        for (size_t i = 0; i < seen.size(); ++i)
            if (seen[i] == v) return i + 1;
        seen.push_back(v);
        return seen.size();
    };
    switch (c.kind) {
    case ChunkPlace::Null: out += "0"; break;
    case ChunkPlace::Mmapped: out += "m+"; hex(out, c.offset); break;
    case ChunkPlace::MainHeap: out += "h+"; hex(out, c.offset); break;
    case ChunkPlace::ArenaHeap:
        out += "a" + std::to_string(ordinal(arenas_seen_, c.arena)) + ".h" + std::to_string(ordinal(heaps_seen_, c.heap)) + "+";
        hex(out, c.offset);
        break;
    }
}

void TraceReplay::run(const ReplayOp& o, std::string* out) {
    if (!started_) {
        started_ = true;
        main_tid_ = o.kind == ReplayOp::Thread ? o.id : 0;
        cur_ = main_tid_;
        m_.set_main_thread(main_tid_);
    }
    uint64_t r = 0;
    int ret = 0;
    bool is_ptr = true;
    auto get = [&](uint64_t id) {
        auto it = ids_.find(id);
        return it == ids_.end() ? uint64_t(0) : it->second;
    };
    switch (o.kind) {
    case ReplayOp::Thread:
        if (o.id != main_tid_ && !live_threads_.count(o.id)) {
            m_.thread_create(main_tid_, o.id);
            live_threads_[o.id] = true;
        }
        cur_ = o.id;
        return;
    case ReplayOp::ThreadExit:
        if (live_threads_.erase(o.id)) m_.thread_exit(o.id);
        cur_ = main_tid_;
        return;
    case ReplayOp::Malloc: r = m_.malloc(cur_, o.a); ids_[o.id] = r; break;
    case ReplayOp::Calloc: r = m_.calloc(cur_, o.a, o.b); ids_[o.id] = r; break;
    case ReplayOp::Realloc: {
        uint64_t old = get(o.id);
        r = m_.realloc(cur_, old, o.a);
        ids_.erase(o.id);
        if (r || o.a != 0) ids_[o.id2] = r ? r : old;
        break;
    }
    case ReplayOp::Memalign: r = m_.memalign(cur_, o.a, o.b); ids_[o.id] = r; break;
    case ReplayOp::Valloc: r = m_.valloc(cur_, o.a); ids_[o.id] = r; break;
    case ReplayOp::Pvalloc: r = m_.pvalloc(cur_, o.a); ids_[o.id] = r; break;
    case ReplayOp::PosixMemalign:
        if (m_.posix_memalign(cur_, &r, o.a, o.b) != 0) r = 0;
        ids_[o.id] = r;
        break;
    case ReplayOp::Free:
        m_.free(cur_, get(o.id));
        ids_.erase(o.id);
        is_ptr = false;
        break;
    case ReplayOp::Mallopt: ret = m_.mallopt(cur_, int(int64_t(o.a)), int(int64_t(o.b))); is_ptr = false; break;
    case ReplayOp::Trim: ret = m_.malloc_trim(cur_, o.a); is_ptr = false; break;
    }
    if (!out) return;
    *out += kNames[o.kind];
    *out += ' ';
    if (is_ptr) where(r, *out);
    else if (o.kind == ReplayOp::Free) *out += '-';
    else *out += "=" + std::to_string(ret);
    *out += " b+";
    hex(*out, m_.current_brk() ? m_.current_brk() - m_.heap_start() : 0);
    *out += '\n';
}

}  // namespace memsim::libc
