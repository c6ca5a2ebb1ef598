// piotd_fake_upstream: the replication upstream of docs/replication.md for integration tests,
// with deterministic real-sized lists, a control API to change them, and injectable faults.
//
//   piotd_fake_upstream --listen 127.0.0.1:PORT [--cis N] [--gtin N] [--series N]
//       [--min-price N] [--seed S] [--user U --password P] [--threads N] [--log-limit N]
//
// Replication (Basic auth): GET /api/v1/replication/state, /snapshot?list=&after=,
// /changes?list=&epoch=&since=&limit=. Control (no auth): see README.md beside this file.
// Prints "fake_upstream listening on PORT" to stderr once it accepts connections (PORT 0 picks a
// free port); SIGTERM/SIGINT stop it with exit status 0.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "protocol/text/base64.hpp"
#include "protocol/json/json_writer.hpp"
#include "tests/fakes/fake_body_source.hpp"
#include "tests/fakes/fake_fault.hpp"
#include "tests/fakes/fake_list.hpp"
#include "tests/fakes/fake_query.hpp"
#include "tests/fakes/fake_server.hpp"
#include "tests/fakes/fake_stats.hpp"
#include "tests/fakes/fake_upstream_state.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace piotd::fakes {

namespace {

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

constexpr std::size_t kChunkBytes = 64 * 1024;
constexpr std::size_t kMaxChangesPage = 10'000;
constexpr std::uint64_t kBodyLimit = 64ULL * 1024 * 1024;  // control bodies: items to add
constexpr auto kIdleTimeout = std::chrono::seconds(60);
constexpr auto kWriteTimeout = std::chrono::seconds(30);
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

struct Options {
    std::string host = "127.0.0.1";
    unsigned short port = 0;
    UpstreamOptions upstream;
    std::string user = "admin";
    std::string password = "admin";
    int threads = 2;
};

struct Server {
    UpstreamState& state;
    FaultPlan& faults;
    FakeStats& stats;
    std::string authorization;  // the base64 token of "user:password"
};

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string error_body(unsigned status, unsigned error_code, std::string_view error,
                       std::string_view description) {
    piotd::protocol::JsonBuffer buffer;
    protocol::JsonWriter writer(buffer);
    writer.StartObject();
    protocol::write_key(writer, "code");
    writer.Uint(status);
    protocol::write_key(writer, "description");
    protocol::write_string(writer, description);
    protocol::write_key(writer, "errorCode");
    writer.Uint(error_code);
    protocol::write_key(writer, "error");
    protocol::write_string(writer, error);
    writer.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
}

Response make_response(const Request& request, unsigned status, std::string body,
                       std::string_view content_type = "application/json; charset=utf-8") {
    Response response{static_cast<http::status>(status), request.version()};
    response.set(http::field::server, "piotd_fake_upstream");
    response.set(http::field::content_type, content_type);
    response.keep_alive(request.keep_alive());
    response.body() = std::move(body);
    response.prepare_payload();
    return response;
}

Response json_error(const Request& request, unsigned status, unsigned error_code,
                    std::string_view error, std::string_view description) {
    return make_response(request, status, error_body(status, error_code, error, description));
}

Response bad_request(const Request& request, std::string_view description) {
    return json_error(request, 400, 4000, "bad_request", description);
}

std::string summary_json(FakeList list, const ListSummary& summary, std::size_t applied) {
    piotd::protocol::JsonBuffer buffer;
    protocol::JsonWriter writer(buffer);
    writer.StartObject();
    protocol::write_key(writer, "list");
    protocol::write_string(writer, fake_list_name(list));
    protocol::write_key(writer, "epoch");
    protocol::write_string(writer, summary.epoch);
    protocol::write_key(writer, "seq");
    writer.Uint64(summary.seq);
    protocol::write_key(writer, "docCount");
    writer.Uint64(summary.doc_count);
    protocol::write_key(writer, "oldestSeq");
    writer.Uint64(summary.oldest_seq);
    protocol::write_key(writer, "applied");
    writer.Uint64(applied);
    writer.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
}

bool authorized(const Request& request, const std::string& token) {
    const auto it = request.find(http::field::authorization);
    if (it == request.end()) return false;
    std::string_view value = it->value();
    constexpr std::string_view kScheme = "basic ";
    if (value.size() <= kScheme.size()) return false;
    for (std::size_t i = 0; i < kScheme.size(); ++i) {
        const char c = value[i];
        if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c) != kScheme[i]) return false;
    }
    value.remove_prefix(kScheme.size());
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    return value == token;
}

// What a request gets: a whole answer, or a head whose body a BodySource streams.
struct Reply {
    Response response;
    std::unique_ptr<BodySource> stream;
    Fault fault;
};

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(tcp::socket socket, Server& server)
        : stream_(std::move(socket)), timer_(stream_.get_executor()), server_(server) {
        beast::error_code ignored;
        stream_.socket().set_option(tcp::no_delay(true), ignored);
        server_.stats.connections.fetch_add(1);
    }

    void start() { read(); }

private:
    void read() {
        parser_.emplace();
        parser_->body_limit(kBodyLimit);
        stream_.expires_after(kIdleTimeout);
        http::async_read_header(stream_, buffer_, *parser_,
                                [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                    if (ec) return self->on_read(ec);
                                    self->read_body();
                                });
    }

    // curl sends "Expect: 100-continue" with larger bodies and waits a second for the go-ahead.
    void read_body() {
        const auto& head = parser_->get();
        const auto expect = head.find(http::field::expect);
        if (expect != head.end() && beast::iequals(expect->value(), "100-continue") &&
            !parser_->is_done()) {
            stream_.expires_after(kWriteTimeout);
            return asio::async_write(
                stream_, asio::buffer(kContinue),
                [self = shared_from_this()](beast::error_code ec, std::size_t) {
                    if (ec) return self->close(true);
                    self->read_rest();
                });
        }
        read_rest();
    }

    void read_rest() {
        stream_.expires_after(kIdleTimeout);
        http::async_read(
            stream_, buffer_, *parser_,
            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec) {
        if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
            ec == asio::error::operation_aborted || ec == asio::error::connection_reset) {
            return close(false);
        }
        request_ = parser_->release();
        if (ec) {
            request_.version(11);
            request_.keep_alive(false);
            const bool too_large = ec == http::error::body_limit;
            reply_ = Reply{json_error(request_, too_large ? 413 : 400, too_large ? 4130 : 4000,
                                      too_large ? "body_too_large" : "bad_request", ec.message()),
                           nullptr, Fault{}};
        } else {
            reply_ = handle();
        }
        respond();
    }

    // ---- routing

    Reply handle() {
        const std::string_view target = request_.target();
        const std::size_t question = target.find('?');
        const std::string_view path = target.substr(0, question);
        query_ =
            question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
        if (path.starts_with("/control/")) {
            server_.stats.control.fetch_add(1);
            return control(path.substr(9));
        }
        constexpr std::string_view kPrefix = "/api/v1/replication/";
        if (!path.starts_with(kPrefix)) {
            server_.stats.other.fetch_add(1);
            return whole(json_error(request_, 404, 4040, "not_found", "no such endpoint"));
        }
        const std::string_view name = path.substr(kPrefix.size());
        std::optional<Endpoint> endpoint;
        if (name == "state") {
            endpoint = Endpoint::state;
            server_.stats.state.fetch_add(1);
        } else if (name == "snapshot") {
            endpoint = Endpoint::snapshot;
            server_.stats.snapshot.fetch_add(1);
            server_.stats.note_snapshot_request();
        } else if (name == "changes") {
            endpoint = Endpoint::changes;
            server_.stats.changes.fetch_add(1);
        } else {
            server_.stats.other.fetch_add(1);
        }
        if (!authorized(request_, server_.authorization)) {
            server_.stats.unauthorized.fetch_add(1);
            Response response = json_error(request_, 401, 4010, "unauthorized",
                                           "missing or wrong Basic credentials");
            response.set(http::field::www_authenticate, "Basic realm=\"piotd\"");
            return whole(std::move(response));
        }
        if (!endpoint)
            return whole(json_error(request_, 404, 4040, "not_found", "no such endpoint"));
        if (request_.method() != http::verb::get) {
            return whole(json_error(request_, 405, 4005, "method_not_allowed",
                                    "method not allowed for this path"));
        }
        const Fault fault = server_.faults.take(*endpoint);
        if (fault.mode != FaultMode::none) server_.stats.faulted.fetch_add(1);
        if (fault.mode == FaultMode::status) {
            Response response = json_error(request_, fault.status, fault.status * 10,
                                           "injected_fault", "fault injected by the fake upstream");
            if (fault.status == 429 || fault.status == 503) {
                response.set(http::field::retry_after, std::to_string(fault.retry_after_s));
            }
            return whole(std::move(response));
        }
        Reply reply = [&] {
            switch (*endpoint) {
                case Endpoint::state:
                    return whole(make_response(request_, 200, server_.state.state_json(now_ms())));
                case Endpoint::snapshot:
                    return snapshot(fault);
                case Endpoint::changes:
                    return changes();
            }
            return whole(json_error(request_, 404, 4040, "not_found", "no such endpoint"));
        }();
        reply.fault = fault;
        if (!reply.stream) corrupt(reply.response, fault);
        return reply;
    }

    static Reply whole(Response response) { return Reply{std::move(response), nullptr, Fault{}}; }

    // garbage and truncate on whole (JSON) answers.
    static void corrupt(Response& response, const Fault& fault) {
        if (fault.mode == FaultMode::garbage) {
            response.result(http::status::ok);
            response.body() = R"({"serverTime":1763900000000,"lists":{"blocked_cis":{"epoch":)"
                              "\x01 this is not JSON";
            response.prepare_payload();
        } else if (fault.mode == FaultMode::truncate) {
            response.body().resize(response.body().size() / 2);
            response.prepare_payload();
        }
    }

    std::optional<FakeList> list_param(std::string& error) const {
        const QueryValue list = query_param(query_, "list");
        if (!list.present || !list.valid) {
            error = "list is required";
            return {};
        }
        auto parsed = parse_fake_list(list.value);
        if (!parsed) error = "unknown list " + list.value;
        return parsed;
    }

    Reply snapshot(const Fault& fault) {
        std::string error;
        const auto list = list_param(error);
        if (!list) return whole(bad_request(request_, error));
        const QueryValue after = query_param(query_, "after");
        if (!after.valid) return whole(bad_request(request_, "after is not percent-encoded"));
        if (after.present && after.value.empty())
            return whole(bad_request(request_, "empty after"));
        if (after.present) server_.stats.snapshots_resumed.fetch_add(1);
        SnapshotView view = server_.state.snapshot(
            *list, after.present ? std::optional<std::string_view>(after.value) : std::nullopt);
        return Reply{make_response(request_, 200, {}, "application/x-ndjson"),
                     std::make_unique<SnapshotSource>(std::move(view), fault, server_.stats),
                     Fault{}};
    }

    Reply changes() {
        std::string error;
        const auto list = list_param(error);
        if (!list) return whole(bad_request(request_, error));
        const QueryValue epoch = query_param(query_, "epoch");
        if (!epoch.present || !epoch.valid)
            return whole(bad_request(request_, "epoch is required"));
        const auto since = query_u64(query_, "since");
        if (!since) return whole(bad_request(request_, "since must be an unsigned integer"));
        std::uint64_t limit = kMaxChangesPage;
        if (query_param(query_, "limit").present) {
            const auto given = query_u64(query_, "limit");
            if (!given || *given == 0) {
                return whole(bad_request(request_, "limit must be a positive integer"));
            }
            limit = std::min<std::uint64_t>(*given, kMaxChangesPage);
        }
        ChangesAnswer answer = server_.state.changes(*list, epoch.value, *since, limit);
        if (answer.snapshot_required) {
            return whole(json_error(request_, 410, 4100, "snapshot_required", answer.why));
        }
        return whole(make_response(request_, 200, std::move(answer.body)));
    }

    // ---- control API (no auth)

    Reply control(std::string_view action) {
        const http::verb method = request_.method();
        const bool post = method == http::verb::post;
        const bool get = method == http::verb::get;
        auto method_not_allowed = [&] {
            return whole(json_error(request_, 405, 4005, "method_not_allowed",
                                    "method not allowed for this path"));
        };
        if (action == "stats") {
            if (!get) return method_not_allowed();
            return whole(make_response(request_, 200, stats_json()));
        }
        if (action == "stats/reset") {
            if (!post) return method_not_allowed();
            server_.stats.reset();
            return whole(make_response(request_, 200, stats_json()));
        }
        if (action == "fault") {
            if (get) return whole(make_response(request_, 200, server_.faults.to_json()));
            if (!post) return method_not_allowed();
            const FaultParse parsed = parse_fault(request_.body());
            if (!parsed.ok) return whole(bad_request(request_, parsed.error));
            server_.faults.set(parsed.fault);
            return whole(make_response(request_, 200, server_.faults.to_json()));
        }
        if (action == "items") {
            if (!get) return method_not_allowed();
            std::string error;
            const auto list = list_param(error);
            if (!list) return whole(bad_request(request_, error));
            return Reply{make_response(request_, 200, {}, "text/plain; charset=utf-8"),
                         std::make_unique<ItemLinesSource>(server_.state.items(*list)), Fault{}};
        }
        if (action == "add" || action == "remove") {
            if (!post) return method_not_allowed();
            std::string error;
            const auto list = list_param(error);
            if (!list) return whole(bad_request(request_, error));
            const EditResult result = server_.state.apply(
                *list, action == "add" ? protocol::ChangeOp::add : protocol::ChangeOp::remove,
                request_.body(), query_flag(query_, "raw"));
            if (!result.ok) return whole(bad_request(request_, result.error));
            return whole(
                make_response(request_, 200, summary_json(*list, result.summary, result.applied)));
        }
        if (action == "reset") {
            if (!post) return method_not_allowed();
            return reset();
        }
        if (action == "compact") {
            if (!post) return method_not_allowed();
            std::string error;
            const auto list = list_param(error);
            if (!list) return whole(bad_request(request_, error));
            std::uint64_t keep = 0;
            if (query_param(query_, "keep").present) {
                const auto given = query_u64(query_, "keep");
                if (!given) return whole(bad_request(request_, "keep must be an unsigned integer"));
                keep = *given;
            }
            const ListSummary summary = server_.state.compact(*list, keep);
            return whole(make_response(request_, 200, summary_json(*list, summary, 0)));
        }
        return whole(json_error(request_, 404, 4040, "not_found", "no such control endpoint"));
    }

    Reply reset() {
        std::vector<FakeList> lists;
        const QueryValue list = query_param(query_, "list");
        if (!list.present || list.value == "all") {
            lists.assign(kFakeLists.begin(), kFakeLists.end());
        } else {
            const auto parsed = parse_fake_list(list.value);
            if (!parsed) return whole(bad_request(request_, "unknown list " + list.value));
            lists.push_back(*parsed);
        }
        bool zero_seq = false;
        if (query_param(query_, "seq").present) {
            const auto seq = query_u64(query_, "seq");
            if (!seq || *seq != 0)
                return whole(bad_request(request_, "seq can only be reset to 0"));
            zero_seq = true;
        }
        ResetItems items = ResetItems::keep;
        if (const QueryValue mode = query_param(query_, "items"); mode.present) {
            if (mode.value == "keep") {
                items = ResetItems::keep;
            } else if (mode.value == "base") {
                items = ResetItems::base;
            } else if (mode.value == "empty") {
                items = ResetItems::empty;
            } else if (mode.value == "body" && lists.size() == 1) {
                items = ResetItems::body;
            } else {
                return whole(bad_request(request_,
                                         "items must be keep, base, empty or (for one list) body"));
            }
        }
        std::string body = "{";
        for (const FakeList each : lists) {
            const EditResult result = server_.state.reset(each, zero_seq, items, request_.body());
            if (!result.ok) return whole(bad_request(request_, result.error));
            if (body.size() > 1) body += ',';
            body += '"';
            body += fake_list_name(each);
            body += "\":";
            body += summary_json(each, result.summary, 0);
        }
        body += '}';
        return whole(make_response(request_, 200, std::move(body)));
    }

    std::string stats_json() const {
        const FakeStats& s = server_.stats;
        std::string out = "{\"requests\":{";
        out += "\"state\":" + std::to_string(s.state.load());
        out += ",\"snapshot\":" + std::to_string(s.snapshot.load());
        out += ",\"changes\":" + std::to_string(s.changes.load());
        out += ",\"control\":" + std::to_string(s.control.load());
        out += ",\"other\":" + std::to_string(s.other.load());
        out += "},\"unauthorized\":" + std::to_string(s.unauthorized.load());
        out += ",\"faulted\":" + std::to_string(s.faulted.load());
        out += ",\"snapshotsResumed\":" + std::to_string(s.snapshots_resumed.load());
        out += ",\"snapshotsCompleted\":" + std::to_string(s.snapshots_completed.load());
        out += ",\"itemsStreamed\":" + std::to_string(s.items_streamed.load());
        out += ",\"activeStreams\":" + std::to_string(s.active_streams.load());
        out += ",\"connections\":" + std::to_string(s.connections.load());
        out += ",\"snapshotRequestMs\":" + server_.stats.snapshot_times_json();
        out += ",\"fault\":" + server_.faults.to_json();
        out += ",\"lists\":" + server_.state.lists_json();
        out += '}';
        return out;
    }

    // ---- writing

    void respond() {
        keep_alive_ = reply_.response.keep_alive();
        const Fault& fault = reply_.fault;
        if (fault.mode == FaultMode::slow && fault.delay.count() > 0) {
            return delay([self = shared_from_this()] { self->write_reply(); });
        }
        write_reply();
    }

    void write_reply() {
        if (reply_.stream) return start_stream();
        if (reply_.fault.mode == FaultMode::drop) {
            // The head and the first after_bytes of the body, then the connection goes away.
            std::ostringstream head;
            head << reply_.response.base();
            raw_ = head.str();
            const std::string& body = reply_.response.body();
            raw_.append(body, 0, std::min<std::uint64_t>(reply_.fault.after_bytes, body.size()));
            stream_.expires_after(kWriteTimeout);
            return asio::async_write(
                stream_, asio::buffer(raw_),
                [self = shared_from_this()](beast::error_code, std::size_t) { self->close(true); });
        }
        stream_.expires_after(kWriteTimeout);
        http::async_write(
            stream_, reply_.response,
            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->finish(ec); });
    }

    void start_stream() {
        server_.stats.active_streams.fetch_add(1);
        streaming_ = true;
        body_sent_ = 0;
        head_ = http::response<http::empty_body>{reply_.response.result(), request_.version()};
        for (const auto& field : reply_.response.base()) {
            if (field.name() != http::field::content_length) {
                head_.set(field.name_string(), field.value());
            }
        }
        chunked_ = request_.version() >= 11;
        if (chunked_) {
            head_.chunked(true);
            head_.keep_alive(keep_alive_);
        } else {
            keep_alive_ = false;  // HTTP/1.0: the end of the body is the end of the connection
            head_.keep_alive(false);
        }
        head_serializer_.emplace(head_);
        stream_.expires_after(kWriteTimeout);
        http::async_write_header(stream_, *head_serializer_,
                                 [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                     if (ec) return self->close(true);
                                     self->next_chunk();
                                 });
    }

    void next_chunk() {
        chunk_.clear();
        bool last = false;
        try {
            last = !reply_.stream->next(chunk_, kChunkBytes);
        } catch (const std::exception&) {
            return close(true);  // no final chunk: the client sees a broken stream
        }
        const Fault& fault = reply_.fault;
        bool drop = false;
        if (fault.mode == FaultMode::drop && body_sent_ + chunk_.size() >= fault.after_bytes) {
            chunk_.resize(fault.after_bytes - body_sent_);
            drop = true;
        }
        body_sent_ += chunk_.size();
        auto write = [self = shared_from_this(), last, drop] { self->write_chunk(last, drop); };
        if (fault.mode == FaultMode::slow && fault.delay.count() > 0) return delay(write);
        write();
    }

    void write_chunk(bool last, bool drop) {
        auto on_written = [self = shared_from_this(), last, drop](beast::error_code ec,
                                                                  std::size_t) {
            if (ec || drop) return self->close(true);
            if (!last) return self->next_chunk();
            if (!self->chunked_) return self->finish(ec);
            self->stream_.expires_after(kWriteTimeout);
            asio::async_write(self->stream_, http::make_chunk_last(),
                              [self](beast::error_code ec2, std::size_t) { self->finish(ec2); });
        };
        stream_.expires_after(kWriteTimeout);
        if (chunk_.empty()) {
            if (drop) return close(true);
            return on_written({}, 0);
        }
        if (chunked_) {
            asio::async_write(stream_, http::make_chunk(asio::buffer(chunk_)), on_written);
        } else {
            asio::async_write(stream_, asio::buffer(chunk_), on_written);
        }
    }

    template <class Then>
    void delay(Then then) {
        timer_.expires_after(reply_.fault.delay);
        timer_.async_wait(
            [self = shared_from_this(), then = std::move(then)](beast::error_code ec) mutable {
                if (ec) return self->close(true);
                then();
            });
    }

    void finish(beast::error_code ec) {
        end_stream();
        if (ec || !keep_alive_) return close(false);
        reply_ = Reply{};
        read();
    }

    void end_stream() {
        if (!streaming_) return;
        streaming_ = false;
        server_.stats.active_streams.fetch_sub(1);
        head_serializer_.reset();
    }

    // `abort`: drop at once (a fault, an error); otherwise say goodbye politely.
    void close(bool abort) {
        end_stream();
        beast::error_code ignored;
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
    std::string_view query_;
    Reply reply_;
    bool keep_alive_ = false;
    bool streaming_ = false;
    bool chunked_ = true;
    std::uint64_t body_sent_ = 0;
    http::response<http::empty_body> head_;
    std::optional<http::response_serializer<http::empty_body>> head_serializer_;
    std::string chunk_;
    std::string raw_;
};

// ---- command line

void usage() {
    std::fprintf(stderr,
                 "usage: piotd_fake_upstream --listen HOST:PORT [--cis N] [--gtin N] "
                 "[--series N] [--min-price N] [--seed S] [--user U] [--password P] "
                 "[--threads N] [--log-limit N]\n");
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
        } else if (flag == "--cis") {
            ok = parse_number(value, options.upstream.cis);
        } else if (flag == "--gtin") {
            ok = parse_number(value, options.upstream.gtin) && options.upstream.gtin <= 10'000'000;
        } else if (flag == "--series") {
            ok = parse_number(value, options.upstream.series) &&
                 options.upstream.series <= 1'000'000;
        } else if (flag == "--min-price") {
            ok = parse_number(value, options.upstream.min_price) &&
                 options.upstream.min_price <= 10'000'000;
        } else if (flag == "--seed") {
            ok = parse_number(value, options.upstream.seed);
        } else if (flag == "--log-limit") {
            ok = parse_number(value, options.upstream.log_limit);
        } else if (flag == "--user") {
            options.user = value;
        } else if (flag == "--password") {
            options.password = value;
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
    UpstreamState state(options.upstream);
    FaultPlan faults;
    FakeStats stats;
    Server server{state, faults, stats,
                  protocol::base64_encode(options.user + ":" + options.password)};

    asio::io_context context(options.threads);
    serve_sessions<Session>("fake_upstream", options.host, options.port, options.threads, context,
                            server);
    return 0;
}

}  // namespace

}  // namespace piotd::fakes

int main(int argc, char** argv) {
    const auto options = piotd::fakes::parse_command_line(argc, argv);
    if (!options) {
        piotd::fakes::usage();
        return 2;
    }
    try {
        return piotd::fakes::run(*options);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "fake_upstream: %s\n", error.what());
        return 1;
    }
}
