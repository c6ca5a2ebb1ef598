#include "daemon/http/query_string.hpp"

namespace piotd::daemon {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    // Runs without '%' are copied whole (a marking code usually has none).
    std::size_t from = 0;
    for (;;) {
        const std::size_t percent = text.find('%', from);
        out.append(text.substr(from, percent == std::string_view::npos ? percent : percent - from));
        if (percent == std::string_view::npos) return out;
        if (percent + 2 >= text.size()) return std::nullopt;
        const int high = hex_value(text[percent + 1]);
        const int low = hex_value(text[percent + 2]);
        if (high < 0 || low < 0) return std::nullopt;
        out += static_cast<char>(high * 16 + low);
        from = percent + 3;
    }
}

QueryValue query_param(std::string_view query, std::string_view name) {
    QueryValue result;
    while (!query.empty()) {
        const std::size_t amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        const std::size_t eq = pair.find('=');
        const std::string_view key = pair.substr(0, eq);
        if (key != name) continue;
        result.present = true;
        const std::string_view raw =
            eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
        auto decoded = percent_decode(raw);
        result.valid = decoded.has_value();
        if (decoded) result.value = std::move(*decoded);
        return result;  // the first occurrence wins
    }
    return result;
}

}  // namespace piotd::daemon
