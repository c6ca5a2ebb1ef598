// Who a credential speaks for (issue 22 item 11). `admin` may do everything; `pos` what a
// till's POS software needs (checks, sell/return, documents, status); `replica` what a till's
// piotd needs from its store (replication reads, document intake). One credential per role in
// the config; a route lists the roles besides admin that may call it (daemon/role_grants.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace piotd::daemon {

enum class Role : std::uint8_t { admin = 1, pos = 2, replica = 4 };

// A set of roles; admin is in every set.
class Roles {
public:
    constexpr Roles() = default;
    constexpr Roles(Role role) : bits_(static_cast<std::uint8_t>(role) | kAdmin) {}
    constexpr Roles operator|(Roles other) const { return Roles(bits_ | other.bits_); }
    constexpr bool contains(Role role) const {
        return (bits_ & static_cast<std::uint8_t>(role)) != 0;
    }
    constexpr bool operator==(const Roles&) const = default;

private:
    static constexpr std::uint8_t kAdmin = static_cast<std::uint8_t>(Role::admin);
    constexpr explicit Roles(std::uint8_t bits) : bits_(bits | kAdmin) {}
    std::uint8_t bits_ = kAdmin;
};

std::string_view role_name(Role role);
std::optional<Role> role_from_name(std::string_view name);

}  // namespace piotd::daemon
