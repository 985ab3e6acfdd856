#pragma once
// Where a Writer's bytes go: a file, standard output, or a string.
#include <memory>
#include <string>

namespace memsim::trace {

class Sink {
public:
    virtual ~Sink() = default;
    virtual void write(const char* data, size_t n) = 0;
    virtual void close() = 0;  // throws InputError if the data could not be written
};

std::unique_ptr<Sink> file_sink(const std::string& path);  // "-" = standard output
std::unique_ptr<Sink> string_sink(std::string& out);

std::unique_ptr<class Writer> make_text_writer(std::unique_ptr<Sink> sink);
std::unique_ptr<class Writer> make_binary_writer(std::unique_ptr<Sink> sink);

}  // namespace memsim::trace
