// A Shtrih-M register, command by command (tspiot-kkt.md §B.2.3). One session per register;
// not thread-safe: the daemon drives it from one worker thread. Every method throws KktError
// (with the register's code and whether a receipt is left open) and never leaves the caller
// guessing: after a failure, receipt_open() is re-read from the register when it answers.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "drivers/kkt/kkt_error.hpp"
#include "drivers/kkt/kkt_link.hpp"
#include "drivers/kkt/kkt_transport.hpp"
#include "protocol/kkt/shtrih_command.hpp"
#include "protocol/kkt/shtrih_reply.hpp"

namespace piotd::drivers {

struct KktSessionOptions {
    std::uint32_t password = 30;  // the system administrator's factory password
    LinkTimings timings{};
    // 50h "still printing": the vendor's sample repeats the command; so does piotd.
    int busy_retries = 20;
    std::chrono::milliseconds busy_delay{100};
    // Closing a receipt prints it and talks to the FN: give it longer.
    std::chrono::milliseconds close_timeout{30'000};
};

struct KktPosition {
    std::string name;  // UTF-8; sent as CP1251, cut at 128 bytes
    std::uint64_t price_kopecks = 0;
    std::uint64_t quantity_millionths = 1'000'000;
    std::uint8_t vat = 1;                    // the register's tax group 1…6
    std::vector<std::uint8_t> marking_code;  // empty: not a marked item
    std::vector<std::uint8_t> tag1260;       // whole TLV of tag 1260; empty: none
};

struct KktPayment {
    std::uint64_t cash_kopecks = 0;
    std::uint64_t electronic_kopecks = 0;
};

class KktSession {
public:
    KktSession(KktTransport& transport, KktSessionOptions options);

    protocol::shtrih::ShortStatus status();
    protocol::shtrih::DeviceStatus device_status();
    protocol::shtrih::FnStatus fn_status();
    std::string read_fn_number();
    protocol::shtrih::MarkingStatus marking_status();

    void open_receipt(protocol::shtrih::ReceiptType type = protocol::shtrih::ReceiptType::sale);
    // FF61 with planned status "piece sold". The verdict is in the result
    // (protocol::shtrih::marking_check_refused); a register error throws.
    protocol::shtrih::MarkingCheck check_marking_code(std::span<const std::uint8_t> code);
    // FF69; returns tag 2106 when the register sends it.
    std::optional<std::uint8_t> accept_marking_code(bool accept);
    // FF46, then FF4D with tag 1260, then FF67 with the code.
    void add_position(const KktPosition& position);
    protocol::shtrih::CloseResult close_receipt(const KktPayment& payment);
    void cancel_receipt();

    // As far as piotd knows; refreshed from the register after every failure.
    bool receipt_open() const { return receipt_open_; }
    // Asks the register (10h). False when it does not answer.
    bool refresh_receipt_open();

    const LinkStats& link_stats() const { return link_.stats(); }
    std::string describe() const { return link_.transport().describe(); }
    bool probe() { return link_.probe_link(); }

private:
    // Sends a command, retries on 50h, checks the echo and ERR; returns DATA after ERR.
    std::vector<std::uint8_t> call(protocol::shtrih::Command command,
                                   std::span<const std::uint8_t> payload,
                                   std::chrono::milliseconds timeout = {});
    [[noreturn]] void fail(KktError error);

    KktLink link_;
    KktSessionOptions options_;
    bool receipt_open_ = false;
};

}  // namespace piotd::drivers
