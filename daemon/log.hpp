// Logging to stderr, one line per event. Under journald (JOURNAL_STREAM names stderr) each event
// goes to the journal's native socket with PRIORITY, SYSLOG_IDENTIFIER and PIOTD_COMPONENT fields,
// falling back to stderr lines with the sd-daemon priority prefix. Never pass a token or a full
// crypto tail here.
#pragma once

#include <string>
#include <string_view>

namespace piotd::daemon {

enum class LogLevel { error = 3, warning = 4, info = 6, debug = 7 };

void set_log_level(LogLevel level);
// The native journal protocol's datagram for one event (control characters escaped, so every
// field is one line).
std::string journal_fields(LogLevel level, std::string_view component, std::string_view message);

void log_line(LogLevel level, std::string_view component, std::string_view message);

inline void log_error(std::string_view component, std::string_view message) {
    log_line(LogLevel::error, component, message);
}
inline void log_warning(std::string_view component, std::string_view message) {
    log_line(LogLevel::warning, component, message);
}
inline void log_info(std::string_view component, std::string_view message) {
    log_line(LogLevel::info, component, message);
}

}  // namespace piotd::daemon
