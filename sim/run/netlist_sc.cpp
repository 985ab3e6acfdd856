#include "sim/run/netlist_sc.h"

namespace memsim::run {

Netlist::Netlist(Machine& m, cpu::TraceCoreSc::NextEvent next, cpu::TraceCoreSc::Execute execute,
                 cpu::TraceCoreSc::OnEvent on_event)
    : core_("cpu", m.core(), std::move(next), std::move(execute), std::move(on_event)),
      memory_("memory", m.memory()) {
    core_.socket.bind(memory_.socket);
}

}  // namespace memsim::run
