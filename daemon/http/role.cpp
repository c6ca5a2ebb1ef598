#include "daemon/http/role.hpp"

namespace piotd::daemon {

std::string_view role_name(Role role) {
    switch (role) {
        case Role::admin:
            return "admin";
        case Role::pos:
            return "pos";
        case Role::replica:
            return "replica";
    }
    return "admin";
}

std::optional<Role> role_from_name(std::string_view name) {
    for (const Role role : {Role::admin, Role::pos, Role::replica}) {
        if (role_name(role) == name) return role;
    }
    return std::nullopt;
}

}  // namespace piotd::daemon
