#pragma once
// Physical address -> (rank, bank, row, column) as a DRAM controller slices it. The order is
// written most significant field first in Ramulator's notation: "RoBaRaCoCh" puts the row on top,
// then bank, rank, column and channel at the bottom. Below every field sit the bits of one burst
// (64 B for BL8 on a 64-bit bus), which never select anything; the column field counts bursts
// (columns / BL), the low column bits being the burst order. With several channels (memory.channels)
// Ch takes log2(channels) bits: where it sits decides the interleave (RoBaRaCoCh: consecutive
// bursts alternate between channels; ChRoBaRaCo: each channel holds one contiguous range).
#include <cstdint>
#include <string>

#include "models/dram/ddr3_timing.h"

namespace memsim::dram {

struct DramAddress {
    uint32_t rank, bank, row, column;  // column: the first column of the burst
    uint32_t channel = 0;
};

class AddressMap {
public:
    // ORDER: each of Ro, Ba, Ra, Co, Ch exactly once; CHANNELS a power of two (1: Ch has no bits).
    AddressMap(const Ddr3Timing& t, const std::string& order, uint32_t channels = 1);
    DramAddress decode(uint64_t addr) const;
    uint32_t channel(uint64_t addr) const {
        return uint32_t((addr >> slices_[ch_slice_].shift) & ((uint64_t(1) << slices_[ch_slice_].bits) - 1));
    }
    // The address of the burst at (rank, bank, row, burst-column): the inverse of decode.
    uint64_t encode(const DramAddress& a) const;

    // True if ORDER names each field exactly once; else *why says what is wrong.
    static bool valid_order(const std::string& order, std::string* why);

private:
    enum Field { Ro, Ba, Ra, Co, Ch, kFields };
    struct Slice {
        Field field;
        unsigned shift, bits;
    };
    Slice slices_[kFields];  // least significant first
    unsigned ch_slice_ = 0;  // the index of Ch in slices_
    unsigned burst_bits_;
    uint32_t bl_;
};

}  // namespace memsim::dram
