// How a serial line is set up: speed, character format and flow control. Defaults are 9600 8N1
// without flow control, what scanners and fiscal registers ship with. USB CDC-ACM devices ignore
// the speed (the USB link sets the pace), but it is applied anyway for real RS-232 adapters.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace piotd::drivers {

enum class Parity { none, odd, even, mark, space };
enum class FlowControl { none, xon_xoff, rts_cts, dtr_dsr };

struct SerialSettings {
    unsigned baud = 9600;
    unsigned data_bits = 8;  // 5..8
    Parity parity = Parity::none;
    unsigned stop_bits = 1;  // 1 or 2
    FlowControl flow = FlowControl::none;
};

// "none", "odd", "even", "mark", "space".
std::optional<Parity> parse_parity(std::string_view text);
// "none", "xon_xoff", "rts_cts", "dtr_dsr".
std::optional<FlowControl> parse_flow_control(std::string_view text);
// True when the kernel's termios knows this speed (1200 … 4000000).
bool is_standard_baud(unsigned baud);

// Where a device is: a path (/dev/ttyACM0, a udev symlink, a pty) or a USB id "vvvv:pppp"
// (also written "usb:vvvv:pppp"), resolved at every (re)connect, so the device may come back
// under another /dev name after a replug.
struct SerialDevice {
    std::string path;
    std::optional<unsigned> usb_vid;
    std::optional<unsigned> usb_pid;

    bool by_usb_id() const { return usb_vid.has_value(); }
    // For logs and status: the path, or "usb:vvvv:pppp".
    std::string describe() const;
};

// Empty text is no device. Text of the form [usb:]XXXX:XXXX (hex) is a USB id, anything else a
// path.
std::optional<SerialDevice> parse_serial_device(std::string_view text);

}  // namespace piotd::drivers
