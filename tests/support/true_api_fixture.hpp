// The fake True API (tests/fakes/fake_true_api.cpp) for device tests that want an online verdict:
// one CDN host answering from tests/data/trueapi/scenarios.json, the environment a piotd needs
// to use it (a token, the clock at the scenarios' "now"), and the scenarios by id.
#pragma once

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/daemon_process.hpp"
#include "tests/support/http_client.hpp"

namespace piotd::test {

struct TrueApiScenario {
    std::string code;  // the full code, GS as a byte
    std::int64_t price = 0;
    std::string req_id;
    std::int64_t req_timestamp = 0;
};

class TrueApiFixture {
public:
    TrueApiFixture() {
        std::ifstream in(std::string(PIOTD_TEST_DATA_DIR) + "/trueapi/scenarios.json");
        std::stringstream text;
        text << in.rdbuf();
        scenarios_.Parse(text.str().c_str());
        REQUIRE(!scenarios_.HasParseError());
        const auto real_now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
        std::ofstream(clock_file()) << scenarios_["nowMs"].GetInt64() - real_now;
        process_ = std::make_unique<DaemonProcess>(
            PIOTD_FAKE_TRUE_API, std::vector<std::string>{"--port", std::to_string(port_)}, port_);
    }

    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    // For the piotd that talks to it: a token, and the scenarios' clock.
    std::map<std::string, std::string> env() const {
        return {{"PIOTD_TOKEN", "test-token"}, {"PIOTD_TEST_CLOCK_FILE", clock_file()}};
    }
    // Every codes/check from now on hangs (the budget then sends the check offline).
    void hang() const {
        HttpClient client(port_);
        REQUIRE(client
                    .request("POST", "/control/fault?port=" + std::to_string(port_) + "&mode=hang",
                             "", "")
                    .status == 200);
    }
    // The avgTimeMs its health check reports (0, "not measured", unless set; before the piotd's
    // first refresh).
    void health(int avg_ms) const {
        HttpClient client(port_);
        REQUIRE(client
                    .request("POST",
                             "/control/health?port=" + std::to_string(port_) +
                                 "&avg_ms=" + std::to_string(avg_ms),
                             "", "")
                    .status == 200);
    }
    TrueApiScenario scenario(const std::string& id) const {
        for (const auto& entry : scenarios_["scenarios"].GetArray()) {
            if (std::string(entry["id"].GetString()) != id) continue;
            TrueApiScenario s;
            s.code = entry["code"].GetString();
            s.price = entry["price"].GetInt64();
            const auto& api = entry["trueApi"];
            if (api.HasMember("reqId")) s.req_id = api["reqId"].GetString();
            if (api.HasMember("reqTimestamp")) s.req_timestamp = api["reqTimestamp"].GetInt64();
            return s;
        }
        FAIL("no scenario " << id);
        return {};
    }
    // Waits until the piotd on `port` has listed the fake's host (its first refresh, at start).
    static void wait_for_host(unsigned short port, const std::string& password = "admin") {
        HttpClient client(port, "admin", password);
        for (int i = 0; i < 100; ++i) {
            rapidjson::Document hosts;
            const std::string body = client.get("/api/v1/trueapi/hosts").body;
            hosts.Parse(body.c_str());
            if (!hosts.HasParseError() && hosts.IsObject() && hosts.HasMember("hosts") &&
                hosts["hosts"].Size() == 1) {
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        FAIL("piotd never listed the fake True API host");
    }

private:
    std::string clock_file() const { return (dir_.path() / "clock").string(); }

    TempDir dir_;
    unsigned short port_ = free_port();
    rapidjson::Document scenarios_;
    std::unique_ptr<DaemonProcess> process_;
};

}  // namespace piotd::test
