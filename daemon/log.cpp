#include "daemon/log.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace piotd::daemon {

namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::info)};
const bool g_journald = std::getenv("JOURNAL_STREAM") != nullptr;

}  // namespace

void set_log_level(LogLevel level) {
    g_level.store(static_cast<int>(level));
}

void log_line(LogLevel level, std::string_view component, std::string_view message) {
    if (static_cast<int>(level) > g_level.load(std::memory_order_relaxed)) return;
    std::string line;
    line.reserve(message.size() + component.size() + 16);
    if (g_journald) {
        line += '<';
        line += static_cast<char>('0' + static_cast<int>(level));
        line += '>';
    }
    line += "piotd[";
    line += component;
    line += "]: ";
    // Control characters from hostile input would forge log lines; show them escaped.
    for (const char c : message) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {
            static constexpr char kHex[] = "0123456789abcdef";
            line += "\\x";
            line += kHex[u >> 4];
            line += kHex[u & 15];
        } else {
            line += c;
        }
    }
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace piotd::daemon
