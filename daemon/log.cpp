#include "daemon/log.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "daemon/systemd/unix_datagram.hpp"

namespace piotd::daemon {

namespace {

// journald hands a service "DEV:INODE" of the stream it connected to stderr. Only when stderr is
// still that stream is it journald's (not a file the service's shell redirected to).
bool stderr_is_journal() {
    const char* stream = std::getenv("JOURNAL_STREAM");
    if (stream == nullptr) return false;
    unsigned long long dev = 0;
    unsigned long long ino = 0;
    if (std::sscanf(stream, "%llu:%llu", &dev, &ino) != 2) return false;
    struct stat st {};
    if (fstat(STDERR_FILENO, &st) != 0) return false;
    return static_cast<unsigned long long>(st.st_dev) == dev &&
           static_cast<unsigned long long>(st.st_ino) == ino;
}

constexpr std::string_view kJournalSocket = "/run/systemd/journal/socket";

std::atomic<int> g_level{static_cast<int>(LogLevel::info)};
const bool g_journald = stderr_is_journal();

// Control characters from hostile input would forge log lines (or journal fields); show them
// escaped.
void append_escaped(std::string& line, std::string_view message) {
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
}

}  // namespace

void set_log_level(LogLevel level) {
    g_level.store(static_cast<int>(level));
}

std::string journal_fields(LogLevel level, std::string_view component, std::string_view message) {
    std::string entry;
    entry.reserve(message.size() + 96);
    entry += "PRIORITY=";
    entry += static_cast<char>('0' + static_cast<int>(level));
    entry += "\nSYSLOG_IDENTIFIER=piotd\nPIOTD_COMPONENT=";
    append_escaped(entry, component);
    entry += "\nMESSAGE=piotd[";
    append_escaped(entry, component);
    entry += "]: ";
    append_escaped(entry, message);
    entry += '\n';
    return entry;
}

void log_line(LogLevel level, std::string_view component, std::string_view message) {
    if (static_cast<int>(level) > g_level.load(std::memory_order_relaxed)) return;
    // Under journald: the native protocol, so the component is a field of its own
    // (journalctl PIOTD_COMPONENT=replication). If the socket fails, stderr with a priority prefix.
    if (g_journald &&
        send_unix_datagram(kJournalSocket, journal_fields(level, component, message))) {
        return;
    }
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
    append_escaped(line, message);
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace piotd::daemon
