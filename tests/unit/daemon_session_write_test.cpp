// How a session writes its answer: directly when the socket takes it all (the usual), the rest
// through the io_context when it does not. An 8 MB answer is over the kernel's largest send
// buffer (net.core.wmem_max, 4 MB by default), so its first write is partial on any host.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <string>
#include <thread>

#include "daemon/http/router.hpp"
#include "daemon/http/server.hpp"

using namespace piotd::daemon;
namespace asio = boost::asio;

namespace {

// A body whose every byte says where it is, so a lost or repeated piece shows.
std::string patterned(std::size_t size) {
    std::string body(size, '\0');
    for (std::size_t i = 0; i < size; ++i)
        body[i] = static_cast<char>('a' + (i * 7 + i / 4099) % 26);
    return body;
}

int connect_with_small_window(unsigned short port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    const int receive_buffer = 4096;
    REQUIRE(::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer) == 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    return fd;
}

// Reads one answer (Content-Length framed) from `fd`, or what came within 10 s.
struct Answer {
    std::string head;
    std::string body;
};

Answer read_answer(int fd, std::string& pending) {
    const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    Answer answer;
    std::size_t length = std::string::npos;
    char chunk[65536];
    for (;;) {
        if (length == std::string::npos) {
            const auto end = pending.find("\r\n\r\n");
            if (end != std::string::npos) {
                answer.head = pending.substr(0, end + 4);
                pending.erase(0, end + 4);
                const auto at = answer.head.find("Content-Length: ");
                REQUIRE(at != std::string::npos);
                length = std::stoul(answer.head.substr(at + 16));
            }
        }
        if (length != std::string::npos && pending.size() >= length) {
            answer.body = pending.substr(0, length);
            pending.erase(0, length);
            return answer;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                              limit - std::chrono::steady_clock::now())
                              .count();
        if (left <= 0) return answer;
        pollfd watch{fd, POLLIN, 0};
        if (::poll(&watch, 1, static_cast<int>(left)) <= 0) return answer;
        const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) return answer;
        pending.append(chunk, static_cast<std::size_t>(n));
    }
}

void send_all(int fd, const std::string& bytes) {
    REQUIRE(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
            static_cast<ssize_t>(bytes.size()));
}

}  // namespace

TEST_SUITE("daemon.http") {
    TEST_CASE("an answer larger than the socket takes is written whole, then the next is read") {
        const std::string big = patterned(8u << 20);
        Router router(BasicAuth("admin", "admin"));
        router.add(http::verb::get, "/big", [&big](const RequestContext&) {
            Response response{http::status::ok, 11};
            response.body() = big;
            return Reply(std::move(response));
        });
        router.add(http::verb::get, "/small", [](const RequestContext&) {
            Response response{http::status::ok, 11};
            response.body() = "small";
            return Reply(std::move(response));
        });
        ServerLimits limits;
        limits.threads = 1;
        HttpServer server({asio::ip::make_address("127.0.0.1"), 0}, limits, router);
        server.start();
        const auto port = server.local_endpoint().port();
        const std::string auth = "Authorization: Basic YWRtaW46YWRtaW4=\r\n";
        const auto get = [&](const std::string& target) {
            return "GET " + target + " HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n";
        };

        const int fd = connect_with_small_window(port);
        std::string pending;
        SUBCASE("the reader pauses before reading; the next request comes after the answer") {
            send_all(fd, get("/big"));
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            const Answer first = read_answer(fd, pending);
            CHECK(first.head.starts_with("HTTP/1.1 200"));
            CHECK(first.body.size() == big.size());
            CHECK(first.body == big);
            send_all(fd, get("/small"));
            CHECK(read_answer(fd, pending).body == "small");
        }
        SUBCASE("pipelined: small, big, small in one segment, answered in order") {
            send_all(fd, get("/small") + get("/big") + get("/small"));
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            CHECK(read_answer(fd, pending).body == "small");
            CHECK(read_answer(fd, pending).body == big);
            CHECK(read_answer(fd, pending).body == "small");
        }
        ::close(fd);
        server.stop();
    }
}
