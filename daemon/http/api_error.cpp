#include "daemon/http/api_error.hpp"

namespace piotd::daemon {

std::string_view api_error_name(ApiError error) {
    switch (error) {
        case ApiError::bad_request:
            return "bad_request";
        case ApiError::invalid_json:
            return "invalid_json";
        case ApiError::missing_field:
            return "missing_field";
        case ApiError::invalid_code:
            return "invalid_code";
        case ApiError::too_many_codes:
            return "too_many_codes";
        case ApiError::method_not_allowed:
            return "method_not_allowed";
        case ApiError::invalid_field:
            return "invalid_field";
        case ApiError::unauthorized:
            return "unauthorized";
        case ApiError::cross_site:
            return "cross_site_request";
        case ApiError::forbidden_role:
            return "forbidden_role";
        case ApiError::not_found:
            return "not_found";
        case ApiError::unknown_document:
            return "unknown_document";
        case ApiError::not_ready:
            return "not_ready";
        case ApiError::sync_error:
            return "sync_error";
        case ApiError::snapshot_required:
            return "snapshot_required";
        case ApiError::no_upstream:
            return "no_upstream";
        case ApiError::body_too_large:
            return "body_too_large";
        case ApiError::header_too_large:
            return "header_too_large";
        case ApiError::internal:
            return "internal";
        case ApiError::storage_unavailable:
            return "storage_unavailable";
        case ApiError::cannot_check:
            return "cannot_check";
        case ApiError::bodies_busy:
            return "bodies_busy";
        case ApiError::too_many_connections:
            return "too_many_connections";
        case ApiError::code_refused:
            return "code_refused";
        case ApiError::kkt_error:
            return "kkt_error";
        case ApiError::kkt_unavailable:
            return "kkt_unavailable";
        case ApiError::already_sold:
            return "already_sold";
        case ApiError::idempotency_conflict:
            return "idempotency_conflict";
        case ApiError::not_dead:
            return "not_dead";
        case ApiError::signing_failed:
            return "signing_failed";
        case ApiError::invalid_image:
            return "invalid_image";
        case ApiError::image_too_large:
            return "image_too_large";
        case ApiError::unsupported_media_type:
            return "unsupported_media_type";
        case ApiError::expectation_failed:
            return "expectation_failed";
        case ApiError::misdirected_request:
            return "misdirected_request";
        case ApiError::busy:
            return "busy";
    }
    return "unknown";
}

}  // namespace piotd::daemon
