#include "sim/config/docs.h"

#include <ostream>

#include <fmt/format.h>

#include "sim/config/units.h"

namespace memsim::config {
namespace {

std::string allowed(const ParamSpec& p, const char* separator) {
    if (p.type == Type::Enum) {
        std::string s;
        for (const auto& c : p.choices) s += (s.empty() ? "" : separator) + c;
        return s;
    }
    std::string s;
    auto bound = [&](double x) {
        switch (p.type) {
            case Type::Size: return units::format_size(uint64_t(x));
            case Type::Time: return units::format_time(uint64_t(x));
            case Type::Frequency: return units::format_frequency(x);
            case Type::Bandwidth: return units::format_bandwidth(x);
            default: return units::format_real(x);
        }
    };
    if (p.min && p.max) s = bound(*p.min) + " .. " + bound(*p.max);
    else if (p.min) s = ">= " + bound(*p.min);
    else if (p.max) s = "<= " + bound(*p.max);
    if (p.power_of_two) s += (s.empty() ? "" : ", ") + std::string("power of two");
    return s;
}

}  // namespace

void print_params(std::ostream& out, const Schema& schema, bool markdown) {
    for (const auto& section : schema.sections()) {
        if (markdown) {
            out << "### `" << section.path << "`\n\n" << section.description << "\n\n";
            out << "| key | type | default | unit | allowed | description |\n|---|---|---|---|---|---|\n";
        } else {
            out << section.path << ": " << section.description << "\n";
        }
        for (const auto& p : section.params) {
            std::string unit = (p.type == Type::Enum || p.type == Type::String || p.type == Type::StringList ||
                                p.type == Type::Bool)
                                   ? ""
                                   : p.unit;
            if (markdown)
                out << fmt::format("| `{}` | {} | {} | {} | {} | {} |\n", p.key, type_name(p.type),
                                   p.default_text.empty() ? "(empty)" : "`" + p.default_text + "`", unit,
                                   allowed(p, ", "), p.description);
            else
                out << fmt::format("  {}.{} = {}  ({}{}{}{}{}) {}\n", section.path, p.key, p.default_text,
                                   type_name(p.type), unit.empty() ? "" : ", ", unit,
                                   allowed(p, " | ").empty() ? "" : "; ", allowed(p, " | "), p.description);
        }
        out << "\n";
    }
}

}  // namespace memsim::config
