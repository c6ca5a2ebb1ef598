#include "storage/sold_record.hpp"

namespace piotd::storage {

namespace {

constexpr std::size_t kRecordSize = 12;

void put_le(std::string& out, std::uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::uint64_t get_le(std::string_view in, std::size_t at, int bytes) {
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) {
        v |= std::uint64_t{static_cast<unsigned char>(in[at + static_cast<std::size_t>(i)])}
             << (8 * i);
    }
    return v;
}

}  // namespace

std::string encode_sold_record(const SoldRecord& record) {
    std::string out;
    out.reserve(kRecordSize);
    put_le(out, record.units, 4);
    put_le(out, static_cast<std::uint64_t>(record.time_ms), 8);
    return out;
}

std::optional<SoldRecord> decode_sold_record(std::string_view value) {
    if (value.size() != kRecordSize) return std::nullopt;
    SoldRecord record;
    record.units = static_cast<std::uint32_t>(get_le(value, 0, 4));
    record.time_ms = static_cast<std::int64_t>(get_le(value, 4, 8));
    return record;
}

}  // namespace piotd::storage
