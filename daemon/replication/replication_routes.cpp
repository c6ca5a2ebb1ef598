#include "daemon/replication/replication_routes.hpp"

#include <algorithm>
#include <charconv>
#include <exception>

#include "daemon/http/json_error.hpp"
#include "daemon/http/json_response.hpp"
#include "daemon/http/query_string.hpp"
#include "daemon/log.hpp"
#include "protocol/documents/replication_feed.hpp"
#include "protocol/json/json_writer.hpp"
#include "storage/snapshot_reader.hpp"
#include "storage/storage_error.hpp"

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

Reply snapshot(LocalModule& module, ReplicationServing& serving, const RequestContext& context) {
    const auto list = list_param(context);
    if (!list) return bad_list();
    const QueryValue after = query_param(context.query, "after");
    if (!after.valid) {
        return json_error(http::status::bad_request, ApiError::invalid_field,
                          "after is not valid percent-encoding");
    }
    // Before the read transaction: a refused till costs no LMDB reader.
    auto slot = serving.open_stream();
    if (!slot) return serving.streams_busy();
    std::unique_ptr<storage::SnapshotReader> reader;
    try {
        reader = std::make_unique<storage::SnapshotReader>(module.lists(), *list, after.value);
    } catch (const std::invalid_argument& e) {
        return json_error(http::status::bad_request, ApiError::invalid_field, e.what());
    }
    Response head{http::status::ok, 11};
    head.set(http::field::content_type, "application/x-ndjson");
    return Reply(std::move(head), serving.snapshot_body(*list, std::move(reader),
                                                        after.value.empty(), std::move(slot)));
}

// One page of changes, read and encoded on a serving worker.
Response change_page(const LocalModule& module, storage::ListName list, const std::string& epoch,
                     std::uint64_t since, std::uint64_t limit) {
    storage::ChangeRead read = module.lists().changes_since(list, epoch, since, limit);
    if (read.snapshot_required) {
        return json_error(http::status::gone, ApiError::snapshot_required,
                          "the change log cannot serve this epoch and seq; load a snapshot");
    }
    protocol::ChangePage page;
    page.list = storage::list_name(list);
    page.epoch = read.version.epoch;
    page.seq = read.version.seq;
    page.doc_count = read.version.doc_count;
    page.more = read.more;
    page.changes = std::move(read.changes);
    return json_response(http::status::ok, protocol::encode_change_page(page));
}

// What the router answers for an exception of a handler, for a page made off the I/O thread.
Response failed_page(const std::exception_ptr& failure) {
    try {
        std::rethrow_exception(failure);
    } catch (const storage::StorageError& e) {
        log_error("storage", e.what());
        return json_error(http::status::service_unavailable, ApiError::storage_unavailable,
                          e.map_full() ? "local database is full; raise map_size_mb"
                                       : "local database is unavailable");
    } catch (const std::exception& e) {
        log_error("replication", e.what());
    }
    return json_error(http::status::internal_server_error, ApiError::internal, "internal error");
}

Reply changes(const LocalModule& module, ReplicationServing& serving,
              const RequestContext& context) {
    const auto list = list_param(context);
    if (!list) return bad_list();
    const QueryValue epoch = query_param(context.query, "epoch");
    const auto since = number_param(context, "since", 0);
    const auto limit = number_param(context, "limit", kMaxChangesPerPage);
    if (!epoch.present || !epoch.valid || !since || !limit || *limit == 0) {
        return json_error(http::status::bad_request, ApiError::invalid_field,
                          "changes needs epoch, since (a number) and an optional limit > 0");
    }
    auto pending = std::make_shared<PendingReply>();
    const bool queued = serving.post_page(
        [&module, pending, list = *list, epoch = std::string(epoch.value), since = *since,
         limit = std::min<std::uint64_t>(*limit, kMaxChangesPerPage)] {
            Response page;
            try {
                page = change_page(module, list, epoch, since, limit);
            } catch (...) {
                page = failed_page(std::current_exception());
            }
            pending->fulfil(Reply(std::move(page)));
        });
    if (!queued) return serving.pages_busy();
    return Reply(std::move(pending));
}

}  // namespace

void add_replication_routes(Router& router, LocalModule& module, ReplicationServing& serving) {
    router.add(http::verb::get, "/api/v1/replication/state",
               [&module](const RequestContext&) { return state(module); });
    router.add(
        http::verb::get, "/api/v1/replication/snapshot",
        [&module, &serving](const RequestContext& c) { return snapshot(module, serving, c); });
    router.add(
        http::verb::get, "/api/v1/replication/changes",
        [&module, &serving](const RequestContext& c) { return changes(module, serving, c); });
}

}  // namespace piotd::daemon
