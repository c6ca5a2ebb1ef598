#include "storage/run_merger.hpp"

#include <algorithm>

namespace piotd::storage {

RunMerger::RunMerger(std::vector<RunFile>& runs, std::size_t buffer_bytes_per_run) : runs_(runs) {
    heap_.reserve(runs_.size());
    for (std::size_t run = 0; run < runs_.size(); ++run) {
        runs_[run].start_reading(buffer_bytes_per_run);
        if (runs_[run].next()) push(run);
    }
}

// LMDB's default order is memcmp, then the shorter key first: std::string_view's. Equal keys come
// out earliest run first, so the last of them popped is the one that wins.
bool RunMerger::before(std::size_t a, std::size_t b) const {
    const int c = runs_[a].key().compare(runs_[b].key());
    return c != 0 ? c < 0 : a < b;
}

void RunMerger::push(std::size_t run) {
    heap_.push_back(run);
    std::push_heap(heap_.begin(), heap_.end(),
                   [this](std::size_t a, std::size_t b) { return before(b, a); });
}

std::size_t RunMerger::pop() {
    std::pop_heap(heap_.begin(), heap_.end(),
                  [this](std::size_t a, std::size_t b) { return before(b, a); });
    const std::size_t run = heap_.back();
    heap_.pop_back();
    return run;
}

bool RunMerger::next() {
    // The run shown last is advanced only now, so its views stayed valid until this call.
    if (has_current_ && runs_[current_].next()) push(current_);
    has_current_ = false;
    if (heap_.empty()) {
        key_ = {};
        value_ = {};
        return false;
    }
    std::size_t run = pop();
    // A later run with the same key replaces this one's record: its next key is greater, so
    // pushing it back cannot bring it out before this key is done.
    while (!heap_.empty() && runs_[heap_.front()].key() == runs_[run].key()) {
        ++duplicates_;
        if (runs_[run].next()) push(run);
        run = pop();
    }
    current_ = run;
    has_current_ = true;
    key_ = runs_[run].key();
    value_ = runs_[run].value();
    return true;
}

}  // namespace piotd::storage
