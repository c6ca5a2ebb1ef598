// piotctl's command line and where its connection settings come from.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "ctl/ctl_context.hpp"
#include "ctl/ctl_options.hpp"

using namespace piotd::ctl;

namespace {

CtlOptions parse(std::initializer_list<const char*> args) {
    std::vector<const char*> argv = {"piotctl"};
    argv.insert(argv.end(), args.begin(), args.end());
    return parse_ctl_options(static_cast<int>(argv.size()), argv.data());
}

}  // namespace

TEST_SUITE("ctl.options") {
    TEST_CASE("options anywhere, the command and its arguments kept in order") {
        const CtlOptions o =
            parse({"--json", "check", "--url", "http://h:1", "a", "-", "--timeout", "50"});
        CHECK(o.json);
        CHECK(o.url == "http://h:1");
        CHECK(o.timeout_ms == 50);
        CHECK(o.args == std::vector<std::string>{"check", "a", "-"});
        const CtlOptions limit = parse({"journal", "tail", "--limit", "7"});
        CHECK(limit.args == std::vector<std::string>{"journal", "tail", "--limit", "7"});
        const CtlOptions dashes = parse({"check", "--", "--json"});
        CHECK(!dashes.json);
        CHECK(dashes.args == std::vector<std::string>{"check", "--json"});
        CHECK(parse({"--help"}).args == std::vector<std::string>{"help"});
    }

    TEST_CASE("usage errors name the problem") {
        CHECK_THROWS_AS(parse({}), CtlUsageError);
        CHECK_THROWS_AS(parse({"--url"}), CtlUsageError);
        CHECK_THROWS_AS(parse({"--frob", "status"}), CtlUsageError);
        CHECK_THROWS_AS(parse({"--timeout", "0", "status"}), CtlUsageError);
        CHECK_THROWS_AS(parse({"--timeout", "5x", "status"}), CtlUsageError);
    }

    TEST_CASE("the listen address becomes a URL; wildcards become loopback") {
        CHECK(url_for_listen("127.0.0.1:5995") == "http://127.0.0.1:5995");
        CHECK(url_for_listen("0.0.0.0:80") == "http://127.0.0.1:80");
        CHECK(url_for_listen("[::]:5995") == "http://127.0.0.1:5995");
    }

    TEST_CASE("config < PIOTD_PASSWORD < flags") {
        const auto file = std::filesystem::temp_directory_path() /
                          ("piotctl-test-" + std::to_string(::getpid()) + ".conf");
        std::ofstream(file)
            << "[server]\nlisten = 127.0.0.1:7001\n[auth]\nuser = u\npassword = from-file\n";
        const std::string path = file.string();
        unsetenv("PIOTD_PASSWORD");
        unsetenv("PIOTD_USER");
        Connection c = resolve_connection(parse({"--config", path.c_str(), "status"}));
        CHECK(c.config_error.empty());
        CHECK(c.url == "http://127.0.0.1:7001");
        CHECK(c.user == "u");
        CHECK(c.password == "from-file");
        setenv("PIOTD_PASSWORD", "from-env", 1);
        c = resolve_connection(parse({"--config", path.c_str(), "status"}));
        CHECK(c.password == "from-env");
        c = resolve_connection(parse(
            {"--config", path.c_str(), "--password", "flag", "--url", "http://x:1", "status"}));
        CHECK(c.password == "flag");
        CHECK(c.url == "http://x:1");
        unsetenv("PIOTD_PASSWORD");
        std::ofstream(file) << "[nope]\nkey = 1\n";
        c = resolve_connection(parse({"--config", path.c_str(), "status"}));
        CHECK(!c.config_error.empty());
        std::filesystem::remove(file);
        // The default file may be missing: defaults, no error.
        c = resolve_connection(parse({"status"}));
        CHECK((c.config_error.empty() || std::filesystem::exists(kDefaultConfigFile)));
    }

    TEST_CASE("a 404 of the router means the endpoint is unknown; another 404 does not") {
        CHECK(is_unknown_endpoint(
            {404, R"({"code":404,"description":"no such endpoint","errorCode":4040})", {}}));
        CHECK(!is_unknown_endpoint({404, R"({"code":404,"errorCode":4041})", {}}));
        CHECK(!is_unknown_endpoint({200, "{}", {}}));
        CHECK(pretty_json(R"({"a":[1]})") == "{\n  \"a\": [\n    1\n  ]\n}");
        CHECK(pretty_json("not json") == "not json");
    }
}
