// piotd_fake_document_sink (tests/fakes/fake_document_sink.cpp) as a relay upstream for
// integration tests: start it, inject faults, read what it received.
#pragma once

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <string>
#include <vector>

#include "tests/support/daemon_process.hpp"
#include "tests/support/http_client.hpp"

namespace piotd::test {

struct DocumentSink {
    unsigned short port = free_port();
    DaemonProcess process{
        PIOTD_FAKE_DOCUMENT_SINK, {"--listen", "127.0.0.1:" + std::to_string(port)}, port};
    HttpClient control{port};
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }

    // {"mode":"reject"}, {"mode":"none"}, … (see the fake's /control/fault).
    void fault(const std::string& json) {
        REQUIRE(control.post("/control/fault", json).status == 200);
    }
    rapidjson::Document received() {
        const std::string body = control.get("/control/received").body;
        rapidjson::Document document;
        document.Parse(body.c_str(), body.size());
        REQUIRE_MESSAGE(!document.HasParseError(), "not JSON: " << body.substr(0, 300));
        return document;
    }
    // Ids of the documents received, in order (copies included).
    std::vector<std::string> ids() {
        const auto r = received();
        std::vector<std::string> ids;
        for (const auto& id : r["ids"].GetArray()) ids.emplace_back(id.GetString());
        return ids;
    }
};

}  // namespace piotd::test
