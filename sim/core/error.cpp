#include "sim/core/error.h"

namespace memsim {

std::string SourceLocation::str() const {
    std::string s = file.empty() ? std::string("<input>") : file;
    if (line) {
        s += ":" + std::to_string(line);
        if (column) s += ":" + std::to_string(column);
    }
    return s;
}

}  // namespace memsim
