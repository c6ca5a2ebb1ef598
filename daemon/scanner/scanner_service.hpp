// The till's scanner inside the daemon: runs the serial scanner driver on its own I/O thread,
// checks every scan (ScanChecker), publishes it to the event stream (ScanEventHub) and keeps
// the figures GET /api/v1/scanner/status reports. Without a configured device it only keeps the
// event stream's keep-alive going.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "daemon/scanner/scan_checker.hpp"
#include "daemon/scanner/scan_event_hub.hpp"
#include "daemon/scanner/scanner_config.hpp"
#include "daemon/status/status_providers.hpp"
#include "drivers/scanner/scanner.hpp"

namespace piotd::daemon {

class ScannerService : private drivers::ScanListener {
public:
    ScannerService(const ScannerConfig& config, ScanChecker& checker, ScanEventHub& hub);
    ~ScannerService() override;
    ScannerService(const ScannerService&) = delete;
    ScannerService& operator=(const ScannerService&) = delete;

    void start();
    // Closes the port and joins the thread; no event is published after it returns.
    void stop();

    // The JSON of GET /api/v1/scanner/status.
    std::string status_json() const;
    // A device is configured ([scanner] device / --scanner).
    bool configured() const { return scanner_ != nullptr; }
    // Its row on the status page (call only when configured()).
    DeviceStatus device_status() const;

private:
    void on_scan(const drivers::Scan& scan) override;
    void on_connected(const std::string& path) override;
    void on_disconnected(const drivers::SerialError& error) override;
    void schedule_keepalive();

    const ScannerConfig& config_;
    ScanChecker& checker_;
    ScanEventHub& hub_;
    boost::asio::io_context io_{1};
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    boost::asio::steady_timer keepalive_;
    std::unique_ptr<drivers::Scanner> scanner_;
    std::thread thread_;

    mutable std::mutex mutex_;
    struct Counters {
        std::uint64_t scans = 0;
        std::uint64_t parsed = 0;
        std::uint64_t rejected = 0;
        std::uint64_t allowed = 0;
        std::uint64_t blocked = 0;
        std::uint64_t unavailable = 0;
    } counters_;
    std::int64_t last_scan_ms_ = 0;  // 0: none yet
    std::string last_code_;          // КИ of the last parsed scan
};

}  // namespace piotd::daemon
