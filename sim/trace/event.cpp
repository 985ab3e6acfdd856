#include "sim/trace/event.h"

#include <cstring>

namespace memsim::trace {

namespace {
// Indexed by Op; the text format's keywords (docs/trace-format.md).
constexpr std::string_view kNames[kOpCount] = {
    "malloc", "calloc", "realloc", "memalign", "free", "mallopt", "thread_exit",
    "mmap", "munmap", "madvise", "touch",
    "read", "write", "modify", "ifetch", "compute", "thread",
    "kmalloc", "kfree", "kmem_cache_create", "kmem_cache_alloc", "kmem_cache_free",
    "alloc_pages", "free_pages",
    "dma_alloc", "dma_free", "dma",
    "malloc_trim",
};
}  // namespace

std::string_view op_name(Op op) {
    auto i = static_cast<size_t>(op);
    return i < static_cast<size_t>(kOpCount) ? kNames[i] : std::string_view("?");
}

bool op_from_name(std::string_view word, Op& op) {
    // The first letter narrows 27 keywords to at most 7; this runs once per text line.
    if (word.empty()) return false;
    static const auto by_letter = [] {
        struct Table { uint8_t ops[26][8]; uint8_t count[26]; } t{};
        for (int i = 0; i < kOpCount; ++i) {
            int c = kNames[i][0] - 'a';
            t.ops[c][t.count[c]++] = static_cast<uint8_t>(i);
        }
        return t;
    }();
    unsigned c = static_cast<unsigned char>(word[0]) - 'a';
    if (c >= 26) return false;
    for (int k = 0; k < by_letter.count[c]; ++k) {
        int i = by_letter.ops[c][k];
        if (kNames[i] == word) {
            op = static_cast<Op>(i);
            return true;
        }
    }
    return false;
}

bool Event::operator==(const Event& o) const {
    return op == o.op && has_range == o.has_range && write == o.write && prot == o.prot &&
           id == o.id && id2 == o.id2 && addr == o.addr && size == o.size && nmemb == o.nmemb &&
           align == o.align && offset == o.offset && length == o.length && cycles == o.cycles &&
           tid == o.tid && order == o.order && param == o.param && value == o.value &&
           advice == o.advice && name == o.name;
}

}  // namespace memsim::trace
