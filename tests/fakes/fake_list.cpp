#include "tests/fakes/fake_list.hpp"

#include <charconv>
#include <limits>
#include <stdexcept>

#include "protocol/codes/code_normaliser.hpp"
#include "protocol/codes/marking_code.hpp"

namespace piotd::fakes {

namespace {

constexpr std::size_t kGtinLength = 14;
constexpr std::size_t kMaxPrefixLength = 20;

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

bool all_digits(std::string_view s) {
    for (const char c : s) {
        if (c < '0' || c > '9') return false;
    }
    return !s.empty();
}

std::optional<std::string> gtin14(std::string_view text) {
    const std::size_t n = text.size();
    if (!all_digits(text) || (n != 8 && n != 12 && n != 13 && n != kGtinLength)) return {};
    std::string out(kGtinLength - n, '0');
    out.append(text);
    return out;
}

// "<first><whitespace><second>", exactly two fields.
bool split_pair(std::string_view line, std::string_view& first, std::string_view& second) {
    std::size_t i = 0;
    while (i < line.size() && !is_space(line[i])) ++i;
    first = line.substr(0, i);
    second = trim(line.substr(i));
    if (first.empty() || second.empty()) return false;
    for (const char c : second) {
        if (is_space(c)) return false;
    }
    return true;
}

std::optional<std::string> canonical_series(std::string_view line) {
    std::string_view gtin_text;
    std::string_view prefix;
    if (!split_pair(line, gtin_text, prefix) || prefix.size() > kMaxPrefixLength) return {};
    for (const char c : prefix) {
        if (!protocol::is_cset82(c)) return {};
    }
    auto gtin = gtin14(gtin_text);
    if (!gtin) return {};
    *gtin += ' ';
    gtin->append(prefix);
    return gtin;
}

std::optional<std::string> canonical_min_price(std::string_view line) {
    std::string_view gtin_text;
    std::string_view kopecks_text;
    if (!split_pair(line, gtin_text, kopecks_text) || !all_digits(kopecks_text)) return {};
    std::uint64_t kopecks = 0;
    const char* end = kopecks_text.data() + kopecks_text.size();
    const auto [ptr, ec] = std::from_chars(kopecks_text.data(), end, kopecks);
    if (ec != std::errc{} || ptr != end || kopecks > std::numeric_limits<std::uint32_t>::max()) {
        return {};
    }
    auto gtin = gtin14(gtin_text);
    if (!gtin) return {};
    *gtin += ' ';
    *gtin += std::to_string(kopecks);
    return gtin;
}

}  // namespace

std::string_view fake_list_name(FakeList list) {
    switch (list) {
        case FakeList::blocked_cis:
            return "blocked_cis";
        case FakeList::blocked_gtin:
            return "blocked_gtin";
        case FakeList::blocked_series:
            return "blocked_series";
        case FakeList::min_price:
            return "min_price";
    }
    return "unknown";
}

std::optional<FakeList> parse_fake_list(std::string_view name) {
    for (const FakeList list : kFakeLists) {
        if (fake_list_name(list) == name) return list;
    }
    return {};
}

std::optional<std::string> canonical_item(FakeList list, std::string_view line) {
    line = trim(line);
    if (line.empty()) return {};
    switch (list) {
        case FakeList::blocked_cis: {
            const protocol::ParseResult parsed = protocol::parse_marking_code(line);
            if (!parsed) return {};
            return std::string(parsed.code.ki());
        }
        case FakeList::blocked_gtin:
            return gtin14(line);
        case FakeList::blocked_series:
            return canonical_series(line);
        case FakeList::min_price:
            return canonical_min_price(line);
    }
    return {};
}

std::string_view item_key(FakeList list, std::string_view text) {
    if (list == FakeList::min_price) return text.substr(0, text.find(' '));
    return text;
}

// ---- PackedItems

PackedItems::Builder::Builder(FakeList list, std::size_t expected_items, std::size_t expected_bytes)
    : list_(list), items_(std::make_shared<PackedItems>()) {
    items_->data_.reserve(expected_bytes);
    (void)expected_items;
}

void PackedItems::Builder::append(std::string_view item) {
    PackedItems& items = *items_;
    if (items.size_ > 0) {
        const std::string_view last = items[items.size_ - 1];
        if (!(item_key(list_, last) < item_key(list_, item))) {
            throw std::logic_error("PackedItems::Builder: items out of key order");
        }
    }
    if (items.size_ == 0) {
        items.width_ = item.size();
    } else if (items.offsets_.empty() && item.size() != items.width_) {
        items.offsets_.reserve(items.size_ + 2);
        for (std::size_t i = 0; i <= items.size_; ++i) items.offsets_.push_back(i * items.width_);
    }
    items.data_.append(item);
    ++items.size_;
    if (!items.offsets_.empty()) items.offsets_.push_back(items.data_.size());
}

std::shared_ptr<const PackedItems> PackedItems::Builder::finish() {
    items_->data_.shrink_to_fit();
    items_->offsets_.shrink_to_fit();
    return std::move(items_);
}

std::string_view PackedItems::operator[](std::size_t i) const {
    if (offsets_.empty()) return std::string_view(data_).substr(i * width_, width_);
    return std::string_view(data_).substr(offsets_[i], offsets_[i + 1] - offsets_[i]);
}

std::size_t PackedItems::bound(FakeList list, std::string_view key, bool inclusive) const {
    std::size_t low = 0;
    std::size_t high = size_;
    while (low < high) {
        const std::size_t middle = low + (high - low) / 2;
        const std::string_view probe = item_key(list, (*this)[middle]);
        const bool before = inclusive ? probe < key : probe <= key;
        if (before) {
            low = middle + 1;
        } else {
            high = middle;
        }
    }
    return low;
}

// ---- ItemCursor

ItemCursor::ItemCursor(FakeList list, std::shared_ptr<const PackedItems> base,
                       std::shared_ptr<const Overlay> overlay,
                       std::optional<std::string_view> after_key)
    : list_(list), base_(std::move(base)), overlay_(std::move(overlay)) {
    if (after_key) {
        index_ = base_->bound(list_, *after_key, false);
        added_ = overlay_->added.upper_bound(*after_key);
        removed_ = overlay_->removed.upper_bound(*after_key);
    } else {
        added_ = overlay_->added.begin();
        removed_ = overlay_->removed.begin();
    }
}

bool ItemCursor::next(std::string_view& item) {
    const auto removed_end = overlay_->removed.end();
    // Skip base items that were removed; both sequences are in key order.
    while (index_ < base_->size() && removed_ != removed_end) {
        const std::string_view key = item_key(list_, (*base_)[index_]);
        while (removed_ != removed_end && std::string_view(*removed_) < key) ++removed_;
        if (removed_ == removed_end || std::string_view(*removed_) != key) break;
        ++index_;
        ++removed_;
    }
    const bool have_base = index_ < base_->size();
    const bool have_added = added_ != overlay_->added.end();
    if (!have_base && !have_added) return false;
    if (have_base &&
        (!have_added || item_key(list_, (*base_)[index_]) < std::string_view(added_->first))) {
        item = (*base_)[index_++];
    } else {
        item = added_->second;
        ++added_;
    }
    return true;
}

// ---- ListContent

ListContent::ListContent(FakeList list, std::shared_ptr<const PackedItems> base)
    : list_(list), base_(std::move(base)), overlay_(std::make_shared<Overlay>()) {}

std::uint64_t ListContent::size() const {
    return base_->size() - overlay_->removed.size() + overlay_->added.size();
}

Overlay& ListContent::writable() {
    if (overlay_.use_count() > 1) overlay_ = std::make_shared<Overlay>(*overlay_);
    return *overlay_;
}

std::optional<std::size_t> ListContent::find_base(std::string_view key) const {
    const std::size_t index = base_->bound(list_, key, true);
    if (index < base_->size() && item_key(list_, (*base_)[index]) == key) return index;
    return {};
}

void ListContent::add(const std::string& text) {
    const std::string key(item_key(list_, text));
    const auto in_base = find_base(key);
    const bool live_in_base = in_base && !overlay_->removed.contains(key);
    if (live_in_base && (*base_)[*in_base] == text) return;
    if (!live_in_base) {
        const auto it = overlay_->added.find(key);
        if (it != overlay_->added.end() && it->second == text) return;
    }
    Overlay& overlay = writable();
    if (in_base && (*base_)[*in_base] == text) {  // back to the base item
        overlay.removed.erase(key);
        overlay.added.erase(key);
        return;
    }
    if (in_base) overlay.removed.insert(key);
    overlay.added.insert_or_assign(key, text);
}

void ListContent::remove(std::string_view text) {
    const std::string key(item_key(list_, text));
    const auto in_base = find_base(key);
    const bool listed_added = overlay_->added.contains(key);
    const bool live_in_base = in_base && !overlay_->removed.contains(key);
    if (!listed_added && !live_in_base) return;
    Overlay& overlay = writable();
    overlay.added.erase(key);
    if (in_base) overlay.removed.insert(key);
}

void ListContent::replace(std::shared_ptr<const PackedItems> base) {
    base_ = std::move(base);
    overlay_ = std::make_shared<Overlay>();
}

ItemCursor ListContent::cursor(std::optional<std::string_view> after_key) const {
    return ItemCursor(list_, base_, overlay_, after_key);
}

}  // namespace piotd::fakes
