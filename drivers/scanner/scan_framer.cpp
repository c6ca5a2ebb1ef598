#include "drivers/scanner/scan_framer.hpp"

namespace piotd::drivers {

ScanFramer::ScanFramer(ScanFramerOptions options, Sink on_frame)
    : options_(options), on_frame_(std::move(on_frame)) {
    buffer_.reserve(options_.max_frame);
}

void ScanFramer::emit() {
    if (!discarding_ && !buffer_.empty()) on_frame_(buffer_);
    buffer_.clear();
    discarding_ = false;
}

void ScanFramer::flush() {
    emit();
    after_cr_ = false;
}

void ScanFramer::reset() {
    buffer_.clear();
    discarding_ = false;
    after_cr_ = false;
}

void ScanFramer::feed(std::string_view bytes) {
    for (const char c : bytes) {
        bool end = false;
        switch (options_.suffix) {
            case ScanSuffix::cr:
                end = c == '\r';
                break;
            case ScanSuffix::lf:
                end = c == '\n';
                break;
            case ScanSuffix::custom:
                end = c == options_.custom_byte;
                break;
            case ScanSuffix::none:
                break;
            case ScanSuffix::crlf:
                // CR LF ends a frame; a lone CR inside a frame is kept as data.
                if (c == '\n' && after_cr_) {
                    buffer_.pop_back();
                    end = true;
                }
                after_cr_ = c == '\r';
                break;
        }
        if (end) {
            emit();
            continue;
        }
        if (discarding_) continue;
        if (buffer_.size() >= options_.max_frame) {
            ++overflows_;
            discarding_ = true;
            buffer_.clear();
            continue;
        }
        buffer_.push_back(c);
    }
}

}  // namespace piotd::drivers
