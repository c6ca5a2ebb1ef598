// A blocked Bloom filter in front of a large LMDB key set. Answers "definitely absent" for most
// scanned codes (they are not on any black list) without touching LMDB.
//
// Layout: 64-byte blocks; a key hashes to one block and sets k bits inside it, so a query costs
// one cache line. Bits are only ever set while the filter is published: adding is safe under
// concurrent readers (atomic OR); removing a key leaves its bits (a harmless false positive
// until the next rebuild).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace piotd::storage {

class KeyFilter {
public:
    // Sized for `expected_keys` at ~10 bits per key (about 1% false positives).
    explicit KeyFilter(std::size_t expected_keys);

    void add(std::string_view key);
    bool may_contain(std::string_view key) const;

    std::size_t capacity() const { return capacity_; }
    std::size_t bytes() const;

    // Sizing policy for every owner of a filter: past 1.5x its capacity the false-positive rate
    // climbs quickly, so the owner rebuilds it from the key set with room to grow.
    bool overfull(std::size_t keys) const { return keys > capacity_ + capacity_ / 2; }
    static std::size_t capacity_for(std::size_t keys);  // keys + 25%, at least 1024

    // Persisted form: a small header (magic, version, capacity, block count) then the blocks.
    std::string serialize() const;
    // Returns null if `blob` is not a filter this build wrote.
    static std::unique_ptr<KeyFilter> deserialize(std::string_view blob);

    // Blocks needed for `capacity` keys; deserialize() insists on exactly this many.
    static std::size_t blocks_for(std::size_t capacity);

private:
    KeyFilter() = default;
    void allocate(std::size_t block_count);

    struct FreeWords {
        void operator()(std::uint64_t* words) const;
    };

    std::size_t capacity_ = 0;
    std::size_t block_count_ = 0;
    std::unique_ptr<std::uint64_t[], FreeWords> words_;  // block_count_ * 8 words
    std::uint64_t* blocks_ = nullptr;  // first word of block 0, 64-byte aligned (words_ itself)
};

}  // namespace piotd::storage
