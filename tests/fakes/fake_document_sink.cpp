// piotd_fake_document_sink: the upstream of the document relay (docs/relay.md) for integration
// tests and the relay bench. It records every document it receives, deduped by id (the
// Idempotency-Key), and injects faults on demand.
//
//   piotd_fake_document_sink --listen 127.0.0.1:PORT
//
// Upstream endpoints (any credentials):
//   POST /api/v1/documents                          a store piotd's document intake
//   POST /api/v2/cis/sell, /api/v2/cis/return       an LM's sold-set API
//   POST /api/v3/true-api/lk/documents/create?pg=   the True API (Bearer token required);
//        answers a document id; GET /api/v3/true-api/documents/{id}/info answers IN_PROGRESS
//        once, then CHECKED_OK (or CHECKED_NOT_OK with mode "not_ok").
// Control (no auth):
//   POST /control/fault {"mode":"none|status|hang|garbage|reject|not_ok","status":500,
//                        "delay_ms":3000,"count":-1}
//        status: answer `status`; hang: answer nothing for delay_ms, then close; garbage: 200
//        with a body that is not JSON; reject: 400 {"error_message":…} (permanent); not_ok: the
//        True API status poll says CHECKED_NOT_OK. `count` requests are affected (-1: all).
//   GET  /control/received  {"unique":N,"requests":N,"max_copies":N,"ids":[…first arrival order]}
//   GET  /control/document?id=…  the last body received for that id
//   POST /control/reset
// Prints "fake_document_sink listening on PORT" once it accepts connections.
#include <rapidjson/document.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "protocol/text/base64.hpp"
#include "protocol/json/json_writer.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

struct Fault {
    std::string mode = "none";
    unsigned status = 500;
    unsigned delay_ms = 3000;
    long count = -1;
};

class Sink {
public:
    // The fault this upstream request must suffer (mode "none" for most).
    Fault take_fault() {
        std::lock_guard lock(mutex_);
        Fault fault = fault_;
        if (fault_.mode != "none" && fault_.count > 0 && --fault_.count == 0) fault_ = Fault{};
        return fault;
    }
    void set_fault(Fault fault) {
        std::lock_guard lock(mutex_);
        fault_ = std::move(fault);
    }
    bool not_ok() {
        std::lock_guard lock(mutex_);
        return fault_.mode == "not_ok";
    }
    // Records a document; returns how many times this id has now been seen.
    unsigned record(const std::string& id, const std::string& body) {
        std::lock_guard lock(mutex_);
        ++requests_;
        auto [it, fresh] = copies_.emplace(id, 0);
        if (fresh) order_.push_back(id);
        bodies_[id] = body;
        return ++it->second;
    }
    std::string received_json() {
        std::lock_guard lock(mutex_);
        piotd::protocol::JsonBuffer buffer;
        piotd::protocol::JsonWriter writer(buffer);
        writer.StartObject();
        writer.Key("unique");
        writer.Uint64(order_.size());
        writer.Key("requests");
        writer.Uint64(requests_);
        unsigned max_copies = 0;
        for (const auto& [id, n] : copies_) max_copies = std::max(max_copies, n);
        writer.Key("max_copies");
        writer.Uint(max_copies);
        writer.Key("ids");
        writer.StartArray();
        for (const auto& id : order_) piotd::protocol::write_string(writer, id);
        writer.EndArray();
        writer.EndObject();
        return {buffer.GetString(), buffer.GetSize()};
    }
    std::string body_of(const std::string& id) {
        std::lock_guard lock(mutex_);
        const auto it = bodies_.find(id);
        return it == bodies_.end() ? std::string{} : it->second;
    }
    void reset() {
        std::lock_guard lock(mutex_);
        fault_ = Fault{};
        copies_.clear();
        bodies_.clear();
        order_.clear();
        requests_ = 0;
        polls_.clear();
    }
    // True API: how many times the status of `doc` was asked.
    unsigned poll(const std::string& doc) {
        std::lock_guard lock(mutex_);
        return ++polls_[doc];
    }

private:
    std::mutex mutex_;
    Fault fault_;
    std::map<std::string, unsigned> copies_;
    std::map<std::string, std::string> bodies_;
    std::vector<std::string> order_;
    std::uint64_t requests_ = 0;
    std::map<std::string, unsigned> polls_;
};

Response answer(const Request& request, http::status status, std::string body,
                const char* type = "application/json") {
    Response response{status, request.version()};
    response.set(http::field::content_type, type);
    response.keep_alive(request.keep_alive());
    response.body() = std::move(body);
    response.prepare_payload();
    return response;
}

std::string query_value(std::string_view target, std::string_view name) {
    const std::size_t q = target.find('?');
    if (q == std::string_view::npos) return {};
    std::string_view query = target.substr(q + 1);
    while (!query.empty()) {
        const std::size_t amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        if (pair.starts_with(name) && pair.size() > name.size() && pair[name.size()] == '=') {
            return std::string(pair.substr(name.size() + 1));
        }
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return {};
}

std::string header(const Request& request, const char* name) {
    const auto it = request.find(name);
    return it == request.end() ? std::string{} : std::string(it->value());
}

std::optional<Fault> parse_fault(const std::string& body) {
    rapidjson::Document json;
    json.Parse(body.data(), body.size());
    if (json.HasParseError() || !json.IsObject()) return std::nullopt;
    Fault fault;
    if (json.HasMember("mode") && json["mode"].IsString()) fault.mode = json["mode"].GetString();
    if (json.HasMember("status") && json["status"].IsUint())
        fault.status = json["status"].GetUint();
    if (json.HasMember("delay_ms") && json["delay_ms"].IsUint()) {
        fault.delay_ms = json["delay_ms"].GetUint();
    }
    if (json.HasMember("count") && json["count"].IsInt64()) {
        fault.count = static_cast<long>(json["count"].GetInt64());
    }
    return fault;
}

std::string body_id(const std::string& body) {
    rapidjson::Document json;
    json.Parse(body.data(), body.size());
    if (json.HasParseError() || !json.IsObject() || !json.HasMember("id") ||
        !json["id"].IsString()) {
        return {};
    }
    return json["id"].GetString();
}

// nullopt: the connection must be closed without an answer (hang).
std::optional<Response> handle(Sink& sink, const Request& request) {
    const std::string_view target = request.target();
    const std::string_view path = target.substr(0, target.find('?'));
    if (path.starts_with("/control/")) {
        if (path == "/control/fault" && request.method() == http::verb::post) {
            const auto fault = parse_fault(request.body());
            if (!fault)
                return answer(request, http::status::bad_request, R"({"error":"bad fault"})");
            sink.set_fault(*fault);
            return answer(request, http::status::ok, R"({"ok":true})");
        }
        if (path == "/control/received")
            return answer(request, http::status::ok, sink.received_json());
        if (path == "/control/document") {
            return answer(request, http::status::ok, sink.body_of(query_value(target, "id")));
        }
        if (path == "/control/reset" && request.method() == http::verb::post) {
            sink.reset();
            return answer(request, http::status::ok, R"({"ok":true})");
        }
        return answer(request, http::status::not_found, R"({"error":"no such control"})");
    }

    const bool true_api = path.starts_with("/api/v3/true-api/");
    if (true_api && header(request, "Authorization").rfind("Bearer ", 0) != 0) {
        return answer(request, http::status::unauthorized, R"({"error_message":"no token"})");
    }
    const bool status_poll = true_api && request.method() == http::verb::get;
    if (!status_poll) {
        const Fault fault = sink.take_fault();
        if (fault.mode == "hang") {
            std::this_thread::sleep_for(std::chrono::milliseconds(fault.delay_ms));
            return std::nullopt;
        }
        if (fault.mode == "status") {
            return answer(request, static_cast<http::status>(fault.status),
                          R"({"error_message":"injected failure"})");
        }
        if (fault.mode == "garbage") {
            return answer(request, http::status::ok, "<html>not json", "text/html");
        }
        if (fault.mode == "reject") {
            return answer(request, http::status::bad_request,
                          R"({"error_message":"injected permanent rejection"})");
        }
    }

    if (request.method() == http::verb::post &&
        (path == "/api/v1/documents" || path == "/api/v2/cis/sell" ||
         path == "/api/v2/cis/return")) {
        std::string id = header(request, "Idempotency-Key");
        const std::string from_body = body_id(request.body());
        if (id.empty()) id = from_body;
        if (id.empty() || (!from_body.empty() && from_body != id)) {
            return answer(request, http::status::bad_request,
                          R"({"error_message":"no id, or the header and body disagree"})");
        }
        const unsigned copies = sink.record(id, request.body());
        const auto status = copies == 1 ? http::status::created : http::status::ok;
        if (path == "/api/v1/documents") {
            return answer(request, status, R"({"id":")" + id + R"(","state":"delivered"})");
        }
        return answer(request, status, R"({"id":")" + id + R"(","results":[]})");
    }
    if (true_api && request.method() == http::verb::post &&
        path == "/api/v3/true-api/lk/documents/create") {
        rapidjson::Document json;
        json.Parse(request.body().data(), request.body().size());
        if (json.HasParseError() || !json.IsObject() || !json.HasMember("product_document") ||
            !json["product_document"].IsString() || !json.HasMember("signature") ||
            !json["signature"].IsString() || json["signature"].GetStringLength() == 0 ||
            query_value(target, "pg").empty()) {
            return answer(request, http::status::bad_request,
                          R"({"error_message":"Не указан тип документа: MANUAL, CSV, XML"})");
        }
        const std::string b64 = json["product_document"].GetString();
        std::string decoded(b64.size(), '\0');
        const auto size = piotd::protocol::base64_decode(b64, decoded.data(), decoded.size());
        if (!size)
            return answer(request, http::status::bad_request, R"({"error_message":"base64"})");
        decoded.resize(*size);
        const std::string id = header(request, "Idempotency-Key");
        sink.record(id, decoded);
        return answer(request, http::status::ok, "doc-" + id, "text/plain");
    }
    if (status_poll && path.starts_with("/api/v3/true-api/documents/") && path.ends_with("/info")) {
        const std::string doc(path.substr(27, path.size() - 27 - 5));
        const unsigned polls = sink.poll(doc);
        const char* status = polls < 2       ? "IN_PROGRESS"
                             : sink.not_ok() ? "CHECKED_NOT_OK"
                                             : "CHECKED_OK";
        return answer(request, http::status::ok,
                      std::string(R"([{"number":")") + doc + R"(","status":")" + status +
                          R"(","errors":[]}])");
    }
    return answer(request, http::status::not_found, R"({"error_message":"not found"})");
}

void serve(Sink& sink, tcp::socket socket) {
    beast::flat_buffer buffer;
    beast::error_code ec;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(64u << 20);
        http::read(socket, buffer, parser, ec);
        if (ec) return;
        const Request& request = parser.get();
        auto response = handle(sink, request);
        if (!response) return;  // hang: close without an answer
        http::write(socket, *response, ec);
        if (ec || !request.keep_alive()) return;
    }
}

}  // namespace

int main(int argc, char** argv) {
    // Taken by the signal thread with sigwait; every thread inherits the mask.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::string listen = "127.0.0.1:0";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::string_view(argv[i]) == "--listen") listen = argv[i + 1];
    }
    const std::size_t colon = listen.rfind(':');
    unsigned short port = 0;
    std::from_chars(listen.data() + colon + 1, listen.data() + listen.size(), port);
    asio::io_context context;
    tcp::acceptor acceptor(context);
    const tcp::endpoint endpoint(asio::ip::make_address(listen.substr(0, colon)), port);
    acceptor.open(endpoint.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen();
    std::signal(SIGPIPE, SIG_IGN);
    std::fprintf(stderr, "fake_document_sink listening on %u\n",
                 static_cast<unsigned>(acceptor.local_endpoint().port()));
    Sink sink;
    // A blocking accept() does not return when another thread closes the acceptor: the
    // signal thread ends the process itself (nothing here needs flushing).
    std::thread([] {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGINT);
        int signal_number = 0;
        sigwait(&set, &signal_number);
        std::_Exit(0);
    }).detach();
    for (;;) {
        beast::error_code ec;
        tcp::socket socket(context);
        acceptor.accept(socket, ec);
        if (ec) continue;
        socket.set_option(tcp::no_delay(true), ec);
        std::thread([&sink, s = std::move(socket)]() mutable {
            serve(sink, std::move(s));
        }).detach();
    }
}
