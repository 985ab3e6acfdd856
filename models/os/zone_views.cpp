// /proc/buddyinfo, /proc/pagetypeinfo and /proc/zoneinfo, formatted as Linux 6.1's mm/vmstat.c
// prints them (frag_show_print, pagetypeinfo_showfree_print, pagetypeinfo_showblockcount_print,
// zoneinfo_show_print) for one node. memsim builds the kernel the way Debian configures 6.1 for
// x86_64, as far as these files show it: CONFIG_ZONE_DEVICE (zones Movable and Device, empty),
// CONFIG_MEMORY_ISOLATION (an "Isolate" type, always empty), no CONFIG_CMA column.
#include <algorithm>
#include <cstdarg>
#include <cstdio>

#include "models/os/page_alloc.h"
#include "models/os/zone.h"

namespace memsim::os {

namespace {

void appendf(std::string& out, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void appendf(std::string& out, const char* fmt, ...) {
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = std::vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    out.append(buf, size_t(std::min(n, int(sizeof buf) - 1)));
}

const char* const kPagetypeNames[] = {"Unmovable", "Movable", "Reclaimable", "HighAtomic", "Isolate"};
constexpr unsigned kPagetypeColumns = 5;

}  // namespace

std::string PageAllocator::buddyinfo() const {
    std::string out;
    for (unsigned i = 0; i < kZoneCount; ++i) {
        const Zone& z = zones_[i];
        if (!z.populated()) continue;
        appendf(out, "Node %d, zone %8s ", 0, zone_name(i));
        for (unsigned o = 0; o < kMaxOrder; ++o) appendf(out, "%6lu ", (unsigned long)z.free_area[o].nr_free);
        out += '\n';
    }
    return out;
}

std::string PageAllocator::pagetypeinfo() const {
    std::string out;
    appendf(out, "Page block order: %d\n", int(kPageblockOrder));
    appendf(out, "Pages per block:  %lu\n", (unsigned long)kPageblockPages);
    out += '\n';
    appendf(out, "%-43s ", "Free pages count per migrate type at order");
    for (unsigned o = 0; o < kMaxOrder; ++o) appendf(out, "%6d ", int(o));
    out += '\n';
    for (unsigned i = 0; i < kZoneCount; ++i) {
        const Zone& z = zones_[i];
        if (!z.populated()) continue;
        for (unsigned mt = 0; mt < kPagetypeColumns; ++mt) {
            appendf(out, "Node %4d, zone %8s, type %12s ", 0, zone_name(i), kPagetypeNames[mt]);
            for (unsigned o = 0; o < kMaxOrder; ++o) {
                unsigned long n = 0;
                bool overflow = false;
                if (mt < kMigrateTypes)
                    for (pfn_t p = z.free_area[o].free_list[mt].head; p != kNoPage; p = pages_[p].next)
                        if (++n >= 100000) {  // the kernel caps the walk
                            overflow = true;
                            break;
                        }
                appendf(out, "%s%6lu ", overflow ? ">" : "", n);
            }
            out += '\n';
        }
    }
    appendf(out, "\n%-23s", "Number of blocks type ");
    for (const char* name : kPagetypeNames) appendf(out, "%12s ", name);
    out += '\n';
    for (unsigned i = 0; i < kZoneCount; ++i) {
        const Zone& z = zones_[i];
        if (!z.populated()) continue;
        unsigned long count[kPagetypeColumns] = {};
        for (pfn_t pfn = z.start_pfn; pfn < z.end_pfn(); pfn += kPageblockPages) ++count[pageblock_mt_[pfn >> kPageblockOrder]];
        appendf(out, "Node %d, zone %8s ", 0, zone_name(i));
        for (unsigned long c : count) appendf(out, "%12lu ", c);
        out += '\n';
    }
    return out;
}

// zoneinfo_show_print for every zone, populated or not. memsim has none of the per-node counters and
// of the zone counters only nr_free_pages; those lines are left out, the rest keeps its layout.
std::string PageAllocator::zoneinfo() const {
    std::string out;
    static const Zone empty_zone;
    for (unsigned i = 0; i < kMaxNrZones; ++i) {
        const Zone& z = i < kZoneCount ? zones_[i] : empty_zone;
        appendf(out, "Node %d, zone %8s", 0, zone_name(i));
        appendf(out,
                "\n  pages free     %lu"
                "\n        boost    %lu"
                "\n        min      %lu"
                "\n        low      %lu"
                "\n        high     %lu"
                "\n        spanned  %lu"
                "\n        present  %lu"
                "\n        managed  %lu"
                "\n        cma      %lu",
                (unsigned long)z.free_pages, 0ul, (unsigned long)z.watermark[kWmarkMin],
                (unsigned long)z.watermark[kWmarkLow], (unsigned long)z.watermark[kWmarkHigh], (unsigned long)z.spanned,
                (unsigned long)z.present, (unsigned long)z.managed, 0ul);
        appendf(out, "\n        protection: (%ld", long(z.lowmem_reserve[0]));
        for (unsigned j = 1; j < kMaxNrZones; ++j) appendf(out, ", %ld", long(z.lowmem_reserve[j]));
        out += ')';
        if (!z.populated()) {
            out += '\n';
            continue;
        }
        appendf(out, "\n      %-12s %lu", "nr_free_pages", (unsigned long)z.free_pages);
        out += "\n  pagesets";
        for (unsigned cpu = 0; cpu < z.pcp.size(); ++cpu) {
            const PerCpuPages& pcp = z.pcp[cpu];
            appendf(out,
                    "\n    cpu: %i"
                    "\n              count: %i"
                    "\n              high:  %i"
                    "\n              batch: %i",
                    int(cpu), pcp.count, pcp.high, pcp.batch);
            appendf(out, "\n  vm stats threshold: %d", z.stat_threshold);
        }
        appendf(out,
                "\n  node_unreclaimable:  %u"
                "\n  start_pfn:           %lu",
                0u, (unsigned long)z.start_pfn);
        out += '\n';
    }
    return out;
}

}  // namespace memsim::os
