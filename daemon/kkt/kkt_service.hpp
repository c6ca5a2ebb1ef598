// The fiscal register as the daemon sees it: the transport named by [kkt] device (a serial path
// or tcp://HOST:PORT), its worker thread, and the two plug points of a sale (who checks a marked
// item, who records the sale). main() builds it when a register is configured and plugs in the
// checker (the permissive-mode chain) before start().
#pragma once

#include <memory>
#include <string>

#include "daemon/config.hpp"
#include "daemon/kkt/kkt_worker.hpp"
#include "daemon/kkt/marked_item_checker.hpp"
#include "daemon/kkt/sale_recorder.hpp"
#include "daemon/local_module.hpp"
#include "daemon/status/status_providers.hpp"
#include "drivers/kkt/kkt_transport.hpp"

namespace piotd::daemon {

// "tcp://HOST[:PORT]" (port 12345 by default) or a device path. Throws std::runtime_error on a
// malformed tcp address or an unsupported baud rate.
std::unique_ptr<drivers::KktTransport> make_kkt_transport(const std::string& device, unsigned baud);

class KktService {
public:
    // `recorder` records every closed sale (relay_sale_recorder.hpp in the daemon).
    KktService(const Config& config, LocalModule& module, const Clock& clock,
               std::unique_ptr<SaleRecorder> recorder);
    // Starts the worker, whose first job settles a sale held when piotd last stopped.
    void start();
    void stop() { worker_->stop(); }

    KktWorker& worker() { return *worker_; }
    LocalModule& module() { return module_; }
    MarkedItemChecker& checker() { return *checker_; }
    SaleRecorder& recorder() { return *recorder_; }
    // Plug points: set before start().
    void set_checker(std::unique_ptr<MarkedItemChecker> checker) { checker_ = std::move(checker); }
    void set_recorder(std::unique_ptr<SaleRecorder> recorder) { recorder_ = std::move(recorder); }

    // The register's FN number (empty until it answered once): the X-ClientId and
    // fiscalDriveNumber for upstream requests.
    std::string fn_number() const { return worker_->fn_number(); }
    // Its row on the status page: connected, FN number, receipt open, last error.
    DeviceStatus device_status() const;

private:
    LocalModule& module_;
    std::unique_ptr<KktWorker> worker_;
    std::unique_ptr<MarkedItemChecker> checker_;
    std::unique_ptr<SaleRecorder> recorder_;
};

}  // namespace piotd::daemon
