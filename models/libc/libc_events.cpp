#include "models/libc/libc_events.h"

#include <fmt/format.h>

#include "sim/core/error.h"

namespace memsim::libc {

LibcEvents::LibcEvents(Ptmalloc& m, os::ProcessEvents& process, stats::Registry& r, std::string trace_file)
    : m_(m),
      process_(process),
      file_(std::move(trace_file)),
      null_count_(r.counter("libc.null_returns", "calls", "allocations that returned NULL (ENOMEM)")),
      skipped_(r.counter("libc.events_skipped", "events", "malloc-family events after the process died")) {}

void LibcEvents::start(const trace::Event& ev) {
    started_ = true;
    main_tid_ = ev.op == trace::Op::Thread ? ev.tid : 0;
    cur_ = main_tid_;
    m_.set_main_thread(main_tid_);
}

void LibcEvents::born(const trace::Event& ev, uint64_t id, uint64_t ptr, uint64_t size) {
    if (mtrace_) mtrace_->alloc(ev.line, ptr, size);
    ptr_of_[id] = ptr;  // a NULL result stays live as NULL: freeing it later is free(NULL)
    if (!ptr) {
        ++null_count_;
        if (nulls_.size() < kMaxNullsKept) nulls_.push_back({ev.line, std::string(trace::op_name(ev.op))});
        return;
    }
    process_.register_range(id, ptr, size);
}

uint64_t LibcEvents::take(const trace::Event& ev, uint64_t id) {
    auto it = ptr_of_.find(id);
    if (it == ptr_of_.end())
        throw InputError(SourceLocation{file_, ev.line},
                         fmt::format("{}: ID {} is not live (never allocated, or already freed)", trace::op_name(ev.op), id));
    uint64_t p = it->second;
    ptr_of_.erase(it);
    if (p) process_.release_range(id);
    return p;
}

bool LibcEvents::execute(const trace::Event& ev) {
    using trace::Op;
    switch (ev.op) {
        case Op::Malloc: case Op::Calloc: case Op::Realloc: case Op::Memalign: case Op::Free:
        case Op::Mallopt: case Op::MallocTrim: case Op::ThreadExit:
            break;
        case Op::Thread:
            if (!started_) start(ev);
            if (ev.tid != main_tid_ && !live_threads_.count(ev.tid)) {
                m_.thread_create(main_tid_, ev.tid);  // pthread_create by the main thread
                live_threads_.insert(ev.tid);
            }
            cur_ = ev.tid;
            return false;
        default:
            return false;
    }
    if (aborted() || process_.stopped()) {
        ++skipped_;
        return true;
    }
    if (!started_) start(ev);
    try {
        switch (ev.op) {
            case Op::Malloc: born(ev, ev.id, m_.malloc(cur_, ev.size), ev.size); break;
            case Op::Calloc: born(ev, ev.id, m_.calloc(cur_, ev.nmemb, ev.size), ev.nmemb * ev.size); break;
            case Op::Memalign: born(ev, ev.id, m_.memalign(cur_, ev.align, ev.size), ev.size); break;
            case Op::Realloc: {
                uint64_t old = take(ev, ev.id);
                uint64_t p = m_.realloc(cur_, old, ev.size);
                if (mtrace_) mtrace_->realloc(ev.line, old, p, ev.size);
                if (p) {
                    ptr_of_[ev.id2] = p;
                    process_.register_range(ev.id2, p, ev.size);
                } else if (ev.size != 0) {  // failed: the old block stays, under its new ID
                    ++null_count_;
                    if (nulls_.size() < kMaxNullsKept) nulls_.push_back({ev.line, "realloc"});
                    ptr_of_[ev.id2] = old;
                    if (old) process_.register_range(ev.id2, old, m_.malloc_usable_size(old));
                }
                break;
            }
            case Op::Free: {
                uint64_t p = take(ev, ev.id);
                if (mtrace_ && p) mtrace_->free(ev.line, p);
                m_.free(cur_, p);
                break;
            }
            case Op::Mallopt: m_.mallopt(cur_, int(ev.param), int(ev.value)); break;
            case Op::MallocTrim: m_.malloc_trim(cur_, ev.size); break;
            case Op::ThreadExit:
                if (live_threads_.erase(ev.tid)) m_.thread_exit(ev.tid);
                cur_ = main_tid_;
                break;
            default: break;
        }
    } catch (const Abort& a) {
        abort_message_ = a.what();
        abort_line_ = ev.line;
    }
    return true;
}

}  // namespace memsim::libc
