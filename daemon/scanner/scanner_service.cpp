#include "daemon/scanner/scanner_service.hpp"

#include <boost/asio/post.hpp>

#include <chrono>

#include "daemon/log.hpp"
#include "daemon/scanner/checked_code_json.hpp"
#include "protocol/json/json_writer.hpp"

namespace piotd::daemon {

namespace {

std::int64_t to_ms(std::chrono::system_clock::time_point at) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
}

void write_error(protocol::JsonWriter& writer, const drivers::SerialError& error) {
    writer.StartObject();
    protocol::write_key(writer, "kind");
    protocol::write_string(writer, drivers::serial_error_name(error.kind));
    protocol::write_key(writer, "message");
    protocol::write_string(writer, error.message);
    writer.EndObject();
}

}  // namespace

ScannerService::ScannerService(const ScannerConfig& config, ScanChecker& checker, ScanEventHub& hub)
    : config_(config), checker_(checker), hub_(hub), work_(io_.get_executor()), keepalive_(io_) {
    if (!config_.device.empty()) {
        scanner_ = std::make_unique<drivers::Scanner>(io_.get_executor(), scanner_options(config_),
                                                      static_cast<drivers::ScanListener&>(*this));
    }
}

ScannerService::~ScannerService() {
    stop();
}

void ScannerService::start() {
    if (thread_.joinable()) return;
    if (scanner_) scanner_->start();
    schedule_keepalive();
    thread_ = std::thread([this] { io_.run(); });
}

void ScannerService::stop() {
    if (!thread_.joinable()) return;
    if (scanner_) scanner_->stop();
    boost::asio::post(io_, [this] {
        keepalive_.cancel();
        work_.reset();
    });
    // The link's close ran before the work guard went; stop() ends whatever is still pending.
    boost::asio::post(io_, [this] { io_.stop(); });
    thread_.join();
}

void ScannerService::schedule_keepalive() {
    keepalive_.expires_after(config_.keepalive);
    keepalive_.async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;
        hub_.keep_alive();
        schedule_keepalive();
    });
}

void ScannerService::on_scan(const drivers::Scan& scan) {
    std::optional<ScanVerdict> verdict;
    if (scan.parsed) verdict = checker_.check(scan.parsed.code);
    const std::int64_t at_ms = to_ms(scan.at);
    {
        std::lock_guard lock(mutex_);
        ++counters_.scans;
        last_scan_ms_ = at_ms;
        if (!scan.parsed) {
            ++counters_.rejected;
        } else {
            ++counters_.parsed;
            last_code_ = std::string(scan.parsed.code.ki());
            switch (verdict->kind) {
                case ScanVerdictKind::allowed:
                    ++counters_.allowed;
                    break;
                case ScanVerdictKind::blocked:
                    ++counters_.blocked;
                    break;
                case ScanVerdictKind::unavailable:
                    ++counters_.unavailable;
                    break;
            }
        }
    }
    protocol::JsonBuffer buffer;
    protocol::JsonWriter writer(buffer);
    writer.StartObject();
    protocol::write_key(writer, "timeMs");
    writer.Int64(at_ms);
    protocol::write_key(writer, "device");
    protocol::write_string(writer, scanner_->link_status().path);
    write_checked_code_members(writer, scan.raw, scan.parsed, verdict);
    writer.EndObject();
    hub_.publish("scan", {buffer.GetString(), buffer.GetSize()});
    log_line(LogLevel::debug, "scanner",
             scan.parsed
                 ? "scan " + std::string(scan.parsed.code.ki()) + ": " +
                       std::string(scan_verdict_name(verdict->kind))
                 : "scan rejected: " + std::string(protocol::code_error_name(scan.parsed.error)));
}

void ScannerService::on_connected(const std::string& path) {
    log_info("scanner", "connected: " + path);
    protocol::JsonBuffer buffer;
    protocol::JsonWriter writer(buffer);
    writer.StartObject();
    protocol::write_key(writer, "connected");
    writer.Bool(true);
    protocol::write_key(writer, "path");
    protocol::write_string(writer, path);
    writer.EndObject();
    hub_.publish("device", {buffer.GetString(), buffer.GetSize()});
}

void ScannerService::on_disconnected(const drivers::SerialError& error) {
    log_warning("scanner", error.message);
    protocol::JsonBuffer buffer;
    protocol::JsonWriter writer(buffer);
    writer.StartObject();
    protocol::write_key(writer, "connected");
    writer.Bool(false);
    protocol::write_key(writer, "error");
    write_error(writer, error);
    writer.EndObject();
    hub_.publish("device", {buffer.GetString(), buffer.GetSize()});
}

DeviceStatus ScannerService::device_status() const {
    DeviceStatus device;
    device.kind = "scanner";
    if (!scanner_) return device;
    device.name = scanner_->options().device.describe();
    const drivers::SerialLinkStatus link = scanner_->link_status();
    if (link.connected) {
        device.state = "ok";
        std::lock_guard lock(mutex_);
        device.detail = link.path + ", scans: " + std::to_string(counters_.scans);
    } else if (link.last_error) {
        device.state = link.last_error->kind == drivers::SerialErrorKind::disconnected
                           ? "disconnected"
                           : "error";
        device.detail = std::string(drivers::serial_error_name(link.last_error->kind)) + ": " +
                        link.last_error->message;
    } else {
        device.state = "connecting";
    }
    return device;
}

std::string ScannerService::status_json() const {
    protocol::JsonBuffer buffer;
    protocol::JsonWriter writer(buffer);
    using protocol::write_key;
    using protocol::write_string;
    writer.StartObject();
    write_key(writer, "configured");
    writer.Bool(scanner_ != nullptr);
    write_key(writer, "device");
    if (scanner_) {
        write_string(writer, scanner_->options().device.describe());
    } else {
        writer.Null();
    }
    const drivers::SerialLinkStatus link =
        scanner_ ? scanner_->link_status() : drivers::SerialLinkStatus{};
    write_key(writer, "connected");
    writer.Bool(link.connected);
    write_key(writer, "path");
    if (link.path.empty()) {
        writer.Null();
    } else {
        write_string(writer, link.path);
    }
    write_key(writer, "error");
    if (link.last_error && !link.connected) {
        write_error(writer, *link.last_error);
    } else {
        writer.Null();
    }
    write_key(writer, "connects");
    writer.Uint64(link.connects);
    write_key(writer, "bytesRead");
    writer.Uint64(link.bytes_read);
    {
        std::lock_guard lock(mutex_);
        write_key(writer, "lastScanMs");
        if (last_scan_ms_ == 0) {
            writer.Null();
        } else {
            writer.Int64(last_scan_ms_);
        }
        write_key(writer, "lastCis");
        if (last_code_.empty()) {
            writer.Null();
        } else {
            write_string(writer, last_code_);
        }
        write_key(writer, "counters");
        writer.StartObject();
        write_key(writer, "scans");
        writer.Uint64(counters_.scans);
        write_key(writer, "parsed");
        writer.Uint64(counters_.parsed);
        write_key(writer, "rejected");
        writer.Uint64(counters_.rejected);
        write_key(writer, "allowed");
        writer.Uint64(counters_.allowed);
        write_key(writer, "blocked");
        writer.Uint64(counters_.blocked);
        write_key(writer, "unavailable");
        writer.Uint64(counters_.unavailable);
        writer.EndObject();
    }
    write_key(writer, "eventClients");
    writer.Uint64(hub_.clients());
    write_key(writer, "eventClientsDropped");
    writer.Uint64(hub_.dropped_clients());
    writer.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace piotd::daemon
