// Config file, environment and command line.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "daemon/command_line.hpp"
#include "daemon/config.hpp"
#include "daemon/listen_address.hpp"

using namespace piotd::daemon;

namespace {

std::filesystem::path write_temp(const std::string& text) {
    const auto path = std::filesystem::temp_directory_path() /
                      ("piotd-config-test-" + std::to_string(std::rand()) + ".conf");
    std::ofstream(path) << text;
    return path;
}

}  // namespace

TEST_SUITE("daemon.config") {
    TEST_CASE("an INI file sets every section's keys") {
        const auto path = write_temp(
            "# comment\n[server]\nlisten = 0.0.0.0:6000\nthreads = 3\nmax_body_bytes=2048\n"
            "[storage]\ndata_dir = \"/tmp/x y\"\nmap_size_mb = 64\n[auth]\nuser = pos\npassword = "
            "p@ss\n"
            "[module]\ninn = 7700000001\n[log]\nlevel = debug\n");
        Config config;
        load_config_file(path, config);
        std::filesystem::remove(path);
        CHECK(config.listen == "0.0.0.0:6000");
        CHECK(config.limits.threads == 3);
        CHECK(config.limits.max_body_bytes == 2048);
        CHECK(config.data_dir == "/tmp/x y");
        CHECK(config.map_size_mb == 64);
        CHECK(config.user == "pos");
        CHECK(config.password == "p@ss");
        CHECK(config.inn == "7700000001");
        CHECK(config.log_level == LogLevel::debug);
    }

    TEST_CASE("typos and bad values are errors with file and line") {
        for (const char* text :
             {"[server]\nlisen = x\n", "[server]\nthreads = many\n", "[server]\nthreads = 0\n",
              "listen = x\n", "[server\n", "[server]\njust text\n", "[log]\nlevel = loud\n"}) {
            const auto path = write_temp(text);
            Config config;
            CHECK_THROWS_WITH_AS(load_config_file(path, config), doctest::Contains(":"),
                                 std::runtime_error);
            std::filesystem::remove(path);
        }
        Config config;
        CHECK_THROWS_AS(load_config_file("/nonexistent/piotd.conf", config), std::runtime_error);
    }

    TEST_CASE("PIOTD_USER and PIOTD_PASSWORD override the file") {
        setenv("PIOTD_USER", "envuser", 1);
        setenv("PIOTD_PASSWORD", "envpass", 1);
        Config config;
        config.password = "file";
        apply_environment(config);
        CHECK(config.user == "envuser");
        CHECK(config.password == "envpass");
        unsetenv("PIOTD_USER");
        unsetenv("PIOTD_PASSWORD");
    }

    TEST_CASE("command line: the contract flags") {
        const char* run[] = {"piotd",         "--config", "/etc/piotd/piotd.conf",
                             "--data-dir=/d", "--listen", "127.0.0.1:5995",
                             "--demo"};
        const CommandLine line = parse_command_line(7, run);
        CHECK(line.command == Command::run);
        CHECK(*line.config_file == "/etc/piotd/piotd.conf");
        CHECK(*line.data_dir == "/d");
        CHECK(*line.listen == "127.0.0.1:5995");
        CHECK(line.demo);

        const char* import[] = {"piotd",  "import",      "--data-dir", "/d",
                                "--list", "blocked_cis", "-"};
        const CommandLine imp = parse_command_line(7, import);
        CHECK(imp.command == Command::import);
        CHECK(*imp.list == "blocked_cis");
        CHECK(*imp.input == "-");

        const char* missing_list[] = {"piotd", "import", "--data-dir", "/d", "file"};
        CHECK_THROWS_AS(parse_command_line(5, missing_list), UsageError);
        const char* unknown[] = {"piotd", "--frobnicate"};
        CHECK_THROWS_AS(parse_command_line(2, unknown), UsageError);
        const char* no_value[] = {"piotd", "--listen"};
        CHECK_THROWS_AS(parse_command_line(2, no_value), UsageError);
        const char* demo_in_import[] = {"piotd", "import", "--demo"};
        CHECK_THROWS_AS(parse_command_line(3, demo_in_import), UsageError);
    }

    TEST_CASE("listen addresses") {
        CHECK(parse_listen_address("127.0.0.1:5995").port() == 5995);
        CHECK(parse_listen_address("[::1]:80").address().is_v6());
        CHECK(parse_listen_address("0.0.0.0:0").port() == 0);
        CHECK_THROWS_AS(parse_listen_address("localhost"), std::runtime_error);
        CHECK_THROWS_AS(parse_listen_address("127.0.0.1:99999"), std::runtime_error);
        CHECK_THROWS_AS(parse_listen_address("nohost:1"), std::runtime_error);
    }
}
