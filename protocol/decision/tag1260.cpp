#include "protocol/decision/tag1260.hpp"

namespace piotd::protocol {

std::string industry_prop_value_online(std::string_view req_id, std::int64_t req_timestamp_ms) {
    std::string value;
    value.reserve(64);
    value.append("UUID=").append(req_id).append("&Time=").append(std::to_string(req_timestamp_ms));
    return value;
}

std::string industry_prop_value_offline(std::string_view req_id, std::int64_t req_timestamp_ms,
                                        std::string_view inst, std::string_view version) {
    std::string value = industry_prop_value_online(req_id, req_timestamp_ms);
    value.append("&Inst=").append(inst).append("&Ver=").append(version);
    return value;
}

namespace {

void append_u16(std::string& out, std::size_t value) {
    out.push_back(static_cast<char>(value & 0xFF));
    out.push_back(static_cast<char>((value >> 8) & 0xFF));
}

void append_tlv(std::string& out, std::uint16_t tag, std::string_view value) {
    append_u16(out, tag);
    append_u16(out, value.size());
    out.append(value);
}

bool printable_ascii(std::string_view text) {
    for (const char c : text) {
        if (c < 0x20 || c > 0x7E) return false;
    }
    return true;
}

}  // namespace

std::optional<std::string> encode_tag1260(std::string_view industry_prop_value) {
    if (industry_prop_value.empty() || industry_prop_value.size() > kMaxIndustryPropValue ||
        !printable_ascii(industry_prop_value)) {
        return std::nullopt;
    }
    std::string inner;
    inner.reserve(4 * 4 + kFoivId.size() + kFoundationDocDate.size() + kFoundationDocNumber.size() +
                  industry_prop_value.size());
    append_tlv(inner, kTagFoivId, kFoivId);
    append_tlv(inner, kTagFoundationDocDate, kFoundationDocDate);
    append_tlv(inner, kTagFoundationDocNumber, kFoundationDocNumber);
    append_tlv(inner, kTagIndustryPropValue, industry_prop_value);
    std::string out;
    out.reserve(4 + inner.size());
    append_tlv(out, kTagIndustryRequisite, inner);
    return out;
}

std::string to_hex(std::string_view bytes) {
    static constexpr char kDigits[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const char c : bytes) {
        const auto b = static_cast<unsigned char>(c);
        out.push_back(kDigits[b >> 4]);
        out.push_back(kDigits[b & 0x0F]);
    }
    return out;
}

void write_tag1260(JsonWriter& writer, std::string_view industry_prop_value) {
    writer.StartObject();
    write_key(writer, "idFoiv");
    write_string(writer, kFoivId);
    write_key(writer, "foundationDocDateTime");
    write_string(writer, kFoundationDocDate);
    write_key(writer, "foundationDocNumber");
    write_string(writer, kFoundationDocNumber);
    write_key(writer, "industryPropValue");
    write_string(writer, industry_prop_value);
    if (const auto bytes = encode_tag1260(industry_prop_value)) {
        write_key(writer, "tlv");
        write_string(writer, to_hex(*bytes));
    }
    writer.EndObject();
}

}  // namespace piotd::protocol
