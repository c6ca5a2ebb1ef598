#include "tests/fakes/fake_query.hpp"

#include <charconv>

namespace piotd::fakes {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool percent_decode(std::string_view text, std::string& out) {
    out.clear();
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        if (i + 2 >= text.size()) return false;
        const int high = hex_value(text[i + 1]);
        const int low = hex_value(text[i + 2]);
        if (high < 0 || low < 0) return false;
        out += static_cast<char>(high * 16 + low);
        i += 2;
    }
    return true;
}

}  // namespace

QueryValue query_param(std::string_view query, std::string_view name) {
    QueryValue result;
    while (!query.empty()) {
        const std::size_t amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        const std::size_t equals = pair.find('=');
        const std::string_view key = pair.substr(0, equals);
        if (key == name) {
            result.present = true;
            const std::string_view raw =
                equals == std::string_view::npos ? std::string_view{} : pair.substr(equals + 1);
            result.valid = percent_decode(raw, result.value);
            return result;
        }
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return result;
}

std::optional<std::uint64_t> query_u64(std::string_view query, std::string_view name) {
    const QueryValue value = query_param(query, name);
    if (!value.present || !value.valid || value.value.empty()) return {};
    std::uint64_t number = 0;
    const char* end = value.value.data() + value.value.size();
    const auto [ptr, ec] = std::from_chars(value.value.data(), end, number);
    if (ec != std::errc{} || ptr != end) return {};
    return number;
}

bool query_flag(std::string_view query, std::string_view name) {
    const QueryValue value = query_param(query, name);
    return value.present && value.valid &&
           (value.value.empty() || value.value == "1" || value.value == "true");
}

}  // namespace piotd::fakes
