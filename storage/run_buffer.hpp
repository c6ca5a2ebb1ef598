// One sorted run of a list import (storage/list_import.hpp): items collected in memory up to a
// byte budget, then sorted in LMDB's key order (bytes compared as unsigned, a prefix first) with
// duplicate keys dropped, the last one added winning as a later put over it would.
//
// Layout, chosen for the sort: every item is a fixed 32-byte entry holding the first 24 bytes of
// its key as three big-endian integers, so almost every comparison of two КИ (01 + GTIN + 21 +
// the first 6 serial characters) is decided by integer compares inside the entry array, which the
// sort walks sequentially; the rest of the key and the value go to an arena the entry points
// into. A 31-byte КИ costs 32 + 7 bytes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace piotd::storage {

class RunBuffer {
public:
    // `budget_bytes` bounds what the entries and the arena may hold together. Both are reserved
    // up front as address space; only the pages items are written to become resident.
    explicit RunBuffer(std::size_t budget_bytes);

    // False, storing nothing, when the item would take the buffer past its budget (sort and
    // spill it, then add again). An empty buffer takes any item.
    bool add(std::string_view key, std::string_view value);

    std::size_t size() const { return entries_.size(); }
    bool empty() const { return entries_.empty(); }
    // Bytes the items take (entries and arena), what the budget is compared with.
    std::size_t bytes() const;

    // Sorts by key and keeps the last added item of each key. Returns how many were dropped.
    std::size_t sort_unique();

    // Item `i` (after sort_unique(): in key order). The key is rebuilt into `scratch`, so the
    // returned key view lives until `scratch` changes; the value view until clear().
    std::string_view key(std::size_t i, std::string& scratch) const;
    std::string_view value(std::size_t i) const;

    // Forgets the items; the memory stays reserved for the next run.
    void clear();
    // Forgets the items and gives the memory back.
    void release();

    static constexpr std::size_t kHeadBytes = 24;

private:
    struct Entry {
        std::array<std::uint64_t, 3> head;  // key bytes 0..23, big-endian, zero-padded
        std::uint32_t offset;               // of the key's bytes past 24, then the value
        std::uint16_t key_size;
        std::uint16_t value_size;
    };
    static_assert(sizeof(Entry) == 32);

    static bool less(const Entry& a, const Entry& b, const char* arena);
    static bool same_key(const Entry& a, const Entry& b, const char* arena);

    std::size_t budget_;
    std::vector<Entry> entries_;
    std::vector<char> arena_;
};

}  // namespace piotd::storage
