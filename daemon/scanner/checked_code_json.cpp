#include "daemon/scanner/checked_code_json.hpp"

#include <string>

#include "protocol/codes/code_error.hpp"
#include "protocol/lm/lm_check_answer.hpp"
#include "protocol/tspiot/tspiot_answer.hpp"

namespace piotd::daemon {

namespace {

std::string hex(std::string_view bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const char c : bytes) {
        const auto b = static_cast<unsigned char>(c);
        out += kDigits[b >> 4];
        out += kDigits[b & 15];
    }
    return out;
}

}  // namespace

void write_checked_code_members(protocol::JsonWriter& writer, std::string_view raw,
                                const protocol::ParseResult& parsed,
                                const std::optional<ScanVerdict>& verdict) {
    using protocol::write_key;
    using protocol::write_string;
    write_key(writer, "rawHex");
    write_string(writer, hex(raw));
    if (parsed) {
        write_key(writer, "code");
        write_string(writer, parsed.code.full());
        write_key(writer, "cis");
        write_string(writer, parsed.code.ki());
        write_key(writer, "gtin");
        write_string(writer, parsed.code.gtin());
        write_key(writer, "gtinCheckDigitOk");
        writer.Bool(parsed.code.gtin_check_digit_ok());
    }
    write_key(writer, "repairs");
    protocol::write_repairs(writer, parsed.code.repairs());
    write_key(writer, "error");
    if (parsed) {
        writer.Null();
    } else {
        writer.StartObject();
        write_key(writer, "name");
        write_string(writer, protocol::code_error_name(parsed.error));
        write_key(writer, "message");
        write_string(writer, protocol::code_error_message(parsed.error));
        writer.EndObject();
    }
    write_key(writer, "verdict");
    if (!verdict) {
        writer.Null();
        return;
    }
    writer.StartObject();
    write_key(writer, "result");
    write_string(writer, scan_verdict_name(verdict->kind));
    write_key(writer, "source");
    write_string(writer, verdict->source);
    write_key(writer, "sold");
    writer.Bool(verdict->sold);
    write_key(writer, "detail");
    write_string(writer, verdict->detail);
    if (verdict->kind == ScanVerdictKind::unavailable) {
        write_key(writer, "isSaleAllowed");
        writer.Null();
        write_key(writer, "reasons");
        writer.StartArray();
        writer.EndArray();
    } else {
        protocol::write_sale_verdict_members(writer, verdict->decision);
    }
    writer.EndObject();
}

}  // namespace piotd::daemon
