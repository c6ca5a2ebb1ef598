// JSON views of outbox documents for GET /api/v1/documents/{id} and the /api/v1/outbox API.
#pragma once

#include <string>
#include <vector>

#include "protocol/json/json_writer.hpp"
#include "storage/outbox.hpp"

namespace piotd::daemon {

struct OutboxHealth {
    storage::OutboxCounts counts;
    std::int64_t now_ms = 0;
    std::vector<std::string> warnings;  // queue_large, queue_old, disk_low
    std::string relay_url;              // empty: none
    std::string relay_kind;
};

// One document's state; `sending` overrides the stored state (the relay has it in hand);
// `with_document` adds the stored document itself.
void write_outbox_record(protocol::JsonWriter& writer, const storage::OutboxRecord& record,
                         bool sending, bool with_document);
std::string outbox_record_json(const storage::OutboxRecord& record, bool sending,
                               bool with_document);

// {"relay":…, "counts":{…}, "oldestPendingAgeMs":…, "warnings":[…], "documents":[…]}
std::string outbox_summary_json(const OutboxHealth& health,
                                const std::vector<storage::OutboxRecord>& documents);

}  // namespace piotd::daemon
