// libFuzzer target: a POST /api/v1/documents body (protocol::parse_document) and, for what it
// accepts, the canonical form (must parse again to the same bytes) and the True API body (must be
// JSON); the same bytes also go through the parsers of True API answers.
#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocol/documents/relay_document.hpp"
#include "protocol/trueapi/true_api_document.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace piotd::protocol;
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    (void)parse_created_id(body);
    (void)parse_document_info(body);
    (void)signature_text(body);
    (void)true_api_error_text(body);
    const DocumentParse parsed = parse_document(body, "fuzz-key");
    if (!parsed.ok) return 0;
    const std::string canonical = write_document(parsed.document);
    const DocumentParse again = parse_document(canonical, "");
    if (!again.ok || write_document(again.document) != canonical) {
        std::fprintf(stderr, "canonical form does not round-trip: %s\n", canonical.c_str());
        std::abort();
    }
    const std::string lk = true_api_body(parsed.document);
    rapidjson::Document json;
    json.Parse(lk.data(), lk.size());
    if (json.HasParseError() || !json.IsObject()) {
        std::fprintf(stderr, "True API body is not a JSON object: %s\n", lk.c_str());
        std::abort();
    }
    return 0;
}
