// HTTP Basic authentication against one configured user, compared in constant time so the
// answer's timing does not reveal how much of a guessed password was right.
#pragma once

#include <string>

#include "daemon/http/http_types.hpp"

namespace piotd::daemon {

class BasicAuth {
public:
    BasicAuth(std::string user, std::string password);
    bool allows(const Request& request) const;
    // Whether the request sends credentials at all (any Authorization header, right or wrong).
    static bool offered(const Request& request);
    // Checks the value of an Authorization header ("Basic base64(user:password)").
    bool allows_header(std::string_view authorization) const;

private:
    std::string expected_;         // "user:password"
    std::string expected_header_;  // "Basic " + base64(expected_)
};

}  // namespace piotd::daemon
