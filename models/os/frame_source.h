#pragma once
// Where the address-space model gets its frames: user pages, page-table pages and the zero pages.
// The page allocator (models/os/page_alloc.h) is the real source; SimpleFrameSource is a trivial
// one for tests and the fault benchmark; PageAllocatorFrames adapts the real one. Failures are results (kNoPage), never exceptions.
#include <cstdint>
#include <vector>

#include "models/os/page_alloc.h"

namespace memsim::os {

class FrameSource {
public:
    virtual ~FrameSource() = default;
    virtual pfn_t alloc_pages(unsigned order, Gfp gfp, unsigned cpu, PageOwner owner) = 0;
    virtual void free_pages(pfn_t pfn, unsigned order, unsigned cpu) = 0;
};

// Hands out naturally aligned blocks upward from FIRST_PFN, reuses freed blocks of the same order
// (last freed first), and fails once LIMIT_PAGES frames are in use. Enough for tests and benches:
// no buddy merging, so the physical addresses it gives are not those Linux would give.
class SimpleFrameSource final : public FrameSource {
public:
    explicit SimpleFrameSource(uint64_t limit_pages = ~uint64_t(0), pfn_t first_pfn = 0x100)
        : limit_(limit_pages), next_(first_pfn) {}

    pfn_t alloc_pages(unsigned order, Gfp, unsigned, PageOwner) override {
        uint64_t n = uint64_t(1) << order;
        if (order >= kMaxOrder || in_use_ + n > limit_) return kNoPage;
        in_use_ += n;
        ++allocs_[order];
        auto& list = free_[order];
        if (!list.empty()) {
            pfn_t p = list.back();
            list.pop_back();
            return p;
        }
        next_ = (next_ + n - 1) & ~(n - 1);
        pfn_t p = next_;
        next_ += n;
        return p;
    }
    void free_pages(pfn_t pfn, unsigned order, unsigned) override {
        in_use_ -= uint64_t(1) << order;
        free_[order].push_back(pfn);
    }

    uint64_t in_use() const { return in_use_; }               // frames
    uint64_t allocs(unsigned order) const { return allocs_[order]; }
    void set_limit(uint64_t limit_pages) { limit_ = limit_pages; }

private:
    uint64_t limit_;
    pfn_t next_;
    uint64_t in_use_ = 0;
    uint64_t allocs_[kMaxOrder] = {};
    std::vector<pfn_t> free_[kMaxOrder];
};

// The real page allocator as a frame source.
class PageAllocatorFrames final : public FrameSource {
public:
    explicit PageAllocatorFrames(PageAllocator& pa) : pa_(pa) {}
    pfn_t alloc_pages(unsigned order, Gfp gfp, unsigned cpu, PageOwner owner) override {
        return pa_.alloc_pages(order, gfp, cpu, owner);
    }
    void free_pages(pfn_t pfn, unsigned order, unsigned cpu) override { pa_.free_pages(pfn, order, cpu); }

private:
    PageAllocator& pa_;
};

}  // namespace memsim::os
