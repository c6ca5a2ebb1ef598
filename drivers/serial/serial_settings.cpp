#include "drivers/serial/serial_settings.hpp"

#include <array>
#include <charconv>
#include <cstdio>

namespace piotd::drivers {

std::optional<Parity> parse_parity(std::string_view text) {
    if (text == "none") return Parity::none;
    if (text == "odd") return Parity::odd;
    if (text == "even") return Parity::even;
    if (text == "mark") return Parity::mark;
    if (text == "space") return Parity::space;
    return std::nullopt;
}

std::optional<FlowControl> parse_flow_control(std::string_view text) {
    if (text == "none") return FlowControl::none;
    if (text == "xon_xoff") return FlowControl::xon_xoff;
    if (text == "rts_cts") return FlowControl::rts_cts;
    if (text == "dtr_dsr") return FlowControl::dtr_dsr;
    return std::nullopt;
}

bool is_standard_baud(unsigned baud) {
    static constexpr std::array<unsigned, 20> kBauds{
        1200,   2400,   4800,   9600,    19200,   38400,   57600,   115200,  230400,  460800,
        500000, 576000, 921600, 1000000, 1152000, 1500000, 2000000, 2500000, 3000000, 4000000};
    for (const unsigned b : kBauds) {
        if (b == baud) return true;
    }
    return false;
}

std::string SerialDevice::describe() const {
    if (!by_usb_id()) return path;
    char text[16];
    std::snprintf(text, sizeof text, "usb:%04x:%04x", *usb_vid & 0xffffu, *usb_pid & 0xffffu);
    return text;
}

namespace {

std::optional<unsigned> parse_hex16(std::string_view text) {
    if (text.size() != 4) return std::nullopt;
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

}  // namespace

std::optional<SerialDevice> parse_serial_device(std::string_view text) {
    if (text.empty()) return std::nullopt;
    SerialDevice device;
    std::string_view id = text;
    if (id.starts_with("usb:")) id.remove_prefix(4);
    if (id.size() == 9 && id[4] == ':') {
        const auto vid = parse_hex16(id.substr(0, 4));
        const auto pid = parse_hex16(id.substr(5));
        if (vid && pid) {
            device.usb_vid = vid;
            device.usb_pid = pid;
            return device;
        }
    }
    if (text.starts_with("usb:")) return std::nullopt;  // "usb:" promised an id
    device.path = std::string(text);
    return device;
}

}  // namespace piotd::drivers
