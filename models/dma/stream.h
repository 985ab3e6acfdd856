#pragma once
// A periodic stream on one DMA channel, as a video capture engine or a display's scan-out runs one:
// every `period` a frame is moved from the device into the next buffer of a ring (device to memory)
// or from it to the device (memory to device). Each frame is one transfer whose scatter-gather list
// is the buffer's; a frame is late when it completes after the next one is due (start + period),
// the moment a display would show a torn or repeated frame and a capture FIFO would overflow.
#include <cstdint>
#include <string>
#include <vector>

#include "models/dma/engine.h"
#include "sim/stats/stats.h"

namespace memsim::dma {

struct StreamSpec {
    std::string name;                          // for the statistics: dma.stream.<name>.*
    unsigned channel = 0;
    Direction dir = Direction::DevToMem;       // DevToMem or MemToDev
    std::vector<std::vector<Descriptor>> ring; // the buffers, each as its scatter-gather list
    uint64_t period_ps = 0;
    uint64_t start_ps = 0;
    uint64_t frames = 0;                       // 0: no end
};

class Stream {
public:
    // Registers itself as a completion listener of ENGINE. std::invalid_argument for an empty ring,
    // a period of 0 or a memory-to-memory direction.
    Stream(Engine& engine, StreamSpec spec, stats::Registry& r);

    // Submits every frame due by UNTIL_PS (frame k is due at start + k x period).
    void pump(uint64_t until_ps);

    uint64_t frames_submitted() const { return next_frame_; }
    uint64_t frames_late() const { return late_->value(); }
    uint64_t next_due_ps() const { return spec_.start_ps + next_frame_ * spec_.period_ps; }

private:
    Engine& engine_;
    StreamSpec spec_;
    uint64_t next_frame_ = 0;
    struct Due {
        uint64_t transfer;
        uint64_t deadline_ps;
    };
    std::vector<Due> due_;  // frames submitted and not completed, oldest first
    stats::Counter* frames_;
    stats::Counter* late_;
    stats::Distribution* frame_time_;

    void completed(const Completion& c);
};

}  // namespace memsim::dma
