#include "daemon/http/query_string.hpp"

#include <cstring>

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
    // Decoding never lengthens the text: write into a string of the input's size, then cut it.
    // The runs between escapes are found with memchr and copied whole: a code arrives with no
    // escape at all or with a few %1D, and a loop over its bytes cost ~10 instructions per byte.
    std::string out(text.size(), '\0');
    char* o = out.data();
    const char* p = text.data();
    const char* const end = p + text.size();
    while (p != end) {
        const auto* percent =
            static_cast<const char*>(std::memchr(p, '%', static_cast<std::size_t>(end - p)));
        const char* const run_end = percent == nullptr ? end : percent;
        std::memcpy(o, p, static_cast<std::size_t>(run_end - p));
        o += run_end - p;
        p = run_end;
        if (p == end) break;
        if (end - p < 3) return std::nullopt;
        const int high = hex_value(p[1]);
        const int low = hex_value(p[2]);
        if (high < 0 || low < 0) return std::nullopt;
        *o++ = static_cast<char>(high * 16 + low);
        p += 3;
    }
    out.resize(static_cast<std::size_t>(o - out.data()));
    return out;
}

namespace {

// The first occurrence of `name`: its raw (still encoded) value, or nothing.
std::optional<std::string_view> raw_param(std::string_view query, std::string_view name) {
    while (!query.empty()) {
        const std::size_t amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        const std::size_t eq = pair.find('=');
        if (pair.substr(0, eq) != name) continue;
        return eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    }
    return std::nullopt;
}

}  // namespace

QueryView query_param_view(std::string_view query, std::string_view name, std::string& scratch) {
    QueryView result;
    const auto raw = raw_param(query, name);
    if (!raw) return result;
    result.present = true;
    if (raw->find('%') == std::string_view::npos) {
        result.value = *raw;
        return result;
    }
    auto decoded = percent_decode(*raw);
    result.valid = decoded.has_value();
    if (decoded) {
        scratch = std::move(*decoded);
        result.value = scratch;
    }
    return result;
}

QueryValue query_param(std::string_view query, std::string_view name) {
    std::string decoded;
    const QueryView view = query_param_view(query, name, decoded);
    return {view.present, view.valid, std::string(view.value)};
}

}  // namespace piotd::daemon
