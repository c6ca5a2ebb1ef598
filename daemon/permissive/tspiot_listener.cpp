#include "daemon/permissive/tspiot_listener.hpp"

#include "daemon/http/json_error.hpp"
#include "daemon/http/json_response.hpp"
#include "daemon/http/request_error_response.hpp"
#include "daemon/listen_address.hpp"
#include "daemon/version.hpp"
#include "protocol/tspiot/tspiot_answer.hpp"

namespace piotd::daemon {

namespace {

using protocol::TsPiotApiVersion;

Response check_answer(const CheckOutcome& outcome, TsPiotApiVersion api) {
    protocol::JsonBuffer buffer;
    protocol::JsonWriter writer(buffer);
    // local_module.on_failure = no_tag and nothing refused: the answer of no valid check, so
    // the POS goes to emergency mode and writes no 1260 (a refusal by piotd's lists still shows).
    bool untagged = outcome.source == CheckSource::offline && !outcome.items.empty();
    for (const ItemVerdict& verdict : outcome.items) {
        untagged = untagged && verdict.decision.allowed && verdict.industry_prop_value.empty();
    }
    if (outcome.source == CheckSource::none || untagged) {
        const std::string detail = "online: " + outcome.online_failure +
                                   (outcome.lm_failure.empty() ? "" : "; " + outcome.lm_failure);
        const std::string local =
            "local module: " + std::string(protocol::lm_status_name(outcome.module_status));
        const std::string_view details[] = {detail, local};
        protocol::write_tspiot_emergency(writer, "no online or local check could be made", details);
        // 203: the POS goes to emergency mode and writes no tag 1260 (lm-api.md §8).
        return json_response(http::status::non_authoritative_information,
                             std::string(buffer.GetString(), buffer.GetSize()));
    }
    std::vector<protocol::TsPiotCodeAnswer> codes(outcome.items.size());
    for (std::size_t i = 0; i < outcome.items.size(); ++i) {
        const ItemVerdict& verdict = outcome.items[i];
        if (outcome.source == CheckSource::online) {
            codes[i].upstream_json = verdict.upstream_json;
        } else {
            codes[i].offline = &verdict.offline;
        }
        codes[i].decision = &verdict.decision;
        codes[i].industry_prop_value = verdict.industry_prop_value;
    }
    protocol::TsPiotCodeResponse response;
    response.req_id = outcome.req_id;
    response.req_timestamp_ms = outcome.req_timestamp_ms;
    response.checked_offline = outcome.source != CheckSource::online;
    response.inst = outcome.inst;
    response.version = outcome.version;
    response.codes = codes;
    protocol::write_tspiot_check_answer(writer, {&response, 1}, api);
    return json_response(http::status::ok, std::string(buffer.GetString(), buffer.GetSize()));
}

Reply handle_check(PermissiveChecker& checker, const RequestContext& context,
                   TsPiotApiVersion api) {
    LocalModule& module = checker.module();
    protocol::TsPiotCheckRequest request = protocol::decode_tspiot_check_request(
        context.request.body(), module.config().max_codes_per_request);
    if (auto refused = request_error_response(request.error, request.detail)) {
        return std::move(*refused);
    }
    if (request.client_info) {
        // Recorded beside the LM API's X-ClientId values, shown in /status.
        const auto& info = *request.client_info;
        module.clients().record_client_info(info.name, info.version, info.id, module.now_ms());
    }
    auto items = std::make_shared<std::vector<CheckItem>>();
    items->reserve(request.codes.size());
    for (std::size_t i = 0; i < request.codes.size(); ++i) {
        const protocol::ParseResult parsed = protocol::parse_marking_code(request.codes[i].code);
        if (!parsed) {
            return json_error(http::status::bad_request, ApiError::invalid_code,
                              "codes[" + std::to_string(i) +
                                  "]: " + std::string(protocol::code_error_message(parsed.error)));
        }
        CheckItem item;
        item.code = parsed.code;
        item.product_group = request.codes[i].pg;
        items->push_back(item);
    }
    std::shared_ptr<const std::vector<CheckItem>> shared = std::move(items);
    return Reply::later([&checker, shared, api](ReplyCompletion complete) {
        checker.check(
            complete.executor(), shared, {},
            [complete, api](const CheckOutcome& outcome) { complete(check_answer(outcome, api)); });
    });
}

Response handle_info(PermissiveChecker& checker, const TrueApiConfig& config,
                     TsPiotApiVersion api) {
    LocalModule& module = checker.module();
    const storage::ModuleState state = module.state();
    const std::string status(protocol::lm_status_name(module.status()));
    protocol::TsPiotInfo info;
    info.tspiot_id = module.inst();
    info.kkt_serial = config.kkt_serial;
    info.fn_serial = checker.options().fiscal_drive_number;
    info.kkt_inn = config.kkt_inn;
    info.codes_check_timeout_ms = config.online_budget_ms;
    info.lm = protocol::TsPiotLmInfo{kVersion, status, module.inst(), state.last_sync_ms};
    protocol::JsonBuffer buffer;
    protocol::JsonWriter writer(buffer);
    protocol::write_tspiot_info(writer, info, api);
    return json_response(http::status::ok, std::string(buffer.GetString(), buffer.GetSize()));
}

}  // namespace

TsPiotListener::TsPiotListener(const TrueApiConfig& config, PermissiveChecker& checker)
    : router_(BasicAuth("", "")) {
    const std::pair<const char*, TsPiotApiVersion> versions[] = {{"/api/v1", TsPiotApiVersion::v1},
                                                                 {"/api/v2", TsPiotApiVersion::v2},
                                                                 {"/api/v3", TsPiotApiVersion::v3}};
    for (const auto& version : versions) {
        const std::string base = version.first;
        const TsPiotApiVersion api = version.second;  // a named copy: lambdas capture it
        router_.add(
            http::verb::post, base + "/codes/check",
            [&checker, api](const RequestContext& c) { return handle_check(checker, c, api); },
            Access::open);
        for (const http::verb method : {http::verb::get, http::verb::post}) {
            router_.add(
                method, base + "/info",
                [&checker, &config, api](const RequestContext&) {
                    return Reply(handle_info(checker, config, api));
                },
                Access::open);
        }
    }
    ServerLimits limits;
    limits.threads = 1;
    const auto listen = parse_listen_address(config.piot_listen);
    if (config.piot_cert_file.empty()) {
        server_ = std::make_unique<HttpServer>(listen, limits, router_);
        return;
    }
    // HTTPS: the plain server moves to a loopback port of its own, behind the TLS front, and
    // accepts the Host its clients use for the front's address.
    limits.hosts.add_listen_address(listen);
    server_ = std::make_unique<HttpServer>(
        boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0), limits,
        router_);
    front_ = std::make_unique<TlsFront>(listen, config.piot_cert_file, config.piot_key_file,
                                        server_->local_endpoint());
}

TsPiotListener::~TsPiotListener() {
    stop();
}

void TsPiotListener::start() {
    server_->start();
    if (front_) front_->start();
}

void TsPiotListener::stop() {
    if (front_) front_->stop();
    server_->stop();
}

std::uint16_t TsPiotListener::port() const {
    return front_ ? front_->port() : server_->local_endpoint().port();
}

}  // namespace piotd::daemon
