// Tag 1260 «отраслевой реквизит предмета расчёта» of a marked item in the fiscal receipt
// (lm-api.md §8): the result of the permissive-mode check, one per item.
//
//   1262 idFoiv                "030"
//   1263 foundationDocDateTime "21.11.2023"   (ППРФ №1944 of 21.11.2023)
//   1264 foundationDocNumber   "1944"
//   1265 industryPropValue     online:  UUID=<reqId>&Time=<reqTimestamp>
//                              offline: UUID=<reqId>&Time=<reqTimestamp>&Inst=<inst>&Ver=<version>
//
// As FFD bytes, 1260 is an STLV: tag and length as 2-byte little-endian numbers, its value the
// four string TLVs in the order above. The values are ASCII (UUIDs, digits, version strings), so
// no CP866 conversion is needed; anything else is refused rather than mis-encoded.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/json/json_writer.hpp"

namespace piotd::protocol {

inline constexpr std::uint16_t kTagIndustryRequisite = 1260;
inline constexpr std::uint16_t kTagFoivId = 1262;
inline constexpr std::uint16_t kTagFoundationDocDate = 1263;
inline constexpr std::uint16_t kTagFoundationDocNumber = 1264;
inline constexpr std::uint16_t kTagIndustryPropValue = 1265;

inline constexpr std::string_view kFoivId = "030";
inline constexpr std::string_view kFoundationDocDate = "21.11.2023";
inline constexpr std::string_view kFoundationDocNumber = "1944";
// FFD limit of tag 1265 (string, up to 256 bytes).
inline constexpr std::size_t kMaxIndustryPropValue = 256;

// UUID=<reqId>&Time=<reqTimestamp>
std::string industry_prop_value_online(std::string_view req_id, std::int64_t req_timestamp_ms);
// UUID=<reqId>&Time=<reqTimestamp>&Inst=<inst>&Ver=<version>
std::string industry_prop_value_offline(std::string_view req_id, std::int64_t req_timestamp_ms,
                                        std::string_view inst, std::string_view version);

// The 1260 STLV bytes (tag, length, then 1262/1263/1264/1265), or nothing when the 1265 value is
// empty, longer than kMaxIndustryPropValue or not printable ASCII.
std::optional<std::string> encode_tag1260(std::string_view industry_prop_value);

// Upper-case hex of bytes, no separators ("EC04…").
std::string to_hex(std::string_view bytes);

// {"idFoiv":"030","foundationDocDateTime":"21.11.2023","foundationDocNumber":"1944",
//  "industryPropValue":"…","tlv":"<hex of encode_tag1260>"}; tlv is left out when encoding fails.
void write_tag1260(JsonWriter& writer, std::string_view industry_prop_value);

}  // namespace piotd::protocol
