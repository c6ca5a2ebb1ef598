// One document of the relay outbox (outbox.hpp) and its life: docs/relay.md "States".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace piotd::storage {

// Persisted states. "sending" is not one: it is the relay's in-memory view of the document it
// is sending right now (a crash mid-send leaves the document queued, and it is sent again).
enum class OutboxState : std::uint8_t {
    queued = 'q',     // waiting to be sent (or retried after a transient failure)
    checking = 'c',   // accepted by the True API, its processing status is being polled
    rejected = 'r',   // upstream refused it; retried until dead_after rejections
    dead = 'x',       // refused too often: kept, never retried until POST …/retry
    delivered = 'd',  // the upstream has it (or the True API processed it)
    local = 'l',      // final here: no relay applies (none configured, or an LM sale that the
                      // OFD receipt already withdraws); kept for idempotency
};

std::string_view outbox_state_name(OutboxState state);
std::optional<OutboxState> parse_outbox_state(std::string_view name);
bool outbox_pending(OutboxState state);  // queued, checking, rejected: the relay works on it

struct OutboxRecord {
    std::uint64_t seq = 0;
    std::string id;  // document id = idempotency key
    OutboxState state = OutboxState::queued;
    std::string document;  // canonical JSON (protocol/documents/relay_document.hpp)
    std::int64_t created_ms = 0;
    std::int64_t updated_ms = 0;
    std::int64_t next_attempt_ms = 0;  // not before: backoff after a failure, poll period
    std::uint32_t attempts = 0;        // failed sends (transient) since the last success
    std::uint32_t rejections = 0;      // permanent refusals
    std::string last_error;            // upstream's reason / the transport error
    std::string upstream_id;           // the True API's document id once created
    std::string signed_body;           // True API: the exact bytes that were signed
    std::string signature;             // True API: base64 detached signature
};

std::string encode_outbox_record(const OutboxRecord& record);
// Nothing when the value is not a record this version wrote.
std::optional<OutboxRecord> decode_outbox_record(std::string_view value);

}  // namespace piotd::storage
