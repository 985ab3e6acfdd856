#include "models/cache/cache_sc.h"

namespace memsim::cache {

CacheSc::CacheSc(sc_core::sc_module_name name, Cache& cache)
    : sc_module(name), target("target"), initiator("initiator"), cache_(cache), down_(initiator) {
    target.register_b_transport(this, &CacheSc::b_transport);
    cache_.set_next(&down_);
}

void CacheSc::b_transport(int, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    mem::serve_b_transport(cache_, trans, delay);
}

}  // namespace memsim::cache
