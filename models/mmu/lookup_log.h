#pragma once
// The TLB reference stream of a run (`memsim run --tlb-log FILE`): what each TLB level was asked and
// what it ended up holding, independent of that level's own size. It is what a one-pass TLB sweep
// (sim/sweep/tlb_onepass.h) replays through LRU stacks of every geometry at once, and a TLB
// reference trace for studies outside memsim.
//
// Per translation, for the L1 TLB of the access (ITLB for fetches, DTLB otherwise) and, when the L1
// missed (or is absent), for the STLB:
//   Ref    the level was looked up and then holds the translation's entry: a hit, or a miss filled
//          by the STLB or a walk. In an LRU array the entry becomes the most recently used.
//   Probe  the level was looked up but the translation faulted: a hit in a big enough array, a miss
//          otherwise, and nothing is filled (the fault's flush follows as its own record).
//   Touch  a fill without a lookup: the STLB filled by the dirty-bit re-walk that follows an L1 hit
//          on a clean entry (x86).
// and every invalidation as the TLBs receive it (INVLPG ranges, ASID flushes, full flushes, the
// page flushed by a fault). A level is logged whether or not it is present in the run, so the
// stream of a level does not depend on its own geometry. It does depend on the levels above it:
// the STLB sees only the L1's misses.
//
// File: the 16 bytes "memsim-tlblog-1\n", then 28-byte little-endian records {u8 type, u8 level,
// u8 page size (0 4K, 1 2M, 2 1G), u8 global, u16 asid, u16 0, u32 count, u64 a, u64 b}:
// Ref/Probe/Touch a = virtual address, count = how many identical consecutive references of that
// level it stands for; FlushRange a = start, b = end (exclusive); FlushAsid asid; FlushNonGlobal
// and FlushAll no operand.
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>

#include "models/mmu/tlb.h"

namespace memsim::mmu {

enum class TlbLevel : uint8_t { Itlb = 0, Dtlb = 1, Stlb = 2 };
constexpr unsigned kTlbLevels = 3;
const char* tlb_level_name(TlbLevel l);  // "itlb", "dtlb", "stlb"

enum class TlbLogType : uint8_t { Ref, Probe, Touch, FlushRange, FlushAsid, FlushNonGlobal, FlushAll };

struct TlbLogRecord {
    TlbLogType type = TlbLogType::Ref;
    TlbLevel level = TlbLevel::Dtlb;
    PageSize size = PageSize::Size4K;
    bool global = false;
    uint16_t asid = 0;
    uint32_t count = 1;
    uint64_t a = 0, b = 0;
    uint64_t vpn() const { return a >> page_shift(size); }
};

class TlbLookupLog {
public:
    // Creates PATH; SimulationError if it cannot.
    explicit TlbLookupLog(const std::string& path);
    ~TlbLookupLog();
    TlbLookupLog(const TlbLookupLog&) = delete;
    TlbLookupLog& operator=(const TlbLookupLog&) = delete;

    void ref(TlbLevel l, const TlbEntry& e, uint64_t va) { reference(TlbLogType::Ref, l, e, va); }
    void touch(TlbLevel l, const TlbEntry& e, uint64_t va) { reference(TlbLogType::Touch, l, e, va); }
    void probe(TlbLevel l, uint16_t asid, uint64_t va);
    void flush_range(uint16_t asid, uint64_t start, uint64_t end);
    void flush_asid(uint16_t asid);
    void flush_non_global();
    void flush_all();
    // Writes what is pending and closes the file; SimulationError if writing failed.
    void close();

private:
    std::FILE* f_ = nullptr;
    std::string path_;
    // Per level, the last reference, held back while identical ones follow.
    TlbLogRecord pending_[kTlbLevels];
    bool has_pending_[kTlbLevels] = {};
    void reference(TlbLogType t, TlbLevel l, const TlbEntry& e, uint64_t va);
    void put(const TlbLogRecord& r);
    void flush_pending();
};

// Calls ON_RECORD for each record of the log at PATH, in order. InputError naming the file and the
// record's byte offset on a bad header, a truncated record or an unknown type.
void read_tlb_lookup_log(const std::string& path, const std::function<void(const TlbLogRecord&)>& on_record);

}  // namespace memsim::mmu
