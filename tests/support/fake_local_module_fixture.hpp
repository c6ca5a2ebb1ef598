// The fake local module (tests/fakes/fake_local_module.cpp) for the integration tests that put
// piotd in front of an LM (docs/local-module.md), with its control API.
#pragma once

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/support/daemon_process.hpp"
#include "tests/support/http_client.hpp"

namespace piotd::test {

// What the fake answers as its identity (its defaults).
inline constexpr const char* kFakeLmInst = "7a1b9bec-2f1e-4c4e-9d47-3b0c8e4f1a20";
inline constexpr const char* kFakeLmVersion = "2.5.1-2";

struct FakeLocalModule {
    unsigned short port = free_port();
    std::unique_ptr<DaemonProcess> process;

    explicit FakeLocalModule(std::vector<std::string> extra = {}) { start(std::move(extra)); }

    // Starts (again, after a kill) on the same port.
    void start(std::vector<std::string> extra = {}) {
        std::vector<std::string> args = {"--listen", "127.0.0.1:" + std::to_string(port)};
        args.insert(args.end(), extra.begin(), extra.end());
        process = std::make_unique<DaemonProcess>(PIOTD_FAKE_LOCAL_MODULE, args, port);
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }
    HttpReply control(const std::string& target, const std::string& body = {}) const {
        HttpClient client(port);
        const HttpReply reply = client.request("POST", "/control/" + target, body, "");
        REQUIRE_MESSAGE(reply.status == 200, target << ": " << reply.body);
        return reply;
    }
    void block(const std::string& cis) const { control("block?kind=cis", cis + "\n"); }
    void fault(const std::string& json) const { control("fault", json); }
    rapidjson::Document stats() const {
        HttpClient client(port);
        const std::string body = client.request("GET", "/control/stats", "", "").body;
        rapidjson::Document document;
        document.Parse(body.c_str(), body.size());
        REQUIRE_MESSAGE((!document.HasParseError() && document.IsObject()), body);
        return document;
    }
    // Until piotd on `piotd_port` mirrors this LM as ready.
    static bool mirrored_ready(unsigned short piotd_port) {
        HttpClient client(piotd_port);
        rapidjson::Document status;
        const std::string body = client.get("/api/v1/status").body;
        status.Parse(body.c_str(), body.size());
        return !status.HasParseError() && status.IsObject() && status.HasMember("localModule") &&
               status["localModule"]["status"].IsString() &&
               std::string(status["localModule"]["status"].GetString()) == "ready";
    }
};

}  // namespace piotd::test
