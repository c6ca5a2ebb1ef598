#include "storage/outbox_record.hpp"

#include <array>

namespace piotd::storage {

namespace {

// Layout, version 1: 'O' 1, state byte, then u64 seq, i64 created, updated, next_attempt,
// u32 attempts, rejections (all little endian), then six strings each as u32 length + bytes:
// id, document, last_error, upstream_id, signed_body, signature.
constexpr char kMagic = 'O';
constexpr char kVersion = 1;

void put(std::string& out, std::uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void put_string(std::string& out, std::string_view s) {
    put(out, s.size(), 4);
    out.append(s);
}

struct Reader {
    std::string_view in;
    bool ok = true;

    std::uint64_t get(int bytes) {
        if (in.size() < static_cast<std::size_t>(bytes)) {
            ok = false;
            return 0;
        }
        std::uint64_t v = 0;
        for (int i = 0; i < bytes; ++i) {
            v |= std::uint64_t{static_cast<unsigned char>(in[static_cast<std::size_t>(i)])}
                 << (8 * i);
        }
        in.remove_prefix(static_cast<std::size_t>(bytes));
        return v;
    }
    std::string get_string() {
        const std::uint64_t size = get(4);
        if (!ok || in.size() < size) {
            ok = false;
            return {};
        }
        std::string s(in.substr(0, size));
        in.remove_prefix(size);
        return s;
    }
};

constexpr std::array<OutboxState, 6> kStates = {OutboxState::queued,    OutboxState::checking,
                                                OutboxState::rejected,  OutboxState::dead,
                                                OutboxState::delivered, OutboxState::local};

}  // namespace

std::string_view outbox_state_name(OutboxState state) {
    switch (state) {
        case OutboxState::queued:
            return "queued";
        case OutboxState::checking:
            return "checking";
        case OutboxState::rejected:
            return "rejected";
        case OutboxState::dead:
            return "dead";
        case OutboxState::delivered:
            return "delivered";
        case OutboxState::local:
            return "local";
    }
    return "unknown";
}

std::optional<OutboxState> parse_outbox_state(std::string_view name) {
    for (const OutboxState state : kStates) {
        if (outbox_state_name(state) == name) return state;
    }
    return std::nullopt;
}

bool outbox_pending(OutboxState state) {
    return state == OutboxState::queued || state == OutboxState::checking ||
           state == OutboxState::rejected;
}

std::string encode_outbox_record(const OutboxRecord& r) {
    std::string out;
    out.reserve(64 + r.id.size() + r.document.size() + r.last_error.size() + r.signed_body.size() +
                r.signature.size());
    out.push_back(kMagic);
    out.push_back(kVersion);
    out.push_back(static_cast<char>(r.state));
    put(out, r.seq, 8);
    put(out, static_cast<std::uint64_t>(r.created_ms), 8);
    put(out, static_cast<std::uint64_t>(r.updated_ms), 8);
    put(out, static_cast<std::uint64_t>(r.next_attempt_ms), 8);
    put(out, r.attempts, 4);
    put(out, r.rejections, 4);
    for (const std::string* s :
         {&r.id, &r.document, &r.last_error, &r.upstream_id, &r.signed_body, &r.signature}) {
        put_string(out, *s);
    }
    return out;
}

std::optional<OutboxRecord> decode_outbox_record(std::string_view value) {
    if (value.size() < 3 || value[0] != kMagic || value[1] != kVersion) return std::nullopt;
    OutboxRecord r;
    bool known = false;
    for (const OutboxState state : kStates) {
        if (static_cast<char>(state) == value[2]) {
            r.state = state;
            known = true;
        }
    }
    if (!known) return std::nullopt;
    Reader in{value.substr(3)};
    r.seq = in.get(8);
    r.created_ms = static_cast<std::int64_t>(in.get(8));
    r.updated_ms = static_cast<std::int64_t>(in.get(8));
    r.next_attempt_ms = static_cast<std::int64_t>(in.get(8));
    r.attempts = static_cast<std::uint32_t>(in.get(4));
    r.rejections = static_cast<std::uint32_t>(in.get(4));
    for (std::string* s :
         {&r.id, &r.document, &r.last_error, &r.upstream_id, &r.signed_body, &r.signature}) {
        *s = in.get_string();
    }
    if (!in.ok || !in.in.empty()) return std::nullopt;
    return r;
}

}  // namespace piotd::storage
