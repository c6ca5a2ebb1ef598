// Connection budgets of the TLS front against the real daemon (issue 22 item 5): 256 TLS clients
// that finished their handshake and sit idle (the front's limit) no longer lock every further
// client out: a newcomer takes the place of the one quiet the longest, and the POS is served.
#include <doctest/doctest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/daemon_process.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/shell_command.hpp"
#include "tests/support/test_pki.hpp"

using namespace piotd::test;
namespace asio = boost::asio;
using asio::ip::tcp;

TEST_SUITE("integration.hostile") {
    TEST_CASE("256 idle TLS clients cannot lock the POS out of the TLS front") {
        TempDir pki;
        const std::string dir = pki.path().string();
        make_test_pki(dir);
        const unsigned short port = free_port();
        const unsigned short tls_port = free_port();
        const auto config = pki.path() / "piotd.conf";
        std::ofstream(config) << "[server]\ntls_listen = 127.0.0.1:" << tls_port
                              << "\ntls_cert_file = " << dir
                              << "/server.pem\ntls_key_file = " << dir << "/server.key\n";
        DaemonProcess daemon(
            {"--demo", "--config", config.string(), "--data-dir", (pki.path() / "data").string(),
             "--listen", "127.0.0.1:" + std::to_string(port)},
            port);
        const std::string curl = "curl -s --max-time 20 --cacert " + dir +
                                 "/ca.pem -u admin:admin -o /dev/null -w '%{http_code}' "
                                 "https://127.0.0.1:" +
                                 std::to_string(tls_port) +
                                 "/api/v1/cis/check?cis=0104603586014674215012516137746";
        int status = 0;
        REQUIRE(eventually([&] { return run_command(curl, status) == "200"; }));

        // The front's limit, in clients that finish their handshake and then send nothing.
        asio::io_context io;
        asio::ssl::context tls(asio::ssl::context::tls_client);
        tls.set_verify_mode(asio::ssl::verify_none);
        std::vector<std::unique_ptr<asio::ssl::stream<tcp::socket>>> idle;
        for (int i = 0; i < 256; ++i) {
            auto stream = std::make_unique<asio::ssl::stream<tcp::socket>>(io, tls);
            boost::system::error_code ec;
            stream->next_layer().connect({asio::ip::make_address("127.0.0.1"), tls_port}, ec);
            if (!ec) stream->handshake(asio::ssl::stream_base::client, ec);
            if (ec) break;  // the front's limit reached (refused): enough
            idle.push_back(std::move(stream));
        }
        CHECK(idle.size() >= 250);
        // The POS gets through: the quietest idle client makes room (after its second of quiet).
        CHECK(eventually([&] { return run_command(curl, status) == "200"; }));
        CHECK(run_command(curl, status) == "200");
        CHECK(daemon.running());
    }
}
