#include "models/dma/stream.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace memsim::dma {

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
