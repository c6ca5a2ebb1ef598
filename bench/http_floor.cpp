// The HTTP floor: the least a Boost.Beast keep-alive server can do per request on this machine
// (parse the request, answer a fixed JSON body), with the same threading model as piotd (one
// io_context and acceptor per thread, SO_REUSEPORT, each connection steered to the thread of its
// client's CPU). bench/run.sh puts piotd beside it.
//   piotd_http_floor PORT [THREADS]
//
// With a third argument it is the proxy floor of bench/permissive.sh: each request's body is
// POSTed to codes/check of the fake True API on that port (one keep-alive connection per client
// connection, on the same thread, the way piotd's online check goes) and its answer relayed.
// What any proxy pays on this machine for the two extra loopback hops, and nothing else.
// UPSTREAM_TARGET forwards to another path instead, with the client's Authorization header
// (bench/lm_front.sh: outCheck of the fake local module).
//   piotd_http_floor PORT THREADS UPSTREAM_PORT [UPSTREAM_TARGET]
#include <sys/socket.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "daemon/http/client_cpu_steering.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {

const std::string kBody =
    R"({"code":0,"description":"ok","reqId":"36a8eed9-b8f9-499b-9dc6-b2114b102dc6",)"
    R"("reqTimestamp":1748622685213,"inst":"84c4d96a-1c44-4660-a1a2-1b0220f72d07","version":"0.1.0",)"
    R"("codes":[{"cis":"0104603586014674215012516137746","gtin":"04603586014674",)"
    R"("printView":"0104603586014674215012516137746","isBlocked":false,"isGreyGtin":false}]})";

unsigned short g_upstream_port = 0;  // 0: answer kBody; otherwise forward (proxy floor)
std::string g_upstream_target = "/api/v4/true-api/codes/check";

class Session : public std::enable_shared_from_this<Session> {
public:
    explicit Session(tcp::socket socket)
        : stream_(std::move(socket)), upstream_(stream_.get_executor()) {
        stream_.socket().set_option(tcp::no_delay(true));
    }
    void read() {
        request_ = {};
        http::async_read(stream_, buffer_, request_,
                         [self = shared_from_this()](beast::error_code ec, std::size_t) {
                             if (ec) return;
                             if (g_upstream_port != 0) return self->forward();
                             self->write(kBody);
                         });
    }

private:
    void forward() {
        if (!upstream_.socket().is_open()) {
            upstream_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), g_upstream_port));
            upstream_.socket().set_option(tcp::no_delay(true));
        }
        upstream_request_ = {http::verb::post, g_upstream_target, 11};
        upstream_request_.set(http::field::host, "127.0.0.1");
        upstream_request_.set(http::field::content_type, "application/json");
        upstream_request_.set("X-API-KEY", "bench");
        const auto authorization = request_.find(http::field::authorization);
        if (authorization != request_.end()) {
            upstream_request_.set(http::field::authorization, authorization->value());
        }
        upstream_request_.body() = request_.body();
        upstream_request_.prepare_payload();
        http::async_write(upstream_, upstream_request_,
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) return;
                              self->upstream_response_ = {};
                              http::async_read(self->upstream_, self->upstream_buffer_,
                                               self->upstream_response_,
                                               [self](beast::error_code ec, std::size_t) {
                                                   if (!ec)
                                                       self->write(self->upstream_response_.body());
                                               });
                          });
    }

    void write(const std::string& body) {
        response_ = {http::status::ok, request_.version()};
        response_.set(http::field::content_type, "application/json; charset=utf-8");
        response_.keep_alive(request_.keep_alive());
        response_.body() = body;
        response_.prepare_payload();
        http::async_write(stream_, response_,
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (!ec && self->response_.keep_alive()) self->read();
                          });
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    http::request<http::string_body> request_;
    http::response<http::string_body> response_;
    beast::tcp_stream upstream_;
    beast::flat_buffer upstream_buffer_;
    http::request<http::string_body> upstream_request_;
    http::response<http::string_body> upstream_response_;
};

void accept(tcp::acceptor& acceptor) {
    acceptor.async_accept([&acceptor](beast::error_code ec, tcp::socket socket) {
        if (!ec) std::make_shared<Session>(std::move(socket))->read();
        accept(acceptor);
    });
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr,
                     "usage: piotd_http_floor PORT [THREADS [UPSTREAM_PORT [UPSTREAM_TARGET]]]\n");
        return 2;
    }
    if (argc > 3) g_upstream_port = static_cast<unsigned short>(std::atoi(argv[3]));
    if (argc > 4) g_upstream_target = argv[4];
    const auto port = static_cast<unsigned short>(std::atoi(argv[1]));
    const int threads = argc > 2 ? std::atoi(argv[2]) : 2;
    std::vector<std::unique_ptr<asio::io_context>> contexts;
    std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
    const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
    for (int i = 0; i < threads; ++i) {
        contexts.push_back(std::make_unique<asio::io_context>(1));
        auto acceptor = std::make_unique<tcp::acceptor>(*contexts.back());
        acceptor->open(endpoint.protocol());
        acceptor->set_option(asio::socket_base::reuse_address(true));
        acceptor->set_option(asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>(true));
        acceptor->bind(endpoint);
        acceptor->listen();
        accept(*acceptor);
        acceptors.push_back(std::move(acceptor));
    }
    if (threads > 1 && !piotd::daemon::steer_connections_by_client_cpu(
                           acceptors.front()->native_handle(), static_cast<unsigned>(threads))) {
        std::perror("piotd_http_floor: client CPU steering");
        return 1;
    }
    std::vector<std::thread> workers;
    for (auto& context : contexts) workers.emplace_back([&context] { context->run(); });
    for (auto& worker : workers) worker.join();
    return 0;
}
