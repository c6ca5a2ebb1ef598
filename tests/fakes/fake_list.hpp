// The items of one list of the fake upstream: a packed, sorted, immutable base (the generated
// list, ~35 MB for 1.1M КИ instead of ~90 MB as std::strings) plus a small copy-on-write overlay
// of the items tests added and removed. Items are kept in their canonical text form (what piotd's
// format_list_item returns for what parse_list_item stores) and ordered like their LMDB keys.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace piotd::fakes {

enum class FakeList : std::uint8_t { blocked_cis, blocked_gtin, blocked_series, min_price };

inline constexpr std::array<FakeList, 4> kFakeLists = {
    FakeList::blocked_cis, FakeList::blocked_gtin, FakeList::blocked_series, FakeList::min_price};

std::string_view fake_list_name(FakeList list);
std::optional<FakeList> parse_fake_list(std::string_view name);

// The canonical text of `line` as an item of `list` (КИ of a marking code, GTIN-14,
// "GTIN14 prefix", "GTIN14 kopecks"), or nothing when piotd would reject the line.
std::optional<std::string> canonical_item(FakeList list, std::string_view line);

// The part of an item's text that identifies and orders it exactly like its LMDB key: the GTIN
// for min_price (the price is the value), the whole text otherwise ("GTIN14 prefix" orders like
// GTIN14+prefix because the GTIN has a fixed width).
std::string_view item_key(FakeList list, std::string_view text);

// Sorted items packed in one buffer: fixed-width records while every item has the same length,
// offsets otherwise.
class PackedItems {
public:
    class Builder {
    public:
        Builder(FakeList list, std::size_t expected_items, std::size_t expected_bytes);
        // Items must come in strictly increasing key order.
        void append(std::string_view item);
        std::shared_ptr<const PackedItems> finish();

    private:
        FakeList list_;
        std::shared_ptr<PackedItems> items_;
    };

    std::size_t size() const { return size_; }
    std::string_view operator[](std::size_t i) const;
    // The first index whose key is greater than (or, with `inclusive`, not less than) `key`.
    std::size_t bound(FakeList list, std::string_view key, bool inclusive) const;
    std::size_t memory_bytes() const { return data_.capacity() + offsets_.capacity() * 4; }

private:
    std::string data_;
    std::size_t width_ = 0;               // every item's length while offsets_ is empty
    std::vector<std::uint64_t> offsets_;  // size_ + 1 entries once widths differ
    std::size_t size_ = 0;
};

struct Overlay {
    std::map<std::string, std::string, std::less<>> added;  // key -> text; not live in the base
    std::set<std::string, std::less<>> removed;             // keys of base items no longer listed
};

// Walks a list's items in key order, from one consistent view of it.
class ItemCursor {
public:
    ItemCursor(FakeList list, std::shared_ptr<const PackedItems> base,
               std::shared_ptr<const Overlay> overlay, std::optional<std::string_view> after_key);
    // The next item, valid until the cursor is destroyed; false at the end.
    bool next(std::string_view& item);

private:
    FakeList list_;
    std::shared_ptr<const PackedItems> base_;
    std::shared_ptr<const Overlay> overlay_;
    std::size_t index_ = 0;
    std::map<std::string, std::string, std::less<>>::const_iterator added_;
    std::set<std::string, std::less<>>::const_iterator removed_;
};

class ListContent {
public:
    ListContent(FakeList list, std::shared_ptr<const PackedItems> base);

    FakeList list() const { return list_; }
    std::uint64_t size() const;
    // Idempotent, like the client's replay: adding a listed item or removing an absent one
    // changes nothing; adding a min_price GTIN that is listed replaces its price.
    void add(const std::string& text);
    void remove(std::string_view text);
    // Back to `base` with no overlay.
    void replace(std::shared_ptr<const PackedItems> base);
    // A cursor over the items whose key is greater than `after_key` (all items without one).
    ItemCursor cursor(std::optional<std::string_view> after_key) const;

private:
    Overlay& writable();  // the caller holds the upstream's lock: clones a shared overlay first
    std::optional<std::size_t> find_base(std::string_view key) const;

    FakeList list_;
    std::shared_ptr<const PackedItems> base_;
    std::shared_ptr<Overlay> overlay_;
};

}  // namespace piotd::fakes
