#include "daemon/kkt/kkt_routes.hpp"

#include <memory>

#include "daemon/http/json_error.hpp"
#include "daemon/http/json_response.hpp"
#include "daemon/http/request_error_response.hpp"
#include "daemon/kkt/kkt_json.hpp"
#include "daemon/kkt/receipt_flow.hpp"
#include "protocol/kkt/kkt_receipt_request.hpp"

namespace piotd::daemon {

namespace {

Response unavailable(std::string_view why) {
    return json_error(http::status::service_unavailable, ApiError::kkt_unavailable, why);
}

// Queues `job` on the register's thread; the reply comes from there.
Reply on_register(KktWorker& worker, std::function<Response(drivers::KktSession&)> job) {
    return Reply::later([&worker, job = std::move(job)](ReplyCompletion sink) {
        auto shared_sink = std::make_shared<ReplyCompletion>(std::move(sink));
        const bool queued = worker.post([shared_sink, job](drivers::KktSession* session) {
            if (session == nullptr) {
                (*shared_sink)(unavailable("piotd is stopping"));
                return;
            }
            Response response;
            try {
                response = job(*session);
            } catch (const std::exception& e) {
                response = json_error(http::status::internal_server_error, ApiError::internal,
                                      std::string("fiscal register: ") + e.what());
            }
            (*shared_sink)(std::move(response));
        });
        if (!queued) {
            (*shared_sink)(
                unavailable("the fiscal register is busy: too many requests wait for it"));
        }
    });
}

Reply handle_status(KktService& kkt) {
    return on_register(kkt.worker(), [&kkt](drivers::KktSession& session) {
        kkt.worker().refresh(session);
        return json_response(http::status::ok, kkt_status_json(kkt.worker().state()));
    });
}

Reply handle_receipt(KktService& kkt, const RequestContext& context) {
    auto request = std::make_shared<protocol::ReceiptRequest>(
        protocol::decode_receipt_request(context.request.body()));
    if (auto refused = request_error_response(request->error, request->detail)) {
        return std::move(*refused);
    }
    return on_register(kkt.worker(), [&kkt, request](drivers::KktSession& session) {
        KktWorker& worker = kkt.worker();
        if (worker.fn_number().empty()) worker.refresh(session);
        const ReceiptOutcome outcome = run_receipt(session, kkt.checker(), kkt.recorder(), *request,
                                                   worker.fn_number(), kkt.module().now_ms());
        worker.note_attention(outcome.attention);
        if (outcome.success) {
            worker.note_receipt_open(false);
            return json_response(http::status::ok,
                                 receipt_success_json(*outcome.success, worker.fn_number()));
        }
        const ReceiptFailure& f = outcome.failure;
        if (f.fault) {
            drivers::KktError error(*f.fault, f.message_en, f.register_code.value_or(0));
            error.set_receipt_open(f.receipt_open);
            worker.note_error(error);
        } else {
            worker.note_receipt_open(f.receipt_open);
        }
        return json_response(f.status, receipt_failure_json(f));
    });
}

}  // namespace

void add_kkt_routes(Router& router, KktService& kkt) {
    router.add(http::verb::get, "/api/v1/kkt/status",
               [&kkt](const RequestContext&) { return handle_status(kkt); });
    router.add(http::verb::post, "/api/v1/kkt/receipt",
               [&kkt](const RequestContext& c) { return handle_receipt(kkt, c); });
}

}  // namespace piotd::daemon
