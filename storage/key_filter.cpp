#include "storage/key_filter.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

namespace piotd::storage {

namespace {

// ~10 bits per key with 7 bits set gives about 1% false positives for a blocked filter.
constexpr std::size_t kBitsPerKey = 10;
constexpr unsigned kBitsPerLookup = 7;
constexpr std::size_t kWordsPerBlock = 8;  // 64 bytes: one cache line
constexpr std::size_t kBlockBits = kWordsPerBlock * 64;
constexpr std::size_t kBlockBytes = kWordsPerBlock * 8;
constexpr std::size_t kHugePageBytes = std::size_t{2} << 20;
// Far above any real list; only keeps the size arithmetic of a hostile header from overflowing.
constexpr std::size_t kMaxCapacity = std::size_t{1} << 40;

constexpr char kMagic[8] = {'p', 'i', 'o', 't', 'd', 'k', 'f', '\0'};
constexpr std::uint32_t kVersion = 1;
constexpr std::size_t kHeaderSize = 32;  // magic, version, k, capacity, block count

// Odd 64-bit constants with well-mixed bits (golden ratio and mixer constants).
constexpr std::uint64_t kSeed = 0x9e3779b97f4a7c15ULL;
constexpr std::uint64_t kMul1 = 0xbf58476d1ce4e5b9ULL;
constexpr std::uint64_t kMul2 = 0x94d049bb133111ebULL;
constexpr std::uint64_t kMul3 = 0xc2b2ae3d27d4eb4fULL;
constexpr std::uint64_t kMul4 = 0x165667b19e3779f9ULL;

__extension__ typedef unsigned __int128 u128;

// Multiply to 128 bits and fold: the core of the wyhash family of fast hashes.
inline std::uint64_t fold_mul(std::uint64_t a, std::uint64_t b) {
    const u128 r = static_cast<u128>(a) * b;
    return static_cast<std::uint64_t>(r) ^ static_cast<std::uint64_t>(r >> 64);
}

// Little-endian loads: the filter is persisted, so the hash must not depend on the host.
inline std::uint64_t load64(const unsigned char* p) {
    std::uint64_t v;
    std::memcpy(&v, p, sizeof v);
    if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
    return v;
}
inline std::uint64_t load32(const unsigned char* p) {
    std::uint32_t v;
    std::memcpy(&v, p, sizeof v);
    if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap32(v);
    return v;
}

// Keys are marking codes (~30-40 bytes): two or three multiply-folds each.
std::uint64_t hash_key(std::string_view key) {
    const auto* p = reinterpret_cast<const unsigned char*>(key.data());
    std::size_t rem = key.size();
    std::uint64_t h = kSeed ^ (static_cast<std::uint64_t>(key.size()) * kMul1);
    while (rem > 16) {
        h = fold_mul(load64(p) ^ kMul2, load64(p + 8) ^ h);
        p += 16;
        rem -= 16;
    }
    std::uint64_t a = 0;
    std::uint64_t b = 0;
    if (rem >= 8) {
        a = load64(p);
        b = load64(p + rem - 8);
    } else if (rem >= 4) {
        a = load32(p);
        b = load32(p + rem - 4);
    } else if (rem > 0) {
        a = (std::uint64_t{p[0]} << 16) | (std::uint64_t{p[rem / 2]} << 8) | p[rem - 1];
    }
    h = fold_mul(a ^ kMul2, b ^ h);
    return fold_mul(h ^ kMul3, static_cast<std::uint64_t>(key.size()) ^ kMul4);
}

struct Probe {
    std::size_t block;
    std::array<std::uint64_t, kWordsPerBlock> masks{};
};

Probe probe(std::string_view key, std::size_t block_count) {
    const std::uint64_t h = hash_key(key);
    Probe pr;
    // Multiply-shift maps h onto [0, block_count) without a division.
    pr.block = static_cast<std::size_t>((static_cast<u128>(h) * block_count) >> 64);
    // The bit positions come from a remix of h, so they are independent of the block choice.
    std::uint64_t g = (h ^ (h >> 31)) * kMul1;
    g ^= g >> 29;
    for (unsigned i = 0; i < kBitsPerLookup; ++i) {
        const unsigned bit = static_cast<unsigned>(g >> (9 * i)) & (kBlockBits - 1);
        pr.masks[bit / 64] |= std::uint64_t{1} << (bit % 64);
    }
    return pr;
}

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

std::size_t KeyFilter::blocks_for(std::size_t capacity) {
    const std::size_t keys = std::clamp<std::size_t>(capacity, 1, kMaxCapacity);
    return (keys * kBitsPerKey + kBlockBits - 1) / kBlockBits;
}

std::size_t KeyFilter::capacity_for(std::size_t keys) {
    return std::max<std::size_t>(keys + keys / 4, 1024);
}

KeyFilter::KeyFilter(std::size_t expected_keys)
    : capacity_(std::clamp<std::size_t>(expected_keys, 1, kMaxCapacity)) {
    allocate(blocks_for(capacity_));
}

void KeyFilter::FreeWords::operator()(std::uint64_t* words) const {
    std::free(words);
}

void KeyFilter::allocate(std::size_t block_count) {
    block_count_ = block_count;
    const std::size_t bytes = block_count * kWordsPerBlock * 8;
    // A check reads one random cache line of the filter. With 4 KiB pages nearly every read of a
    // large filter (15.6 MB for 10 M keys) also misses the TLB; on 2 MiB pages the whole filter
    // takes a few TLB entries (issue 23: a check with 10 M blocked CIS as fast as with 1.1 M).
    // Transparent huge pages are given on request (madvise mode, Debian's default) to a
    // 2 MiB-aligned range, before its pages are first touched.
    const bool huge = bytes >= kHugePageBytes;
    const std::size_t alignment = huge ? kHugePageBytes : kBlockBytes;
    const std::size_t size = (bytes + alignment - 1) / alignment * alignment;
    void* memory = std::aligned_alloc(alignment, size);
    if (memory == nullptr) throw std::bad_alloc();
    if (huge) ::madvise(memory, size, MADV_HUGEPAGE);  // only a hint: fine if refused
    std::memset(memory, 0, size);
    words_.reset(static_cast<std::uint64_t*>(memory));
    blocks_ = words_.get();
}

std::size_t KeyFilter::bytes() const {
    return block_count_ * kWordsPerBlock * 8;
}

void KeyFilter::add(std::string_view key) {
    const Probe pr = probe(key, block_count_);
    std::uint64_t* block = blocks_ + pr.block * kWordsPerBlock;
    for (std::size_t w = 0; w < kWordsPerBlock; ++w) {
        // Readers run concurrently: an atomic OR never hides a bit another add set.
        if (pr.masks[w] != 0) {
            std::atomic_ref<std::uint64_t>(block[w]).fetch_or(pr.masks[w],
                                                              std::memory_order_relaxed);
        }
    }
}

bool KeyFilter::may_contain(std::string_view key) const {
    const Probe pr = probe(key, block_count_);
    std::uint64_t* block = blocks_ + pr.block * kWordsPerBlock;
    for (std::size_t w = 0; w < kWordsPerBlock; ++w) {
        if (pr.masks[w] == 0) continue;
        const std::uint64_t word =
            std::atomic_ref<std::uint64_t>(block[w]).load(std::memory_order_relaxed);
        if ((word & pr.masks[w]) != pr.masks[w]) return false;
    }
    return true;
}

std::string KeyFilter::serialize() const {
    std::string out;
    out.reserve(kHeaderSize + bytes());
    out.append(kMagic, sizeof kMagic);
    put_le(out, kVersion, 4);
    put_le(out, kBitsPerLookup, 4);
    put_le(out, capacity_, 8);
    put_le(out, block_count_, 8);
    for (std::size_t i = 0; i < block_count_ * kWordsPerBlock; ++i) {
        put_le(out, std::atomic_ref<std::uint64_t>(blocks_[i]).load(std::memory_order_relaxed), 8);
    }
    return out;
}

std::unique_ptr<KeyFilter> KeyFilter::deserialize(std::string_view blob) {
    if (blob.size() < kHeaderSize) return nullptr;
    if (blob.substr(0, sizeof kMagic) != std::string_view(kMagic, sizeof kMagic)) return nullptr;
    if (get_le(blob, 8, 4) != kVersion || get_le(blob, 12, 4) != kBitsPerLookup) return nullptr;
    const std::uint64_t capacity = get_le(blob, 16, 8);
    const std::uint64_t block_count = get_le(blob, 24, 8);
    // The block count is a function of the capacity, and the body must be exactly that long:
    // any other blob was not written by this build (or was cut or padded).
    if (capacity == 0 || capacity > kMaxCapacity) return nullptr;
    if (block_count != blocks_for(static_cast<std::size_t>(capacity))) return nullptr;
    if ((blob.size() - kHeaderSize) / (kWordsPerBlock * 8) != block_count ||
        (blob.size() - kHeaderSize) % (kWordsPerBlock * 8) != 0) {
        return nullptr;
    }
    std::unique_ptr<KeyFilter> filter(new KeyFilter());
    filter->capacity_ = static_cast<std::size_t>(capacity);
    filter->allocate(static_cast<std::size_t>(block_count));
    for (std::size_t i = 0; i < filter->block_count_ * kWordsPerBlock; ++i) {
        filter->blocks_[i] = get_le(blob, kHeaderSize + i * 8, 8);
    }
    return filter;
}

}  // namespace piotd::storage
