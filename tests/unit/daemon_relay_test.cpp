// The relay's daemon-side pieces without a network: [relay] config and flags, the signing
// command, the shared retry backoff.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "daemon/command_line.hpp"
#include "daemon/config.hpp"
#include "daemon/relay/sign_command.hpp"
#include "daemon/retry_backoff.hpp"
#include "protocol/text/base64.hpp"

using namespace piotd::daemon;
using namespace std::chrono_literals;

TEST_SUITE("daemon.relay") {
    TEST_CASE("[relay] keys and the three flags") {
        Config config;
        set_config_value(config, "relay", "url", "http://store:5995");
        set_config_value(config, "relay", "kind", "trueapi");
        set_config_value(config, "relay", "dead_after", "3");
        set_config_value(config, "relay", "keep_max", "0");
        CHECK(config.relay.url == "http://store:5995");
        CHECK(config.relay.kind == RelayKind::trueapi);
        CHECK(config.relay.dead_after == 3);
        CHECK(config.relay.keep_max == 0);
        CHECK_THROWS_AS(set_config_value(config, "relay", "kind", "ftp"), std::runtime_error);
        CHECK_THROWS_AS(set_config_value(config, "relay", "dead_after", "0"), std::runtime_error);
        CHECK_THROWS_AS(set_config_value(config, "relay", "colour", "red"), std::runtime_error);

        const char* argv[] = {"piotd",        "--relay", "http://s:1",
                              "--relay-kind", "lm",      "--sign-command=sign --gost"};
        const CommandLine line = parse_command_line(6, argv);
        CHECK(line.relay == "http://s:1");
        CHECK(line.relay_kind == "lm");
        CHECK(line.sign_command == "sign --gost");
        CHECK(relay_kind_name(*parse_relay_kind("piotd")) == "piotd");
    }

    TEST_CASE("the sign command: stdin in, signature out, failures named, timeout kills") {
        CHECK(SignCommand("base64 -w0", 5s).sign("abc") == "YWJj");
        CHECK(SignCommand("base64", 5s).sign(std::string(100, 'x')).find('\n') ==
              std::string::npos);
        // Raw bytes (DER) are encoded.
        CHECK(SignCommand("printf '\\060\\202'", 5s).sign("x") == "MII=");
        try {
            SignCommand("echo 'key not found' >&2; exit 4", 5s).sign("x");
            FAIL("no error");
        } catch (const SignError& e) {
            CHECK(std::string(e.what()).find("status 4") != std::string::npos);
            // Its stderr goes to the log, never into an answer a client sees.
            CHECK(std::string(e.what()).find("key not found") == std::string::npos);
        }
        CHECK_THROWS_AS(SignCommand("cat >/dev/null", 5s).sign("x"), SignError);  // no output
        const auto start = std::chrono::steady_clock::now();
        CHECK_THROWS_AS(SignCommand("sleep 10", 200ms).sign("x"), SignError);
        CHECK(std::chrono::steady_clock::now() - start < 5s);
        // A document larger than a pipe buffer goes through whole.
        CHECK(
            SignCommand("wc -c | tr -d ' \\n' | base64 -w0", 5s).sign(std::string(300'000, 'a')) ==
            "MzAwMDAw");
    }

    TEST_CASE("the sign command: bounded wait, its own process group, no descriptors, no secrets") {
        // Closes its pipes and sleeps: given up at the timeout, not when it pleases.
        const auto start = std::chrono::steady_clock::now();
        CHECK_THROWS_AS(SignCommand("exec >&- 2>&-; sleep 10", 300ms).sign("x"), SignError);
        CHECK(std::chrono::steady_clock::now() - start < 5s);

        // What it left running in its group is killed with it.
        const auto pid_file =
            std::filesystem::temp_directory_path() / ("piotd-signer-" + std::to_string(::getpid()));
        CHECK(SignCommand(
                  "sleep 30 >/dev/null 2>&1 & echo $! >" + pid_file.string() + "; printf c2ln", 5s)
                  .sign("x") == "c2ln");
        pid_t left = 0;
        std::ifstream(pid_file) >> left;
        std::filesystem::remove(pid_file);
        REQUIRE(left > 0);
        bool gone = false;
        for (int i = 0; i < 500 && !gone; ++i) {
            gone = ::kill(left, 0) != 0;
            if (!gone) std::this_thread::sleep_for(10ms);
        }
        CHECK(gone);

        // No descriptor of piotd's reaches it, and no credential of its environment.
        // Told apart by what it points to, not by its number: the shell's own pipeline descriptors
        // may take any number the signer is free to use.
        const auto probe = std::filesystem::temp_directory_path() /
                           ("piotd-leak-probe-" + std::to_string(::getpid()));
        std::ofstream(probe) << "x";
        const int leaked = ::open(probe.c_str(), O_RDONLY);  // no O_CLOEXEC, as a socket might be
        REQUIRE(leaked > 2);
        ::setenv("PIOTD_TOKEN", "secret-token", 1);
        const std::string fds =
            SignCommand("ls -l /proc/$$/fd/ | base64 -w0", 5s).sign("x");
        const std::string env = SignCommand("env | base64 -w0", 5s).sign("x");
        ::unsetenv("PIOTD_TOKEN");
        ::close(leaked);
        std::filesystem::remove(probe);
        const auto decoded = [](const std::string& text) {
            std::string out(text.size(), '\0');
            const auto size = piotd::protocol::base64_decode(text, out.data(), out.size());
            REQUIRE(size);
            out.resize(*size);
            return out;
        };
        const std::string fd_list = decoded(fds);
        CHECK(fd_list.find("pipe:") != std::string::npos);  // the listing shows targets
        CHECK(fd_list.find(probe.filename().string()) == std::string::npos);
        CHECK(decoded(env).find("secret-token") == std::string::npos);
        CHECK(decoded(env).find("PATH=") != std::string::npos);
    }

    TEST_CASE("retry backoff doubles with jitter up to the maximum") {
        RetryBackoff backoff(100ms, 1000ms);
        for (int i = 0; i < 20; ++i) {
            const auto first = backoff.after(1);
            CHECK(first >= 50ms);
            CHECK(first <= 100ms);
            const auto late = backoff.after(30);
            CHECK(late >= 500ms);
            CHECK(late <= 1000ms);
        }
        const auto a = backoff.next();
        const auto b = backoff.next();
        const auto c = backoff.next();
        CHECK(a <= 100ms);
        CHECK(b >= 100ms);
        CHECK(c >= 200ms);
        backoff.reset();
        CHECK(backoff.next() <= 100ms);
    }
}
