#include "protocol/json/upstream_json.hpp"

namespace piotd::protocol {

unsigned json_nesting_depth(std::string_view text, unsigned limit) {
    unsigned depth = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\') {
                ++i;  // the escaped character, whatever it is
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            if (++depth > limit) return depth;
        } else if ((c == '}' || c == ']') && depth != 0) {
            --depth;
        }
    }
    return depth;  // not the maximum, but within the limit like it: what matters
}

bool parse_upstream_json(std::string_view text, rapidjson::Document& document) {
    if (json_nesting_depth(text) > kMaxUpstreamJsonDepth) {
        document.SetNull();
        return false;
    }
    document.Parse<rapidjson::kParseIterativeFlag>(json_data(text), text.size());
    return !document.HasParseError();
}

}  // namespace piotd::protocol
