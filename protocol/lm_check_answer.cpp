#include "protocol/lm_check_answer.hpp"

#include "protocol/json_text.hpp"

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

void append_code(std::string& out, const LmCodeResult& code, LmApiVersion api) {
    out += "{\"cis\":";
    append_json_string(out, code.cis);
    out += ",\"gtin\":";
    append_json_string(out, code.gtin);
    out += ",\"printView\":";
    append_json_string(out, code.print_view);
    out += ",\"isBlocked\":";
    append_json_bool(out, code.is_blocked);
    out += ",\"isGreyGtin\":";
    append_json_bool(out, code.is_grey_gtin);
    if (api == LmApiVersion::v2) {
        out += ",\"sold\":";
        append_json_bool(out, code.sold);
        if (code.mrp) {
            out += ",\"mrp\":";
            append_json_number(out, std::uint64_t{*code.mrp});
        }
        out += ",\"smp\":";
        append_json_number(out, std::uint64_t{code.smp});
    }
    if (code.repairs.any()) {
        out += ",\"repairs\":[";
        bool first = true;
        for_each_repair(code.repairs, [&](std::string_view name) {
            if (!first) out += ',';
            first = false;
            append_json_string(out, name);
        });
        out += ']';
    }
    if (!code.gtin_check_digit_ok) out += ",\"gtinCheckDigitOk\":false";
    out += '}';
}

}  // namespace

void write_repairs(JsonWriter& writer, const Repairs& repairs) {
    writer.StartArray();
    for_each_repair(repairs, [&](std::string_view name) { write_string(writer, name); });
    writer.EndArray();
}

void append_check_answer(std::string& out, const LmCheckAnswer& answer, LmApiVersion api) {
    out += "{\"code\":0,\"description\":\"ok\",\"reqId\":";
    append_json_string(out, answer.req_id);
    out += ",\"reqTimestamp\":";
    append_json_number(out, answer.req_timestamp_ms);
    out += ",\"inst\":";
    append_json_string(out, answer.inst);
    out += ",\"version\":";
    append_json_string(out, answer.version);
    out += ",\"codes\":[";
    for (std::size_t i = 0; i < answer.codes.size(); ++i) {
        if (i != 0) out += ',';
        append_code(out, answer.codes[i], api);
    }
    out += "]}";
}

void append_check_results(std::string& out, const LmCheckAnswer& answer, LmApiVersion api) {
    out += "{\"results\":[";
    append_check_answer(out, answer, api);
    out += "]}";
}

}  // namespace piotd::protocol
