// libFuzzer target: whole HTTP requests, parsed by beast as the server does, handled by a Router
// with the LM and replication routes over a real LocalModule in demo mode (as daemon/main.cpp
// wires it). Every reply must carry a valid status; every 4xx/5xx body must be JSON.
// The server reads most requests with its plain-request scan instead of Beast's parser
// (daemon/http/plain_request.hpp): whatever the scan accepts, Beast's parser must read from the
// same bytes to the same message, keep-alive and length, and the same Host (kept beside the
// message by both, for the session's Host check), and that request is the one handled.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include <rapidjson/document.h>
#include <unistd.h>
#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "daemon/clock.hpp"
#include "daemon/config.hpp"
#include "daemon/http/host_names.hpp"
#include "daemon/http/plain_request.hpp"
#include "daemon/http/request_parser.hpp"
#include "daemon/http/router.hpp"
#include "daemon/lm/lm_routes.hpp"
#include "daemon/local_module.hpp"
#include "daemon/log.hpp"
#include "daemon/replication/replication_routes.hpp"
#include "daemon/replication/replication_serving.hpp"
#include "tests/support/request_difference.hpp"

namespace {

using namespace piotd::daemon;

constexpr std::size_t kHeaderLimit = 8192;
constexpr std::uint64_t kBodyLimit = 1 << 20;
constexpr std::size_t kStreamChunks = 64;        // a streamed reply is drained this far
constexpr std::size_t kStreamBudget = 64 << 10;  // bytes asked of each chunk

[[noreturn]] void fail(const char* what, const std::string& detail) {
    std::fprintf(stderr, "invariant violated: %s: %.500s\n", what, detail.c_str());
    std::abort();
}

// Built once per process; the data dir is removed at exit.
struct Daemon {
    Config config;
    Clock clock;
    std::unique_ptr<LocalModule> module;
    // Snapshots are encoded on its workers, as in the daemon.
    ReplicationServing serving;
    std::unique_ptr<Router> router;

    Daemon() {
        set_log_level(LogLevel::error);
        std::error_code ec;
        const auto base = std::filesystem::temp_directory_path(ec);
        config.data_dir = (ec ? std::filesystem::path("/tmp") : base) /
                          ("piotd-fuzz-http-" + std::to_string(::getpid()));
        std::filesystem::remove_all(config.data_dir, ec);
        std::filesystem::create_directories(config.data_dir);
        config.map_size_mb = 64;
        config.demo = true;
        config.user = "admin";
        config.password = "admin";
        module = std::make_unique<LocalModule>(config, clock);
        module->start_demo();
        router = std::make_unique<Router>(BasicAuth(config.user, config.password));
        add_lm_routes(*router, *module);
        add_replication_routes(*router, *module, serving);
        serving.start(nullptr);
    }
    ~Daemon() {
        serving.stop();
        router.reset();
        module.reset();
        std::error_code ec;
        std::filesystem::remove_all(config.data_dir, ec);
    }
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;
};

Daemon& daemon_instance() {
    static Daemon instance;
    return instance;
}

bool valid_status(unsigned code) {
    return code >= 100 && code <= 599;
}

void check_reply(Reply& reply) {
    // As the session does once the answer is written: the held check events go to the
    // observers (metrics, the recent-checks ring), with hostile codes in them.
    if (reply.after_sent != nullptr) reply.after_sent();
    const unsigned status = reply.response.result_int();
    if (!valid_status(status)) fail("invalid status", std::to_string(status));
    std::string body = reply.response.body();
    if (reply.stream) {
        std::string chunk;
        for (std::size_t i = 0; i < kStreamChunks; ++i) {
            chunk.clear();
            const bool more = reply.stream->next(chunk, kStreamBudget);
            if (status >= 400) body += chunk;
            if (!more) break;
        }
    }
    if (status < 400) return;
    rapidjson::Document document;
    document.Parse(body.data(), body.size());
    if (document.HasParseError()) fail("error reply body is not JSON", body);
}

// The session's limits, and the whole input parsed in one put.
void limit(RequestParser& parser) {
    parser.header_limit(kHeaderLimit);
    parser.body_limit(kBodyLimit);
    parser.eager(true);
}

// The plain scan of `bytes`, held to Beast's parser as the session would use it (the whole
// request received, its body within the limit); the request it builds, or none.
std::optional<Request> plain_request(std::string_view bytes, std::pmr::memory_resource& arena) {
    PlainRequest head;
    if (!scan_plain_request_head(bytes, kHeaderLimit, head)) return std::nullopt;
    if (head.head_size > bytes.size()) fail("plain head past the input", std::string(bytes));
    if (head.content_length > bytes.size() - head.head_size) return std::nullopt;
    if (head.content_length > kBodyLimit) return std::nullopt;
    const std::size_t whole = head.head_size + static_cast<std::size_t>(head.content_length);
    Request request(std::piecewise_construct, std::make_tuple(),
                    std::make_tuple(RequestAllocator(&arena)));
    build_request(head, bytes.substr(head.head_size, head.content_length), request);

    RequestParser parser(std::piecewise_construct, std::make_tuple(),
                         std::make_tuple(RequestAllocator(&arena)));
    limit(parser);
    boost::beast::error_code ec;
    const std::size_t used = parser.put(boost::asio::buffer(bytes.data(), whole), ec);
    const std::string input(bytes.substr(0, whole));
    if (ec) fail(("plain, but Beast's parser fails: " + ec.message()).c_str(), input);
    if (!parser.is_done() || used != whole) fail("plain, but Beast reads another length", input);
    if (parser.keep_alive() != head.keep_alive) fail("plain keep-alive differs", input);
    if (parser.host_count() > 1) fail("plain, but Beast reads more than one Host", input);
    if ((head.host.data() == nullptr) != (parser.host().data() == nullptr) ||
        head.host != parser.host()) {
        fail("plain Host differs", input);
    }
    const std::string difference = piotd::test::request_difference(request, parser.get());
    if (!difference.empty()) fail(("plain request differs: " + difference).c_str(), input);
    return request;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    daemon_instance();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Daemon& daemon = daemon_instance();
    // The session's parser type, its fields in an arena as there (a fresh one per input).
    std::pmr::monotonic_buffer_resource arena;
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    if (auto request = plain_request(bytes, arena)) {
        Reply reply = daemon.router->handle(*request);
        check_reply(reply);
        return 0;
    }
    RequestParser parser(std::piecewise_construct, std::make_tuple(),
                         std::make_tuple(RequestAllocator(&arena)));
    limit(parser);
    boost::beast::error_code ec;
    parser.put(boost::asio::buffer(data, size), ec);
    if (!ec && !parser.is_done()) parser.put_eof(ec);
    if (ec || !parser.is_done()) return 0;
    // The session's Host check on whatever Beast read (the names of a listener with a TLS name).
    static const HostNames names = [] {
        HostNames n;
        n.add("store.example");
        return n;
    }();
    (void)names.accepts(parser.host());
    Request request = parser.release();
    Reply reply = daemon.router->handle(request);
    check_reply(reply);
    return 0;
}
