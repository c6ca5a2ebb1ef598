#include "daemon/kkt/kkt_service.hpp"

#include <charconv>
#include <exception>
#include <stdexcept>

#include "daemon/kkt/held_sale.hpp"
#include "daemon/log.hpp"
#include "drivers/kkt/tcp_transport.hpp"
#include "drivers/kkt/termios_transport.hpp"
#include "drivers/serial/serial_settings.hpp"

namespace piotd::daemon {

std::unique_ptr<drivers::KktTransport> make_kkt_transport(const std::string& device,
                                                          unsigned baud) {
    const std::string_view scheme = "tcp://";
    if (device.starts_with(scheme)) {
        std::string_view rest = std::string_view(device).substr(scheme.size());
        unsigned short port = drivers::kKktDefaultTcpPort;
        std::string host(rest);
        if (const auto colon = rest.rfind(':'); colon != std::string_view::npos) {
            host = rest.substr(0, colon);
            const std::string_view digits = rest.substr(colon + 1);
            unsigned value = 0;
            const auto [end, ec] =
                std::from_chars(digits.data(), digits.data() + digits.size(), value);
            if (ec != std::errc{} || end != digits.data() + digits.size() || value == 0 ||
                value > 65535) {
                throw std::runtime_error("kkt.device: bad port in " + device);
            }
            port = static_cast<unsigned short>(value);
        }
        if (host.empty()) throw std::runtime_error("kkt.device: no host in " + device);
        return std::make_unique<drivers::TcpTransport>(host, port);
    }
    if (device.empty() || device.front() != '/') {
        throw std::runtime_error("kkt.device must be a device path or tcp://HOST:PORT: " + device);
    }
    if (!drivers::is_standard_baud(baud)) {
        throw std::runtime_error("kkt.baud " + std::to_string(baud) + " is not a serial speed");
    }
    return std::make_unique<drivers::TermiosTransport>(device, baud);
}

KktService::KktService(const Config& config, LocalModule& module, const Clock& clock,
                       std::unique_ptr<SaleRecorder> recorder)
    : module_(module), recorder_(std::move(recorder)) {
    drivers::KktSessionOptions options;
    options.password = config.kkt_password;
    worker_ = std::make_unique<KktWorker>(make_kkt_transport(config.kkt_device, config.kkt_baud),
                                          options, clock);
}

void KktService::start() {
    worker_->start();
    // A sale held while a receipt was closing when piotd stopped (held_sale.hpp) is settled as
    // soon as the register answers, not at the next sale: the codes read "sold" at once.
    worker_->post(
        [recorder = recorder_.get(), worker = worker_.get()](drivers::KktSession* session) {
            if (session == nullptr) return;
            try {
                worker->note_attention(
                    settle_held_sale(*session, *recorder, session->fn_status().fn_number));
            } catch (const std::exception& e) {
                log_warning("kkt", std::string("a held sale waits for the next sale: ") + e.what());
            }
        });
}

DeviceStatus KktService::device_status() const {
    const KktState state = worker_->state();
    DeviceStatus device;
    device.kind = "register";
    device.name = state.device;
    device.state = !state.connected           ? "disconnected"
                   : state.receipt_open       ? "receipt open"
                   : !state.attention.empty() ? "attention"
                                              : "ok";
    std::string detail;
    if (!state.fn_number.empty()) detail = "FN " + state.fn_number;
    if (!state.attention.empty()) {
        if (!detail.empty()) detail += "; ";
        detail += "check: " + state.attention;
    }
    if (!state.last_error_kind.empty()) {
        if (!detail.empty()) detail += "; ";
        detail += "last error " + state.last_error_kind + ": " + state.last_error;
    }
    device.detail = std::move(detail);
    return device;
}

}  // namespace piotd::daemon
