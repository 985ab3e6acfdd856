#include "sim/run/netlist_sc.h"

namespace memsim::run {

void Netlist::run_dma(dma::Engine& e) {
    while (!e.idle()) {
        const uint64_t t = e.next_ps();
        if (t <= conc_->now_ps()) e.advance(conc_->now_ps());
        else conc_->wait_completion_until(t);  // a completion or a submit may make something due sooner
    }
    dma_running_ = false;
}

Netlist::Netlist(Machine& m, cpu::TraceCoreSc::NextEvent next, cpu::TraceCoreSc::Execute execute,
                 cpu::TraceCoreSc::OnEvent on_event, bool at)
    : conc_(at ? std::make_unique<mem::ScConcurrency>() : nullptr),
      at_memory_(at && m.channels() ? std::make_unique<dram::AtTarget>("memory", *m.channels()) : nullptr),
      core_("cpu", m.core(), m.memory_path(), std::move(next), std::move(execute), std::move(on_event), conc_.get(),
            [this, &m] {
                // The DMA transfers and the driver's work finish; the posted writes and prefetches
                // of the last accesses arrive; then what the controller still queues is issued,
                // as at the end of a memory-request trace.
                m.finish_devices(*conc_);
                conc_->wait_idle();
                if (at_memory_) at_memory_->drain();
            }),
      memory_(at_memory_ ? nullptr : std::make_unique<mem::TlmPortTarget>("memory", m.memory())),
      dma_("dma") {
    m.set_dma_port(&dma_.port);
    if (at) {
        dma::Engine& engine = m.dma_engine();
        m.set_concurrency(conc_.get(), [this, &engine] {
            if (dma_running_) {
                conc_->completed();  // (a waiting DMA thread looks again)
                return;
            }
            dma_running_ = true;
            conc_->spawn([this, &engine] { run_dma(engine); });
        });
        m.mmu().set_concurrency(conc_.get());
        cpu::TraceCore& core = m.core();
        os::Kernel& kernel = m.kernel();
        m.memory_path().set_concurrency(conc_.get(), [&core, &kernel](uint64_t seq) {
            core.wait_older(seq);
            return !kernel.process_died();
        });
        if (cache::Hierarchy* h = m.caches())
            for (cache::Cache* c : h->levels()) c->set_concurrency(conc_.get());
    }
    bind_memory(dma_.socket);
    cache::Hierarchy* h = m.caches();
    if (!h) {
        bind_memory(core_.isocket);
        bind_memory(core_.dsocket);
        bind_memory(core_.wsocket);
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
        else bind_memory(caches_[i]->initiator);
    }
    auto bind_to = [&](tlm_utils::simple_initiator_socket<cpu::TraceCoreSc>& s, const std::string& name) {
        if (cache::CacheSc* c = shell(name)) s.bind(c->target);
        else bind_memory(s);
    };
    bind_to(core_.isocket, "l1i");
    bind_to(core_.dsocket, "l1d");
    bind_to(core_.wsocket, m.walk_level());
}

}  // namespace memsim::run
