#include "protocol/codes/tobacco_price.hpp"

namespace piotd::protocol {

namespace {

// CSET 82 without '(' and ')', in the order the pack printers use (lm-api.md §7.5).
constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!\"%&'*+-./_,:;=<>?";
static_assert(kAlphabet.size() == 80);

constexpr std::uint32_t kBase = 80;
constexpr std::uint32_t kLimit = kBase * kBase * kBase * kBase;

constexpr std::array<std::int8_t, 256> make_reverse() {
    std::array<std::int8_t, 256> table{};
    for (auto& v : table) v = -1;
    for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
        table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::int8_t>(i);
    }
    return table;
}

constexpr auto kReverse = make_reverse();

}  // namespace

std::optional<std::uint32_t> decode_base80_price(std::string_view four_chars) {
    if (four_chars.size() != 4) return std::nullopt;
    std::uint32_t value = 0;
    for (const char c : four_chars) {
        const std::int8_t digit = kReverse[static_cast<unsigned char>(c)];
        if (digit < 0) return std::nullopt;
        value = value * kBase + static_cast<std::uint32_t>(digit);
    }
    return value;
}

std::optional<std::array<char, 4>> encode_base80_price(std::uint32_t kopecks) {
    if (kopecks >= kLimit) return std::nullopt;
    std::array<char, 4> out{};
    for (std::size_t i = 4; i-- > 0;) {
        out[i] = kAlphabet[kopecks % kBase];
        kopecks /= kBase;
    }
    return out;
}

}  // namespace piotd::protocol
