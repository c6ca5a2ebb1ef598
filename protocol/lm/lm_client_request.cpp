#include "protocol/lm/lm_client_request.hpp"

#include <cstdint>

#include "protocol/json/json_text.hpp"

namespace piotd::protocol {

namespace {

// The body's size with no escapes: enough for nearly every real request in one allocation.
std::size_t plain_size(std::span<const LmCheckQuery> codes, std::size_t per_code) {
    std::size_t size = 16;
    for (const LmCheckQuery& code : codes) size += code.cis.size() + per_code;
    return size;
}

}  // namespace

std::string build_lm_v1_check_body(std::span<const LmCheckQuery> codes) {
    std::string body;
    body.reserve(plain_size(codes, 3));
    body.append("{\"cis_list\":[");
    for (std::size_t i = 0; i < codes.size(); ++i) {
        if (i != 0) body.push_back(',');
        append_json_string(body, codes[i].cis);
    }
    body.append("]}");
    return body;
}

std::string build_lm_v2_check_body(std::span<const LmCheckQuery> codes) {
    std::string body;
    body.reserve(plain_size(codes, 32));
    body.append("{\"cis_list\":[");
    for (std::size_t i = 0; i < codes.size(); ++i) {
        if (i != 0) body.push_back(',');
        body.append("{\"cis\":");
        append_json_string(body, codes[i].cis);
        if (codes[i].product_group) {
            body.append(",\"pg\":");
            append_json_number(body, static_cast<std::int64_t>(*codes[i].product_group));
        }
        body.push_back('}');
    }
    body.append("]}");
    return body;
}

}  // namespace piotd::protocol
