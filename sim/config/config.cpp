#include "sim/config/config.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "sim/config/units.h"

namespace memsim::config {
namespace {

SourceLocation at(const std::string& file, const YAML::Mark& m) {
    if (m.is_null()) return {file, 0, 0};
    return {file, uint64_t(m.line) + 1, uint64_t(m.column) + 1};
}

std::string in_quotes(const std::string& s) { return "\"" + s + "\""; }

// "a size", "an unsigned integer"
std::string a_type(Type t) {
    std::string name = type_name(t);
    return (std::string("aeiou").find(name[0]) != std::string::npos ? "an " : "a ") + name;
}

// A string as a YAML scalar that reads back as the same string.
std::string yaml_scalar(const std::string& s) {
    YAML::Emitter e;
    e << s;
    return e.c_str();
}

double numeric(const ParamSpec& spec, const Value& v) {
    switch (spec.type) {
        case Type::Int: return double(v.i);
        case Type::Uint:
        case Type::Size:
        case Type::Time: return double(v.u);
        case Type::Real:
        case Type::Frequency:
        case Type::Bandwidth: return v.d;
        default: return 0;
    }
}

std::string format_bound(const ParamSpec& spec, double x) {
    switch (spec.type) {
        case Type::Size: return units::format_size(uint64_t(x));
        case Type::Time: return units::format_time(uint64_t(x));
        case Type::Frequency: return units::format_frequency(x);
        case Type::Bandwidth: return units::format_bandwidth(x);
        default: return units::format_real(x);
    }
}

std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> out;
    std::string cur;
    std::istringstream in(text);
    while (std::getline(in, cur, ',')) {
        size_t b = cur.find_first_not_of(" \t"), e = cur.find_last_not_of(" \t");
        if (b != std::string::npos) out.push_back(cur.substr(b, e - b + 1));
    }
    return out;
}

}  // namespace

std::string Value::text() const {
    switch (spec->type) {
        case Type::Bool: return b ? "true" : "false";
        case Type::Int: return std::to_string(i);
        case Type::Uint: return std::to_string(u);
        case Type::Real: return units::format_real(d);
        case Type::Size: return units::format_size(u);
        case Type::Time: return units::format_time(u);
        case Type::Frequency: return units::format_frequency(d);
        case Type::Bandwidth: return units::format_bandwidth(d);
        case Type::Enum:
        case Type::String: return s;
        case Type::StringList: {
            std::string t;
            for (const auto& x : list) t += (t.empty() ? "" : ",") + x;
            return t;
        }
    }
    return {};
}

bool parse_value(const ParamSpec& spec, const std::string& text, Value& out, std::string* why) {
    out.spec = &spec;
    bool ok = true;
    switch (spec.type) {
        case Type::Bool: ok = units::parse_bool(text, out.b, why); break;
        case Type::Int: ok = units::parse_int(text, out.i, why); break;
        case Type::Uint: ok = units::parse_uint(text, out.u, why); break;
        case Type::Real: ok = units::parse_real(text, out.d, why); break;
        case Type::Size: ok = units::parse_size(text, out.u, why); break;
        case Type::Time: ok = units::parse_time(text, out.u, why); break;
        case Type::Frequency: ok = units::parse_frequency(text, out.d, why); break;
        case Type::Bandwidth: ok = units::parse_bandwidth(text, out.d, why); break;
        case Type::String:
            out.s = text;
            ok = !spec.check || spec.check(text, why);
            break;
        case Type::StringList: out.list = split_list(text); break;
        case Type::Enum: {
            out.s = text;
            ok = false;
            std::string names;
            for (const auto& c : spec.choices) {
                ok = ok || c == text;
                names += (names.empty() ? "" : ", ") + c;
            }
            if (!ok && why) *why = "expected one of " + names;
            break;
        }
    }
    if (!ok) {
        if (why) *why += ", got " + in_quotes(text);
        return false;
    }
    double x = numeric(spec, out);
    if (spec.min && x < *spec.min) {
        if (why) *why = text + " is below the minimum " + format_bound(spec, *spec.min);
        return false;
    }
    if (spec.max && x > *spec.max) {
        if (why) *why = text + " is above the maximum " + format_bound(spec, *spec.max);
        return false;
    }
    if (spec.power_of_two) {
        uint64_t u = spec.type == Type::Int ? uint64_t(out.i) : out.u;
        if (u == 0 || (u & (u - 1)) != 0) {
            if (why) *why = text + " is not a power of two";
            return false;
        }
    }
    return true;
}

Config::Config(const Schema& schema) : schema_(schema) {
    for (const auto& section : schema_.sections()) {
        for (const auto& spec : section.params) {
            Value v;
            std::string why;
            if (!parse_value(spec, spec.default_text, v, &why))
                throw std::logic_error("default of " + section.path + "." + spec.key + ": " + why);
            values_[section.path + "." + spec.key] = std::move(v);
        }
    }
}

const Value& Config::value(const std::string& key) const {
    auto it = values_.find(key);
    if (it == values_.end()) throw std::logic_error("no such configuration key: " + key);
    return it->second;
}

void Config::check_known(const std::string& key, const SourceLocation& where) const {
    if (values_.count(key)) return;
    if (schema_.is_section(key)) throw InputError(where, in_quotes(key) + " is a section, not a key: give its keys");
    std::string near = schema_.nearest(key);
    throw InputError(where, "unknown key " + in_quotes(key) + (near.empty() ? "" : "; did you mean " + in_quotes(near) + "?"));
}

void Config::assign(const std::string& key, const std::string& text, const SourceLocation& where) {
    check_known(key, where);
    auto it = values_.find(key);
    Value v;
    std::string why;
    if (!parse_value(*it->second.spec, text, v, &why)) throw InputError(where, key + ": " + why);
    v.from = where;
    it->second = std::move(v);
}

void Config::load_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(SourceLocation{path}, "cannot open configuration file");
    std::ostringstream text;
    text << in.rdbuf();
    load_yaml_text(text.str(), path);
}

void Config::load_yaml_text(const std::string& text, const std::string& name) {
    for (const auto& f : loading_)
        if (f == name) throw InputError(SourceLocation{name}, "`base:` chain loops back to this file");
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        throw InputError(at(name, e.mark), "invalid YAML: " + e.msg);
    }
    if (!root || root.IsNull()) {
        files_.push_back(name);
        return;  // an empty file changes nothing
    }
    if (!root.IsMap()) throw InputError(at(name, root.Mark()), "expected a mapping of sections (sim:, cpu:, ...)");
    loading_.push_back(name);
    if (YAML::Node base = root["base"]) {
        if (!base.IsScalar()) throw InputError(at(name, base.Mark()), "base: expected a file name");
        std::filesystem::path p = base.Scalar();
        if (p.is_relative()) p = std::filesystem::path(name).parent_path() / p;
        load_file(p.lexically_normal().string());
    }
    load_node(&root, "", name);
    loading_.pop_back();
    files_.push_back(name);
}

void Config::load_node(const void* node_ptr, const std::string& prefix, const std::string& file) {
    const YAML::Node& node = *static_cast<const YAML::Node*>(node_ptr);
    for (auto it = node.begin(); it != node.end(); ++it) {
        const YAML::Node k = it->first;  // copies: the iterator yields a temporary pair
        const YAML::Node v = it->second;
        if (!k.IsScalar()) throw InputError(at(file, k.Mark()), "expected a key name");
        std::string key = prefix.empty() ? k.Scalar() : prefix + "." + k.Scalar();
        if (key == "base") continue;
        SourceLocation where = at(file, k.Mark());
        if (v.IsMap()) {
            if (!schema_.is_section(key)) {
                if (values_.count(key))
                    throw InputError(where, key + ": expected " + a_type(values_.at(key).spec->type) + ", got a mapping");
                std::string near = schema_.nearest(key);
                throw InputError(where, "unknown section " + in_quotes(key) +
                                            (near.empty() ? "" : "; did you mean " + in_quotes(near) + "?"));
            }
            load_node(&v, key, file);
        } else if (v.IsSequence()) {
            check_known(key, where);
            const ParamSpec& spec = *values_[key].spec;
            if (spec.type != Type::StringList)
                throw InputError(where, key + ": expected " + a_type(spec.type) + ", got a list");
            std::string joined;
            for (const auto& item : v) {
                if (!item.IsScalar()) throw InputError(at(file, item.Mark()), key + ": expected a list of strings");
                joined += (joined.empty() ? "" : ",") + item.Scalar();
            }
            assign(key, joined, where);
        } else if (v.IsNull()) {
            if (schema_.is_section(key)) continue;  // "cache:" with nothing under it keeps the defaults
            check_known(key, where);
            throw InputError(where, key + ": expected a value");
        } else {
            if (schema_.is_section(key))
                throw InputError(where, in_quotes(key) + " is a section: expected a mapping of its keys, got " +
                                            in_quotes(v.Scalar()));
            check_known(key, where);
            assign(key, v.Scalar(), at(file, v.Mark()));
        }
    }
}

void Config::set(const std::string& assignment) {
    size_t eq = assignment.find('=');
    SourceLocation where{"--set " + assignment};
    if (eq == std::string::npos || eq == 0) throw InputError(where, "expected KEY=VALUE");
    assign(assignment.substr(0, eq), assignment.substr(eq + 1), where);
}

std::string Config::to_yaml() const {
    std::ostringstream out;
    out << "# memsim configuration, fully resolved (memsim config show)\n";
    std::vector<std::string> open;  // path components of the sections we are inside
    for (const auto& section : schema_.sections()) {
        std::vector<std::string> parts;
        std::stringstream ss(section.path);
        for (std::string p; std::getline(ss, p, '.');) parts.push_back(p);
        size_t common = 0;
        while (common < open.size() && common < parts.size() && open[common] == parts[common]) ++common;
        if (common == 0 && !open.empty()) out << "\n";
        for (size_t i = common; i < parts.size(); ++i) {
            std::string indent(2 * i, ' ');
            if (i + 1 == parts.size()) out << indent << "# " << section.description << "\n";
            out << indent << parts[i] << ":\n";
        }
        open = parts;
        std::string indent(2 * parts.size(), ' ');
        for (const auto& spec : section.params) {
            const Value& v = value(section.path + "." + spec.key);
            std::string text;
            if (spec.type == Type::String) {
                text = yaml_scalar(v.s);
            } else if (spec.type == Type::StringList) {
                text = "[";
                for (size_t i = 0; i < v.list.size(); ++i) text += (i ? ", " : "") + yaml_scalar(v.list[i]);
                text += "]";
            } else {
                text = v.text();
            }
            out << indent << spec.key << ": " << text;
            std::string comment = spec.description;
            if (spec.type == Type::Enum) {
                comment += " (";
                for (size_t i = 0; i < spec.choices.size(); ++i) comment += (i ? " | " : "") + spec.choices[i];
                comment += ")";
            } else if (!spec.unit.empty() && (spec.type == Type::Uint || spec.type == Type::Int || spec.type == Type::Real)) {
                comment += " [" + spec.unit + "]";
            }
            out << "  # " << comment << "\n";
        }
    }
    return out.str();
}

nlohmann::json Config::to_json() const {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [key, v] : values_) {
        nlohmann::json* node = &j;
        std::stringstream ss(key);
        std::vector<std::string> parts;
        for (std::string p; std::getline(ss, p, '.');) parts.push_back(p);
        for (size_t i = 0; i + 1 < parts.size(); ++i) node = &(*node)[parts[i]];
        nlohmann::json& leaf = (*node)[parts.back()];
        switch (v.spec->type) {
            case Type::Bool: leaf = v.b; break;
            case Type::Int: leaf = v.i; break;
            case Type::Uint: leaf = v.u; break;
            case Type::Real: leaf = v.d; break;
            case Type::StringList: leaf = v.list; break;
            case Type::Enum:
            case Type::String: leaf = v.s; break;
            default: leaf = v.text(); break;
        }
    }
    return j;
}

}  // namespace memsim::config
