#include "sim/run/netlist_sc.h"

namespace memsim::run {

Netlist::Netlist(Machine& m, cpu::TraceCoreSc::NextEvent next, cpu::TraceCoreSc::Execute execute,
                 cpu::TraceCoreSc::OnEvent on_event)
    : core_("cpu", m.core(), m.memory_path(), std::move(next), std::move(execute), std::move(on_event)),
      memory_("memory", m.memory()),
      dma_("dma") {
    dma_.socket.bind(memory_.socket);
    m.set_dma_port(&dma_.port);
    cache::Hierarchy* h = m.caches();
    if (!h) {
        core_.isocket.bind(memory_.socket);
        core_.dsocket.bind(memory_.socket);
        core_.wsocket.bind(memory_.socket);
        return;
    }
    const std::vector<cache::Cache*>& levels = h->levels();
    for (cache::Cache* c : levels) caches_.push_back(std::make_unique<cache::CacheSc>(c->name().c_str(), *c));
    auto shell = [&](const std::string& name) -> cache::CacheSc* {
        for (size_t i = 0; i < levels.size(); ++i)
            if (levels[i]->name() == name) return caches_[i].get();
        return nullptr;
    };
    // Each level's misses go to the next enabled level below the L1s, or to memory.
    for (size_t i = 0; i < levels.size(); ++i) {
        size_t j = i + 1;
        while (j < levels.size() && (levels[j]->name() == "l1i" || levels[j]->name() == "l1d")) ++j;
        if (j < levels.size()) caches_[i]->initiator.bind(caches_[j]->target);
        else caches_[i]->initiator.bind(memory_.socket);
    }
    auto bind_to = [&](tlm_utils::simple_initiator_socket<cpu::TraceCoreSc>& s, const std::string& name) {
        if (cache::CacheSc* c = shell(name)) s.bind(c->target);
        else s.bind(memory_.socket);
    };
    bind_to(core_.isocket, "l1i");
    bind_to(core_.dsocket, "l1d");
    bind_to(core_.wsocket, m.walk_level());
}

}  // namespace memsim::run
