// The termios speed constant of a baud rate, for the serial scanner and the fiscal register's
// tty alike (one table, so both accept the same rates: is_standard_baud).
#pragma once

#include <termios.h>

namespace piotd::drivers {

// B0 when `baud` is not one of the standard rates.
speed_t termios_speed(unsigned baud);

}  // namespace piotd::drivers
