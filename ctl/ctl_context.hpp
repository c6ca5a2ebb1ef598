// What every piotctl command works with: the options, the resolved connection, a client for the
// daemon, and the streams (tests swap them).
#pragma once

#include <iostream>
#include <string>
#include <vector>

#include "ctl/ctl_options.hpp"
#include "ctl/daemon_client.hpp"

namespace piotd::ctl {

struct CtlContext {
    const CtlOptions& options;
    const Connection& connection;
    DaemonClient& client;
    std::istream& in;
    std::ostream& out;
    std::ostream& err;
};

// An error answer in plain words on `err`, and the exit code it maps to: 401 → 4, an endpoint the
// daemon does not have (the router's 404 "no such endpoint") → 5 with "daemon does not support
// `feature`", anything else → 6.
int report_error_answer(const CtlContext& context, const HttpAnswer& answer,
                        std::string_view feature);

// The router's own 404: the path is unknown to this daemon (not "this item does not exist").
bool is_unknown_endpoint(const HttpAnswer& answer);

// `body` re-indented for people; as it is when it is not JSON.
std::string pretty_json(const std::string& body);

int run_status(CtlContext& context);
int run_check(CtlContext& context, const std::vector<std::string>& args);
int run_init(CtlContext& context, const std::vector<std::string>& args);
int run_sync(CtlContext& context, const std::vector<std::string>& args);
int run_outbox(CtlContext& context, const std::vector<std::string>& args);
int run_journal(CtlContext& context, const std::vector<std::string>& args);
int run_doctor(CtlContext& context);

}  // namespace piotd::ctl
