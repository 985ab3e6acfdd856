#include "sim/trace/check.h"

#include "sim/trace/lex.h"
#include "sim/trace/names.h"

namespace memsim::trace {

namespace {

std::string kw(const Event& ev) { return std::string(op_name(ev.op)); }

bool power_of_two(uint64_t v) { return v && !(v & (v - 1)); }

std::string name_problem(const Event& ev, const char* label) {
    if (is_name(ev.name)) return {};
    return kw(ev) + ": expected " + label +
           " (a letter or '_', then letters, digits, '_', '.', ':' or '-'; at most 255 bytes), got " +
           lex::quote(ev.name);
}

std::string positive(const Event& ev, const char* label, uint64_t v) {
    if (v) return {};
    return kw(ev) + ": expected " + label + " greater than 0, got 0";
}

}  // namespace

std::string event_problem(const Event& ev) {
    switch (ev.op) {
        case Op::Read:
        case Op::Write:
        case Op::Modify:
        case Op::Ifetch:
            if (!ev.size) return positive(ev, "SIZE", 0);
            if (ev.addr + ev.size - 1 < ev.addr)
                return kw(ev) + ": expected ADDR + SIZE to stay within the 64-bit address space, got " +
                       std::to_string(ev.addr) + " + " + std::to_string(ev.size);
            return {};
        case Op::Calloc:
            if (ev.size && ev.nmemb > UINT64_MAX / ev.size)
                return "calloc: expected NMEMB * SIZE to fit in 64 bits, got " +
                       std::to_string(ev.nmemb) + " * " + std::to_string(ev.size);
            return {};
        case Op::Memalign:
            // glibc's memalign rounds other alignments up; a trace says which one it got.
            if (!power_of_two(ev.align))
                return "memalign: expected ALIGN a power of two, got " + std::to_string(ev.align);
            return {};
        case Op::Mmap:
            if (ev.prot & ~(prot::kRead | prot::kWrite | prot::kExec))
                return "mmap: expected PROT bits from r, w, x, got " + std::to_string(ev.prot);
            return positive(ev, "LENGTH", ev.length);  // mmap(2): EINVAL for length 0
        case Op::Madvise:
            if (ev.offset + ev.length < ev.offset)
                return "madvise: expected OFFSET + LENGTH to fit in 64 bits";
            return {};
        case Op::Touch:
            if (!ev.has_range) {
                if (ev.offset || ev.length) return "touch: OFFSET and LENGTH given without has_range";
                return {};
            }
            if (!ev.length) return positive(ev, "LENGTH", 0);
            if (ev.offset + ev.length < ev.offset)
                return "touch: expected OFFSET + LENGTH to fit in 64 bits";
            return {};
        case Op::KmemCacheCreate: {
            std::string p = name_problem(ev, "NAME");
            if (!p.empty()) return p;
            if (!ev.size) return positive(ev, "SIZE", 0);
            if (ev.align && !power_of_two(ev.align))
                return "kmem_cache_create: expected ALIGN 0 or a power of two, got " +
                       std::to_string(ev.align);
            return {};
        }
        case Op::KmemCacheAlloc:
            return name_problem(ev, "NAME");
        case Op::AllocPages:
            if (ev.order > kMaxPageOrder)
                return "alloc_pages: expected ORDER from 0 to 10 (MAX_ORDER - 1), got " +
                       std::to_string(ev.order);
            if (!is_zone(ev.name))
                return "alloc_pages: expected ZONE (DMA, DMA32 or Normal), got " + lex::quote(ev.name);
            return {};
        case Op::Dma: {
            std::string p = name_problem(ev, "DEVICE");
            if (!p.empty()) return p;
            return positive(ev, "LENGTH", ev.length);
        }
        default:
            return {};
    }
}

}  // namespace memsim::trace
