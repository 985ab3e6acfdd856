#include "models/dma/stream.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "sim/config/schema.h"
#include "sim/core/error.h"

namespace memsim::dma {

MEMSIM_REGISTER_PARAMS(StreamParams, "dma.stream0", "a periodic stream declared in the configuration (dma.stream0..3)");
MEMSIM_REGISTER_PARAMS(StreamParams, "dma.stream1", "a second stream");
MEMSIM_REGISTER_PARAMS(StreamParams, "dma.stream2", "a third stream");
MEMSIM_REGISTER_PARAMS(StreamParams, "dma.stream3", "a fourth stream");

std::vector<std::unique_ptr<Stream>> streams_from_config(const config::Config& cfg, Engine& engine,
                                                         uint64_t memory_bytes, stats::Registry& r) {
    engine.check_descriptor_rings(memory_bytes);
    std::vector<std::unique_ptr<Stream>> out;
    for (unsigned k = 0; k < kConfigStreams; ++k) {
        const std::string section = "dma.stream" + std::to_string(k);
        auto p = cfg.section<StreamParams>(section);
        if (!p.enabled) continue;
        StreamSpec spec;
        spec.name = "stream" + std::to_string(k);
        spec.channel = engine.channel(p.channel);
        if (spec.channel == Engine::kNoChannel)
            throw InputError(SourceLocation{section + ".channel"},
                             "no channel '" + p.channel + "' (expected one of dma.channels)");
        if (p.ring_base + p.ring * p.frame > memory_bytes)
            throw InputError(SourceLocation{section + ".ring_base"},
                             "the ring of " + std::to_string(p.ring) + " frames of " + std::to_string(p.frame) +
                                 " bytes from " + std::to_string(p.ring_base) + " does not fit in memory.size");
        spec.dir = p.direction == "dev_to_mem" ? Direction::DevToMem : Direction::MemToDev;
        for (uint64_t b = 0; b < p.ring; ++b) {
            uint64_t a = p.ring_base + b * p.frame;
            spec.ring.push_back({Descriptor{a, a, p.frame}});
        }
        spec.period_ps = p.period_ps;
        spec.start_ps = p.start_ps;
        spec.frames = p.frames;
        out.push_back(std::make_unique<Stream>(engine, std::move(spec), r));
    }
    return out;
}

Stream::Stream(Engine& engine, StreamSpec spec, stats::Registry& r) : engine_(engine), spec_(std::move(spec)) {
    if (spec_.ring.empty()) throw std::invalid_argument("dma::Stream " + spec_.name + ": no buffers");
    if (spec_.period_ps == 0) throw std::invalid_argument("dma::Stream " + spec_.name + ": a period of 0");
    if (spec_.dir == Direction::MemToMem)
        throw std::invalid_argument("dma::Stream " + spec_.name + ": a stream moves data to or from a device");
    const std::string s = "dma.stream." + spec_.name + ".";
    frames_ = &r.counter(s + "frames", "frames", "frames completed by stream " + spec_.name);
    late_ = &r.counter(s + "late", "frames",
                       "frames of stream " + spec_.name + " that completed after the next one was due");
    frame_time_ = &r.distribution(s + "frame_time", "ns", "time from a frame's due time to its completion");
    engine_.on_complete([this](const Completion& c) { completed(c); });
}

void Stream::pump(uint64_t until_ps) {
    while ((spec_.frames == 0 || next_frame_ < spec_.frames) && next_due_ps() <= until_ps) {
        const uint64_t due = next_due_ps();
        const auto& buffer = spec_.ring[next_frame_ % spec_.ring.size()];
        uint64_t id = engine_.submit(spec_.channel, spec_.dir, buffer, due);
        due_.push_back({id, due + spec_.period_ps});
        ++next_frame_;
    }
}

void Stream::completed(const Completion& c) {
    auto it = std::find_if(due_.begin(), due_.end(), [&](const Due& d) { return d.transfer == c.transfer; });
    if (it == due_.end()) return;  // another stream's or a trace event's transfer
    ++*frames_;
    if (c.done_ps > it->deadline_ps) ++*late_;
    frame_time_->sample(double(c.done_ps - c.submit_ps) / 1000.0);
    due_.erase(it);
}

}  // namespace memsim::dma
