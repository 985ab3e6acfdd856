#pragma once
// The parameter reference, generated from the declarations (`memsim config params`,
// docs/configuration.md): a list for the terminal or one Markdown table per section.
#include <iosfwd>

#include "sim/config/schema.h"

namespace memsim::config {
void print_params(std::ostream& out, const Schema& schema, bool markdown);
}
