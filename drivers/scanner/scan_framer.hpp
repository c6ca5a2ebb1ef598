// Cuts the byte stream of a serial scanner into scans. Scanners end each scan with a configured
// suffix (CR by default, LF, CR LF, or another byte such as ETX); reads split frames anywhere.
// A frame that grows past the limit without a suffix is dropped whole (a scanner set to send no
// suffix, or line noise), and the framer resynchronises on the next suffix. Scanners that send no
// suffix at all (ScanSuffix::none) are framed by time: the driver calls flush() when the line has
// been idle for the inter-scan gap.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace piotd::drivers {

enum class ScanSuffix { cr, lf, crlf, custom, none };

struct ScanFramerOptions {
    ScanSuffix suffix = ScanSuffix::cr;
    char custom_byte = '\x03';     // with ScanSuffix::custom (ETX by default)
    std::size_t max_frame = 1024;  // longer than any marking code by far
};

class ScanFramer {
public:
    using Sink = std::function<void(std::string_view frame)>;

    ScanFramer(ScanFramerOptions options, Sink on_frame);

    // Feeds bytes as they were read; calls the sink once per complete, non-empty frame.
    void feed(std::string_view bytes);
    // Ends the pending frame here (the idle gap of a suffix-less scanner): emits it if non-empty.
    void flush();
    // Forgets the pending bytes (the device went away mid-frame).
    void reset();
    // Frames dropped for exceeding max_frame.
    std::size_t overflows() const { return overflows_; }
    // Bytes waiting for their suffix.
    std::size_t pending() const { return buffer_.size(); }

private:
    void emit();

    ScanFramerOptions options_;
    Sink on_frame_;
    std::string buffer_;
    bool discarding_ = false;
    bool after_cr_ = false;
    std::size_t overflows_ = 0;
};

}  // namespace piotd::drivers
