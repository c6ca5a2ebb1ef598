// A serial scanner (USB-COM / CDC-ACM or RS-232): keeps the port connected (SerialLink), cuts the
// byte stream into scans by the configured suffix or, for scanners that send none, by an idle gap,
// normalises and parses each scan as serial input (GS kept as a byte, AIM prefix and FNC1
// handled, GS recovered from fixed lengths, Cyrillic keyboard layout mapped back) and hands every
// scan to a listener together with the raw bytes.
//
// Threading as SerialLink: runs on one executor; the listener is called on its thread.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "drivers/scanner/scan_framer.hpp"
#include "drivers/serial/serial_link.hpp"
#include "protocol/codes/marking_code.hpp"

namespace piotd::drivers {

struct ScannerOptions {
    SerialDevice device;
    SerialSettings serial{};
    ScanFramerOptions framing{};
    // With ScanSuffix::none: a scan ends after this long without a byte. Scanners send a whole
    // code in a few ms; people do not scan twice within 50 ms.
    std::chrono::milliseconds frame_gap{60};
    // A header byte some scanners put before every scan (STX, 0x02, with an ETX suffix on the
    // Cino/Denso "STX/ETX wrap" setting): removed before parsing, kept in Scan::raw.
    std::optional<char> strip_prefix;
    ReconnectPolicy reconnect{};
};

struct Scan {
    std::string raw;               // the frame's bytes, without the suffix
    protocol::ParseResult parsed;  // normalised code, repairs, or the error
    std::chrono::system_clock::time_point at;
};

class ScanListener {
public:
    virtual ~ScanListener() = default;
    virtual void on_scan(const Scan& scan) = 0;
    virtual void on_connected(const std::string& path) = 0;
    virtual void on_disconnected(const SerialError& error) = 0;
};

struct ScannerCounters {
    std::uint64_t scans = 0;      // frames received
    std::uint64_t parsed = 0;     // of which parsed as marking codes
    std::uint64_t rejected = 0;   // of which did not parse
    std::uint64_t overflows = 0;  // frames dropped for being too long
};

class Scanner {
public:
    Scanner(boost::asio::any_io_executor executor, ScannerOptions options, ScanListener& listener);
    Scanner(const Scanner&) = delete;
    Scanner& operator=(const Scanner&) = delete;

    void start() { link_.start(); }
    void stop() { link_.stop(); }

    SerialLinkStatus link_status() const { return link_.status(); }
    const ScannerOptions& options() const { return options_; }

private:
    void on_bytes(std::string_view bytes);
    void on_frame(std::string_view frame);

    ScannerOptions options_;
    ScanListener& listener_;
    ScanFramer framer_;
    boost::asio::steady_timer gap_;
    SerialLink link_;
};

}  // namespace piotd::drivers
