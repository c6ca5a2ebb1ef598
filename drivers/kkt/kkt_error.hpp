// What went wrong talking to the register, in the terms the cashier and the POS need: the
// register's own error code (with its Russian and English text), or a link failure, and whether
// a receipt is left open on the register (then it must be cancelled or finished).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace piotd::drivers {

enum class KktErrorKind : std::uint8_t {
    no_link,          // the register does not answer (cable, power, wrong port or baud)
    transport,        // the device or connection failed
    protocol,         // garbled or unexpected answers
    register_error,   // the register refused the command: see code()
    invalid_request,  // piotd could not encode the command (too long a name or code)
};

std::string_view kkt_error_kind_name(KktErrorKind kind);

class KktError : public std::runtime_error {
public:
    KktError(KktErrorKind kind, std::string what, std::uint8_t code = 0)
        : std::runtime_error(std::move(what)), kind_(kind), code_(code) {}
    KktErrorKind kind() const { return kind_; }
    // The register's ERR byte (register_error only).
    std::uint8_t code() const { return code_; }
    // Whether a receipt was open on the register after the failure, as far as piotd knows.
    bool receipt_open() const { return receipt_open_; }
    void set_receipt_open(bool open) { receipt_open_ = open; }

private:
    KktErrorKind kind_;
    std::uint8_t code_;
    bool receipt_open_ = false;
};

}  // namespace piotd::drivers
