#pragma once
// Rules an event must satisfy whatever format it came from (docs/trace-format.md, "Events").
// The text and binary readers both call event_problem(), so a binary trace can hold exactly the
// events a text trace can.
#include <string>

#include "sim/trace/event.h"

namespace memsim::trace {

// Every field back to its default, keeping the name's capacity (readers reuse one Event).
inline void reset_event(Event& ev, Op op) {
    ev.op = op;
    ev.has_range = false;
    ev.write = true;
    ev.prot = prot::kRead | prot::kWrite;
    ev.id = ev.id2 = ev.addr = ev.size = ev.nmemb = ev.align = 0;
    ev.offset = ev.length = ev.cycles = ev.tid = ev.order = 0;
    ev.param = ev.value = ev.advice = 0;
    ev.name.clear();
    ev.line = 0;
}

// Linux x86_64 default MAX_ORDER is 11 (include/linux/mmzone.h before 6.4), so orders run 0..10.
constexpr uint64_t kMaxPageOrder = 10;

// "" when ev is well-formed, else why not in the reader's wording:
// "read: expected SIZE greater than 0, got 0".
std::string event_problem(const Event& ev);

}  // namespace memsim::trace
