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
    invalid_image = 4007,  // PNG/JPEG the decoder refused
    unauthorized = 4010,
    cross_site = 4030,      // a state-changing request from another site's web page
    forbidden_role = 4031,  // right credentials of a role the route does not admit
    not_found = 4040,
    unknown_document = 4041,      // relay: no document with that id (the path itself exists)
    not_ready = 4045,             // LM: status not_configured or initialization
    sync_error = 4050,            // LM: more than 72 h since lastSync
    snapshot_required = 4100,     // replication: the change log cannot serve the client's cursor
    no_upstream = 4093,           // sync requested on a piotd with no replication upstream
    already_sold = 4090,          // relay: LM sell of a code already sold
    idempotency_conflict = 4091,  // relay: the same id with another document
    not_dead = 4092,              // relay: retry of a document that is not dead
    body_too_large = 4130,
    code_refused = 4220,     // kkt: a marking code was refused (piotd's check or the register's)
    image_too_large = 4131,  // more pixels than image.max_pixels
    unsupported_media_type = 4150,
    expectation_failed = 4170,   // an Expect other than 100-continue
    misdirected_request = 4210,  // a Host that does not name the listener (DNS rebinding)
    header_too_large = 4310,
    internal = 5000,
    storage_unavailable = 5030,
    too_many_connections = 5031,
    kkt_error = 5020,        // kkt: the register refused a command
    kkt_unavailable = 5032,  // kkt: no link to the register, or its queue is full
    signing_failed = 5033,   // relay: the True API needs a signature and signing failed
    busy = 5034,             // the image decoders' queue is full
    cannot_check = 5035,  // permissive mode: neither the online nor the local check could be made
    bodies_busy = 5036,   // the request bodies being read together fill their memory budget
};

// snake_case name, sent as "error" beside the number.
std::string_view api_error_name(ApiError error);

}  // namespace piotd::daemon
