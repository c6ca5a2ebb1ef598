// What the fake upstream serves: per list an epoch, a sequence number, the items and the change
// log, behind one lock. Answers are built from consistent views taken under the lock; snapshot
// streams then walk their view without it (the overlay is copy-on-write).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/documents/replication_feed.hpp"
#include "tests/fakes/fake_list.hpp"

namespace piotd::fakes {

struct UpstreamOptions {
    std::size_t cis = 1'113'887;
    std::size_t gtin = 10'000;
    std::size_t series = 40;
    std::size_t min_price = 300;
    std::uint64_t seed = 1;
    std::size_t log_limit = 1'000'000;  // the change log keeps at most this many entries
};

struct ListSummary {
    std::string epoch;
    std::uint64_t seq = 0;
    std::uint64_t doc_count = 0;
    std::uint64_t oldest_seq = 1;  // first seq the log holds; seq + 1 when it is empty
    std::size_t log_size = 0;
};

struct SnapshotView {
    protocol::SnapshotHeader header;
    ItemCursor cursor;
};

struct ChangesAnswer {
    bool snapshot_required = false;
    std::string why;   // when snapshot_required
    std::string body;  // the page, otherwise
};

// What POST /control/reset puts in the list: its items as they are, the generated list, nothing,
// or the request's body (one item per line).
enum class ResetItems : std::uint8_t { keep, base, empty, body };

struct EditResult {
    bool ok = false;
    std::string error;
    std::size_t applied = 0;
    ListSummary summary;
};

class UpstreamState {
public:
    explicit UpstreamState(const UpstreamOptions& options);

    ListSummary summary(FakeList list) const;
    std::string state_json(std::int64_t server_time_ms) const;
    // A consistent view of the items after `after` (an item's text, canonicalised when valid).
    SnapshotView snapshot(FakeList list, std::optional<std::string_view> after) const;
    ItemCursor items(FakeList list) const;
    // 410 (snapshot_required) when `epoch` is not current, `since` < oldestSeq - 1 or > seq.
    ChangesAnswer changes(FakeList list, std::string_view epoch, std::uint64_t since,
                          std::size_t limit) const;

    // One change (seq + 1) per non-empty line of `body`; all lines are checked before any is
    // applied. `raw` takes lines verbatim instead of requiring (and canonicalising) valid items.
    EditResult apply(FakeList list, protocol::ChangeOp op, std::string_view body, bool raw);
    // New epoch, empty change log; seq back to 0 when `zero_seq`.
    EditResult reset(FakeList list, bool zero_seq, ResetItems items, std::string_view body);
    // Drops the oldest log entries, keeping the newest `keep`.
    ListSummary compact(FakeList list, std::size_t keep);

    std::string lists_json() const;  // {"blocked_cis":{"epoch",…,"logSize"},…} for /control/stats

private:
    struct LogEntry {
        std::uint64_t seq;
        protocol::ChangeOp op;
        std::string item;
    };
    struct ListState {
        std::string epoch;
        std::uint64_t seq = 0;
        std::optional<ListContent> content;
        std::shared_ptr<const PackedItems> generated;
        std::deque<LogEntry> log;
    };

    ListSummary summary_locked(FakeList list) const;
    ListState& state(FakeList list) { return lists_[static_cast<std::size_t>(list)]; }
    const ListState& state(FakeList list) const { return lists_[static_cast<std::size_t>(list)]; }

    mutable std::mutex mutex_;
    std::array<ListState, kFakeLists.size()> lists_;
    std::size_t log_limit_;
};

}  // namespace piotd::fakes
