#include "tests/fakes/fake_list_generator.hpp"

#include <algorithm>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/code_generator.hpp"

namespace piotd::fakes {

namespace {

constexpr std::size_t kCodesPerGtin = 1000;
constexpr std::size_t kSerialLength = 13;

std::uint64_t stream_seed(std::uint64_t seed, FakeList list) {
    // Independent streams per list, so one list's size does not change another's items.
    return seed * 0x9E3779B97F4A7C15ULL + static_cast<std::uint64_t>(list) + 1;
}

std::vector<std::string> distinct_gtins(bench::CodeGenerator& generator, std::size_t count) {
    std::set<std::string> gtins;
    while (gtins.size() < count) gtins.insert(generator.gtin14());
    return {gtins.begin(), gtins.end()};
}

void append_checked(PackedItems::Builder& builder, FakeList list, const std::string& item) {
    const auto canonical = canonical_item(list, item);
    if (!canonical || *canonical != item) {
        throw std::logic_error("generated item is not canonical: " + item);
    }
    builder.append(item);
}

std::shared_ptr<const PackedItems> generate_cis(std::size_t count, std::uint64_t seed) {
    bench::CodeGenerator generator(seed);
    std::mt19937_64 rng(seed ^ 0x5EC1A1ULL);
    const std::size_t gtin_count = std::max<std::size_t>(1, count / kCodesPerGtin);
    const std::vector<std::string> gtins = distinct_gtins(generator, gtin_count);
    const std::size_t item_length = 2 + 14 + 2 + kSerialLength;
    PackedItems::Builder builder(FakeList::blocked_cis, count, count * item_length);
    for (std::size_t g = 0; g < gtin_count; ++g) {
        const std::size_t share = count / gtin_count + (g < count % gtin_count ? 1 : 0);
        // Built by appends: GCC 12 at -O3 warns falsely (-Wrestrict) on "01" + string + "21".
        std::string head;
        head.reserve(18);
        head.append("01").append(gtins[g]).append("21");
        std::set<std::string> unique;
        while (unique.size() < share) {
            std::string code = head;
            for (std::size_t i = 0; i < kSerialLength; ++i) {
                code += bench::kSerialAlphabet[rng() % bench::kSerialAlphabet.size()];
            }
            // Skip the rare serial piotd would repair (an escaped GS such as "%1D" or "\x1d").
            const auto canonical = canonical_item(FakeList::blocked_cis, code);
            if (canonical && *canonical == code) unique.insert(std::move(code));
        }
        for (const std::string& code : unique) builder.append(code);
    }
    return builder.finish();
}

std::shared_ptr<const PackedItems> generate_small(FakeList list, std::size_t count,
                                                  std::uint64_t seed) {
    bench::CodeGenerator generator(seed);
    std::mt19937_64 rng(seed ^ 0xA11CEULL);
    std::vector<std::string> items;
    if (list == FakeList::blocked_series) {
        std::set<std::string> unique;
        while (unique.size() < count) {
            std::string item = generator.gtin14() + " ";
            const std::size_t length = 1 + rng() % 8;
            for (std::size_t i = 0; i < length; ++i) {
                item += bench::kSerialAlphabet[rng() % bench::kSerialAlphabet.size()];
            }
            unique.insert(std::move(item));
        }
        items.assign(unique.begin(), unique.end());
    } else {
        items = distinct_gtins(generator, count);
        if (list == FakeList::min_price) {
            for (std::string& item : items) {
                item.append(" ").append(std::to_string(10000 + rng() % 40000));
            }
        }
    }
    std::size_t bytes = 0;
    for (const std::string& item : items) bytes += item.size();
    PackedItems::Builder builder(list, items.size(), bytes);
    for (const std::string& item : items) append_checked(builder, list, item);
    return builder.finish();
}

}  // namespace

std::shared_ptr<const PackedItems> generate_list(FakeList list, std::size_t count,
                                                 std::uint64_t seed) {
    const std::uint64_t list_seed = stream_seed(seed, list);
    if (list == FakeList::blocked_cis) return generate_cis(count, list_seed);
    return generate_small(list, count, list_seed);
}

}  // namespace piotd::fakes
