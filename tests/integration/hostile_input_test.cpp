// Hostile input against the real daemon: every case gets a clear 4xx JSON answer (or, for
// input that is not HTTP, a closed connection), while a second client's checks keep succeeding.
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/daemon_process.hpp"
#include "tests/support/http_client.hpp"

using namespace piotd::test;

namespace {

constexpr int kClosed = 0;      // the server closes without an answer
constexpr int kAnyClient = -4;  // a 4xx JSON answer, or a closed connection (HTTP-level abuse)

const std::string kAuth = "Authorization: Basic YWRtaW46YWRtaW4=\r\n";
const std::string kAllowed = "0104603586014674215012516137746";

struct Case {
    std::string name;
    std::string bytes;
    int expect;               // an HTTP status, kClosed, or kAnyClient
    bool half_close = false;  // the client stops sending after the bytes (truncated requests)
};

std::string get(const std::string& target, const std::string& headers = kAuth) {
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers +
           "Connection: close\r\n\r\n";
}

std::string post(const std::string& target, const std::string& body,
                 const std::string& headers = kAuth) {
    return "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers +
           "Content-Type: application/json\r\nConnection: close\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string codes_body(int count, const std::string& code) {
    std::string body = R"({"cis_list":[)";
    for (int i = 0; i < count; ++i) body += (i ? ",\"" : "\"") + code + "\"";
    return body + "]}";
}

std::vector<Case> cases() {
    const std::string check = "/api/v1/cis/check";
    const std::string out = "/api/v1/cis/outCheck";
    std::vector<Case> c = {
        // Authentication
        {"no credentials", get("/api/v1/journal", ""), 401},
        {"wrong password", get("/api/v1/status", "Authorization: Basic YWRtaW46d3Jvbmc=\r\n"), 401},
        {"credentials not base64", get("/api/v1/status", "Authorization: Basic !!!!\r\n"), 401},
        {"another scheme", get("/api/v1/status", "Authorization: Bearer abc\r\n"), 401},
        {"empty authorization", get("/api/v1/status", "Authorization: \r\n"), 401},
        {"7 KB authorization",
         get("/api/v1/status", "Authorization: Basic " + std::string(7000, 'A') + "\r\n"), 401},
        {"credentials of another user",
         get("/api/v1/status", "Authorization: Basic cm9vdDphZG1pbg==\r\n"), 401},
        // Methods and paths
        {"DELETE status",
         "DELETE /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\n" + kAuth +
             "Connection: close\r\n\r\n",
         405},
        {"PUT outCheck",
         "PUT " + out + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + kAuth +
             "Content-Length: 0\r\nConnection: close\r\n\r\n",
         405},
        {"PATCH init",
         "PATCH /api/v1/init HTTP/1.1\r\nHost: 127.0.0.1\r\n" + kAuth +
             "Content-Length: 0\r\nConnection: close\r\n\r\n",
         405},
        {"GET init", get("/api/v1/init"), 405},
        {"unknown path", get("/api/v3/status"), 404},
        {"path traversal", get("/../../etc/passwd"), 404},
        {"encoded path traversal", get("/%2e%2e/%2e%2e/etc/passwd"), 404},
        {"dot segments", get("/api/v1/cis/../status"), 404},
        // Appended rather than "/" + std::string(…): GCC 12 -O3 warns falsely (-Wrestrict) there.
        {"6 KB path", get(std::string("/").append(6000, 'a')), 404},
        {"absolute URI", get("http://evil/api/v1/nothing"), 404},
        // Query strings
        {"cis missing", get(check), 400},
        {"cis empty", get(check + "?cis="), 400},
        {"bad percent-encoding", get(check + "?cis=%zz"), 400},
        {"NUL in cis", get(check + "?cis=0104603586014674215012%00516137746"), 400},
        {"invalid UTF-8 in cis", get(check + "?cis=%FF%FE%FD"), 400},
        {"CR LF in cis", get(check + "?cis=01046%0D%0ASet-Cookie:%20x"), 400},
        {"markup in cis", get(check + "?cis=%3Cscript%3Ealert(1)%3C%2Fscript%3E"), 400},
        {"10 KB cis", get(check + "?cis=01" + std::string(7000, '1')), 400},
        {"only a GS", get(check + "?cis=%1D"), 400},
        // JSON bodies
        {"not JSON", post(out, "{not json"), 400},
        {"empty body", post(out, ""), 400},
        {"JSON array", post(out, "[1,2,3]"), 400},
        {"JSON number", post(out, "42"), 400},
        {"cis_list a number", post(out, R"({"cis_list":7})"), 400},
        {"numbers where strings belong", post(out, R"({"cis_list":[1,2,3]})"), 400},
        {"nested arrays", post(out, R"({"cis_list":[[["0104"]]]})"), 400},
        {"100,000 levels of nesting", post(out, std::string(100'000, '[')), 400},
        {"10,001 codes", post(out, codes_body(10'001, kAllowed)), 400},
        {"invalid UTF-8 in a code", post(out, "{\"cis_list\":[\"0104603586014674215\xff\xfe\"]}"),
         400},
        {"NUL escaped in a code", post(out, R"({"cis_list":["0104603586014674215\u0000abc"]})"),
         400},
        {"pg as a string",
         post("/api/v2/cis/outCheck", R"({"cis_list":[{"cis":")" + kAllowed + R"(","pg":"8"}]})"),
         400},
        {"pg out of range",
         post("/api/v2/cis/outCheck", R"({"cis_list":[{"cis":")" + kAllowed + R"(","pg":1e30}]})"),
         400},
        {"trailing garbage after JSON", post(out, R"({"cis_list":["x"]} trailing)"), 400},
        {"token a number", post("/api/v1/init", R"({"token":123})"), 400},
        {"token too long", post("/api/v1/init", R"({"token":")" + std::string(1000, 'a') + "\"}"),
         400},
        {"token with a newline", post("/api/v1/init", R"({"token":"abc\ndef"})"), 400},
        {"init not JSON", post("/api/v1/init", "token=abc"), 400},
        // Sizes and framing
        {"2 MB body", post(out, std::string(2 << 20, ' ')), 413},
        {"declared 100 MB body",
         "POST " + out + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + kAuth +
             "Content-Length: 104857600\r\nConnection: close\r\n\r\n{",
         413},
        {"chunked body over the limit",
         "POST " + out + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + kAuth +
             "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n200000\r\n" +
             std::string(0x200000, ' ') + "\r\n0\r\n\r\n",
         413},
        {"chunk size not hex",
         "POST " + out + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + kAuth +
             "Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
         kClosed},
        {"chunk size overflowing",
         "POST " + out + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + kAuth +
             "Transfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\nabc\r\n",
         kAnyClient},
        {"body shorter than declared",
         "POST " + out + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + kAuth +
             "Content-Length: 100\r\n\r\n{\"cis",
         kClosed},
        {"two different Content-Length",
         "POST " + out + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + kAuth +
             "Content-Length: 5\r\nContent-Length: 7\r\n\r\n{}",
         kAnyClient},
        {"Content-Length and chunked",
         "POST " + out + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + kAuth +
             "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
         kAnyClient},
        {"negative Content-Length",
         "POST " + out + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + kAuth + "Content-Length: -1\r\n\r\n",
         kClosed},
        // Headers
        {"16 KB header",
         get("/api/v1/status", kAuth + "X-Big: " + std::string(16'000, 'x') + "\r\n"), 431},
        {"2000 headers",
         get("/api/v1/status",
             [] {
                 std::string h = kAuth;
                 for (int i = 0; i < 2000; ++i) h += "X-H" + std::to_string(i) + ": v\r\n";
                 return h;
             }()),
         431},
        {"CR injected in a header value",
         "GET /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: a\rInjected: b\r\n" + kAuth +
             "\r\n",
         kClosed},
        {"space in a header name",
         "GET /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Name: v\r\n" + kAuth + "\r\n",
         kClosed},
        {"NUL in a header",
         std::string("GET /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: a\0b\r\n", 56) +
             kAuth + "\r\n",
         kClosed},
        // Truncated and unusual framing (the client stops or stalls mid-request)
        {"headers cut off, then close", "GET /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthor",
         kClosed, true},
        {"request line cut off", "GET /api/v1/cis/check?cis=0104", kClosed, true},
        {"chunked body without its last chunk",
         "POST " + out + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + kAuth +
             "Transfer-Encoding: chunked\r\n\r\n5\r\n{\"cis\r\n",
         kClosed, true},
        {"20,000 one-byte chunks",
         "POST " + out + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + kAuth +
             "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
             [] {
                 std::string chunks;
                 for (int i = 0; i < 20'000; ++i) chunks += "1\r\n \r\n";
                 return chunks;
             }() +
             "0\r\n\r\n",
         400},
        {"7 KB chunk extension",
         "POST " + out + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + kAuth +
             "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n2;ext=" +
             std::string(7000, 'e') + "\r\n{}\r\n0\r\n\r\n",
         kAnyClient},
        {"unknown transfer coding",
         "POST " + out + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + kAuth +
             "Transfer-Encoding: gzip\r\nConnection: close\r\n\r\n{}",
         kAnyClient},
        {"CR LF encoded in the path", get("/api/v1/status%0D%0ASet-Cookie:%20x"), 404},
        {"TRACE",
         "TRACE /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\n" + kAuth +
             "Connection: close\r\n\r\n",
         405},
        {"OPTIONS",
         "OPTIONS /api/v1/cis/check HTTP/1.1\r\nHost: 127.0.0.1\r\n" + kAuth +
             "Connection: close\r\n\r\n",
         405},
        {"CONNECT",
         "CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1\r\n" + kAuth +
             "Connection: close\r\n\r\n",
         kAnyClient},
        {"unknown HTTP version",
         "GET /api/v1/status HTTP/7.3\r\nHost: 127.0.0.1\r\n" + kAuth + "Connection: close\r\n\r\n",
         kAnyClient},
        // Not HTTP at all
        {"garbage request line", "GARBAGE\r\n\r\n", kClosed},
        {"HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", kAnyClient},
        {"binary noise", std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11), kClosed},
        {"request line without version", "GET /api/v1/status\r\n\r\n", kClosed},
        // Replication endpoints
        {"replication: unknown list", get("/api/v1/replication/snapshot?list=passwords"), 400},
        {"replication: since not a number",
         get("/api/v1/replication/changes?list=blocked_cis&epoch=x&since=abc"), 400},
        {"replication: bad after", get("/api/v1/replication/snapshot?list=blocked_cis&after=%zz"),
         400},
        {"replication: stale epoch",
         get("/api/v1/replication/changes?list=blocked_cis&epoch=nope&since=0"), 410},
    };
    return c;
}

int status_of(const std::string& answer) {
    if (answer.size() < 12 || answer.compare(0, 5, "HTTP/") != 0) return kClosed;
    return std::stoi(answer.substr(9, 3));
}

std::string body_of(const std::string& answer) {
    const auto end = answer.find("\r\n\r\n");
    return end == std::string::npos ? std::string() : answer.substr(end + 4);
}

// A raw TCP connection to 127.0.0.1:`port` (the tests below send bytes no client library would).
int connect_loopback(unsigned short port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    return fd;
}

// Connects, sends `bytes`, then waits (up to 5 s) for the server to close the connection; returns
// how long that took from the last byte sent, or 5 s if it never did.
std::chrono::milliseconds closed_after(unsigned short port, const std::string& bytes) {
    using namespace std::chrono;
    const int fd = connect_loopback(port);
    if (!bytes.empty()) REQUIRE(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) > 0);
    const auto start = steady_clock::now();
    const auto limit = start + seconds(5);
    char sink[4096];
    for (;;) {
        const auto left = duration_cast<milliseconds>(limit - steady_clock::now()).count();
        if (left <= 0) break;
        pollfd watch{fd, POLLIN, 0};
        if (::poll(&watch, 1, static_cast<int>(left)) <= 0) break;
        if (::recv(fd, sink, sizeof sink, 0) <= 0) {
            ::close(fd);
            return duration_cast<milliseconds>(steady_clock::now() - start);
        }
    }
    ::close(fd);
    return seconds(5);
}

// The answers in `bytes`, cut at each status line.
std::vector<std::string> split_answers(const std::string& bytes) {
    std::vector<std::string> answers;
    for (auto at = bytes.find("HTTP/1.1 "); at != std::string::npos;) {
        const auto next = bytes.find("HTTP/1.1 ", at + 1);
        answers.push_back(bytes.substr(at, next == std::string::npos ? next : next - at));
        at = next;
    }
    return answers;
}

// Connects, sends `pieces` with `gap` between them, and reads until `answers` HTTP answers have
// arrived (counted by their status lines) or 5 s pass; returns every byte received.
std::string exchange(unsigned short port, const std::vector<std::string>& pieces,
                     std::chrono::milliseconds gap, int answers) {
    using namespace std::chrono;
    const int fd = connect_loopback(port);
    for (const std::string& piece : pieces) {
        REQUIRE(::send(fd, piece.data(), piece.size(), MSG_NOSIGNAL) ==
                static_cast<ssize_t>(piece.size()));
        std::this_thread::sleep_for(gap);
    }
    std::string received;
    const auto limit = steady_clock::now() + seconds(5);
    char sink[4096];
    // Complete when the last expected answer has its whole body (the demo answers are short
    // and never chunked: their Content-Length says how much).
    const auto complete = [&] {
        const std::vector<std::string> got = split_answers(received);
        if (static_cast<int>(got.size()) < answers) return false;
        const std::string& last = got.back();
        const auto length_at = last.find("Content-Length: ");
        const auto body_at = last.find("\r\n\r\n");
        if (length_at == std::string::npos || body_at == std::string::npos) return false;
        return last.size() - body_at - 4 >= std::stoul(last.substr(length_at + 16));
    };
    while (!complete()) {
        const auto left = duration_cast<milliseconds>(limit - steady_clock::now()).count();
        if (left <= 0) break;
        pollfd watch{fd, POLLIN, 0};
        if (::poll(&watch, 1, static_cast<int>(left)) <= 0) break;
        const ssize_t n = ::recv(fd, sink, sizeof sink, 0);
        if (n <= 0) break;
        received.append(sink, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return received;
}

}  // namespace

TEST_SUITE("integration.hostile") {
    TEST_CASE("deadlines: an idle or trickling client is cut off in time, a busy one never") {
        using namespace std::chrono;
        TempDir dir;
        const auto port = free_port();
        const auto config = dir.path() / "piotd.conf";
        std::ofstream(config) << "[server]\nlisten = 127.0.0.1:" << port
                              << "\nidle_timeout_ms = 400\nread_timeout_ms = 400\n";
        DaemonProcess daemon(
            {"--demo", "--config", config.string(), "--data-dir", (dir.path() / "data").string()},
            port);

        // Silent from the start (idle timeout), and stopped halfway through a request's header
        // (read timeout): both closed after about 400 ms, never much sooner or later.
        const auto silent = closed_after(port, "");
        CHECK(silent >= milliseconds(300));
        CHECK(silent < milliseconds(2500));
        const auto stalled =
            closed_after(port, "GET /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        CHECK(stalled >= milliseconds(300));
        CHECK(stalled < milliseconds(2500));

        // A keep-alive client asking every 100 ms for 1.5 s outlives several idle timeouts: each
        // request moves the deadline, and the connection is never cut between two of them.
        HttpClient client(port);
        for (int i = 0; i < 15; ++i) {
            CHECK(client.get("/api/v1/status").status == 200);
            std::this_thread::sleep_for(milliseconds(100));
        }
        CHECK(daemon.running());
    }

    TEST_CASE("pipelined, split and trickled requests are each answered, in order") {
        using namespace std::chrono_literals;
        TempDir dir;
        const auto port = free_port();
        DaemonProcess daemon({"--demo", "--data-dir", (dir.path() / "data").string(), "--listen",
                              "127.0.0.1:" + std::to_string(port)},
                             port);
        const std::string auth = "Authorization: Basic YWRtaW46YWRtaW4=\r\n";
        const auto check = [&](const std::string& cis) {
            return "GET /api/v1/cis/check?cis=" + cis + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth +
                   "\r\n";
        };
        const std::string post = "POST /api/v1/cis/outCheck HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                                 auth + "Content-Type: application/json\r\nContent-Length: " +
                                 std::to_string(17 + kAllowed.size()) + "\r\n\r\n" +
                                 R"({"cis_list":[")" + kAllowed + R"("]})";
        const std::string status =
            "GET /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth + "\r\n";

        // Three requests in one segment: three answers, in the order asked.
        std::string got = exchange(port, {check(kAllowed) + post + status}, 0ms, 3);
        std::vector<std::string> answers = split_answers(got);
        REQUIRE(answers.size() == 3);
        for (const std::string& answer : answers) CHECK(status_of(answer) == 200);
        CHECK(answers[0].find("\"isBlocked\":false") != std::string::npos);
        CHECK(answers[1].find("\"isBlocked\":false") != std::string::npos);
        CHECK(answers[2].find("\"status\":\"ready\"") != std::string::npos);

        // One request cut in the header and again in the body, the pieces 100 ms apart; then the
        // next request sent while the first answer is on its way.
        got = exchange(port,
                       {post.substr(0, 20), post.substr(20, post.size() - 25),
                        post.substr(post.size() - 5) + status},
                       100ms, 2);
        answers = split_answers(got);
        REQUIRE(answers.size() == 2);
        CHECK(status_of(answers[0]) == 200);
        CHECK(answers[0].find("\"isBlocked\":false") != std::string::npos);
        CHECK(status_of(answers[1]) == 200);
        CHECK(answers[1].find("\"status\":\"ready\"") != std::string::npos);

        // A request and the client's shutdown of its side in one go (as `nc -N` sends it): the
        // answer, then the server's close at once, not after the 60 s idle timeout. The end of
        // stream rides on the same epoll edge as the request (drained_read_buffer.hpp).
        for (int i = 0; i < 5; ++i) {
            const auto start = std::chrono::steady_clock::now();
            answers = split_answers(HttpClient::raw_exchange(port, status, 10'000, true));
            REQUIRE(answers.size() == 1);
            CHECK(status_of(answers[0]) == 200);
            CHECK(std::chrono::steady_clock::now() - start < 5s);
        }

        // A request trickled a byte at a time.
        std::vector<std::string> bytes;
        for (const char c : status) bytes.emplace_back(1, c);
        answers = split_answers(exchange(port, bytes, 1ms, 1));
        REQUIRE(answers.size() == 1);
        CHECK(status_of(answers[0]) == 200);
        CHECK(answers[0].find("\"status\":\"ready\"") != std::string::npos);
        CHECK(daemon.running());
    }

    TEST_CASE("hostile requests get clear errors while honest checks keep succeeding") {
        TempDir dir;
        const auto port = free_port();
        DaemonProcess daemon({"--demo", "--data-dir", (dir.path() / "data").string(), "--listen",
                              "127.0.0.1:" + std::to_string(port)},
                             port);

        std::atomic<bool> stop{false};
        std::atomic<int> good{0};
        std::atomic<int> bad{0};
        std::thread honest([&] {
            HttpClient client(port);
            while (!stop.load()) {
                try {
                    const auto reply = client.get("/api/v1/cis/check?cis=" + kAllowed);
                    (reply.status == 200 ? good : bad).fetch_add(1);
                } catch (const std::exception&) {
                    bad.fetch_add(1);
                }
            }
        });

        const auto all = cases();
        CHECK(all.size() >= 50);
        for (const Case& c : all) {
            CAPTURE(c.name);
            const std::string answer = HttpClient::raw_exchange(port, c.bytes, 3000, c.half_close);
            const int status = status_of(answer);
            if (c.expect == kClosed) {
                CHECK(status == kClosed);
                continue;
            }
            if (c.expect == kAnyClient) {
                CHECK((status == kClosed || (status >= 400 && status < 500)));
                if (status == kClosed) continue;
            } else {
                CHECK(status == c.expect);
            }
            CHECK(answer.find("Content-Type: application/json") != std::string::npos);
            rapidjson::Document body;
            const std::string text = body_of(answer);
            body.Parse(text.c_str(), text.size());
            REQUIRE_MESSAGE(!body.HasParseError(), "not JSON: " << text.substr(0, 200));
            CHECK(body["errorCode"].IsInt());
            CHECK(body["description"].IsString());
        }

        // The limit is exactly 10,000 codes: that many pass.
        HttpClient client(port);
        CHECK(client.post("/api/v1/cis/outCheck", codes_body(10'000, kAllowed)).status == 200);

        stop.store(true);
        honest.join();
        CHECK(bad.load() == 0);
        CHECK(good.load() > 50);
        // Still answering afterwards, and the process is alive.
        CHECK(client.get("/api/v1/status").status == 200);
        CHECK(daemon.running());
    }
}
