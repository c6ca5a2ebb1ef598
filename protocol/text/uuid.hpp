// Random (version 4) UUIDs for reqId, inst and dbVersion. The generator is a small PRNG
// (xoshiro256**) seeded once per thread; it is not cryptographic, and needs not be: the values
// are identifiers, not secrets.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace piotd::protocol {

using UuidText = std::array<char, 36>;

class UuidGenerator {
public:
    explicit UuidGenerator(std::uint64_t seed);
    UuidText next();

private:
    std::uint64_t next_u64();
    std::array<std::uint64_t, 4> s_{};
};

// A per-thread generator seeded from std::random_device; returns a fresh UUID string.
std::string random_uuid();
// The same without a heap string (36 characters do not fit a short std::string), for reqId.
UuidText random_uuid_text();

}  // namespace piotd::protocol
