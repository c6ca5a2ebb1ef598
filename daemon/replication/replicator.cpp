#include "daemon/replication/replicator.hpp"

#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <optional>

#include "daemon/log.hpp"
#include "daemon/replication/background_priority.hpp"
#include "daemon/replication/retry_after.hpp"
#include "daemon/replication/starvation_watch.hpp"
#include "daemon/retry_backoff.hpp"
#include "protocol/documents/replication_feed.hpp"
#include "storage/list_item.hpp"
#include "storage/snapshot_writer.hpp"
#include "storage/storage_error.hpp"
#include "storage/transaction.hpp"

namespace piotd::daemon {

namespace {

// The upstream answered, but not what the protocol says (garbage, a count that does not match,
// an unexpected status). Like UpstreamError, it aborts the round and nothing is committed.
class FeedError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The upstream replaced the list while we were resuming a snapshot of the previous one.
class SnapshotRestart : public std::runtime_error {
public:
    SnapshotRestart()
        : std::runtime_error("the upstream list changed epoch during a resumed snapshot") {}
};

// The upstream does not serve an optional list (learned, from an upstream piotd older than it,
// which answers 400 or 404 for a list it does not know). Not an error: the list is skipped.
class ListUnserved : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The upstream is serving as many tills as it will (503, or 429, with Retry-After): not a failure
// of either side. The round ends and the next starts after the time it asked for.
class UpstreamBusy : public std::runtime_error {
public:
    UpstreamBusy(const std::string& what, std::chrono::seconds retry_after)
        : std::runtime_error(what), retry_after_(retry_after) {}
    std::chrono::seconds retry_after() const { return retry_after_; }

private:
    std::chrono::seconds retry_after_;
};

void refuse_if_busy(const UpstreamReply& reply, const std::string& what) {
    if ((reply.status != 503 && reply.status != 429) || !reply.retry_after) return;
    throw UpstreamBusy(what + ": the upstream is busy (HTTP " + std::to_string(reply.status) +
                           "), it asks to retry after " +
                           std::to_string(reply.retry_after->count()) + " s",
                       *reply.retry_after);
}

// Lists a till does without when its upstream does not serve them, and whose failures never fail
// a round: nothing of the module's readiness rests on them.
bool optional_list(storage::ListName list) {
    return list == storage::ListName::learned;
}

bool unserved(storage::ListName list, const UpstreamReply& reply) {
    return optional_list(list) && (reply.status == 400 || reply.status == 404);
}

std::string url_encode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            out += ch;
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

void expect_ok(const UpstreamReply& reply, const char* what) {
    if (reply.status == 200) return;
    std::string body = reply.body.substr(0, 200);
    throw FeedError(std::string(what) + ": upstream answered HTTP " + std::to_string(reply.status) +
                    (body.empty() ? "" : ": " + body));
}

}  // namespace

Replicator::Replicator(LocalModule& module, ReplicatorOptions options)
    : module_(module),
      options_(std::move(options)),
      client_(options_.url, options_.user, options_.password, options_.timeout, options_.ca_file) {}

Replicator::~Replicator() {
    stop();
}

void Replicator::start() {
    thread_ = std::thread([this] { run(); });
}

void Replicator::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    client_.interrupt();
    if (thread_.joinable()) thread_.join();
}

void Replicator::sync_now() {
    {
        std::lock_guard lock(mutex_);
        sync_requested_ = true;
    }
    wake_.notify_all();
}

void Replicator::wait(std::chrono::milliseconds delay) {
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, delay, [this] { return stopping_ || sync_requested_; });
    sync_requested_ = false;
}

// Exponential backoff with full jitter after a failed round: 1 s doubling up to the sync period,
// so a fleet of tills that lost the store server does not come back in lockstep.
void Replicator::run() {
    // Checks come first: an ingest of a million items must not take CPU from the I/O threads
    // on a 2-core till. Under SCHED_IDLE a waking I/O thread preempts this one at once, and the
    // scheduler counts a CPU running only it as idle when placing the I/O thread. SCHED_BATCH at
    // nice 19 was not enough: EEVDF lets the running task finish its slice (~3 ms) before a
    // waking one gets the CPU, which showed as 4 ms stalls in check latency during an ingest.
    // The thread still gets every cycle a till leaves idle, and ~0.3 % of a busy CPU; when that
    // starves a load (every CPU kept busy by other work), the watch lifts it to SCHED_BATCH at
    // nice 19 until the load is done.
    const pid_t tid = gettid();
    lower_to_background_priority(tid);
    // Named, so top -H and the integration test can tell it from the I/O threads.
    pthread_setname_np(pthread_self(), "piotd-replicate");
    const StarvationWatch watch(tid, "the replication thread", options_.starved);
    const std::chrono::milliseconds period = options_.period;
    RetryBackoff backoff(
        std::chrono::milliseconds{1000},
        std::max(std::chrono::milliseconds(period), std::chrono::milliseconds{1000}));
    for (;;) {
        {
            std::lock_guard lock(mutex_);
            if (stopping_) return;
        }
        const auto started = std::chrono::steady_clock::now();
        if (sync_round()) {
            backoff.reset();
            // Rounds start a period apart, not a period after the last one ended: a change the
            // upstream holds is fetched by the round that starts within one period.
            const auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - started);
            wait(std::max(period - spent, std::chrono::milliseconds{100}));
        } else if (busy_retry_after_) {
            // The upstream said when to come back: its word, not our backoff (which it does not
            // advance either), with jitter so the tills it refused together do not return
            // together.
            const auto delay = jittered_retry_after(*busy_retry_after_, random_);
            busy_retry_after_.reset();
            wait(delay);
        } else {
            wait(backoff.next());
        }
    }
}

// The module's lastError (/status) and the upstream's health (status page, metrics).
void Replicator::record_error(std::string_view kind, std::string_view message) {
    module_.record_sync_error(std::string(message));
    if (options_.health != nullptr) options_.health->record_error(kind, message, module_.now_ms());
}

bool Replicator::sync_round() {
    busy_retry_after_.reset();
    try {
        for (const storage::ListName list : storage::kAllLists) {
            {
                std::lock_guard lock(mutex_);
                if (stopping_) return false;
            }
            if (optional_list(list)) {
                sync_optional_list(list);
            } else {
                sync_list(list);
            }
        }
        module_.record_sync_round();
        if (options_.health != nullptr) options_.health->record_ok(module_.now_ms());
        return true;
    } catch (const UpstreamError& e) {
        log_warning("replication", e.what());
        record_error("network", e.what());
    } catch (const FeedError& e) {
        log_warning("replication", e.what());
        record_error("protocol", e.what());
    } catch (const SnapshotRestart& e) {
        log_info("replication", e.what());
    } catch (const UpstreamBusy& e) {
        // Expected while a store serves a fleet: on the status page and in the metrics as
        // "busy", but not the module's lastError.
        log_info("replication", e.what());
        busy_retry_after_ = e.retry_after();
        if (options_.health != nullptr) {
            options_.health->record_error("busy", e.what(), module_.now_ms());
        }
    } catch (const storage::StorageError& e) {
        const std::string remedy = e.remedy(module_.env().dir());
        const std::string message =
            remedy.empty() ? e.what() : std::string(e.what()) + " (" + remedy + ")";
        log_error("replication", message);
        record_error("storage", message);
    }
    client_.disconnect();
    return false;
}

void Replicator::sync_optional_list(storage::ListName list) {
    const std::string name(storage::list_name(list));
    bool& absent = unserved_[static_cast<std::size_t>(list)];
    try {
        sync_list(list);
        if (absent) log_info("replication", name + ": the upstream serves it now");
        absent = false;
        return;
    } catch (const ListUnserved& e) {
        if (!absent) log_info("replication", e.what());
        absent = true;
        return;
    } catch (const UpstreamBusy& e) {
        // Taken up again by the next round, a period later.
        log_info("replication", e.what());
    } catch (const UpstreamError& e) {
        log_warning("replication", name + ": " + e.what());
    } catch (const FeedError& e) {
        log_warning("replication", e.what());
    } catch (const SnapshotRestart& e) {
        log_info("replication", name + ": " + e.what());
    } catch (const storage::StorageError& e) {
        log_warning("replication", name + ": " + e.what());
    }
    client_.disconnect();
}

void Replicator::sync_list(storage::ListName list) {
    std::optional<storage::ReplicationCursor> cursor;
    std::optional<storage::SnapshotProgress> progress;
    {
        storage::ReadTxn txn(module_.env());
        cursor = storage::read_cursor(txn, list);
        progress = storage::read_snapshot_progress(txn, list);
    }
    if (!cursor || progress) {
        load_snapshot(list);
        storage::ReadTxn txn(module_.env());
        cursor = storage::read_cursor(txn, list);
        if (!cursor) throw FeedError("snapshot loaded but no cursor was written");
    }
    if (!catch_up(list, *cursor)) {
        load_snapshot(list);
        storage::ReadTxn txn(module_.env());
        cursor = storage::read_cursor(txn, list);
        if (!cursor || !catch_up(list, *cursor)) {
            throw FeedError("upstream asks for a snapshot again right after one");
        }
    }
}

void Replicator::load_snapshot(storage::ListName list) {
    const std::string name(storage::list_name(list));
    std::optional<storage::SnapshotProgress> progress;
    {
        storage::ReadTxn txn(module_.env());
        progress = storage::read_snapshot_progress(txn, list);
    }
    const bool resuming = progress && !progress->last_item.empty();
    std::string target = "/api/v1/replication/snapshot?list=" + name;
    if (resuming) target += "&after=" + url_encode(progress->last_item);

    const auto started = std::chrono::steady_clock::now();
    std::optional<storage::SnapshotWriter> writer;
    protocol::SnapshotHeader header;
    std::uint64_t streamed = 0;
    bool ended = false;
    protocol::SnapshotLine line;
    const UpstreamReply reply = client_.get_lines(target, [&](std::string_view text) {
        if (ended) throw FeedError("snapshot of " + name + ": data after the trailer");
        const protocol::FeedDecode decoded = protocol::decode_snapshot_line(text, line);
        if (!decoded.ok) throw FeedError("snapshot of " + name + ": " + decoded.error);
        if (!writer) {
            if (line.kind != protocol::SnapshotLineKind::header || line.header.list != name) {
                throw FeedError("snapshot of " + name + " does not start with its header");
            }
            header = line.header;
            if (resuming && header.epoch != progress->source_epoch) {
                // Forget the half-loaded old epoch, so the next round starts without `after`.
                storage::WriteTxn txn(module_.env());
                txn.del(storage::Db::meta, storage::snapshot_progress_key(list));
                txn.commit();
                throw SnapshotRestart();
            }
            storage::SnapshotOptions options;
            options.expected_items =
                static_cast<std::size_t>(std::min<std::uint64_t>(header.doc_count, 50'000'000));
            options.source = storage::SnapshotSource{header.epoch, header.seq};
            options.batch_size = options_.snapshot_batch_items;
            writer.emplace(module_.lists().begin_snapshot(list, options));
            return;
        }
        switch (line.kind) {
            case protocol::SnapshotLineKind::header:
                throw FeedError("snapshot of " + name + ": a second header");
            case protocol::SnapshotLineKind::trailer:
                if (line.count != streamed) {
                    throw FeedError("snapshot of " + name + ": trailer counts " +
                                    std::to_string(line.count) + " items, " +
                                    std::to_string(streamed) + " arrived");
                }
                ended = true;
                return;
            case protocol::SnapshotLineKind::item: {
                const storage::ListItemParse item = storage::parse_list_item(list, line.item);
                if (!item.ok) throw FeedError("snapshot of " + name + ": bad item: " + item.error);
                writer->add(item.item);
                ++streamed;
                return;
            }
        }
    });
    refuse_if_busy(reply, "snapshot of " + name);
    if (unserved(list, reply)) {
        if (resuming) {
            // Perhaps only the item we resume after is unknown: the next round starts afresh.
            storage::WriteTxn txn(module_.env());
            txn.del(storage::Db::meta, storage::snapshot_progress_key(list));
            txn.commit();
        }
        throw ListUnserved(name + ": the upstream does not serve this list (HTTP " +
                           std::to_string(reply.status) + "); it stays as it is");
    }
    if (reply.status == 400 && resuming) {
        // The upstream no longer knows the item we resume after: start the list afresh.
        storage::WriteTxn txn(module_.env());
        txn.del(storage::Db::meta, storage::snapshot_progress_key(list));
        txn.commit();
    }
    expect_ok(reply, ("snapshot of " + name).c_str());
    if (!writer || !ended) {
        throw FeedError("snapshot of " + name + " ended without its trailer (cut mid-stream?)");
    }
    const storage::SnapshotProgress& committed = writer->progress();
    writer->finish(storage::ReplicationCursor{committed.source_epoch, committed.min_seq});
    module_.record_list_synced(list, header.doc_count, LocalModule::Synced::snapshot);
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    log_info("replication", name + ": snapshot loaded, " +
                                std::to_string(module_.lists().count(list)) + " items in " +
                                std::to_string(took.count()) + " s");
}

bool Replicator::catch_up(storage::ListName list, storage::ReplicationCursor cursor) {
    const std::string name(storage::list_name(list));
    bool changed = false;
    for (;;) {
        const UpstreamReply reply = client_.get("/api/v1/replication/changes?list=" + name +
                                                "&epoch=" + url_encode(cursor.epoch) +
                                                "&since=" + std::to_string(cursor.seq));
        if (reply.status == 410) return false;
        refuse_if_busy(reply, "changes of " + name);
        if (unserved(list, reply)) {
            throw ListUnserved(name + ": the upstream does not serve this list (HTTP " +
                               std::to_string(reply.status) + "); it stays as it is");
        }
        expect_ok(reply, ("changes of " + name).c_str());
        protocol::ChangePage page;
        const protocol::FeedDecode decoded = protocol::decode_change_page(reply.body, page);
        if (!decoded.ok) throw FeedError("changes of " + name + ": " + decoded.error);
        if (page.list != name || page.epoch != cursor.epoch) {
            throw FeedError("changes of " + name + ": answer for another list or epoch");
        }
        if (!page.changes.empty() && page.changes.front().seq <= cursor.seq) {
            throw FeedError("changes of " + name + ": a change at or before our cursor");
        }
        storage::ReplicationCursor next = cursor;
        if (page.more) {
            if (page.changes.empty())
                throw FeedError("changes of " + name + ": an empty page with more");
            next.seq = page.changes.back().seq;
        } else {
            next.seq = std::max(cursor.seq, page.seq);
        }
        if (!page.changes.empty() || next != cursor) {
            const auto started = std::chrono::steady_clock::now();
            const storage::ApplyResult applied =
                module_.lists().apply_changes(list, page.changes, next);
            if (page.changes.size() >= 1000) {
                const std::chrono::duration<double, std::milli> took =
                    std::chrono::steady_clock::now() - started;
                log_info("replication", name + ": applied " + std::to_string(page.changes.size()) +
                                            " changes in " + std::to_string(took.count()) + " ms");
            }
            changed = changed || applied.applied > 0;
            if (applied.rejected > 0) {
                log_warning(
                    "replication",
                    "changes of " + name + ": skipped " + std::to_string(applied.rejected) +
                        " items the upstream sent malformed, first: " + applied.first_error);
            }
        }
        cursor = next;
        if (!page.more) {
            module_.record_list_synced(
                list, page.doc_count,
                changed ? LocalModule::Synced::delta : LocalModule::Synced::unchanged);
            return true;
        }
    }
}

}  // namespace piotd::daemon
