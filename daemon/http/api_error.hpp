// Every error piotd answers, with the numeric `errorCode` of its JSON body. 4045 and 4050 are the
// local module's own (lm-api.md §3.6); the others are piotd's, chosen not to collide with them.
#pragma once

#include <cstdint>
#include <string_view>

namespace piotd::daemon {

enum class ApiError : std::uint16_t {
    bad_request = 4000,
    invalid_json = 4001,
    missing_field = 4002,
    invalid_code = 4003,
    too_many_codes = 4004,
    method_not_allowed = 4005,
    invalid_field = 4006,
    unauthorized = 4010,
    not_found = 4040,
    not_ready = 4045,   // LM: status not_configured or initialization
    sync_error = 4050,  // LM: more than 72 h since lastSync
    snapshot_required = 4100,  // replication: the change log cannot serve the client's cursor
    body_too_large = 4130,
    header_too_large = 4310,
    internal = 5000,
    storage_unavailable = 5030,
    too_many_connections = 5031,
    cannot_check = 5032,  // permissive mode: neither the online nor the local check could be made
};

// snake_case name, sent as "error" beside the number.
std::string_view api_error_name(ApiError error);

}  // namespace piotd::daemon
