#include "models/interconnect/port.h"

namespace memsim::mem {

const char* kind_name(AccessKind k) {
    switch (k) {
        case AccessKind::Read: return "read";
        case AccessKind::Write: return "write";
        case AccessKind::Ifetch: return "ifetch";
        case AccessKind::PageWalk: return "page_walk";
        case AccessKind::PteUpdate: return "pte_update";
        case AccessKind::Writeback: return "writeback";
        case AccessKind::Prefetch: return "prefetch";
    }
    return "?";
}

}  // namespace memsim::mem
