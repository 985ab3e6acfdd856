#pragma once
// Small builders for the trace tests: read a trace held in a string, or the message it fails with.
#include <string>
#include <vector>

#include "sim/core/error.h"
#include "sim/trace/reader.h"

namespace memsim::trace::testing {

inline std::vector<Event> read_all(const std::string& name, const std::string& data, ReadOptions opts = {},
                                   ReadStats* stats = nullptr) {
    opts.warn = false;
    auto r = open_trace_memory(name, data, opts);
    std::vector<Event> out;
    Event ev;
    while (r->next(ev)) out.push_back(ev);
    if (stats) *stats = r->stats();
    return out;
}

// The InputError message reading DATA (as a text trace unless FORMAT says otherwise) ends with,
// or "" if it reads cleanly.
inline std::string error_of(const std::string& data, Format format = Format::Text,
                            const std::string& name = "trace.txt") {
    try {
        ReadOptions o;
        o.format = format;
        read_all(name, data, o);
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

inline Event single(const std::string& line) {
    auto evs = read_all("t.txt", line + "\n");
    if (evs.size() != 1) throw std::runtime_error("expected one event from: " + line);
    return evs[0];
}

inline std::string data_path(const std::string& rel) { return std::string(MEMSIM_SOURCE_DIR) + "/tests/data/trace/" + rel; }

}  // namespace memsim::trace::testing
