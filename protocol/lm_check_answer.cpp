#include "protocol/lm_check_answer.hpp"

namespace piotd::protocol {

void write_repairs(JsonWriter& writer, const Repairs& repairs) {
    writer.StartArray();
    if (repairs.aim_prefix_stripped) write_string(writer, "aim_prefix_stripped");
    if (repairs.fnc1_converted) write_string(writer, "fnc1_converted");
    if (repairs.leading_gs_dropped) write_string(writer, "leading_gs_dropped");
    if (repairs.gs_escape_decoded) write_string(writer, "gs_escape_decoded");
    if (repairs.layout_repaired) write_string(writer, "layout_repaired");
    if (repairs.gs_recovered) write_string(writer, "gs_recovered");
    if (repairs.suffix_stripped) write_string(writer, "suffix_stripped");
    writer.EndArray();
}

namespace {

void write_code(JsonWriter& writer, const LmCodeResult& code, LmApiVersion api) {
    writer.StartObject();
    write_key(writer, "cis");
    write_string(writer, code.cis);
    write_key(writer, "gtin");
    write_string(writer, code.gtin);
    write_key(writer, "printView");
    write_string(writer, code.print_view);
    write_key(writer, "isBlocked");
    writer.Bool(code.is_blocked);
    write_key(writer, "isGreyGtin");
    writer.Bool(code.is_grey_gtin);
    if (api == LmApiVersion::v2) {
        write_key(writer, "sold");
        writer.Bool(code.sold);
        if (code.mrp) {
            write_key(writer, "mrp");
            writer.Uint(*code.mrp);
        }
        write_key(writer, "smp");
        writer.Uint(code.smp);
    }
    if (code.repairs.any()) {
        write_key(writer, "repairs");
        write_repairs(writer, code.repairs);
    }
    if (!code.gtin_check_digit_ok) {
        write_key(writer, "gtinCheckDigitOk");
        writer.Bool(false);
    }
    writer.EndObject();
}

}  // namespace

void write_check_answer(JsonWriter& writer, const LmCheckAnswer& answer, LmApiVersion api) {
    writer.StartObject();
    write_key(writer, "code");
    writer.Int(0);
    write_key(writer, "description");
    write_string(writer, "ok");
    write_key(writer, "reqId");
    write_string(writer, answer.req_id);
    write_key(writer, "reqTimestamp");
    writer.Int64(answer.req_timestamp_ms);
    write_key(writer, "inst");
    write_string(writer, answer.inst);
    write_key(writer, "version");
    write_string(writer, answer.version);
    write_key(writer, "codes");
    writer.StartArray();
    for (const LmCodeResult& code : answer.codes) write_code(writer, code, api);
    writer.EndArray();
    writer.EndObject();
}

void write_check_results(JsonWriter& writer, const LmCheckAnswer& answer, LmApiVersion api) {
    writer.StartObject();
    write_key(writer, "results");
    writer.StartArray();
    write_check_answer(writer, answer, api);
    writer.EndArray();
    writer.EndObject();
}

}  // namespace piotd::protocol
