#pragma once
// A periodic stream on one DMA channel, as a video capture engine or a display's scan-out runs one:
// every `period` a frame is moved from the device into the next buffer of a ring (device to memory)
// or from it to the device (memory to device). Each frame is one transfer whose scatter-gather list
// is the buffer's; a frame is late when it completes after the next one is due (start + period),
// the moment a display would show a torn or repeated frame and a capture FIFO would overflow.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/dma/engine.h"
#include "sim/config/config.h"
#include "sim/config/param.h"
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

// A stream declared in the configuration (sections dma.stream0 .. dma.stream3): `ring` buffers of
// `frame` bytes each, contiguous from `ring_base`, a physical carve-out the kernel model does not
// allocate from (a device tree `reserved-memory` region, or a CMA area set aside at boot).
struct StreamParams {
    bool enabled = false;
    std::string channel;
    std::string direction;
    uint64_t frame = 0;
    uint64_t ring = 0;
    uint64_t ring_base = 0;
    uint64_t period_ps = 0;
    uint64_t start_ps = 0;
    uint64_t frames = 0;

    void visit(config::ParamVisitor& v) {
        v(config::ParamSpec::boolean("enabled", "false", "whether this stream runs"), enabled);
        v(config::ParamSpec::string("channel", "dma0", "the channel it runs on (one of dma.channels)"), channel);
        v(config::ParamSpec::choice("direction", "dev_to_mem", {"dev_to_mem", "mem_to_dev"},
                                    "dev_to_mem: a capture writes each frame into the ring; mem_to_dev: a scan-out "
                                    "reads it"),
          direction);
        v(config::ParamSpec::size("frame", "6220800B", "bytes per frame (1920 x 1080 x 3 bytes by default)")
              .range(1, double(1ull << 40)),
          frame);
        v(config::ParamSpec::count("ring", "3", "frames", "buffers in the ring").range(1, 1024), ring);
        v(config::ParamSpec::size("ring_base", "3GiB", "physical address of the first buffer").range(0, double(1ull << 48)),
          ring_base);
        v(config::ParamSpec::time("period", "16.667ms", "time between frames (60 frames/s)").range(1, 1e15), period_ps);
        v(config::ParamSpec::time("start", "0s", "when the first frame is due").range(0, 1e15), start_ps);
        v(config::ParamSpec::count("frames", "0", "frames", "frames in all (0: as long as the run lasts)")
              .range(0, 1e12),
          frames);
    }
};
constexpr unsigned kConfigStreams = 4;  // dma.stream0 .. dma.stream3

// The enabled streams of CFG on ENGINE; InputError naming the key for an unknown channel or a
// ring that does not fit in MEMORY_BYTES. The engine's descriptor rings (dma.descriptor_ring_base)
// are checked against MEMORY_BYTES here too, with the other carve-outs of the dma section.
std::vector<std::unique_ptr<class Stream>> streams_from_config(const config::Config& cfg, Engine& engine,
                                                               uint64_t memory_bytes, stats::Registry& r);

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
