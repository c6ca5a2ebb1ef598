#include "drivers/serial/serial_link.hpp"

#include <boost/asio/post.hpp>

#include <random>

namespace piotd::drivers {

SerialLink::SerialLink(boost::asio::any_io_executor executor, SerialDevice device,
                       SerialSettings settings, ReconnectPolicy policy,
                       SerialLinkCallbacks callbacks)
    : executor_(executor),
      device_(std::move(device)),
      settings_(settings),
      policy_(policy),
      callbacks_(std::move(callbacks)),
      port_(executor),
      retry_(executor),
      backoff_(policy.initial) {}

void SerialLink::start() {
    boost::asio::post(executor_, [this] {
        if (running_) return;
        running_ = true;
        try_open();
    });
}

void SerialLink::stop() {
    boost::asio::post(executor_, [this] {
        running_ = false;
        retry_.cancel();
        port_.close();
        writes_.clear();
        writing_ = false;
        std::lock_guard lock(status_mutex_);
        status_.connected = false;
    });
}

void SerialLink::write(std::string bytes) {
    boost::asio::post(executor_, [this, bytes = std::move(bytes)]() mutable {
        if (!port_.is_open()) return;
        writes_.push_back(std::move(bytes));
        write_next();
    });
}

SerialLinkStatus SerialLink::status() const {
    std::lock_guard lock(status_mutex_);
    return status_;
}

void SerialLink::try_open() {
    if (!running_) return;
    if (auto error = port_.open(device_, settings_)) {
        report_error(*error);
        schedule_retry();
        return;
    }
    backoff_ = policy_.initial;
    reported_.reset();
    {
        std::lock_guard lock(status_mutex_);
        status_.connected = true;
        status_.path = port_.path();
        status_.last_error.reset();
        ++status_.connects;
    }
    if (callbacks_.connected) callbacks_.connected(port_.path());
    read_next();
}

void SerialLink::schedule_retry() {
    // Jitter of up to a quarter of the delay.
    thread_local std::minstd_rand random{std::random_device{}()};
    const auto jitter = std::chrono::milliseconds(
        std::uniform_int_distribution<long>(0, backoff_.count() / 4)(random));
    retry_.expires_after(backoff_ + jitter);
    backoff_ = std::min(backoff_ * 2, policy_.max);
    retry_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) try_open();
    });
}

void SerialLink::read_next() {
    port_.async_read_some(buffer_,
                          [this](const std::optional<SerialError>& error, std::size_t bytes) {
                              if (error) return lost(*error);
                              {
                                  std::lock_guard lock(status_mutex_);
                                  status_.bytes_read += bytes;
                              }
                              if (callbacks_.data)
                                  callbacks_.data(std::string_view(buffer_.data(), bytes));
                              if (running_ && port_.is_open()) read_next();
                          });
}

void SerialLink::lost(const SerialError& error) {
    port_.close();
    writes_.clear();
    writing_ = false;
    report_error(error);
    // The device may be replugged at once; the first retry is quick.
    backoff_ = policy_.initial;
    schedule_retry();
}

void SerialLink::report_error(const SerialError& error) {
    bool was_connected = false;
    {
        std::lock_guard lock(status_mutex_);
        was_connected = status_.connected;
        status_.connected = false;
        status_.last_error = error;
    }
    if (!was_connected && reported_ == error.kind) return;
    reported_ = error.kind;
    if (callbacks_.disconnected) callbacks_.disconnected(error);
}

void SerialLink::write_next() {
    if (writing_ || writes_.empty()) return;
    writing_ = true;
    std::string bytes = std::move(writes_.front());
    writes_.pop_front();
    port_.async_write(std::move(bytes), [this](const std::optional<SerialError>& error) {
        writing_ = false;
        if (error) return lost(*error);
        write_next();
    });
}

}  // namespace piotd::drivers
