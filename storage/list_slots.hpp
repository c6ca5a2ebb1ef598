// How BlackLists lays its lists out in LMDB: two slots (databases) per list, the `meta` key that
// names the active one, and the blocked_cis filter persisted per slot with the stamp it covers.
//
// meta keys:
//   active/<list>             "0" or "1" (missing = 0)
//   filter/blocked_cis/<slot> stamp (u64 LE) + KeyFilter::serialize() of that slot's keys
//   stamp/blocked_cis         decimal u64, replaced by every transaction that adds to the
//                             active slot and by the snapshot flip
//   stamp/sold                the same for Db::sold (its filter is never persisted)
//   stamp/learned             the same for learned (its filter is never persisted either: the
//                             list is small, a scan at open is cheap)
//
// Persistence rule: a persisted filter is used only when the stamp it carries equals the
// current stamp of its list; every addition writes a fresh random stamp in the same
// transaction, so a filter written before an addition can never be taken for one that covers
// it, whatever was killed when. Removals keep the stamp: their bits stay set, which only costs
// a false positive. A missing, corrupt or stale filter is rebuilt by a cursor scan.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "storage/environment.hpp"
#include "storage/key_filter.hpp"
#include "storage/list_name.hpp"
#include "storage/transaction.hpp"

namespace piotd::storage {

inline constexpr std::string_view kCisStampKey = "stamp/blocked_cis";
inline constexpr std::string_view kSoldStampKey = "stamp/sold";
inline constexpr std::string_view kLearnedStampKey = "stamp/learned";

Db slot_db(ListName list, unsigned slot);
std::string active_key(ListName list);
std::string filter_key(ListName list, unsigned slot);

// Value of active/<list> (missing or malformed = slot 0).
unsigned parse_slot(std::optional<std::string_view> value);
std::string format_slot(unsigned slot);

// Value of a stamp key (missing or malformed = 0, which no stamp ever is).
std::uint64_t parse_stamp(std::optional<std::string_view> value);
std::string format_stamp(std::uint64_t stamp);
// A fresh random non-zero stamp; unique across processes for all practical purposes.
std::uint64_t new_stamp();

struct StampedFilter {
    std::uint64_t stamp = 0;
    std::unique_ptr<KeyFilter> filter;
};
std::string encode_stamped_filter(std::uint64_t stamp, const KeyFilter& filter);
// Nothing when the blob is not one encode_stamped_filter wrote.
std::optional<StampedFilter> decode_stamped_filter(std::string_view blob);

// A filter of every key of `db`, sized KeyFilter::capacity_for(entries).
std::unique_ptr<KeyFilter> scan_filter(const ReadTxn& txn, Db db);
std::unique_ptr<KeyFilter> scan_filter(const WriteTxn& txn, Db db);

}  // namespace piotd::storage
