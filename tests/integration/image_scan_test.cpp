// POST /api/v1/scan/image on the real daemon: codes found in PNG and JPEG uploads with their
// offline check, hostile and oversized uploads refused with JSON errors, and a flood answered
// with 503 while the rest of the API stays responsive.
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/daemon_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/image_fixtures.hpp"

using namespace piotd::test;
using piotd::drivers::GrayImage;

namespace {

rapidjson::Document parse_body(const std::string& text) {
    rapidjson::Document document;
    document.Parse(text.c_str(), text.size());
    REQUIRE_MESSAGE(!document.HasParseError(), "not JSON: " << text);
    return document;
}

struct ImageDaemon {
    TempDir dir;
    unsigned short port = free_port();
    std::unique_ptr<DaemonProcess> process;

    explicit ImageDaemon(const std::string& image_config = {}) {
        const auto config = dir.path() / "piotd.conf";
        std::ofstream(config) << "[image]\n" << image_config;
        process = std::make_unique<DaemonProcess>(
            std::vector<std::string>{"--demo", "--config", config.string(), "--data-dir",
                                     (dir.path() / "data").string(), "--listen",
                                     "127.0.0.1:" + std::to_string(port)},
            port);
    }

    HttpReply upload(const std::string& body, const std::string& type = "image/png") {
        HttpClient client(port);
        return client.request("POST", "/api/v1/scan/image", body, "-", {{"Content-Type", type}});
    }
};

void check_error(const HttpReply& reply, int status, int error_code) {
    CHECK(reply.status == status);
    const auto body = parse_body(reply.body);
    CHECK(body["errorCode"].GetInt() == error_code);
}

const std::string kBlocked =
    "0104850013000162215!!Y!BsOtaR_n\x1d"
    "93dGVz";
const std::string kAllowed =
    "0103041094787443215Qbag!\x1d"
    "93Zjqw";

}  // namespace

TEST_SUITE("integration.image") {
    TEST_CASE("codes in PNG and JPEG uploads come back normalised and checked") {
        ImageDaemon daemon;
        HttpReply reply = daemon.upload(encode_png(datamatrix_image(kBlocked)));
        REQUIRE(reply.status == 200);
        auto body = parse_body(reply.body);
        CHECK(std::string(body["image"]["format"].GetString()) == "png");
        REQUIRE(body["codes"].Size() == 1);
        const auto& code = body["codes"][0];
        CHECK(std::string(code["format"].GetString()) == "DataMatrix");
        CHECK(std::string(code["code"].GetString()) == kBlocked);
        CHECK(std::string(code["cis"].GetString()) == "0104850013000162215!!Y!BsOtaR_n");
        CHECK(std::string(code["verdict"]["result"].GetString()) == "blocked");
        // The permissive-mode chain's verdict: no True API token here, so the local lists.
        CHECK(std::string(code["verdict"]["source"].GetString()) == "offline");
        CHECK_FALSE(code["verdict"]["isSaleAllowed"].GetBool());
        REQUIRE(code["verdict"]["reasons"].Size() == 1);
        CHECK(std::string(code["verdict"]["reasons"][0]["code"].GetString()) == "blocked");
        CHECK(code["position"]["topLeft"]["x"].IsInt());

        reply = daemon.upload(encode_jpeg(rotated(datamatrix_image(kAllowed, 6), 33.0), 80),
                              "image/jpeg");
        REQUIRE(reply.status == 200);
        body = parse_body(reply.body);
        CHECK(std::string(body["image"]["format"].GetString()) == "jpeg");
        REQUIRE(body["codes"].Size() == 1);
        CHECK(std::string(body["codes"][0]["code"].GetString()) == kAllowed);
        CHECK(std::string(body["codes"][0]["verdict"]["result"].GetString()) == "allowed");
        CHECK(body["codes"][0]["verdict"]["isSaleAllowed"].GetBool());

        // Not a marking code: found, and said so.
        reply =
            daemon.upload(encode_png(datamatrix_image("Hello, world")), "application/octet-stream");
        REQUIRE(reply.status == 200);
        body = parse_body(reply.body);
        REQUIRE(body["codes"].Size() == 1);
        CHECK(body["codes"][0]["error"].IsObject());
        CHECK(body["codes"][0]["verdict"].IsNull());

        // No symbol at all: an empty list.
        GrayImage blank;
        blank.width = blank.height = 200;
        blank.pixels.assign(200 * 200, 255);
        reply = daemon.upload(encode_png(blank));
        REQUIRE(reply.status == 200);
        CHECK(parse_body(reply.body)["codes"].Size() == 0);
    }

    TEST_CASE("hostile uploads get JSON errors and the daemon keeps serving") {
        ImageDaemon daemon("max_bytes = 65536\n");
        check_error(daemon.upload("just some text"), 415, 4150);
        check_error(daemon.upload(encode_png(datamatrix_image(kAllowed)), "text/plain"), 415, 4150);
        const std::string png = encode_png(datamatrix_image(kAllowed));
        check_error(daemon.upload(png.substr(0, png.size() / 2)), 400, 4007);
        check_error(daemon.upload(""), 400, 4002);
        std::string big = encode_png(noisy(datamatrix_image(kAllowed, 30), 60.0, 0.2));
        REQUIRE(big.size() > 65536);
        check_error(daemon.upload(big), 413, 4130);
        HttpClient client(daemon.port);
        CHECK(client.request("POST", "/api/v1/scan/image", png, "", {{"Content-Type", "image/png"}})
                  .status == 401);
        CHECK(client.get("/api/v1/status").status == 200);
        // Other routes keep the server-wide limit (1 MB), not the image one.
        check_error(client.post("/api/v1/cis/check", std::string(2u << 20, ' ')), 413, 4130);
    }

    TEST_CASE("an image with too many pixels is refused before decoding") {
        ImageDaemon daemon("max_pixels = 10000\n");
        check_error(daemon.upload(encode_png(datamatrix_image(kAllowed, 8))), 413, 4131);
    }

    TEST_CASE("a flood of uploads gets 503 while the API stays responsive") {
        ImageDaemon daemon("workers = 1\nqueue = 0\n");
        GrayImage large = noisy(datamatrix_image(kAllowed, 60), 50.0, 0.05);
        const std::string body = encode_png(large);
        std::atomic<int> ok{0};
        std::atomic<int> busy{0};
        std::atomic<int> other{0};
        std::vector<std::thread> senders;
        for (int i = 0; i < 6; ++i) {
            senders.emplace_back([&] {
                const int status = daemon.upload(body).status;
                (status == 200 ? ok : status == 503 ? busy : other)++;
            });
        }
        // While decoders are busy, an LM check is answered at once by the I/O threads.
        HttpClient client(daemon.port);
        const auto started = std::chrono::steady_clock::now();
        CHECK(client.get("/api/v1/status").status == 200);
        CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(500));
        for (auto& sender : senders) sender.join();
        CHECK(ok >= 1);
        CHECK(busy >= 1);
        CHECK(other == 0);
        // The worker counts itself free a moment after its answer went out: retry as Retry-After
        // tells clients to.
        const std::string small = encode_png(datamatrix_image(kAllowed));
        int status = 0;
        for (int attempt = 0; attempt < 50 && status != 200; ++attempt) {
            if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
            status = daemon.upload(small).status;
        }
        CHECK(status == 200);
    }
}
