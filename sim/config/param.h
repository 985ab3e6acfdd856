#pragma once
// How a model declares its parameters: once, next to the struct that holds them.
//
//   struct SimpleMemoryParams {
//       uint64_t latency_ps;
//       void visit(ParamVisitor& v) {
//           v(ParamSpec::time("latency", "50ns", "fixed latency of every access"), latency_ps);
//       }
//   };
//   MEMSIM_REGISTER_PARAMS(SimpleMemoryParams, "memory.simple", "gem5-SimpleMemory-like target");
//
// The config loader, `memsim config show` and the docs tables all come from these declarations
// (sim/config/schema.h); models read their values with Config::section<P>(path).
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace memsim::config {

enum class Type {
    Bool,
    Int,        // signed integer; `unit` names what it counts
    Uint,       // unsigned integer; `unit` names what it counts
    Real,       // floating point; `unit` names what it measures
    Size,       // bytes, written with units (32KiB)
    Time,       // picoseconds, written with units (13.75ns)
    Frequency,  // hertz (800MHz)
    Bandwidth,  // bytes per second (12.8GB/s)
    Enum,       // one of `choices`
    String,
    StringList,  // a YAML sequence of strings, or one comma-separated string
};
const char* type_name(Type t);

struct ParamSpec {
    std::string key;  // within its section: "latency"
    Type type = Type::Uint;
    std::string default_text;  // written as a configuration would write it
    std::string description;   // one line
    std::string unit;          // for Int/Uint/Real: what the number counts ("cycles", "entries")
    std::optional<double> min, max;  // inclusive, in canonical units (bytes, ps, Hz, B/s)
    std::vector<std::string> choices;  // Enum
    bool power_of_two = false;         // Uint/Size: must be a power of two
    // String: a further rule the text must follow; false with *why set when it does not.
    using Check = bool (*)(const std::string& text, std::string* why);
    Check check = nullptr;

    static ParamSpec make(Type t, std::string key, std::string def, std::string desc, std::string unit = {}) {
        ParamSpec s;
        s.type = t;
        s.key = std::move(key);
        s.default_text = std::move(def);
        s.description = std::move(desc);
        s.unit = std::move(unit);
        return s;
    }
    static ParamSpec boolean(std::string k, std::string d, std::string desc) { return make(Type::Bool, k, d, desc); }
    static ParamSpec integer(std::string k, std::string d, std::string unit, std::string desc) {
        return make(Type::Int, k, d, desc, unit);
    }
    static ParamSpec count(std::string k, std::string d, std::string unit, std::string desc) {
        return make(Type::Uint, k, d, desc, unit);
    }
    static ParamSpec real(std::string k, std::string d, std::string unit, std::string desc) {
        return make(Type::Real, k, d, desc, unit);
    }
    static ParamSpec size(std::string k, std::string d, std::string desc) { return make(Type::Size, k, d, desc, "bytes"); }
    static ParamSpec time(std::string k, std::string d, std::string desc) { return make(Type::Time, k, d, desc, "ps"); }
    static ParamSpec frequency(std::string k, std::string d, std::string desc) {
        return make(Type::Frequency, k, d, desc, "Hz");
    }
    static ParamSpec bandwidth(std::string k, std::string d, std::string desc) {
        return make(Type::Bandwidth, k, d, desc, "B/s");
    }
    static ParamSpec choice(std::string k, std::string d, std::vector<std::string> choices, std::string desc) {
        ParamSpec s = make(Type::Enum, k, d, desc);
        s.choices = std::move(choices);
        return s;
    }
    static ParamSpec string(std::string k, std::string d, std::string desc) { return make(Type::String, k, d, desc); }
    static ParamSpec list(std::string k, std::string d, std::string desc) { return make(Type::StringList, k, d, desc); }

    ParamSpec&& range(double lo, double hi) && {
        min = lo;
        max = hi;
        return std::move(*this);
    }
    ParamSpec&& at_least(double lo) && {
        min = lo;
        return std::move(*this);
    }
    ParamSpec&& pow2() && {
        power_of_two = true;
        return std::move(*this);
    }
    ParamSpec&& checked(Check c) && {
        check = c;
        return std::move(*this);
    }
};

// Walks a parameter struct. One visitor collects the declarations, another fills the fields from a
// resolved configuration. Each overload takes the field types a Type maps to:
// bool <- Bool; int64_t <- Int; uint64_t <- Uint, Size, Time; double <- Real, Frequency, Bandwidth;
// std::string <- Enum, String; std::vector<std::string> <- StringList.
class ParamVisitor {
public:
    virtual ~ParamVisitor() = default;
    virtual void operator()(const ParamSpec& spec, bool& field) = 0;
    virtual void operator()(const ParamSpec& spec, int64_t& field) = 0;
    virtual void operator()(const ParamSpec& spec, uint64_t& field) = 0;
    virtual void operator()(const ParamSpec& spec, double& field) = 0;
    virtual void operator()(const ParamSpec& spec, std::string& field) = 0;
    virtual void operator()(const ParamSpec& spec, std::vector<std::string>& field) = 0;
    void operator()(const ParamSpec& spec, unsigned& field) {
        uint64_t v = field;
        (*this)(spec, v);
        field = static_cast<unsigned>(v);
    }
};

}  // namespace memsim::config
