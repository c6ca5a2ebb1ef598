#include "drivers/scanner/scanner.hpp"

namespace piotd::drivers {

Scanner::Scanner(boost::asio::any_io_executor executor, ScannerOptions options,
                 ScanListener& listener)
    : options_(std::move(options)),
      listener_(listener),
      framer_(options_.framing, [this](std::string_view frame) { on_frame(frame); }),
      gap_(executor),
      link_(executor, options_.device, options_.serial, options_.reconnect,
            SerialLinkCallbacks{[this](const std::string& path) {
                                    framer_.reset();
                                    listener_.on_connected(path);
                                },
                                [this](const SerialError& error) {
                                    // Half a scan from before the loss must not be glued to the
                                    // next one.
                                    framer_.reset();
                                    gap_.cancel();
                                    listener_.on_disconnected(error);
                                },
                                [this](std::string_view bytes) { on_bytes(bytes); }}) {}

void Scanner::on_bytes(std::string_view bytes) {
    framer_.feed(bytes);
    if (options_.framing.suffix != ScanSuffix::none || framer_.pending() == 0) return;
    // Re-arming cancels the previous wait: the gap counts from the last byte.
    gap_.expires_after(options_.frame_gap);
    gap_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) framer_.flush();
    });
}

void Scanner::on_frame(std::string_view frame) {
    Scan scan;
    scan.raw = std::string(frame);
    std::string_view code = frame;
    if (options_.strip_prefix && !code.empty() && code.front() == *options_.strip_prefix) {
        code.remove_prefix(1);
    }
    scan.parsed = protocol::parse_marking_code(code, protocol::InputChannel::serial);
    scan.at = std::chrono::system_clock::now();
    listener_.on_scan(scan);
}

}  // namespace piotd::drivers
