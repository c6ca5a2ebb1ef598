// The local module's answer to a black-list check (lm-api.md §3.3–3.5, §4), field for field:
//   {"code":0,"description":"ok","reqId":…,"reqTimestamp":…,"inst":…,"version":…,
//    "codes":[{"cis","gtin","printView","isBlocked","isGreyGtin"[,"sold","mrp","smp"]}]}
// v2 adds sold/mrp/smp. piotd adds "repairs" (what the normaliser fixed) and
// "gtinCheckDigitOk":false only when they apply, so clients that do not know them see the LM's
// own shape.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "protocol/json/json_writer.hpp"
#include "protocol/codes/marking_code.hpp"

namespace piotd::protocol {

enum class LmApiVersion : std::uint8_t { v1, v2 };

struct LmCodeResult {
    std::string_view cis;  // the КИ
    std::string_view gtin;
    std::string_view print_view;
    bool is_blocked = false;
    bool is_grey_gtin = false;
    bool sold = false;
    std::optional<std::uint32_t> mrp;  // kopecks, tobacco pack code
    std::uint32_t smp = 0;             // kopecks, 0 when no minimum price is known
    Repairs repairs{};
    bool gtin_check_digit_ok = true;
};

struct LmCheckAnswer {
    std::string_view req_id;
    std::int64_t req_timestamp_ms = 0;
    std::string_view inst;
    std::string_view version;
    std::span<const LmCodeResult> codes;
};

// One answer object (the flat GET shape), appended to `out`. The check answer is the hottest
// JSON piotd writes, so it is written as text with literal keys (protocol/json/json_text.hpp), not
// through JsonWriter: a third of the instructions of a whole HTTP check went to the writer.
void append_check_answer(std::string& out, const LmCheckAnswer& answer, LmApiVersion api);
// {"results":[answer]} (the POST shape).
void append_check_results(std::string& out, const LmCheckAnswer& answer, LmApiVersion api);
// Names of the repairs that were applied, in a fixed order.
void write_repairs(JsonWriter& writer, const Repairs& repairs);

}  // namespace piotd::protocol
