#include "models/mmu/lookup_log.h"

#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "sim/core/error.h"

namespace memsim::mmu {

namespace {

constexpr char kMagic[17] = "memsim-tlblog-1\n";
constexpr size_t kRecordBytes = 28;

void put_le(unsigned char* p, uint64_t v, unsigned bytes) {
    for (unsigned i = 0; i < bytes; ++i) p[i] = uint8_t(v >> (8 * i));
}
uint64_t get_le(const unsigned char* p, unsigned bytes) {
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; ++i) v |= uint64_t(p[i]) << (8 * i);
    return v;
}

}  // namespace

const char* tlb_level_name(TlbLevel l) {
    switch (l) {
        case TlbLevel::Itlb: return "itlb";
        case TlbLevel::Dtlb: return "dtlb";
        case TlbLevel::Stlb: return "stlb";
    }
    return "?";
}

TlbLookupLog::TlbLookupLog(const std::string& path) : path_(path) {
    f_ = std::fopen(path.c_str(), "wb");
    if (!f_) throw SimulationError(fmt::format("cannot create the TLB log {}: {}", path, std::strerror(errno)));
    static char buf[1 << 16];
    std::setvbuf(f_, buf, _IOFBF, sizeof buf);
    std::fwrite(kMagic, 1, 16, f_);
}

TlbLookupLog::~TlbLookupLog() {
    if (f_) std::fclose(f_);
}

void TlbLookupLog::put(const TlbLogRecord& r) {
    unsigned char b[kRecordBytes] = {};
    b[0] = uint8_t(r.type);
    b[1] = uint8_t(r.level);
    b[2] = uint8_t(r.size);
    b[3] = r.global;
    put_le(b + 4, r.asid, 2);
    put_le(b + 8, r.count, 4);
    put_le(b + 12, r.a, 8);
    put_le(b + 20, r.b, 8);
    std::fwrite(b, 1, kRecordBytes, f_);
}

void TlbLookupLog::flush_pending() {
    for (unsigned l = 0; l < kTlbLevels; ++l)
        if (has_pending_[l]) {
            put(pending_[l]);
            has_pending_[l] = false;
        }
}

void TlbLookupLog::reference(TlbLogType t, TlbLevel l, const TlbEntry& e, uint64_t va) {
    TlbLogRecord& p = pending_[unsigned(l)];
    if (t == TlbLogType::Ref && has_pending_[unsigned(l)] && p.type == TlbLogType::Ref && p.size == e.size &&
        p.vpn() == (va >> page_shift(e.size)) && p.asid == e.asid && p.global == e.global && p.count != UINT32_MAX) {
        ++p.count;
        return;
    }
    if (has_pending_[unsigned(l)]) put(p);
    p = TlbLogRecord{t, l, e.size, e.global, e.asid, 1, va, 0};
    has_pending_[unsigned(l)] = true;
}

void TlbLookupLog::probe(TlbLevel l, uint16_t asid, uint64_t va) {
    if (has_pending_[unsigned(l)]) put(pending_[unsigned(l)]);
    has_pending_[unsigned(l)] = false;
    put(TlbLogRecord{TlbLogType::Probe, l, PageSize::Size4K, false, asid, 1, va, 0});
}

void TlbLookupLog::flush_range(uint16_t asid, uint64_t start, uint64_t end) {
    flush_pending();
    put(TlbLogRecord{TlbLogType::FlushRange, TlbLevel::Itlb, PageSize::Size4K, false, asid, 1, start, end});
}

void TlbLookupLog::flush_asid(uint16_t asid) {
    flush_pending();
    put(TlbLogRecord{TlbLogType::FlushAsid, TlbLevel::Itlb, PageSize::Size4K, false, asid, 1, 0, 0});
}

void TlbLookupLog::flush_non_global() {
    flush_pending();
    put(TlbLogRecord{TlbLogType::FlushNonGlobal, TlbLevel::Itlb, PageSize::Size4K, false, 0, 1, 0, 0});
}

void TlbLookupLog::flush_all() {
    flush_pending();
    put(TlbLogRecord{TlbLogType::FlushAll, TlbLevel::Itlb, PageSize::Size4K, false, 0, 1, 0, 0});
}

void TlbLookupLog::close() {
    if (!f_) return;
    flush_pending();
    bool bad = std::ferror(f_) != 0;
    bad |= std::fclose(f_) != 0;
    f_ = nullptr;
    if (bad) throw SimulationError("cannot write the TLB log " + path_);
}

void read_tlb_lookup_log(const std::string& path, const std::function<void(const TlbLogRecord&)>& on_record) {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), std::fclose);
    if (!f) throw InputError(SourceLocation{path}, std::string("cannot open the TLB log: ") + std::strerror(errno));
    char magic[16];
    if (std::fread(magic, 1, 16, f.get()) != 16 || std::memcmp(magic, kMagic, 16) != 0)
        throw InputError(SourceLocation{path}, "not a memsim TLB log (expected the header \"memsim-tlblog-1\")");
    unsigned char b[kRecordBytes];
    uint64_t offset = 16;
    for (;;) {
        size_t n = std::fread(b, 1, kRecordBytes, f.get());
        if (n == 0) break;
        if (n != kRecordBytes)
            throw InputError(SourceLocation{path},
                             fmt::format("byte {}: a truncated record ({} of {} bytes)", offset, n, kRecordBytes));
        if (b[0] > uint8_t(TlbLogType::FlushAll) || b[1] >= kTlbLevels || b[2] >= kPageSizes)
            throw InputError(SourceLocation{path}, fmt::format("byte {}: not a TLB log record (type {}, level {}, "
                                                               "page size {})",
                                                               offset, b[0], b[1], b[2]));
        TlbLogRecord r;
        r.type = TlbLogType(b[0]);
        r.level = TlbLevel(b[1]);
        r.size = PageSize(b[2]);
        r.global = b[3] != 0;
        r.asid = uint16_t(get_le(b + 4, 2));
        r.count = uint32_t(get_le(b + 8, 4));
        r.a = get_le(b + 12, 8);
        r.b = get_le(b + 20, 8);
        on_record(r);
        offset += kRecordBytes;
    }
}

}  // namespace memsim::mmu
