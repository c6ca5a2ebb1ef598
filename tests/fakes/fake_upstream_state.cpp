#include "tests/fakes/fake_upstream_state.hpp"

#include <algorithm>
#include <map>
#include <vector>

#include "protocol/json/json_writer.hpp"
#include "protocol/documents/replication_feed.hpp"
#include "protocol/text/uuid.hpp"
#include "tests/fakes/fake_list_generator.hpp"

namespace piotd::fakes {

namespace {

// The non-blank lines of `body`, without '\r'.
std::vector<std::string_view> lines_of(std::string_view body) {
    std::vector<std::string_view> lines;
    while (!body.empty()) {
        const std::size_t end = body.find('\n');
        std::string_view line = body.substr(0, end);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.find_first_not_of(" \t") != std::string_view::npos) lines.push_back(line);
        if (end == std::string_view::npos) break;
        body.remove_prefix(end + 1);
    }
    return lines;
}

// Canonical (or, with `raw`, verbatim) items of `body`; an error names the first bad line.
bool items_of(FakeList list, std::string_view body, bool raw, std::vector<std::string>& items,
              std::string& error) {
    std::size_t number = 0;
    for (const std::string_view line : lines_of(body)) {
        ++number;
        if (raw) {
            items.emplace_back(line);
            continue;
        }
        auto item = canonical_item(list, line);
        if (!item) {
            error = "line " + std::to_string(number) + " is not a valid " +
                    std::string(fake_list_name(list)) + " item: " + std::string(line);
            return false;
        }
        items.push_back(std::move(*item));
    }
    return true;
}

std::size_t default_size(FakeList list, const UpstreamOptions& options) {
    switch (list) {
        case FakeList::blocked_cis:
            return options.cis;
        case FakeList::blocked_gtin:
            return options.gtin;
        case FakeList::blocked_series:
            return options.series;
        case FakeList::min_price:
            return options.min_price;
    }
    return 0;
}

}  // namespace

UpstreamState::UpstreamState(const UpstreamOptions& options) : log_limit_(options.log_limit) {
    for (const FakeList list : kFakeLists) {
        ListState& list_state = state(list);
        list_state.epoch = protocol::random_uuid();
        list_state.generated = generate_list(list, default_size(list, options), options.seed);
        list_state.content.emplace(list, list_state.generated);
    }
}

ListSummary UpstreamState::summary_locked(FakeList list) const {
    const ListState& list_state = state(list);
    ListSummary summary;
    summary.epoch = list_state.epoch;
    summary.seq = list_state.seq;
    summary.doc_count = list_state.content->size();
    summary.oldest_seq = list_state.log.empty() ? list_state.seq + 1 : list_state.log.front().seq;
    summary.log_size = list_state.log.size();
    return summary;
}

ListSummary UpstreamState::summary(FakeList list) const {
    const std::lock_guard lock(mutex_);
    return summary_locked(list);
}

std::string UpstreamState::state_json(std::int64_t server_time_ms) const {
    const std::lock_guard lock(mutex_);
    piotd::protocol::JsonBuffer buffer;
    protocol::JsonWriter writer(buffer);
    writer.StartObject();
    protocol::write_key(writer, "serverTime");
    writer.Int64(server_time_ms);
    protocol::write_key(writer, "lists");
    writer.StartObject();
    for (const FakeList list : kFakeLists) {
        const ListSummary summary = summary_locked(list);
        protocol::write_key(writer, fake_list_name(list));
        writer.StartObject();
        protocol::write_list_state_fields(
            writer, {summary.epoch, summary.seq, summary.doc_count, summary.oldest_seq});
        writer.EndObject();
    }
    writer.EndObject();
    writer.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
}

SnapshotView UpstreamState::snapshot(FakeList list, std::optional<std::string_view> after) const {
    std::optional<std::string> after_key;
    if (after) {
        const auto canonical = canonical_item(list, *after);
        after_key = std::string(item_key(list, canonical ? *canonical : std::string(*after)));
    }
    const std::lock_guard lock(mutex_);
    const ListSummary summary = summary_locked(list);
    protocol::SnapshotHeader header{std::string(fake_list_name(list)), summary.epoch, summary.seq,
                                    summary.doc_count};
    return SnapshotView{std::move(header), state(list).content->cursor(after_key)};
}

ItemCursor UpstreamState::items(FakeList list) const {
    const std::lock_guard lock(mutex_);
    return state(list).content->cursor(std::nullopt);
}

ChangesAnswer UpstreamState::changes(FakeList list, std::string_view epoch, std::uint64_t since,
                                     std::size_t limit) const {
    const std::lock_guard lock(mutex_);
    const ListState& list_state = state(list);
    const ListSummary summary = summary_locked(list);
    ChangesAnswer answer;
    if (epoch != list_state.epoch) {
        answer.snapshot_required = true;
        answer.why = "epoch " + std::string(epoch) + " is not the current epoch of " +
                     std::string(fake_list_name(list));
        return answer;
    }
    if (since + 1 < summary.oldest_seq || since > summary.seq) {
        answer.snapshot_required = true;
        answer.why = "since " + std::to_string(since) + " is outside the change log (" +
                     std::to_string(summary.oldest_seq) + ".." + std::to_string(summary.seq) + ")";
        return answer;
    }
    protocol::ChangePage page;
    page.list = std::string(fake_list_name(list));
    page.epoch = list_state.epoch;
    page.seq = summary.seq;
    page.doc_count = summary.doc_count;
    auto it = std::partition_point(list_state.log.begin(), list_state.log.end(),
                                   [since](const LogEntry& entry) { return entry.seq <= since; });
    for (; it != list_state.log.end() && page.changes.size() < limit; ++it) {
        page.changes.push_back(protocol::Change{it->seq, it->op, it->item});
    }
    page.more = it != list_state.log.end();
    answer.body = protocol::encode_change_page(page);
    return answer;
}

EditResult UpstreamState::apply(FakeList list, protocol::ChangeOp op, std::string_view body,
                                bool raw) {
    EditResult result;
    std::vector<std::string> items;
    if (!items_of(list, body, raw, items, result.error)) return result;
    const std::lock_guard lock(mutex_);
    ListState& list_state = state(list);
    for (std::string& item : items) {
        if (op == protocol::ChangeOp::add) {
            list_state.content->add(item);
        } else {
            list_state.content->remove(item);
        }
        list_state.log.push_back(LogEntry{++list_state.seq, op, std::move(item)});
        while (list_state.log.size() > log_limit_) list_state.log.pop_front();
    }
    result.ok = true;
    result.applied = items.size();
    result.summary = summary_locked(list);
    return result;
}

EditResult UpstreamState::reset(FakeList list, bool zero_seq, ResetItems items,
                                std::string_view body) {
    EditResult result;
    std::shared_ptr<const PackedItems> replacement;
    if (items == ResetItems::empty) {
        replacement = PackedItems::Builder(list, 0, 0).finish();
    } else if (items == ResetItems::body) {
        std::vector<std::string> lines;
        if (!items_of(list, body, false, lines, result.error)) return result;
        // One item per key, the last line winning (a min_price GTIN listed twice), in key order.
        std::map<std::string, std::string, std::less<>> by_key;
        for (std::string& line : lines) {
            const std::string key(item_key(list, line));
            by_key.insert_or_assign(key, std::move(line));
        }
        std::size_t bytes = 0;
        for (const auto& entry : by_key) bytes += entry.second.size();
        PackedItems::Builder builder(list, by_key.size(), bytes);
        for (const auto& entry : by_key) builder.append(entry.second);
        replacement = builder.finish();
    }
    const std::lock_guard lock(mutex_);
    ListState& list_state = state(list);
    if (items == ResetItems::base) replacement = list_state.generated;
    if (replacement) list_state.content->replace(std::move(replacement));
    list_state.epoch = protocol::random_uuid();
    list_state.log.clear();
    if (zero_seq) list_state.seq = 0;
    result.ok = true;
    result.summary = summary_locked(list);
    return result;
}

ListSummary UpstreamState::compact(FakeList list, std::size_t keep) {
    const std::lock_guard lock(mutex_);
    ListState& list_state = state(list);
    while (list_state.log.size() > keep) list_state.log.pop_front();
    return summary_locked(list);
}

std::string UpstreamState::lists_json() const {
    const std::lock_guard lock(mutex_);
    piotd::protocol::JsonBuffer buffer;
    protocol::JsonWriter writer(buffer);
    writer.StartObject();
    for (const FakeList list : kFakeLists) {
        const ListSummary summary = summary_locked(list);
        protocol::write_key(writer, fake_list_name(list));
        writer.StartObject();
        protocol::write_list_state_fields(
            writer, {summary.epoch, summary.seq, summary.doc_count, summary.oldest_seq});
        protocol::write_key(writer, "logSize");
        writer.Uint64(summary.log_size);
        writer.EndObject();
    }
    writer.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace piotd::fakes
