#include "sim/trace/mtrace_writer.h"

#include <fmt/format.h>

#include "sim/core/error.h"

namespace memsim::trace {
namespace {
// "%p" as glibc prints it: 0x-prefixed hex, or "(nil)" for NULL.
std::string ptr_text(uint64_t p) { return p ? fmt::format("{:#x}", p) : std::string("(nil)"); }
// "%#lx" as glibc prints sizes: 0x-prefixed hex, but a bare "0" for zero.
std::string size_text(uint64_t n) { return n ? fmt::format("{:#x}", n) : std::string("0"); }
}  // namespace

MtraceWriter::MtraceWriter(const std::string& path) : out_(path), path_(path) {
    if (!out_) throw InputError(SourceLocation{path}, "cannot write the mtrace log");
    out_ << "= Start\n";
}

MtraceWriter::~MtraceWriter() { close(); }

void MtraceWriter::where(uint64_t line) { out_ << "@ memsim:[" << fmt::format("{:#x}", line) << "] "; }

void MtraceWriter::alloc(uint64_t line, uint64_t ptr, uint64_t size) {
    where(line);
    out_ << "+ " << ptr_text(ptr) << ' ' << size_text(size) << '\n';
}

void MtraceWriter::free(uint64_t line, uint64_t ptr) {
    where(line);
    out_ << "- " << ptr_text(ptr) << '\n';
}

void MtraceWriter::realloc(uint64_t line, uint64_t old_ptr, uint64_t new_ptr, uint64_t size) {
    if (!old_ptr) return alloc(line, new_ptr, size);  // mtrace logs realloc(NULL, n) as a malloc
    if (!new_ptr && size == 0) return free(line, old_ptr);  // realloc(p, 0) frees p
    where(line);
    if (!new_ptr) {  // failed: the old block stays
        out_ << "! " << ptr_text(old_ptr) << ' ' << size_text(size) << '\n';
        return;
    }
    out_ << "< " << ptr_text(old_ptr) << '\n';
    where(line);
    out_ << "> " << ptr_text(new_ptr) << ' ' << size_text(size) << '\n';
}

void MtraceWriter::close() {
    if (!out_.is_open()) return;
    out_ << "= End\n";
    out_.close();
}

}  // namespace memsim::trace
