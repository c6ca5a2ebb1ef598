#include "daemon/http/plain_request.hpp"

#include <boost/beast/core/string.hpp>

#include <algorithm>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "daemon/http/request_parser.hpp"

namespace piotd::daemon {

namespace {

// tchar (RFC 9110, 5.6.2): the bytes Beast's parser accepts in a field name.
constexpr std::array<bool, 256> kTokenChars = [] {
    std::array<bool, 256> table{};
    for (int c = '0'; c <= '9'; ++c) table[static_cast<std::size_t>(c)] = true;
    for (int c = 'A'; c <= 'Z'; ++c) table[static_cast<std::size_t>(c)] = true;
    for (int c = 'a'; c <= 'z'; ++c) table[static_cast<std::size_t>(c)] = true;
    for (const char c : std::string_view("!#$%&'*+-.^_`|~")) {
        table[static_cast<unsigned char>(c)] = true;
    }
    return table;
}();

// The first byte in [p, end) for which `stops` is true; `end` if there is none. With SSE2,
// `stop_mask` tells the same of sixteen bytes at once (bit i for byte i), and the rest of the
// buffer is only looked at 16 bytes ahead of the byte found.
template <typename StopMask, typename Stops>
const char* find_first(const char* p, const char* end, [[maybe_unused]] StopMask stop_mask,
                       Stops stops) {
#if defined(__SSE2__)
    const auto mask_at = [&](const char* at) {
        return stop_mask(_mm_loadu_si128(reinterpret_cast<const __m128i*>(at)));
    };
    if (end - p >= 16) {
        for (; end - p >= 16; p += 16) {
            if (const unsigned mask = mask_at(p)) return p + __builtin_ctz(mask);
        }
        if (p == end) return end;
        // The tail: the last sixteen bytes again, minus those already looked at.
        const char* const last = end - 16;
        const unsigned mask = mask_at(last) & (0xFFFFu << (p - last));
        return mask != 0 ? last + __builtin_ctz(mask) : end;
    }
#endif
    for (; p != end; ++p) {
        if (stops(static_cast<unsigned char>(*p))) return p;
    }
    return end;
}

// The first byte that is not printable ASCII from `Low` to '~' (a control, DEL, any byte over
// 0x7F), a tab excepted when TabAllowed. A target stops at its space, a value at its CR.
template <char Low, bool TabAllowed>
const char* find_unprintable(const char* p, const char* end) {
    return find_first(
        p, end,
#if defined(__SSE2__)
        [](__m128i s) {
            // Signed compares: the bytes over 0x7F are negative, so below Low as well.
            __m128i bad = _mm_or_si128(_mm_cmplt_epi8(s, _mm_set1_epi8(Low)),
                                       _mm_cmpeq_epi8(s, _mm_set1_epi8(0x7F)));
            if constexpr (TabAllowed) {
                bad = _mm_andnot_si128(_mm_cmpeq_epi8(s, _mm_set1_epi8('\t')), bad);
            }
            return static_cast<unsigned>(_mm_movemask_epi8(bad));
        },
#else
        nullptr,
#endif
        [](unsigned char c) {
            const bool printable = c >= static_cast<unsigned char>(Low) && c < 0x7F;
            return !printable && !(TabAllowed && c == '\t');
        });
}

// The first byte that is not a letter, digit or '-': the end of nearly every field name (the
// other token characters are then looked up one by one).
const char* find_name_end(const char* p, const char* end) {
    return find_first(
        p, end,
#if defined(__SSE2__)
        [](__m128i s) {
            const auto within = [](__m128i v, char low, char high) {
                return _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(static_cast<char>(low - 1))),
                                     _mm_cmplt_epi8(v, _mm_set1_epi8(static_cast<char>(high + 1))));
            };
            const __m128i name_char =
                _mm_or_si128(_mm_or_si128(within(_mm_or_si128(s, _mm_set1_epi8(0x20)), 'a', 'z'),
                                          within(s, '0', '9')),
                             _mm_cmpeq_epi8(s, _mm_set1_epi8('-')));
            return ~static_cast<unsigned>(_mm_movemask_epi8(name_char)) & 0xFFFFu;
        },
#else
        nullptr,
#endif
        [](unsigned char c) {
            const unsigned char lower = c | 0x20;
            return !((lower >= 'a' && lower <= 'z') || (c >= '0' && c <= '9') || c == '-');
        });
}

// Whether a field name, already known to be token characters, is `lower` (lowercase letters and
// '-') in any case. Compared eight or four bytes at a time with 0x20 set in each: among token
// characters only the letters change under it, and only '-' itself becomes '-'.
bool name_is(std::string_view name, std::string_view lower) {
    const std::size_t size = name.size();
    if (size != lower.size()) return false;
    if (size < 4) return boost::beast::iequals(name, lower);
    const auto differs = [&](std::size_t at, auto word) {
        decltype(word) a = 0;
        decltype(word) b = 0;
        std::memcpy(&a, name.data() + at, sizeof a);
        std::memcpy(&b, lower.data() + at, sizeof b);
        return (a | static_cast<decltype(word)>(0x2020202020202020ULL)) != b;
    };
    if (size < 8) return !differs(0, std::uint32_t{}) && !differs(size - 4, std::uint32_t{});
    for (std::size_t at = 0; at + 8 < size; at += 8) {
        if (differs(at, std::uint64_t{})) return false;
    }
    return !differs(size - 8, std::uint64_t{});
}

// string_to_field, answered without its hash for the names clients send most (~80 instructions
// each under callgrind): the ones the scan acts on and the ones it drops or usually keeps.
http::field field_of(std::string_view name) {
    using http::field;
    switch (name.size()) {
        case 4:
            if (name_is(name, "host")) return field::host;
            break;
        case 6:
            if (name_is(name, "accept")) return field::accept;
            if (name_is(name, "expect")) return field::expect;
            if (name_is(name, "pragma")) return field::pragma;
            break;
        case 7:
            if (name_is(name, "upgrade")) return field::upgrade;
            break;
        case 10:
            if (name_is(name, "connection")) return field::connection;
            if (name_is(name, "user-agent")) return field::user_agent;
            if (name_is(name, "keep-alive")) return field::keep_alive;
            break;
        case 12:
            if (name_is(name, "content-type")) return field::content_type;
            break;
        case 13:
            if (name_is(name, "authorization")) return field::authorization;
            if (name_is(name, "cache-control")) return field::cache_control;
            break;
        case 14:
            if (name_is(name, "content-length")) return field::content_length;
            break;
        case 15:
            if (name_is(name, "accept-encoding")) return field::accept_encoding;
            if (name_is(name, "accept-language")) return field::accept_language;
            break;
        case 16:
            if (name_is(name, "proxy-connection")) return field::proxy_connection;
            break;
        case 17:
            if (name_is(name, "transfer-encoding")) return field::transfer_encoding;
            break;
        default:
            break;
    }
    return http::string_to_field(name);
}

bool is_whitespace(char c) {
    return c == ' ' || c == '\t';
}

// Digits only, at most 19 of them (no overflow to check). Beast also takes a list of equal
// values ("5, 5"); those, like any other spelling, go to Beast's parser.
bool parse_content_length(std::string_view value, std::uint64_t& length) {
    if (value.empty() || value.size() > 19) return false;
    std::uint64_t result = 0;
    for (const char c : value) {
        if (c < '0' || c > '9') return false;
        result = result * 10 + static_cast<std::uint64_t>(c - '0');
    }
    length = result;
    return true;
}

}  // namespace

bool scan_plain_request_head(std::string_view bytes, std::size_t header_limit, PlainRequest& out) {
    const char* const begin = bytes.data();
    // Past the limit nothing is plain: Beast's parser then answers header_limit (431).
    const char* const end = begin + std::min(bytes.size(), header_limit);
    const char* p = begin;

    // Request line: METHOD SP target SP HTTP/1.x CRLF. A check is nearly always a GET.
    if (end - p >= 4 && std::memcmp(p, "GET ", 4) == 0) {
        out.method = http::verb::get;
        p += 3;
    } else {
        while (p != end && *p >= 'A' && *p <= 'Z') ++p;
        if (p == end || *p != ' ' || p == begin) return false;
        out.method =
            http::string_to_verb(std::string_view(begin, static_cast<std::size_t>(p - begin)));
        if (out.method == http::verb::unknown) return false;
    }
    const char* const target = ++p;
    p = find_unprintable<'!', false>(p, end);
    if (p == end || *p != ' ' || p == target) return false;
    out.target = std::string_view(target, static_cast<std::size_t>(p - target));
    ++p;
    if (end - p < 10 || std::memcmp(p, "HTTP/1.", 7) != 0 || (p[7] != '0' && p[7] != '1') ||
        p[8] != '\r' || p[9] != '\n') {
        return false;
    }
    out.version = p[7] == '1' ? 11 : 10;
    p += 10;

    // Fields, up to the blank line.
    bool connection_close = false;
    bool connection_keep_alive = false;
    bool has_content_length = false;
    out.content_length = 0;
    out.field_count = 0;
    out.host = {};
    for (;;) {
        if (end - p < 2) return false;
        if (*p == '\r') {
            if (p[1] != '\n') return false;
            p += 2;
            break;
        }
        const char* const name_begin = p;
        p = find_name_end(p, end);
        while (p != end && kTokenChars[static_cast<unsigned char>(*p)]) ++p;
        if (p == end || *p != ':' || p == name_begin) return false;
        const std::string_view name(name_begin, static_cast<std::size_t>(p - name_begin));
        ++p;
        while (p != end && is_whitespace(*p)) ++p;
        const char* const value_begin = p;
        p = find_unprintable<' ', true>(p, end);
        // CRLF ends the value, and the next line must not start with whitespace: that would be
        // a folded continuation (obs-fold), left to Beast.
        if (end - p < 3 || p[0] != '\r' || p[1] != '\n' || is_whitespace(p[2])) return false;
        const char* value_end = p;
        while (value_end != value_begin && is_whitespace(value_end[-1])) --value_end;
        p += 2;
        const std::string_view value(value_begin,
                                     static_cast<std::size_t>(value_end - value_begin));

        // The fields Beast's parser acts on, handled the way it does in the one spelling each
        // that clients use; any other spelling is not plain.
        const http::field field = field_of(name);
        switch (field) {
            case http::field::connection:
            case http::field::proxy_connection:
                if (boost::beast::iequals(value, "close")) {
                    connection_close = true;
                } else if (boost::beast::iequals(value, "keep-alive")) {
                    connection_keep_alive = true;
                } else {
                    return false;
                }
                break;
            case http::field::content_length:
                if (has_content_length || !parse_content_length(value, out.content_length)) {
                    return false;
                }
                has_content_length = true;
                break;
            case http::field::host:
                // A second Host is refused by the session (400); Beast's path sees both.
                if (out.host.data() != nullptr) return false;
                out.host = value;
                continue;
            case http::field::transfer_encoding:
            case http::field::upgrade:
            // Answered with 100 Continue or 417 before the body is read: Beast's path does it.
            case http::field::expect:
                return false;
            default:
                break;
        }
        if (!stored_request_field(field)) continue;
        if (out.field_count == kMaxPlainFields) return false;
        out.fields[out.field_count++] = PlainField{field, name, value};
    }
    out.head_size = static_cast<std::size_t>(p - begin);
    // Beast's keep_alive(): HTTP/1.1 unless "close"; HTTP/1.0 only with "keep-alive".
    out.keep_alive = out.version == 11 ? !connection_close : connection_keep_alive;
    return true;
}

void build_request(const PlainRequest& head, std::string_view body, Request& request) {
    // In the order Beast's parser sets them.
    request.target(head.target);
    request.method(head.method);
    request.version(head.version);
    for (std::size_t i = 0; i < head.field_count; ++i) {
        const PlainField& field = head.fields[i];
        request.insert(field.name, field.name_string, field.value);
    }
    if (!body.empty()) request.body().assign(body);
}

}  // namespace piotd::daemon
