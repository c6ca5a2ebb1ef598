// piotd_fake_true_api: the True API of permissive mode (lm-api.md §6) for the integration tests
// and benchmarks. One process listens on several ports; each port is one "CDN host", and
// cdn/info (on any port) lists them all. codes/check answers from the scenario table
// (tests/data/trueapi/scenarios.json, keyed by the full code), with the scenario's reqId and
// reqTimestamp; unknown codes get a generated answer (found:false, errorCode 10).
//
//   piotd_fake_true_api --port P [--port P2 …] [--host 127.0.0.1] [--scenarios FILE]
//                       [--cert FILE --key FILE]     (TLS on every port)
//
// Control (no auth), on any port:
//   POST /control/fault?port=P&mode=M[&delay_ms=D][&count=N]
//        M: none | hang (no answer for D ms, default 60000) | slow (answer after D ms) |
//           http_401 | http_404 | http_429 | http_500 | http_503 | code_5000 | garbage | close
//        N: only the next N codes/check requests (default: until changed)
//   POST /control/health?port=P&avg_ms=A[&healthy=false]
//   GET  /control/stats    {"ports":[{"port":P,"checks":N,"health":N,"connections":N}],"infos":N}
//   POST /control/reset    faults off, counters zero
// Scenario faults (trueApi.fault in the table) apply to requests holding that code:
// no_answer (connection closed), timeout (answer after delayMs), http_429, http_503, code_5000.
// Prints "fake_true_api listening on P…" to stderr once ready; SIGTERM/SIGINT exit 0.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

struct Scenario {
    std::string answer_json;  // the per-code object
    std::string req_id;
    std::int64_t req_timestamp = 0;
    std::string fault;  // empty, no_answer, timeout, http_429, http_503, code_5000
    int delay_ms = 0;
};

struct PortFault {
    std::string mode = "none";
    int delay_ms = 60'000;
    int remaining = -1;  // -1: until changed
    std::int64_t avg_ms = 0;
    bool healthy = true;
    std::uint64_t checks = 0;
    std::uint64_t health = 0;
    std::uint64_t connections = 0;
};

struct State {
    std::mutex mutex;
    std::map<std::string, Scenario> scenarios;  // by full code
    std::map<unsigned short, PortFault> ports;
    std::vector<unsigned short> order;
    std::string scheme = "http";
    std::string host = "127.0.0.1";
    std::uint64_t infos = 0;
};

State state;

std::string json_text(const rapidjson::Value& value) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    value.Accept(writer);
    return {buffer.GetString(), buffer.GetSize()};
}

void load_scenarios(const std::string& file) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    rapidjson::Document document;
    document.Parse(text.str().c_str());
    if (document.HasParseError() || !document.IsObject() || !document.HasMember("scenarios")) {
        throw std::runtime_error("cannot read scenarios from " + file);
    }
    for (const auto& entry : document["scenarios"].GetArray()) {
        Scenario scenario;
        const std::string code = entry["code"].GetString();
        const auto& api = entry["trueApi"];
        if (api.HasMember("answer")) scenario.answer_json = json_text(api["answer"]);
        if (api.HasMember("reqId")) scenario.req_id = api["reqId"].GetString();
        if (api.HasMember("reqTimestamp")) scenario.req_timestamp = api["reqTimestamp"].GetInt64();
        if (api.HasMember("fault")) scenario.fault = api["fault"].GetString();
        if (api.HasMember("delayMs")) scenario.delay_ms = api["delayMs"].GetInt();
        state.scenarios[code] = scenario;
    }
}

std::string query_value(std::string_view target, std::string_view name) {
    const auto question = target.find('?');
    if (question == std::string_view::npos) return {};
    std::string_view query = target.substr(question + 1);
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        const auto eq = pair.find('=');
        if (pair.substr(0, eq) == name && eq != std::string_view::npos) {
            return std::string(pair.substr(eq + 1));
        }
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return {};
}

std::string random_uuid() {
    static std::mt19937_64 random{std::random_device{}()};
    static std::mutex mutex;
    std::lock_guard lock(mutex);
    char text[40];
    std::snprintf(text, sizeof text, "%08llx-%04llx-4%03llx-8%03llx-%012llx",
                  static_cast<unsigned long long>(random() & 0xffffffff),
                  static_cast<unsigned long long>(random() & 0xffff),
                  static_cast<unsigned long long>(random() & 0xfff),
                  static_cast<unsigned long long>(random() & 0xfff),
                  static_cast<unsigned long long>(random() & 0xffffffffffffULL));
    return text;
}

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

Response reply(unsigned status, std::string body) {
    Response response{static_cast<http::status>(status), 11};
    response.set(http::field::content_type, "application/json");
    response.body() = std::move(body);
    response.prepare_payload();
    return response;
}

// What to do with one request: an answer, or nothing (close), possibly after a delay.
struct Action {
    std::optional<Response> response;
    int delay_ms = 0;
};

Action codes_check(unsigned short port, const Request& request) {
    rapidjson::Document body;
    body.Parse<rapidjson::kParseIterativeFlag>(request.body().c_str());
    if (body.HasParseError() || !body.IsObject() || !body.HasMember("codes") ||
        !body["codes"].IsArray()) {
        return {reply(400, R"({"code":400,"description":"bad request"})")};
    }
    std::string fault;
    int fault_delay = 0;
    {
        std::lock_guard lock(state.mutex);
        PortFault& port_fault = state.ports[port];
        ++port_fault.checks;
        if (port_fault.mode != "none" && port_fault.remaining != 0) {
            fault = port_fault.mode;
            fault_delay = port_fault.delay_ms;
            if (port_fault.remaining > 0 && --port_fault.remaining == 0) port_fault.mode = "none";
        }
    }
    std::string codes = "[";
    std::string req_id;
    std::int64_t req_timestamp = 0;
    int delay = 0;
    for (const auto& code : body["codes"].GetArray()) {
        if (!code.IsString()) return {reply(400, R"({"code":400,"description":"bad code"})")};
        const std::string text(code.GetString(), code.GetStringLength());
        if (codes.size() > 1) codes += ",";
        const auto it = state.scenarios.find(text);
        if (it != state.scenarios.end()) {
            const Scenario& scenario = it->second;
            if (fault.empty() && !scenario.fault.empty() && scenario.fault != "timeout") {
                fault = scenario.fault;
            }
            if (scenario.fault == "timeout") delay = std::max(delay, scenario.delay_ms);
            if (req_id.empty()) {
                req_id = scenario.req_id;
                req_timestamp = scenario.req_timestamp;
            }
            if (!scenario.answer_json.empty()) {
                codes += scenario.answer_json;
                continue;
            }
        }
        rapidjson::StringBuffer buffer;
        rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
        writer.StartObject();
        writer.Key("cis");
        writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
        writer.Key("valid");
        writer.Bool(true);
        writer.Key("found");
        writer.Bool(false);
        writer.Key("errorCode");
        writer.Int(10);
        writer.EndObject();
        codes.append(buffer.GetString(), buffer.GetSize());
    }
    codes += "]";
    if (req_id.empty()) req_id = random_uuid();
    if (req_timestamp == 0) req_timestamp = now_ms();

    if (fault == "hang" || fault == "no_answer" || fault == "close") {
        return {std::nullopt, fault == "hang" ? fault_delay : 0};
    }
    if (fault == "http_429")
        return {reply(429, R"({"code":429,"description":"too many requests"})")};
    if (fault == "http_500") return {reply(500, R"({"code":500,"description":"internal error"})")};
    if (fault == "http_503") return {reply(503, R"({"code":503,"description":"unavailable"})")};
    if (fault == "http_401") return {reply(401, R"({"code":401,"description":"bad token"})")};
    if (fault == "http_404") return {reply(404, R"({"code":404,"description":"not found"})")};
    if (fault == "code_5000") {
        return {
            reply(500, R"({"code":5000,"description":"transborder check service unavailable"})")};
    }
    if (fault == "garbage") return {reply(200, "{\"code\":0,\"codes\":[{\"cis\":")};
    if (fault == "slow") delay = std::max(delay, fault_delay);
    std::string answer = R"({"code":0,"description":"ok","codes":)" + codes + R"(,"reqId":")" +
                         req_id + R"(","reqTimestamp":)" + std::to_string(req_timestamp) + "}";
    return {reply(200, std::move(answer)), delay};
}

Action handle(unsigned short port, const Request& request) {
    const std::string_view target = request.target();
    const std::string_view path = target.substr(0, target.find('?'));
    if (path == "/api/v4/true-api/cdn/info") {
        std::lock_guard lock(state.mutex);
        ++state.infos;
        std::string hosts;
        for (const unsigned short p : state.order) {
            if (!hosts.empty()) hosts += ",";
            hosts += R"({"host":")" + state.scheme + "://" + state.host + ":" + std::to_string(p) +
                     R"("})";
        }
        return {reply(200, R"({"code":0,"description":"ok","hosts":[)" + hosts + "]}")};
    }
    if (path == "/api/v4/true-api/cdn/health/check") {
        std::lock_guard lock(state.mutex);
        PortFault& fault = state.ports[port];
        ++fault.health;
        if (!fault.healthy) return {reply(503, R"({"code":503,"description":"down"})")};
        return {reply(200, R"({"code":0,"description":"ok","avgTimeMs":)" +
                               std::to_string(fault.avg_ms) + "}")};
    }
    if (path == "/api/v4/true-api/codes/check" && request.method() == http::verb::post) {
        if (request[("X-API-KEY")].empty()) {
            return {reply(401, R"({"code":401,"description":"no X-API-KEY"})")};
        }
        return codes_check(port, request);
    }
    if (path == "/control/fault") {
        std::lock_guard lock(state.mutex);
        const int target_port = std::atoi(query_value(target, "port").c_str());
        PortFault& fault = state.ports[static_cast<unsigned short>(target_port)];
        fault.mode = query_value(target, "mode");
        if (fault.mode.empty()) fault.mode = "none";
        const std::string delay = query_value(target, "delay_ms");
        fault.delay_ms = delay.empty() ? 60'000 : std::atoi(delay.c_str());
        const std::string count = query_value(target, "count");
        fault.remaining = count.empty() ? -1 : std::atoi(count.c_str());
        return {reply(200, R"({"ok":true})")};
    }
    if (path == "/control/health") {
        std::lock_guard lock(state.mutex);
        const int target_port = std::atoi(query_value(target, "port").c_str());
        PortFault& fault = state.ports[static_cast<unsigned short>(target_port)];
        fault.avg_ms = std::atoll(query_value(target, "avg_ms").c_str());
        fault.healthy = query_value(target, "healthy") != "false";
        return {reply(200, R"({"ok":true})")};
    }
    if (path == "/control/stats") {
        std::lock_guard lock(state.mutex);
        std::string ports;
        for (const unsigned short p : state.order) {
            if (!ports.empty()) ports += ",";
            ports += R"({"port":)" + std::to_string(p) + R"(,"checks":)" +
                     std::to_string(state.ports[p].checks) + R"(,"health":)" +
                     std::to_string(state.ports[p].health) + R"(,"connections":)" +
                     std::to_string(state.ports[p].connections) + "}";
        }
        return {reply(
            200, R"({"ports":[)" + ports + R"(],"infos":)" + std::to_string(state.infos) + "}")};
    }
    if (path == "/control/reset") {
        std::lock_guard lock(state.mutex);
        for (auto& [p, fault] : state.ports) fault = PortFault{};
        state.infos = 0;
        return {reply(200, R"({"ok":true})")};
    }
    return {reply(404, R"({"code":404,"description":"no such endpoint"})")};
}

template <typename Stream>
void serve(Stream& stream, unsigned short port) {
    beast::flat_buffer buffer;
    for (;;) {
        Request request;
        beast::error_code ec;
        http::read(stream, buffer, request, ec);
        if (ec) return;
        Action action = handle(port, request);
        if (action.delay_ms > 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(action.delay_ms));
        if (!action.response) return;  // close without an answer
        action.response->keep_alive(request.keep_alive());
        http::write(stream, *action.response, ec);
        if (ec || !request.keep_alive()) return;
    }
}

void accept_loop(tcp::acceptor& acceptor, unsigned short port, asio::ssl::context* tls) {
    for (;;) {
        tcp::socket socket(acceptor.get_executor());
        beast::error_code ec;
        acceptor.accept(socket, ec);
        if (ec) continue;
        {
            std::lock_guard lock(state.mutex);
            ++state.ports[port].connections;
        }
        std::thread([socket = std::move(socket), port, tls]() mutable {
            beast::error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored);
            if (tls == nullptr) {
                serve(socket, port);
                socket.shutdown(tcp::socket::shutdown_both, ignored);
                return;
            }
            beast::ssl_stream<tcp::socket> stream(std::move(socket), *tls);
            stream.handshake(asio::ssl::stream_base::server, ignored);
            if (ignored) return;
            serve(stream, port);
            stream.shutdown(ignored);
        }).detach();
    }
}

}  // namespace

int main(int argc, char** argv) {
    // Blocked before any thread starts, so only sigwait below takes them.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::vector<unsigned short> ports;
    std::string scenarios = PIOTD_FAKE_SCENARIOS;
    std::string cert;
    std::string key;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::cerr << arg << " needs a value\n";
                std::exit(2);
            }
            return argv[++i];
        };
        if (arg == "--port") {
            ports.push_back(static_cast<unsigned short>(std::stoi(value())));
        } else if (arg == "--host") {
            state.host = value();
        } else if (arg == "--scenarios") {
            scenarios = value();
        } else if (arg == "--cert") {
            cert = value();
        } else if (arg == "--key") {
            key = value();
        } else {
            std::cerr << "unknown argument " << arg << "\n";
            return 2;
        }
    }
    if (ports.empty()) {
        std::cerr << "usage: piotd_fake_true_api --port P [--port P2 …] [--cert F --key F]\n";
        return 2;
    }
    try {
        load_scenarios(scenarios);
        std::unique_ptr<asio::ssl::context> tls;
        if (!cert.empty()) {
            tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
            tls->use_certificate_chain_file(cert);
            tls->use_private_key_file(key, asio::ssl::context::pem);
            state.scheme = "https";
        }
        asio::io_context io;
        std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
        for (const unsigned short port : ports) {
            tcp::endpoint endpoint(asio::ip::make_address(state.host), port);
            acceptors.push_back(std::make_unique<tcp::acceptor>(io, endpoint, true));
            state.order.push_back(port);
            state.ports[port];
        }
        std::signal(SIGPIPE, SIG_IGN);
        for (std::size_t i = 0; i < acceptors.size(); ++i) {
            std::thread(accept_loop, std::ref(*acceptors[i]), ports[i], tls.get()).detach();
        }
        std::cerr << "fake_true_api listening on";
        for (const unsigned short port : ports) std::cerr << " " << port;
        std::cerr << std::endl;
        int signal_number = 0;
        sigwait(&signals, &signal_number);
        std::_Exit(0);  // detached connection threads may be asleep in a fault
    } catch (const std::exception& e) {
        std::cerr << "fake_true_api: " << e.what() << "\n";
        return 1;
    }
}
