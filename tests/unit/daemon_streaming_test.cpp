// A streamed (chunked) answer through the real HttpServer: bounded pieces, complete body,
// and a source that fails midway ends the connection without the final chunk.
#include <doctest/doctest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <string>

#include "daemon/http/router.hpp"
#include "daemon/http/server.hpp"
#include "tests/support/streamed_fetch.hpp"

using namespace piotd::daemon;
namespace asio = boost::asio;
namespace beast = boost::beast;

namespace {

// Lines "line 0\n" ... "line N-1\n", at most `budget` bytes per piece.
class CountingSource : public ChunkSource {
public:
    CountingSource(int lines, int fail_at) : lines_(lines), fail_at_(fail_at) {}
    bool next(std::string& out, std::size_t budget) override {
        while (out.size() < budget && index_ < lines_) {
            if (index_ == fail_at_) throw std::runtime_error("source failed");
            out += "line " + std::to_string(index_++) + "\n";
        }
        return index_ < lines_;
    }

private:
    int lines_;
    int fail_at_;
    int index_ = 0;
};

using piotd::test::fetch;
using piotd::test::Fetched;

}  // namespace

TEST_SUITE("daemon.http") {
    TEST_CASE("a streamed answer arrives whole and chunked; a failing source truncates it") {
        Router router(BasicAuth("admin", "admin"));
        router.add(http::verb::get, "/stream", [](const RequestContext&) {
            Response head{http::status::ok, 11};
            head.set(http::field::content_type, "application/x-ndjson");
            return Reply(std::move(head), std::make_unique<CountingSource>(100'000, -1));
        });
        router.add(http::verb::get, "/broken", [](const RequestContext&) {
            Response head{http::status::ok, 11};
            return Reply(std::move(head), std::make_unique<CountingSource>(100'000, 50'000));
        });
        ServerLimits limits;
        limits.threads = 1;
        HttpServer server({asio::ip::make_address("127.0.0.1"), 0}, limits, router);
        server.start();
        const auto port = server.local_endpoint().port();

        const Fetched whole = fetch(port, "/stream");
        CHECK(whole.complete);
        CHECK(whole.chunked);
        CHECK(whole.body.starts_with("line 0\n"));
        CHECK(whole.body.ends_with("line 99999\n"));
        CHECK(std::count(whole.body.begin(), whole.body.end(), '\n') == 100'000);

        const Fetched broken = fetch(port, "/broken");
        CHECK(!broken.complete);

        // HTTP/1.0 has no chunks: the raw body until the connection closes.
        const Fetched old = fetch(port, "/stream", 10);
        CHECK(old.complete);
        CHECK(!old.chunked);
        CHECK(std::count(old.body.begin(), old.body.end(), '\n') == 100'000);
        server.stop();
    }
}
