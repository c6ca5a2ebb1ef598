#include "storage/list_slots.hpp"

#include <unistd.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <random>

#include "storage/cursor.hpp"

namespace piotd::storage {

static_assert(static_cast<unsigned>(Db::learned_0) ==
                  1 + 2 * static_cast<unsigned>(ListName::learned),
              "Db must list the two slots of every list in ListName order, right after meta");

Db slot_db(ListName list, unsigned slot) {
    // Db lists the two slots of each list in ListName order, right after meta.
    return static_cast<Db>(1 + 2 * static_cast<unsigned>(list) + (slot & 1U));
}

std::string active_key(ListName list) {
    return "active/" + std::string(list_name(list));
}

std::string filter_key(ListName list, unsigned slot) {
    return "filter/" + std::string(list_name(list)) + "/" + std::to_string(slot & 1U);
}

unsigned parse_slot(std::optional<std::string_view> value) {
    return value && *value == "1" ? 1U : 0U;
}

std::string format_slot(unsigned slot) {
    return (slot & 1U) != 0 ? "1" : "0";
}

std::uint64_t parse_stamp(std::optional<std::string_view> value) {
    if (!value) return 0;
    std::uint64_t stamp = 0;
    const char* end = value->data() + value->size();
    const auto [ptr, ec] = std::from_chars(value->data(), end, stamp);
    return ec == std::errc{} && ptr == end ? stamp : 0;
}

std::string format_stamp(std::uint64_t stamp) {
    return std::to_string(stamp);
}

std::uint64_t new_stamp() {
    // A splitmix64 sequence from a random start: cheap per call (one per added item) and, with a
    // per-process random seed, not repeated by another process writing the same environment.
    static std::atomic<std::uint64_t> state{[] {
        std::random_device rd;
        const auto now =
            static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
        return (std::uint64_t{rd()} << 32) ^ rd() ^ now ^
               (static_cast<std::uint64_t>(::getpid()) << 17);
    }()};
    for (;;) {
        std::uint64_t z = state.fetch_add(0x9e3779b97f4a7c15ULL, std::memory_order_relaxed);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        z ^= z >> 31;
        if (z != 0) return z;
    }
}

std::string encode_stamped_filter(std::uint64_t stamp, const KeyFilter& filter) {
    std::string blob;
    for (int i = 0; i < 8; ++i) blob.push_back(static_cast<char>((stamp >> (8 * i)) & 0xff));
    blob += filter.serialize();
    return blob;
}

std::optional<StampedFilter> decode_stamped_filter(std::string_view blob) {
    if (blob.size() < 8) return std::nullopt;
    StampedFilter result;
    for (int i = 0; i < 8; ++i) {
        result.stamp |= std::uint64_t{static_cast<unsigned char>(blob[static_cast<std::size_t>(i)])}
                        << (8 * i);
    }
    result.filter = KeyFilter::deserialize(blob.substr(8));
    if (!result.filter) return std::nullopt;
    return result;
}

namespace {

template <class Txn>
std::unique_ptr<KeyFilter> scan(const Txn& txn, Db db) {
    auto filter = std::make_unique<KeyFilter>(KeyFilter::capacity_for(txn.entries(db)));
    Cursor cursor(txn, db);
    for (bool more = cursor.first(); more; more = cursor.next()) filter->add(cursor.key());
    return filter;
}

}  // namespace

std::unique_ptr<KeyFilter> scan_filter(const ReadTxn& txn, Db db) {
    return scan(txn, db);
}

std::unique_ptr<KeyFilter> scan_filter(const WriteTxn& txn, Db db) {
    return scan(txn, db);
}

}  // namespace piotd::storage
