#include "storage/run_buffer.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace piotd::storage {

namespace {

// Offsets into the arena are 32-bit: the budget stays below 4 GiB.
constexpr std::size_t kMaxArena = std::numeric_limits<std::uint32_t>::max();
// How far ahead key() prefetches: about one memory latency of the work per item.
constexpr std::size_t kPrefetchAhead = 8;

std::uint64_t load_big_endian(const char* bytes, std::size_t n) {
    std::uint64_t word = 0;
    for (std::size_t i = 0; i < 8; ++i) {
        word = (word << 8) | (i < n ? static_cast<unsigned char>(bytes[i]) : 0U);
    }
    return word;
}

void store_big_endian(std::uint64_t word, char* bytes, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
        bytes[i] = static_cast<char>((word >> (8 * (7 - i))) & 0xff);
    }
}

int compare_bytes(const char* a, std::size_t a_size, const char* b, std::size_t b_size) {
    const int c = std::memcmp(a, b, std::min(a_size, b_size));
    if (c != 0) return c;
    return a_size < b_size ? -1 : (a_size > b_size ? 1 : 0);
}

std::size_t tail_size(std::size_t key_size) {
    return key_size > RunBuffer::kHeadBytes ? key_size - RunBuffer::kHeadBytes : 0;
}

}  // namespace

RunBuffer::RunBuffer(std::size_t budget_bytes) : budget_(std::min(budget_bytes, kMaxArena)) {
    // An item costs at least its entry: no more entries than this fit in the budget.
    entries_.reserve(budget_ / sizeof(Entry) + 1);
    arena_.reserve(budget_);
}

std::size_t RunBuffer::bytes() const {
    return entries_.size() * sizeof(Entry) + arena_.size();
}

bool RunBuffer::add(std::string_view key, std::string_view value) {
    if (key.size() > std::numeric_limits<std::uint16_t>::max() ||
        value.size() > std::numeric_limits<std::uint16_t>::max()) {
        throw std::invalid_argument("list item too long for an import run");
    }
    const std::size_t extra = tail_size(key.size()) + value.size();
    if (!empty() && bytes() + sizeof(Entry) + extra > budget_) return false;

    Entry entry{};
    for (std::size_t w = 0; w < entry.head.size(); ++w) {
        const std::size_t from = 8 * w;
        entry.head[w] =
            from < key.size() ? load_big_endian(key.data() + from, key.size() - from) : 0;
    }
    entry.offset = static_cast<std::uint32_t>(arena_.size());
    entry.key_size = static_cast<std::uint16_t>(key.size());
    entry.value_size = static_cast<std::uint16_t>(value.size());
    if (key.size() > kHeadBytes) arena_.insert(arena_.end(), key.begin() + kHeadBytes, key.end());
    arena_.insert(arena_.end(), value.begin(), value.end());
    entries_.push_back(entry);
    return true;
}

// Equal heads mean equal first 24 bytes once padded: a key of at most 24 bytes is then a prefix
// of the other (or the same key), so the shorter is the smaller; two longer keys differ in their
// tails. Equal keys keep the order they were added in: the arena offset grows with each item
// that stored bytes, and of items at one offset only the last can have stored any.
bool RunBuffer::less(const Entry& a, const Entry& b, const char* arena) {
    // Word by word: std::array's operators compare through memcmp, a call per comparison.
    for (std::size_t w = 0; w < a.head.size(); ++w) {
        if (a.head[w] != b.head[w]) return a.head[w] < b.head[w];
    }
    int c = 0;
    if (a.key_size <= kHeadBytes || b.key_size <= kHeadBytes) {
        c = a.key_size < b.key_size ? -1 : (a.key_size > b.key_size ? 1 : 0);
    } else {
        c = compare_bytes(arena + a.offset, tail_size(a.key_size), arena + b.offset,
                          tail_size(b.key_size));
    }
    if (c != 0) return c < 0;
    if (a.offset != b.offset) return a.offset < b.offset;
    return a.value_size < b.value_size;
}

bool RunBuffer::same_key(const Entry& a, const Entry& b, const char* arena) {
    if (a.head[0] != b.head[0] || a.head[1] != b.head[1] || a.head[2] != b.head[2] ||
        a.key_size != b.key_size) {
        return false;
    }
    const std::size_t tail = tail_size(a.key_size);
    return tail == 0 || std::memcmp(arena + a.offset, arena + b.offset, tail) == 0;
}

std::size_t RunBuffer::sort_unique() {
    const char* arena = arena_.data();
    std::sort(entries_.begin(), entries_.end(),
              [arena](const Entry& a, const Entry& b) { return less(a, b, arena); });
    // Keep the last entry of each run of equal keys: the one added last.
    std::size_t kept = 0;
    for (std::size_t i = 0; i < entries_.size(); ++i) {
        if (i + 1 < entries_.size() && same_key(entries_[i], entries_[i + 1], arena)) continue;
        entries_[kept++] = entries_[i];
    }
    const std::size_t dropped = entries_.size() - kept;
    entries_.resize(kept);
    return dropped;
}

std::string_view RunBuffer::key(std::size_t i, std::string& scratch) const {
    // Sorted entries point all over the arena: ask for the tail of an entry a few ahead now,
    // so it is in cache when its turn comes (the entries themselves are read in order).
    if (i + kPrefetchAhead < entries_.size()) {
        __builtin_prefetch(arena_.data() + entries_[i + kPrefetchAhead].offset);
    }
    const Entry& e = entries_[i];
    scratch.resize(e.key_size);
    for (std::size_t w = 0; w < e.head.size(); ++w) {
        const std::size_t from = 8 * w;
        if (from >= e.key_size) break;
        store_big_endian(e.head[w], scratch.data() + from,
                         std::min<std::size_t>(8, e.key_size - from));
    }
    if (e.key_size > kHeadBytes) {
        std::memcpy(scratch.data() + kHeadBytes, arena_.data() + e.offset, tail_size(e.key_size));
    }
    return scratch;
}

std::string_view RunBuffer::value(std::size_t i) const {
    const Entry& e = entries_[i];
    return {arena_.data() + e.offset + tail_size(e.key_size), e.value_size};
}

void RunBuffer::clear() {
    entries_.clear();
    arena_.clear();
}

void RunBuffer::release() {
    std::vector<Entry>().swap(entries_);
    std::vector<char>().swap(arena_);
}

}  // namespace piotd::storage
