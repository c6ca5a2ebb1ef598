#include "daemon/replication/replication_routes.hpp"

#include <charconv>

#include "daemon/http/json_error.hpp"
#include "daemon/http/json_response.hpp"
#include "daemon/http/query_string.hpp"
#include "protocol/json_writer.hpp"
#include "protocol/replication_feed.hpp"
#include "storage/snapshot_reader.hpp"

namespace piotd::daemon {

namespace {

constexpr std::size_t kMaxChangesPerPage = 10'000;

std::optional<storage::ListName> list_param(const RequestContext& context) {
    const QueryValue list = query_param(context.query, "list");
    if (!list.present || !list.valid) return std::nullopt;
    return storage::parse_list_name(list.value);
}

std::optional<std::uint64_t> number_param(const RequestContext& context, std::string_view name,
                                          std::uint64_t fallback) {
    const QueryValue value = query_param(context.query, name);
    if (!value.present) return fallback;
    std::uint64_t number = 0;
    const auto [end, ec] =
        std::from_chars(value.value.data(), value.value.data() + value.value.size(), number);
    if (!value.valid || ec != std::errc{} || end != value.value.data() + value.value.size()) {
        return std::nullopt;
    }
    return number;
}

Response bad_list() {
    return json_error(http::status::bad_request, ApiError::invalid_field,
                      "list must be one of blocked_cis, blocked_gtin, blocked_series, min_price, "
                      "learned");
}

Response state(const LocalModule& module) {
    protocol::JsonBuffer buffer;
    protocol::JsonWriter writer(buffer);
    writer.StartObject();
    protocol::write_key(writer, "serverTime");
    writer.Int64(module.now_ms());
    protocol::write_key(writer, "lists");
    writer.StartObject();
    for (const storage::ListName list : storage::kAllLists) {
        const storage::ListVersion version = module.lists().version(list);
        protocol::write_key(writer, storage::list_name(list));
        writer.StartObject();
        protocol::write_list_state_fields(
            writer, {version.epoch, version.seq, version.doc_count, version.oldest});
        writer.EndObject();
    }
    writer.EndObject();
    writer.EndObject();
    return json_response(http::status::ok, std::string(buffer.GetString(), buffer.GetSize()));
}

// Streams the header line, the items in key order, then the trailer.
class SnapshotSource : public ChunkSource {
public:
    SnapshotSource(std::unique_ptr<storage::SnapshotReader> reader, storage::ListName list)
        : reader_(std::move(reader)), list_(list) {}

    bool next(std::string& out, std::size_t budget) override {
        if (!header_sent_) {
            const storage::ListVersion& version = reader_->header();
            out +=
                protocol::encode_snapshot_header({std::string(storage::list_name(list_)),
                                                  version.epoch, version.seq, version.doc_count});
            header_sent_ = true;
        }
        while (out.size() < budget) {
            if (!reader_->next(item_)) {
                out += protocol::encode_snapshot_trailer(count_);
                return false;
            }
            protocol::append_snapshot_item(out, item_);
            ++count_;
        }
        return true;
    }

private:
    std::unique_ptr<storage::SnapshotReader> reader_;
    storage::ListName list_;
    std::string item_;
    std::uint64_t count_ = 0;
    bool header_sent_ = false;
};

Reply snapshot(LocalModule& module, const RequestContext& context) {
    const auto list = list_param(context);
    if (!list) return bad_list();
    const QueryValue after = query_param(context.query, "after");
    if (!after.valid) {
        return json_error(http::status::bad_request, ApiError::invalid_field,
                          "after is not valid percent-encoding");
    }
    std::unique_ptr<storage::SnapshotReader> reader;
    try {
        reader = std::make_unique<storage::SnapshotReader>(module.lists(), *list, after.value);
    } catch (const std::invalid_argument& e) {
        return json_error(http::status::bad_request, ApiError::invalid_field, e.what());
    }
    Response head{http::status::ok, 11};
    head.set(http::field::content_type, "application/x-ndjson");
    return Reply(std::move(head), std::make_unique<SnapshotSource>(std::move(reader), *list));
}

Response changes(const LocalModule& module, const RequestContext& context) {
    const auto list = list_param(context);
    if (!list) return bad_list();
    const QueryValue epoch = query_param(context.query, "epoch");
    const auto since = number_param(context, "since", 0);
    const auto limit = number_param(context, "limit", kMaxChangesPerPage);
    if (!epoch.present || !epoch.valid || !since || !limit || *limit == 0) {
        return json_error(http::status::bad_request, ApiError::invalid_field,
                          "changes needs epoch, since (a number) and an optional limit > 0");
    }
    storage::ChangeRead read = module.lists().changes_since(
        *list, epoch.value, *since, std::min<std::uint64_t>(*limit, kMaxChangesPerPage));
    if (read.snapshot_required) {
        return json_error(http::status::gone, ApiError::snapshot_required,
                          "the change log cannot serve this epoch and seq; load a snapshot");
    }
    protocol::ChangePage page;
    page.list = storage::list_name(*list);
    page.epoch = read.version.epoch;
    page.seq = read.version.seq;
    page.doc_count = read.version.doc_count;
    page.more = read.more;
    page.changes = std::move(read.changes);
    return json_response(http::status::ok, protocol::encode_change_page(page));
}

}  // namespace

void add_replication_routes(Router& router, LocalModule& module) {
    router.add(http::verb::get, "/api/v1/replication/state",
               [&module](const RequestContext&) { return state(module); });
    router.add(http::verb::get, "/api/v1/replication/snapshot",
               [&module](const RequestContext& c) { return snapshot(module, c); });
    router.add(http::verb::get, "/api/v1/replication/changes",
               [&module](const RequestContext& c) { return changes(module, c); });
}

}  // namespace piotd::daemon
