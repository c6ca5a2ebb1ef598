// Bodies the fake upstream streams chunk by chunk, produced lazily from an ItemCursor so memory
// stays bounded (one chunk) however large the list and however slow the client.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "tests/fakes/fake_fault.hpp"
#include "tests/fakes/fake_list.hpp"
#include "tests/fakes/fake_stats.hpp"
#include "tests/fakes/fake_upstream_state.hpp"

namespace piotd::fakes {

class BodySource {
public:
    virtual ~BodySource() = default;
    // Appends about `budget` bytes (whole lines) to `out`; false once the body is complete.
    virtual bool next(std::string& out, std::size_t budget) = 0;
};

// The NDJSON snapshot: header, items, trailer {"end":true,"count":<items in this stream>}.
// Honours the garbage fault (non-JSON lines once `after_bytes` are out) and the truncate fault
// (no trailer; whole lines only up to `after_bytes` when it is set).
class SnapshotSource final : public BodySource {
public:
    SnapshotSource(SnapshotView view, const Fault& fault, FakeStats& stats);
    bool next(std::string& out, std::size_t budget) override;

private:
    bool append_line(std::string& out, std::string_view line);  // false: truncated here

    SnapshotView view_;
    Fault fault_;
    FakeStats& stats_;
    bool header_sent_ = false;
    bool garbage_sent_ = false;
    bool done_ = false;
    std::uint64_t count_ = 0;
    std::uint64_t produced_ = 0;  // body bytes produced so far
    std::string line_;
};

// GET /control/items: the items as text, one per line.
class ItemLinesSource final : public BodySource {
public:
    explicit ItemLinesSource(ItemCursor cursor) : cursor_(std::move(cursor)) {}
    bool next(std::string& out, std::size_t budget) override;

private:
    ItemCursor cursor_;
};

}  // namespace piotd::fakes
