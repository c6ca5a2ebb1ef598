// The document relay as main() wires it (docs/relay.md): the outbox, the intake the HTTP
// handlers use, the signing command and the relay thread. Without a relay URL the thread still
// runs to prune finished documents; it sends nothing.
#pragma once

#include <memory>

#include "daemon/bounded_worker_pool.hpp"
#include "daemon/clock.hpp"
#include "daemon/config.hpp"
#include "daemon/local_module.hpp"
#include "daemon/relay/document_intake.hpp"
#include "daemon/relay/outbox_json.hpp"
#include "daemon/relay/relay.hpp"
#include "daemon/relay/sign_command.hpp"
#include "daemon/status/status_providers.hpp"
#include "storage/outbox.hpp"

namespace piotd::daemon {

// Also the status page's and /metrics' outbox source (Operations::sources().outbox).
class RelayService : public OutboxStatusProvider {
public:
    // Throws std::runtime_error for a relay URL it cannot use (bad, or https before TLS).
    RelayService(LocalModule& module, const Config& config, const Clock& clock);
    ~RelayService() override;

    void start();
    void stop();

    LocalModule& module() { return module_; }
    storage::Outbox& outbox() { return outbox_; }
    DocumentIntake& intake() { return *intake_; }
    // Where documents are signed (the external sign command may take seconds): a few threads
    // with a short queue, off the I/O threads. Null when nothing is signed.
    BoundedWorkerPool* signing_pool() { return signing_pool_.get(); }
    const RelayConfig& config() const { return config_.relay; }
    // The relay has the document in hand right now.
    bool sending(std::uint64_t seq) const { return relay_->sending(seq); }
    void wake() { relay_->wake(); }
    // Counts and warnings for the status page.
    OutboxHealth health() const;
    // health() as the status page counts it: queued is every pending document (queued,
    // checking, rejected).
    OutboxStatus outbox_status() const override;

private:
    LocalModule& module_;
    const Config& config_;
    const Clock& clock_;
    storage::Outbox outbox_;
    std::unique_ptr<SignCommand> signer_;
    std::unique_ptr<BoundedWorkerPool> signing_pool_;
    std::unique_ptr<DocumentIntake> intake_;
    std::unique_ptr<Relay> relay_;
};

}  // namespace piotd::daemon
