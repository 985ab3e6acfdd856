#include "models/dram/address_map.h"

#include "sim/core/error.h"

namespace memsim::dram {

namespace {
unsigned log2_exact(uint64_t v, const char* what) {
    unsigned b = 0;
    while ((uint64_t(1) << b) < v) ++b;
    if ((uint64_t(1) << b) != v) throw InputError(std::string(what) + " must be a power of two");
    return b;
}
const char* kNames[] = {"Ro", "Ba", "Ra", "Co", "Ch"};
}  // namespace

bool AddressMap::valid_order(const std::string& order, std::string* why) {
    if (order.size() != 10) {
        if (why) *why = "expected the five fields Ro, Ba, Ra, Co, Ch, each once (e.g. RoBaRaCoCh)";
        return false;
    }
    bool seen[kFields] = {};
    for (size_t i = 0; i < order.size(); i += 2) {
        std::string f = order.substr(i, 2);
        int k = -1;
        for (int j = 0; j < kFields; ++j)
            if (f == kNames[j]) k = j;
        if (k < 0 || seen[k]) {
            if (why) *why = "'" + f + "' is " + (k < 0 ? "not a field" : "repeated") +
                            "; expected Ro, Ba, Ra, Co, Ch each once (e.g. RoBaRaCoCh)";
            return false;
        }
        seen[k] = true;
    }
    return true;
}

AddressMap::AddressMap(const Ddr3Timing& t, const std::string& order, uint32_t channels) : bl_(t.BL) {
    std::string why;
    if (!valid_order(order, &why)) throw InputError("address mapping '" + order + "': " + why);
    burst_bits_ = log2_exact(t.burst_bytes(), "the burst size");
    unsigned bits[kFields];
    bits[Ro] = log2_exact(t.rows, "rows");
    bits[Ba] = log2_exact(t.banks, "banks");
    bits[Ra] = log2_exact(t.ranks, "ranks");
    bits[Co] = log2_exact(t.columns / t.BL, "columns / BL");
    bits[Ch] = log2_exact(channels, "memory.channels");
    unsigned shift = burst_bits_;
    for (int i = 0; i < kFields; ++i) {
        std::string f = order.substr(order.size() - 2 * (i + 1), 2);
        Field k = Ro;
        for (int j = 0; j < kFields; ++j)
            if (f == kNames[j]) k = Field(j);
        slices_[i] = {k, shift, bits[k]};
        if (k == Ch) ch_slice_ = unsigned(i);
        shift += bits[k];
    }
}

DramAddress AddressMap::decode(uint64_t addr) const {
    uint32_t v[kFields] = {};
    for (const auto& s : slices_) v[s.field] = uint32_t((addr >> s.shift) & ((uint64_t(1) << s.bits) - 1));
    // Addresses beyond the top field wrap (the module decodes only its own address lines).
    return {v[Ra], v[Ba], v[Ro], v[Co] * bl_, v[Ch]};
}

uint64_t AddressMap::encode(const DramAddress& a) const {
    uint64_t v[kFields] = {a.row, a.bank, a.rank, a.column / bl_, a.channel};
    uint64_t addr = 0;
    for (const auto& s : slices_) addr |= (v[s.field] & ((uint64_t(1) << s.bits) - 1)) << s.shift;
    return addr;
}

}  // namespace memsim::dram
