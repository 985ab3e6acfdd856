// /proc/PID/maps and /proc/PID/smaps of a modelled address space (Linux 6.1 fs/proc/task_mmu.c:
// show_map_vma, smaps_pte_range, __show_smap, show_smap_vma_flags), for the fields memsim has.
#include <cinttypes>
#include <cstdio>
#include <ostream>

#include "models/os/mm.h"

namespace memsim::os {

AddressSpace::VmaUsage AddressSpace::usage(const Vma& v) {
    VmaUsage u;
    const PteFormat& f = pt_.format();
    pt_.for_each_leaf(v.start, v.end, [&](uint64_t, unsigned level, PtPage* t, unsigned i) {
        uint64_t e = t->e[i];
        if (level == 1) {  // smaps_pmd_entry: the huge zero page is not counted
            if (f.pfn(e) == huge_zero_pfn_) return;
            u.rss += kPmdSize;
            u.anon += kPmdSize;
            u.anon_huge += kPmdSize;
            return;
        }
        if (f.special(e)) return;  // vm_normal_page() is NULL for the zero page
        bool file = file_page(v.kind, f.writable(e));
        u.rss += kPageSize;
        (file ? u.file : u.anon) += kPageSize;
    });
    return u;
}

namespace {
const char* vma_name(const Vma& v, const Layout& l, uint64_t brk) {
    if (v.kind == VmaKind::ImageText || v.kind == VmaKind::ImageData) return "/memsim/program";
    if (v.start <= brk && v.end >= l.start_brk && v.start >= l.start_brk) return "[heap]";
    if (v.flags & vm::kGrowsDown) return "[stack]";
    return nullptr;
}

void header(std::ostream& out, const Vma& v, const Layout& l, uint64_t brk) {
    char buf[160];
    uint64_t off = v.kind == VmaKind::ImageText || v.kind == VmaKind::ImageData ? (v.pgoff - (l.image_base >> kPageShift)) << kPageShift : 0;
    int n = std::snprintf(buf, sizeof buf, "%08" PRIx64 "-%08" PRIx64 " %c%c%c%c %08" PRIx64 " %02x:%02x %lu ",
                          v.start, v.end, v.flags & vm::kRead ? 'r' : '-', v.flags & vm::kWrite ? 'w' : '-',
                          v.flags & vm::kExec ? 'x' : '-', v.flags & vm::kShared ? 's' : 'p', off, 0, 0, 0ul);
    out.write(buf, n);
    if (const char* name = vma_name(v, l, brk)) {
        // seq_pad to 25 + sizeof(void *) * 6 - 1 = 72 columns, then the name
        for (int i = n; i < 72; ++i) out.put(' ');
        out << ' ' << name;
    }
    out << '\n';
}
}  // namespace

void AddressSpace::maps(std::ostream& out) {
    for (auto& [s, v] : vmas_.map()) header(out, v, layout_, brk_);
}

void AddressSpace::smaps(std::ostream& out) {
    static const char* const kFlagNames[32] = {
        "rd", "wr", "ex", "sh", "mr", "mw", "me", "ms", "gd", nullptr, "pf", nullptr, nullptr, "lo", "io", "sr",
        "rr", "dc", "de", "lf", "ac", "nr", "ht", "sf", "ar", "wf", "dd", "sd", "mm", "hg", "nh", "mg"};
    for (auto& [s, v] : vmas_.map()) {
        header(out, v, layout_, brk_);
        VmaUsage u = usage(v);
        auto kb = [&](const char* name, uint64_t bytes) {
            char buf[64];
            int n = std::snprintf(buf, sizeof buf, "%-16s%8" PRIu64 " kB\n", name, bytes >> 10);
            out.write(buf, n);
        };
        uint64_t dirty = 0, clean = 0;
        const PteFormat& f = pt_.format();
        pt_.for_each_leaf(v.start, v.end, [&](uint64_t, unsigned level, PtPage* t, unsigned i) {
            uint64_t e = t->e[i];
            if (level == 1 ? f.pfn(e) == huge_zero_pfn_ : f.special(e)) return;
            (f.dirty(e) ? dirty : clean) += level == 1 ? kPmdSize : kPageSize;
        });
        kb("Size:", v.size());
        kb("KernelPageSize:", kPageSize);
        kb("MMUPageSize:", kPageSize);
        kb("Rss:", u.rss);
        kb("Pss:", u.rss);
        kb("Pss_Dirty:", dirty);
        kb("Shared_Clean:", 0);
        kb("Shared_Dirty:", 0);
        kb("Private_Clean:", clean);
        kb("Private_Dirty:", dirty);
        kb("Referenced:", u.rss);
        kb("Anonymous:", u.anon);
        kb("LazyFree:", v.kind == VmaKind::Anon ? clean : 0);
        kb("AnonHugePages:", u.anon_huge);
        kb("ShmemPmdMapped:", 0);
        kb("FilePmdMapped:", 0);
        kb("Shared_Hugetlb:", 0);
        kb("Private_Hugetlb:", 0);
        kb("Swap:", 0);
        kb("SwapPss:", 0);
        kb("Locked:", 0);
        bool eligible = thp_ != ThpMode::Never && !thp_disabled_ && !(v.flags & vm::kNoHugePage) &&
                        (thp_ == ThpMode::Always || (v.flags & vm::kHugePage)) && v.kind == VmaKind::Anon &&
                        v.size() >= kPmdSize && thp_allowed(v, (v.end - kPmdSize));
        out << "THPeligible:    " << (eligible ? 1 : 0) << '\n';
        out << "VmFlags: ";
        for (unsigned b = 0; b < 32; ++b)
            if ((v.flags >> b & 1) && kFlagNames[b]) out << kFlagNames[b] << ' ';
        out << '\n';
    }
}

}  // namespace memsim::os
