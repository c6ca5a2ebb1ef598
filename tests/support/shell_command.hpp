// Runs a shell command for an integration test (curl against a TLS listener, say).
#pragma once

#include <doctest/doctest.h>

#include <cstdio>
#include <string>

namespace piotd::test {

// Its stdout, and its exit status (as pclose gives it) in `status`.
inline std::string run_command(const std::string& command, int& status) {
    std::string output;
    FILE* pipe = popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    char chunk[4096];
    while (const std::size_t n = fread(chunk, 1, sizeof chunk, pipe)) output.append(chunk, n);
    status = pclose(pipe);
    return output;
}

}  // namespace piotd::test
