// The True API form of a relay document (tspiot-kkt.md §A.5.2–A.5.5): the LK_RECEIPT /
// LP_RETURN body, the unified create request that carries it (base64 body + detached signature),
// and the answers of create and of the document status lookup.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/documents/relay_document.hpp"

namespace piotd::protocol {

// "LK_RECEIPT" for a withdrawal, "LP_RETURN" for a return.
std::string_view true_api_type(const RelayDocument& document);

// The unencoded document body (JSON, MANUAL format): this exact byte string is signed.
std::string true_api_body(const RelayDocument& document);

// {"document_format":"MANUAL","product_document":base64(body),"type":…,"signature":…}
std::string true_api_create_request(const RelayDocument& document, std::string_view body,
                                    std::string_view signature_base64);

// The signing command's stdout as the base64 text the create method wants: base64 output with
// its line breaks removed, or raw DER bytes encoded. Nothing when the output is empty.
std::optional<std::string> signature_text(std::string_view output);

// The GIS MT document id from a 200 answer of create: a bare or JSON-quoted UUID-like string,
// or an object with "id"/"document_id". Nothing for anything else.
std::optional<std::string> parse_created_id(std::string_view body);

enum class TrueApiProgress : std::uint8_t { processing, accepted, rejected, unknown };

struct TrueApiStatus {
    TrueApiProgress progress = TrueApiProgress::unknown;
    std::string status;  // as sent (IN_PROGRESS, CHECKED_OK, …)
    std::string reason;  // errors of a rejected document, when given
};

// Reads GET /documents/{id}/info: an object (or an array of one) with "status".
TrueApiStatus parse_document_info(std::string_view body);

// {"error_message":"…"} of a 4xx/5xx answer, or the body's start when it is not that.
std::string true_api_error_text(std::string_view body);

}  // namespace piotd::protocol
