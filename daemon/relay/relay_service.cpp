#include "daemon/relay/relay_service.hpp"

#include <sys/statvfs.h>

#include <algorithm>

#include "daemon/log.hpp"
#include "daemon/relay/document_transport.hpp"

namespace piotd::daemon {

namespace {

// `ca_file`: the extra CA of --ca-file, for an https:// relay.
std::unique_ptr<DocumentSender> make_sender(const RelayConfig& relay, const SignCommand* signer,
                                            const std::string& ca_file) {
    if (relay.url.empty()) return nullptr;
    const std::chrono::milliseconds timeout(relay.timeout_ms);
    switch (relay.kind) {
        case RelayKind::piotd:
            return make_piotd_sender(
                make_document_transport(relay.url, relay.user, relay.password, timeout, ca_file));
        case RelayKind::lm:
            return make_lm_sender(
                make_document_transport(relay.url, relay.user, relay.password, timeout, ca_file));
        case RelayKind::trueapi:
            return make_true_api_sender(
                make_document_transport(relay.url, relay.user, relay.password, timeout, ca_file),
                relay.token.empty() ? relay.password : relay.token, signer);
    }
    return nullptr;
}

}  // namespace

RelayService::RelayService(LocalModule& module, const Config& config, const Clock& clock)
    : module_(module), config_(config), clock_(clock), outbox_(module.env()) {
    if (!config.relay.sign_command.empty()) {
        signer_ = std::make_unique<SignCommand>(
            config.relay.sign_command, std::chrono::milliseconds(config.relay.sign_timeout_ms));
        // Two signers at once, 32 documents waiting: a flood gets 503, not a pile of children.
        signing_pool_ = std::make_unique<BoundedWorkerPool>(2, 32);
    }
    const RelayConfig& relay = config.relay;
    if (!relay.url.empty()) {
        log_info("relay", "relaying documents to " + relay.url + " (" +
                              std::string(relay_kind_name(relay.kind)) + ")");
    }
    if (!relay.url.empty() && relay.kind == RelayKind::trueapi) {
        if (relay.token.empty() && relay.password.empty()) {
            log_warning("relay", "no True API token (PIOTD_RELAY_TOKEN): documents will wait");
        }
        if (!signer_) {
            log_warning("relay", "no --sign-command: documents for the True API are refused");
        }
    }
    relay_ =
        std::make_unique<Relay>(outbox_, config.relay, clock,
                                make_sender(config.relay, signer_.get(), config.trueapi.ca_file));
    intake_ = std::make_unique<DocumentIntake>(module, outbox_, config.relay, signer_.get(),
                                               [this] { relay_->wake(); });
}

RelayService::~RelayService() {
    stop();
}

void RelayService::start() {
    relay_->start();
}

void RelayService::stop() {
    if (signing_pool_) signing_pool_->stop();
    if (relay_) relay_->stop();
}

OutboxHealth RelayService::health() const {
    OutboxHealth health;
    health.counts = outbox_.counts();
    health.now_ms = clock_.now_ms();
    health.relay_url = config_.relay.url;
    health.relay_kind = relay_kind_name(config_.relay.kind);
    const RelayConfig& relay = config_.relay;
    const std::size_t pending =
        health.counts.queued + health.counts.checking + health.counts.rejected;
    if (pending > relay.warn_queued) health.warnings.emplace_back("queue_large");
    if (health.counts.oldest_pending_ms &&
        health.now_ms - *health.counts.oldest_pending_ms > std::int64_t{relay.warn_age_s} * 1000) {
        health.warnings.emplace_back("queue_old");
    }
    if (health.counts.dead > 0) health.warnings.emplace_back("dead_letters");
    // Short of disk, or of LMDB map: either way new documents will soon be refused.
    const std::uint64_t threshold = std::uint64_t{relay.warn_free_mb} << 20;
    struct statvfs fs {};
    const auto& env = module_.env();
    const bool disk_low = ::statvfs(env.dir().c_str(), &fs) == 0 &&
                          std::uint64_t{fs.f_bavail} * fs.f_frsize < threshold;
    const bool map_low = env.map_size() > env.file_size() &&
                         env.map_size() - env.file_size() < threshold &&
                         env.map_size() > 2 * threshold;
    if (disk_low || map_low) health.warnings.emplace_back("disk_low");
    return health;
}

OutboxStatus RelayService::outbox_status() const {
    OutboxHealth health = this->health();
    const storage::OutboxCounts& c = health.counts;
    OutboxStatus status;
    status.queued = c.queued + c.checking + c.rejected;
    if (c.oldest_pending_ms) {
        status.oldest_age_ms = std::max<std::int64_t>(0, health.now_ms - *c.oldest_pending_ms);
    }
    status.dead_letters = c.dead;
    status.warnings = std::move(health.warnings);
    return status;
}

}  // namespace piotd::daemon
