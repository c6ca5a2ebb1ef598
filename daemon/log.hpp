// Logging to stderr, one line per event. Under systemd (JOURNAL_STREAM set) each line carries
// the sd-daemon priority prefix so journald files it at the right level. Never pass a token or
// a full crypto tail here.
#pragma once

#include <string_view>

namespace piotd::daemon {

enum class LogLevel { error = 3, warning = 4, info = 6, debug = 7 };

void set_log_level(LogLevel level);
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
