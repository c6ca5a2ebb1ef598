// HTTP Basic authentication against the configured credentials, one per role (role.hpp),
// compared in constant time so the answer's timing does not reveal how much of a guessed
// password was right.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/http/http_types.hpp"
#include "daemon/http/role.hpp"

namespace piotd::daemon {

class BasicAuth {
public:
    // The admin's credential.
    BasicAuth(std::string user, std::string password);
    // Another role's credential. Throws std::invalid_argument when `user:password` is already
    // another role's: a request could not say which of the two it speaks for.
    void add(Role role, std::string user, std::string password);

    // The role whose credential the first Authorization header carries; none when there is no
    // such header or it matches no credential.
    std::optional<Role> role_of(const Request& request) const;
    bool allows(const Request& request) const { return role_of(request).has_value(); }
    // Whether the request sends credentials at all (any Authorization header, right or wrong).
    static bool offered(const Request& request);
    // The role of the value of an Authorization header ("Basic base64(user:password)").
    std::optional<Role> role_of_header(std::string_view authorization) const;
    bool allows_header(std::string_view authorization) const {
        return role_of_header(authorization).has_value();
    }

private:
    struct Credential {
        Role role;
        std::string expected;         // "user:password"
        std::string expected_header;  // "Basic " + base64(expected)
    };
    // In the order added: the admin's first. Which entry matched shows in the timing (the
    // client knows which credential it sent); how much of one matched does not.
    std::vector<Credential> credentials_;
};

}  // namespace piotd::daemon
