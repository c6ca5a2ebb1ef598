// The value kept in Db::sold for each КИ sold through this module.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace piotd::storage {

struct SoldRecord {
    std::uint32_t units = 0;   // partial sales counted so far; 0 = the whole unit was sold
    std::int64_t time_ms = 0;  // last sale, Unix ms

    bool operator==(const SoldRecord&) const = default;
};

// 12 bytes: units (u32 LE) then time_ms (i64 LE).
std::string encode_sold_record(const SoldRecord& record);
// Nothing when `value` is not 12 bytes.
std::optional<SoldRecord> decode_sold_record(std::string_view value);

}  // namespace piotd::storage
