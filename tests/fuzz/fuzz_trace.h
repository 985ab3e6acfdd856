#pragma once
// What every trace fuzz target checks, whatever reader it feeds: reading arbitrary bytes ends in
// events or an InputError, never a crash, hang or sanitizer report; and every event read survives
// a round trip through both writers unchanged (the readers and writers agree on every field).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "sim/core/error.h"
#include "sim/trace/id_tracker.h"
#include "sim/trace/reader.h"
#include "sim/trace/writer.h"

namespace memsim::fuzz {

// Decompression can turn a few bytes into millions of events; the round trip keeps the first ones.
constexpr size_t kMaxRoundTrip = 20000;

inline std::vector<trace::Event> reread(const std::string& data, trace::Format f) {
    trace::ReadOptions o;
    o.format = f;
    o.warn = false;
    auto r = trace::open_trace_memory("roundtrip", data, o);
    std::vector<trace::Event> out;
    trace::Event e;
    while (r->next(e)) out.push_back(e);
    return out;
}

inline void round_trip(const std::vector<trace::Event>& evs, trace::Format f) {
    std::string bytes;
    {
        auto w = trace::open_string_writer(bytes, f);
        for (const trace::Event& e : evs) w->write(e);
        w->close();
    }
    std::vector<trace::Event> back = reread(bytes, f);  // must not throw: these are valid events
    if (back != evs) {
        std::fprintf(stderr, "round trip through %s changed the events (%zu -> %zu)\n",
                     std::string(trace::format_name(f)).c_str(), evs.size(), back.size());
        std::abort();
    }
}

inline void read_trace(trace::Format format, const uint8_t* data, size_t size) {
    // Strict first (it must stop at the first bad line with an InputError), then lenient (it must
    // get through anything); the lenient pass's events, a superset, take the round trips.
    for (bool lenient : {false, true}) {
        trace::ReadOptions o;
        o.format = format;
        o.lenient = lenient;
        o.warn = false;
        std::vector<trace::Event> evs;
        try {
            auto r = trace::open_trace_memory("fuzz", std::string(reinterpret_cast<const char*>(data), size), o);
            trace::IdTracker ids;
            trace::Event e;
            while (r->next(e)) {
                ids.apply(e);
                if (evs.size() < kMaxRoundTrip) evs.push_back(e);
            }
        } catch (const InputError&) {
        }
        if (!lenient) continue;
        round_trip(evs, trace::Format::Binary);
        round_trip(evs, trace::Format::Text);
    }
}

}  // namespace memsim::fuzz
