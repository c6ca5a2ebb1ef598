// piotd_fake_local_module: a fake «Честный знак» local module (ЛМ ЧЗ, lm-api.md §3–5) for the
// integration tests and benchmarks of piotd's LM client: the status, init, check and sold-set
// API of one API version, Basic auth, and a control API to change its lists and inject faults.
//
//   piotd_fake_local_module --listen 127.0.0.1:PORT [--api 1|2] [--user U] [--password P]
//       [--status ready|not_configured|initialization|sync_error] [--init-ms N]
//       [--inst UUID] [--version V] [--threads N]
//
// Only the configured API version is served (the other one answers 404), so a client's version
// detection can be tested. Control (no auth) under /control/: see README.md beside this file.
// Prints "fake_local_module listening on PORT" to stderr once it accepts connections (PORT 0
// picks a free port); SIGTERM/SIGINT stop it with exit status 0.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "tests/fakes/fake_local_module_state.hpp"
#include "tests/fakes/fake_server.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace piotd::fakes {

namespace {

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

constexpr std::uint64_t kApiBodyLimit = 1024 * 1024;
// Larger, so a benchmark can block a real-sized list (1.1M КИ is ~36 MB) in one request.
constexpr std::uint64_t kControlBodyLimit = 64ULL * 1024 * 1024;
constexpr auto kIdleTimeout = std::chrono::seconds(60);
constexpr auto kWriteTimeout = std::chrono::seconds(30);
constexpr auto kHangLimit = std::chrono::minutes(10);
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

struct Options {
    std::string host = "127.0.0.1";
    unsigned short port = 0;
    std::string user = "admin";
    std::string password = "admin";
    int threads = 2;
    LmOptions lm;
};

struct Server {
    asio::io_context& context;
    LmState& state;
    std::string authorization;  // the base64 token of "user:password"
};

std::string base64(std::string_view bytes) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const unsigned n = static_cast<unsigned char>(bytes[i]) << 16 |
                           static_cast<unsigned char>(bytes[i + 1]) << 8 |
                           static_cast<unsigned char>(bytes[i + 2]);
        for (const int shift : {18, 12, 6, 0}) out += kAlphabet[(n >> shift) & 63];
    }
    if (i < bytes.size()) {
        const bool two = i + 1 < bytes.size();
        const unsigned n = static_cast<unsigned char>(bytes[i]) << 16 |
                           (two ? static_cast<unsigned char>(bytes[i + 1]) << 8 : 0U);
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += two ? kAlphabet[(n >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

bool authorized(const Request& request, const std::string& token) {
    const auto it = request.find(http::field::authorization);
    if (it == request.end()) return false;
    std::string_view value = it->value();
    constexpr std::string_view kScheme = "basic ";
    if (value.size() <= kScheme.size() || !beast::iequals(value.substr(0, 6), kScheme)) {
        return false;
    }
    value.remove_prefix(kScheme.size());
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
    return value == token;
}

// Which endpoint an /api/ path is in this API version, and whether `method` is the one it takes.
struct Route {
    LmEndpoint endpoint = LmEndpoint::other;
    bool method_ok = false;
    const char* allow = "";
};

Route route_api(std::string_view path, http::verb method, int api) {
    const std::string prefix = "/api/v" + std::to_string(api) + "/";
    if (!path.starts_with(prefix)) return {};
    const std::string_view name = path.substr(prefix.size());
    const bool get = method == http::verb::get;
    const bool post = method == http::verb::post;
    if (name == "status") return {LmEndpoint::status, get, "GET"};
    if (name == "init") return {LmEndpoint::init, post, "POST"};
    if (api == 1 && (name == "cis/check" || name == "cis/outCheck")) {
        return {LmEndpoint::check, get || post, "GET, POST"};
    }
    if (api == 2) {
        if (name == "cis/outCheck") return {LmEndpoint::check, post, "POST"};
        if (name == "cis/sell") return {LmEndpoint::sell, post, "POST"};
        if (name == "cis/return") return {LmEndpoint::ret, post, "POST"};
        if (name == "cis/sold") return {LmEndpoint::sold, get, "GET"};
    }
    return {};
}

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(tcp::socket socket, Server& server)
        : stream_(std::move(socket)), timer_(stream_.get_executor()), server_(server) {
        beast::error_code ignored;
        stream_.socket().set_option(tcp::no_delay(true), ignored);
        server_.state.count_connection();
    }

    void start() { read(); }

private:
    void read() {
        parser_.emplace();
        // The larger limit until the path is known; on_header lowers it for the LM API.
        parser_->body_limit(kControlBodyLimit);
        stream_.expires_after(kIdleTimeout);
        http::async_read_header(stream_, buffer_, *parser_,
                                [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                    self->on_header(ec);
                                });
    }

    void on_header(beast::error_code ec) {
        if (ec) return on_read(ec);
        const auto& head = parser_->get();
        if (!head.target().starts_with("/control/")) {
            const auto length = parser_->content_length();
            if (length && *length > kApiBodyLimit) return on_read(http::error::body_limit);
            parser_->body_limit(kApiBodyLimit);  // a chunked body is checked as it comes
        }
        // curl sends "Expect: 100-continue" with larger bodies and waits a second for the go-ahead.
        const auto expect = head.find(http::field::expect);
        if (expect != head.end() && beast::iequals(expect->value(), "100-continue") &&
            !parser_->is_done()) {
            stream_.expires_after(kWriteTimeout);
            return asio::async_write(
                stream_, asio::buffer(kContinue),
                [self = shared_from_this()](beast::error_code ec2, std::size_t) {
                    if (ec2) return self->close(true);
                    self->read_body();
                });
        }
        read_body();
    }

    void read_body() {
        stream_.expires_after(kIdleTimeout);
        http::async_read(
            stream_, buffer_, *parser_,
            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec) {
        if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
            ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
            ec == asio::error::eof) {
            return close(false);
        }
        request_ = parser_->release();
        if (ec) {
            // The rest of the request is unread: answer and close.
            const bool too_large = ec == http::error::body_limit;
            request_.version(11);
            request_.keep_alive(false);
            return write(too_large ? 413 : 400,
                         lm_error_body(too_large ? 413 : 400,
                                       too_large ? "request body too large" : ec.message()));
        }
        dispatch();
    }

    // ---- routing

    void dispatch() {
        const std::string_view target = request_.target();
        const std::size_t question = target.find('?');
        const std::string_view path = target.substr(0, question);
        const std::string_view query =
            question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
        const http::verb method = request_.method();
        if (path.starts_with("/control/")) {
            if (method != http::verb::get && method != http::verb::post) {
                return write(405, lm_error_body(405, "method not allowed"));
            }
            const LmAnswer answer = server_.state.control(
                path.substr(9), method == http::verb::post, query, request_.body());
            return write(answer.status, answer.body);
        }
        if (!path.starts_with("/api/")) return write(404, lm_error_body(404, "not found"));

        const auto client_id = request_.find("X-ClientId");
        if (client_id != request_.end()) server_.state.record_client_id(client_id->value());
        route_ = route_api(path, method, server_.state.api());
        server_.state.count_request(route_.endpoint);
        if (!authorized(request_, server_.authorization)) {
            server_.state.count_unauthorized();
            Response response = make_response(401, lm_error_body(401, "unauthorized"));
            response.set(http::field::www_authenticate, "Basic realm=\"regime\"");
            return write(std::move(response));
        }
        if (route_.endpoint == LmEndpoint::other) {
            return write(404, lm_error_body(404, "not found"));
        }
        if (!route_.method_ok) {
            Response response = make_response(405, lm_error_body(405, "method not allowed"));
            response.set(http::field::allow, route_.allow);
            return write(std::move(response));
        }
        if (route_.endpoint == LmEndpoint::check) {
            check_ = method == http::verb::get ? server_.state.read_check_get(query)
                                               : server_.state.read_check_post(request_.body());
        }
        const LmFault fault = server_.state.take_fault(route_.endpoint);
        switch (fault.mode) {
            case LmFaultMode::none:
                return answer(query);
            case LmFaultMode::slow:
                timer_.expires_after(std::chrono::milliseconds(fault.delay_ms));
                return timer_.async_wait([self = shared_from_this(), query](beast::error_code ec) {
                    if (ec) return self->close(true);
                    self->answer(query);
                });
            case LmFaultMode::hang:
                hang_deadline_ = std::chrono::steady_clock::now() + kHangLimit;
                return hang();
            case LmFaultMode::drop:
                return close(true);
            case LmFaultMode::reset: {
                // SO_LINGER 0: close() sends RST instead of FIN.
                beast::error_code ignored;
                stream_.socket().set_option(asio::socket_base::linger(true, 0), ignored);
                stream_.socket().close(ignored);
                return;
            }
            case LmFaultMode::garbage:
                return write(200, "{\"code\":0,\"codes\":[{\"cis\":\x01 this is not JSON");
            case LmFaultMode::status: {
                // 204 and 304 must not have a body (Beast refuses to serialise one).
                const bool bodiless = fault.status == 204 || fault.status == 304;
                return write(fault.status,
                             bodiless ? std::string() : lm_error_body(fault.status, "injected"));
            }
        }
    }

    // `query` views request_'s target, which lives until the next read.
    void answer(std::string_view query) {
        LmState& state = server_.state;
        switch (route_.endpoint) {
            case LmEndpoint::status: {
                const LmAnswer answer = state.status_answer();
                return write(answer.status, answer.body);
            }
            case LmEndpoint::init: {
                const LmInitResult result = state.init(request_.body());
                if (result.ready_generation) schedule_ready(*result.ready_generation);
                return write(result.answer.status, result.answer.body);
            }
            case LmEndpoint::check: {
                const LmAnswer answer = state.check(check_);
                return write(answer.status, answer.body);
            }
            case LmEndpoint::sell:
            case LmEndpoint::ret: {
                const LmAnswer answer =
                    state.sale(request_.body(), route_.endpoint == LmEndpoint::sell);
                return write(answer.status, answer.body);
            }
            case LmEndpoint::sold: {
                const LmAnswer answer = state.sold(query);
                return write(answer.status, answer.body);
            }
            case LmEndpoint::other:
                break;
        }
        write(404, lm_error_body(404, "not found"));
    }

    // initialization -> ready after --init-ms, on a timer of its own (not this connection's).
    void schedule_ready(std::uint64_t generation) {
        auto timer = std::make_shared<asio::steady_timer>(
            server_.context, std::chrono::milliseconds(server_.state.init_ms()));
        LmState& state = server_.state;
        timer->async_wait([timer, &state, generation](beast::error_code ec) {
            if (!ec) state.finish_init(generation);
        });
    }

    // The request is read and never answered; the connection stays open until the client gives
    // up (its read sees EOF or an error) or kHangLimit passes. Only this connection's strand
    // waits, so other connections and the control API go on.
    void hang() {
        stream_.expires_at(hang_deadline_);
        stream_.async_read_some(asio::buffer(scratch_),
                                [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                    if (ec) return self->close(true);
                                    self->hang();  // pipelined bytes are ignored
                                });
    }

    // ---- writing

    Response make_response(unsigned status, std::string body) const {
        Response response{static_cast<http::status>(status), request_.version()};
        response.set(http::field::content_type, "application/json");
        response.keep_alive(request_.keep_alive());
        response.body() = std::move(body);
        response.prepare_payload();
        return response;
    }

    void write(unsigned status, std::string body) { write(make_response(status, std::move(body))); }

    void write(Response response) {
        response_ = std::move(response);
        stream_.expires_after(kWriteTimeout);
        http::async_write(stream_, response_,
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec || !self->response_.keep_alive()) return self->close(!!ec);
                              self->read();
                          });
    }

    // `abort`: drop at once (a fault, an error); otherwise say goodbye politely.
    void close(bool abort) {
        beast::error_code ignored;
        timer_.cancel();
        stream_.socket().shutdown(abort ? tcp::socket::shutdown_both : tcp::socket::shutdown_send,
                                  ignored);
        stream_.socket().close(ignored);
    }

    beast::tcp_stream stream_;
    asio::steady_timer timer_;
    Server& server_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    Request request_;
    Route route_;
    LmCheckRequest check_;
    Response response_;
    std::chrono::steady_clock::time_point hang_deadline_;
    std::array<char, 4096> scratch_{};
};

// ---- command line

void usage() {
    std::fprintf(stderr,
                 "usage: piotd_fake_local_module --listen HOST:PORT [--api 1|2] [--user U] "
                 "[--password P] [--status ready|not_configured|initialization|sync_error] "
                 "[--init-ms N] [--inst UUID] [--version V] [--threads N]\n");
}

std::optional<Options> parse_command_line(int argc, char** argv) {
    Options options;
    bool listen = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view flag = argv[i];
        if (flag == "--help" || flag == "-h") return {};
        if (i + 1 >= argc) {
            std::fprintf(stderr, "%s needs a value\n", argv[i]);
            return {};
        }
        const std::string_view value = argv[++i];
        bool ok = true;
        if (flag == "--listen") {
            ok = parse_listen(value, options.host, options.port);
            listen = ok;
        } else if (flag == "--api") {
            ok =
                parse_number(value, options.lm.api) && (options.lm.api == 1 || options.lm.api == 2);
        } else if (flag == "--user") {
            options.user = value;
        } else if (flag == "--password") {
            options.password = value;
        } else if (flag == "--status") {
            const auto status = parse_lm_status(value);
            ok = status.has_value();
            if (ok) options.lm.status = *status;
        } else if (flag == "--init-ms") {
            ok = parse_number(value, options.lm.init_ms);
        } else if (flag == "--inst") {
            options.lm.inst = value;
        } else if (flag == "--version") {
            options.lm.version = value;
        } else if (flag == "--threads") {
            ok = parse_number(value, options.threads) && options.threads >= 1 &&
                 options.threads <= 64;
        } else {
            std::fprintf(stderr, "unknown option %s\n", argv[i - 1]);
            return {};
        }
        if (!ok) {
            std::fprintf(stderr, "bad value for %s: %s\n", argv[i - 1], argv[i]);
            return {};
        }
    }
    if (!listen) {
        std::fprintf(stderr, "--listen HOST:PORT is required\n");
        return {};
    }
    return options;
}

int run(const Options& options) {
    LmState state(options.lm);
    asio::io_context context(options.threads);
    Server server{context, state, base64(options.user + ":" + options.password)};

    // Started with --status initialization, the module finishes "initialising" like after init.
    if (options.lm.status == LmStatus::initialization && options.lm.init_ms > 0) {
        auto timer = std::make_shared<asio::steady_timer>(
            context, std::chrono::milliseconds(options.lm.init_ms));
        timer->async_wait([timer, &state](beast::error_code ec) {
            if (!ec) state.finish_init(0);
        });
    }

    serve_sessions<Session>("fake_local_module", options.host, options.port, options.threads,
                            context, server);
    return 0;
}

}  // namespace

}  // namespace piotd::fakes

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    const auto options = piotd::fakes::parse_command_line(argc, argv);
    if (!options) {
        piotd::fakes::usage();
        return 2;
    }
    try {
        return piotd::fakes::run(*options);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "fake_local_module: %s\n", error.what());
        return 1;
    }
}
