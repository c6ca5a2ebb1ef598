// The external signing command of the True API relay (docs/relay.md "Signing"): piotd has no
// GOST crypto of its own, so `sign_command` (run by /bin/sh) gets the exact document bytes on
// stdin and prints the detached signature (base64, or raw DER) on stdout, within a timeout.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>

namespace piotd::daemon {

class SignError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class SignCommand {
public:
    SignCommand(std::string command, std::chrono::milliseconds timeout)
        : command_(std::move(command)), timeout_(timeout) {}

    // The signature as base64 text. Throws SignError naming what failed: the command could not
    // start, exited non-zero (with the start of its stderr), timed out (it is killed), or
    // printed nothing.
    std::string sign(std::string_view document) const;

private:
    std::string command_;
    std::chrono::milliseconds timeout_;
};

}  // namespace piotd::daemon
