// piotctl's command line and where its connection settings come from, later ones winning:
// the config file (/etc/piotd/piotd.conf or --config) < PIOTD_PASSWORD < --url/--user/--password.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "daemon/config.hpp"

namespace piotd::ctl {

class CtlUsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

inline constexpr const char* kDefaultConfigFile = "/etc/piotd/piotd.conf";

struct CtlOptions {
    std::string config_file = kDefaultConfigFile;
    bool config_given = false;
    std::optional<std::string> url;
    std::optional<std::string> user;
    std::optional<std::string> password;
    bool json = false;
    unsigned timeout_ms = 10'000;
    std::vector<std::string> args;  // the command and its arguments
};

// Throws CtlUsageError.
CtlOptions parse_ctl_options(int argc, const char* const* argv);

const char* ctl_usage_text();

// The resolved connection: URL, user, password, and the config as read.
struct Connection {
    daemon::Config config;
    std::string config_error;  // why the config file could not be read, empty if it was
    std::string url;
    std::string user;
    std::string password;
};

Connection resolve_connection(const CtlOptions& options);

// "127.0.0.1:5995" → "http://127.0.0.1:5995"; a wildcard address becomes loopback.
std::string url_for_listen(const std::string& listen);

}  // namespace piotd::ctl
