// Merges sorted runs (storage/run_file.hpp) into one stream in LMDB's key order: the external
// merge of a list import larger than its memory budget. A key found in several runs comes out
// once, from the latest run, as the last of several puts of it would have left it.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "storage/run_file.hpp"

namespace piotd::storage {

class RunMerger {
public:
    // `runs` are finished (RunFile::finish_writing), each sorted with unique keys, in input
    // order; each is read through `buffer_bytes_per_run`. The merger reads from them until it
    // ends; they must outlive it.
    RunMerger(std::vector<RunFile>& runs, std::size_t buffer_bytes_per_run);

    // Moves to the next item; false at the end. The views are valid until the next call.
    bool next();
    std::string_view key() const { return key_; }
    std::string_view value() const { return value_; }
    // Items dropped so far because a later run had the same key.
    std::size_t duplicates() const { return duplicates_; }

private:
    bool before(std::size_t a, std::size_t b) const;  // a's current record comes out first
    void push(std::size_t run);
    std::size_t pop();

    std::vector<RunFile>& runs_;
    std::vector<std::size_t> heap_;  // indices of runs with a current record, a min-heap
    std::size_t current_ = 0;        // the run whose record key()/value() show
    bool has_current_ = false;
    std::size_t duplicates_ = 0;
    std::string_view key_;
    std::string_view value_;
};

}  // namespace piotd::storage
