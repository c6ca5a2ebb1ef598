#include "protocol/lm/lm_check_answer.hpp"

#include "protocol/json/json_text.hpp"

namespace piotd::protocol {

namespace {

// The repairs that were applied, by name, in a fixed order.
template <typename Visit>
void for_each_repair(const Repairs& repairs, Visit visit) {
    if (repairs.aim_prefix_stripped) visit("aim_prefix_stripped");
    if (repairs.fnc1_converted) visit("fnc1_converted");
    if (repairs.leading_gs_dropped) visit("leading_gs_dropped");
    if (repairs.gs_escape_decoded) visit("gs_escape_decoded");
    if (repairs.layout_repaired) visit("layout_repaired");
    if (repairs.gs_recovered) visit("gs_recovered");
    if (repairs.suffix_stripped) visit("suffix_stripped");
}

// Everything a code's object holds besides its three strings, at most: the keys, two numbers
// and three booleans (158 bytes), and with repairs every repair's name (143 more).
std::size_t code_fixed_max(const LmCodeResult& code) {
    return code.repairs.any() ? 192 + 160 : 192;
}

std::size_t code_max_size(const LmCodeResult& code) {
    return code_fixed_max(code) + JsonTextCursor::max_string_size(code.cis.size()) +
           JsonTextCursor::max_string_size(code.gtin.size()) +
           JsonTextCursor::max_string_size(code.print_view.size());
}

// The size when no string needs an escape, as nearly every answer: what the body reserves.
std::size_t code_usual_size(const LmCodeResult& code) {
    return code_fixed_max(code) + code.cis.size() + code.gtin.size() + code.print_view.size() + 6;
}

void write_code(JsonTextCursor& out, const LmCodeResult& code, LmApiVersion api) {
    out.literal("{\"cis\":");
    out.string(code.cis);
    out.literal(",\"gtin\":");
    out.string(code.gtin);
    out.literal(",\"printView\":");
    out.string(code.print_view);
    out.literal(",\"isBlocked\":");
    out.boolean(code.is_blocked);
    out.literal(",\"isGreyGtin\":");
    out.boolean(code.is_grey_gtin);
    if (api == LmApiVersion::v2) {
        out.literal(",\"sold\":");
        out.boolean(code.sold);
        if (code.mrp) {
            out.literal(",\"mrp\":");
            out.number(std::uint64_t{*code.mrp});
        }
        out.literal(",\"smp\":");
        out.number(std::uint64_t{code.smp});
    }
    if (code.repairs.any()) {
        out.literal(",\"repairs\":[");
        bool first = true;
        for_each_repair(code.repairs, [&](std::string_view name) {
            if (!first) out.literal(",");
            first = false;
            out.string(name);
        });
        out.literal("]");
    }
    if (!code.gtin_check_digit_ok) out.literal(",\"gtinCheckDigitOk\":false");
    out.literal("}");
}

}  // namespace

void write_repairs(JsonWriter& writer, const Repairs& repairs) {
    writer.StartArray();
    for_each_repair(repairs, [&](std::string_view name) { write_string(writer, name); });
    writer.EndArray();
}

void append_check_answer(std::string& out, const LmCheckAnswer& answer, LmApiVersion api) {
    // The fields before the codes: their keys (81 bytes), the timestamp and three strings.
    constexpr std::size_t kHeadFixedMax = 112;
    const std::size_t head_max = kHeadFixedMax +
                                 JsonTextCursor::max_string_size(answer.req_id.size()) +
                                 JsonTextCursor::max_string_size(answer.inst.size()) +
                                 JsonTextCursor::max_string_size(answer.version.size());
    // The usual answer (a few codes, nothing to escape) is sized once; a long list grows
    // geometrically instead, so that it does not hold a reservation far above its size.
    if (answer.codes.size() <= 16) {
        std::size_t usual = out.size() + kHeadFixedMax + answer.req_id.size() + answer.inst.size() +
                            answer.version.size() + 6 + 4;  // "]}" twice
        for (const LmCodeResult& code : answer.codes) usual += 1 + code_usual_size(code);
        out.reserve(usual);
    }
    append_json_text(out, head_max, [&](JsonTextCursor& cursor) {
        cursor.literal("{\"code\":0,\"description\":\"ok\",\"reqId\":");
        cursor.string(answer.req_id);
        cursor.literal(",\"reqTimestamp\":");
        cursor.number(answer.req_timestamp_ms);
        cursor.literal(",\"inst\":");
        cursor.string(answer.inst);
        cursor.literal(",\"version\":");
        cursor.string(answer.version);
        cursor.literal(",\"codes\":[");
    });
    // Code by code, so that a long list never holds more than one code's slack.
    for (std::size_t i = 0; i < answer.codes.size(); ++i) {
        const LmCodeResult& code = answer.codes[i];
        append_json_text(out, 1 + code_max_size(code), [&](JsonTextCursor& cursor) {
            if (i != 0) cursor.literal(",");
            write_code(cursor, code, api);
        });
    }
    out += "]}";
}

void append_check_results(std::string& out, const LmCheckAnswer& answer, LmApiVersion api) {
    out += "{\"results\":[";
    append_check_answer(out, answer, api);
    out += "]}";
}

}  // namespace piotd::protocol
