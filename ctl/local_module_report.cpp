#include "ctl/local_module_report.hpp"

#include <optional>
#include <vector>

#include "daemon/status/html_text.hpp"
#include "daemon/status/lm_sync_clock.hpp"

namespace piotd::ctl {

namespace {

// The LM's text on a terminal: no control characters (no escape sequences).
std::string printable(std::string text) {
    for (char& c : text) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    }
    return daemon::utf8_sanitized(text);
}

std::string text_of(const rapidjson::Value& object, const char* key) {
    const auto it = object.FindMember(key);
    return it != object.MemberEnd() && it->value.IsString() ? printable(it->value.GetString()) : "";
}

std::optional<std::int64_t> int_of(const rapidjson::Value& object, const char* key) {
    const auto it = object.FindMember(key);
    if (it == object.MemberEnd() || !it->value.IsInt64()) return std::nullopt;
    return it->value.GetInt64();
}

std::string count_of(const rapidjson::Value& object, const char* key) {
    const auto it = object.FindMember(key);
    return it != object.MemberEnd() && it->value.IsUint64() ? std::to_string(it->value.GetUint64())
                                                            : "0";
}

bool reachable(const rapidjson::Value& lm) {
    const auto it = lm.FindMember("reachable");
    return it != lm.MemberEnd() && it->value.IsBool() && it->value.GetBool();
}

// The LM's status as it sent it; empty when it sent none yet.
std::string status_of(const rapidjson::Value& lm) {
    return text_of(lm, "status");
}

std::string circuit_of(const rapidjson::Value& lm) {
    const std::string circuit = text_of(lm, "circuit");
    return circuit.empty() ? "closed" : circuit;
}

std::string circuit_text(const rapidjson::Value& lm) {
    const std::string circuit = circuit_of(lm);
    const std::int64_t until = int_of(lm, "circuitOpenUntil").value_or(0);
    if (circuit == "open" && until > 0) return "open until " + daemon::format_utc(until);
    return circuit;
}

std::string fix_for_status(const std::string& status) {
    if (status == "not_configured") {
        return "finish the local module's setup (token, INN) in its web interface";
    }
    if (status == "initialization") {
        return "wait for the local module to download its lists (its web interface shows "
               "progress)";
    }
    if (status == "sync_error") {
        return "the local module has not synchronised for 72 h: check its internet connection to "
               "the Chestny ZNAK servers";
    }
    return "look at the local module's web interface";
}

}  // namespace

std::string local_module_status_lines(const rapidjson::Value& lm, std::int64_t now_ms) {
    std::string out = "local module " + text_of(lm, "url");
    if (const std::string api = text_of(lm, "apiVersion"); !api.empty()) {
        out += " (API v" + api + ")";
    }
    const std::string status = status_of(lm);
    out += ": ";
    if (!reachable(lm)) {
        out += status.empty() ? "unreachable, no status yet" : "unreachable, last status " + status;
    } else {
        out += status.empty() ? "no status yet" : status;
    }
    if (const std::string version = text_of(lm, "version"); !version.empty()) {
        out += ", version " + version;
    }
    if (const std::string inst = text_of(lm, "inst"); !inst.empty()) out += ", inst " + inst;
    out += "\n";
    if (!status.empty()) {
        const std::optional<std::int64_t> last_sync = int_of(lm, "lastSync");
        const daemon::LmSyncClock clock = daemon::lm_sync_clock(last_sync, now_ms);
        out += "  last sync ";
        if (last_sync) {
            out += daemon::format_utc(*last_sync);
            if (clock.age_ms >= 0) {
                out += " (" + daemon::format_hours_minutes(clock.age_ms) + " ago)";
            }
            out += ", " + daemon::lm_sync_clock_text(clock);
        } else {
            out += "unknown";
        }
        out += "\n";
    }
    out += "  circuit " + circuit_text(lm);
    const auto checks = lm.FindMember("checks");
    if (checks != lm.MemberEnd() && checks->value.IsObject()) {
        out += "; checks " + count_of(checks->value, "answered") + " answered, " +
               count_of(checks->value, "failed") + " failed, " +
               count_of(checks->value, "skipped") + " skipped";
    }
    out += "\n";
    if (const std::string error = text_of(lm, "lastError"); !error.empty()) {
        out += "  last error: " + error + "\n";
    }
    return out;
}

LocalModuleFinding local_module_finding(const rapidjson::Value& lm, std::int64_t now_ms) {
    using Level = LocalModuleFinding::Level;
    const std::string url = text_of(lm, "url");
    const std::string status = status_of(lm);
    struct Problem {
        Level level;
        std::string message;
        std::string fix;
    };
    std::vector<Problem> problems;
    if (!reachable(lm)) {
        const std::string error = text_of(lm, "lastError");
        problems.push_back(
            {Level::fail, url + " does not answer" + (error.empty() ? "" : ": " + error),
             "check that the local module runs and [local_module] url, user and password"});
    }
    if (status.empty()) {
        if (reachable(lm)) {
            problems.push_back({Level::fail, url + " sent no status yet",
                                "wait a poll period; then journalctl -u piotd says why"});
        }
    } else if (status != "ready") {
        problems.push_back({Level::fail,
                            std::string(reachable(lm) ? "" : "its last status: ") +
                                "the local module is " + status,
                            fix_for_status(status)});
    }
    const std::optional<std::int64_t> last_sync = int_of(lm, "lastSync");
    const daemon::LmSyncClock clock = daemon::lm_sync_clock(last_sync, now_ms);
    const std::string sync_fix =
        "check the local module's internet connection to the Chestny ZNAK servers (its web "
        "interface shows the replication)";
    if (!status.empty()) {
        if (!last_sync) {
            problems.push_back({Level::warn, "the local module tells no lastSync",
                                "look at the local module's web interface"});
        } else if (clock.level == daemon::LmSyncClock::Level::passed) {
            problems.push_back({Level::fail,
                                "last synchronised " + daemon::format_hours_minutes(clock.age_ms) +
                                    " ago: " + daemon::lm_sync_clock_text(clock),
                                sync_fix});
        } else if (clock.age_ms >= kDoctorLmSyncWarnMs) {
            problems.push_back({Level::warn,
                                "last synchronised " + daemon::format_hours_minutes(clock.age_ms) +
                                    " ago, " + daemon::lm_sync_clock_text(clock),
                                sync_fix});
        }
    }
    if (const std::string circuit = circuit_of(lm); circuit != "closed") {
        problems.push_back(
            {Level::warn,
             "circuit " + circuit_text(lm) + ": piotd does not ask the local module meanwhile",
             "the local module failed checks in a row: see its last error (piotctl status)"});
    }
    LocalModuleFinding finding;
    for (const Problem& p : problems) {
        if (p.level > finding.level) finding.level = p.level;
    }
    if (finding.level == Level::ok) {
        finding.message = url + " is ready";
        if (const std::string version = text_of(lm, "version"); !version.empty()) {
            finding.message += ", version " + version;
        }
        finding.message +=
            ", last synchronised " + daemon::format_hours_minutes(clock.age_ms) + " ago";
        return finding;
    }
    for (const Problem& p : problems) {
        if (p.level != finding.level) continue;
        finding.message += (finding.message.empty() ? "" : "; ") + p.message;
        if (finding.fix.empty()) finding.fix = p.fix;
    }
    return finding;
}

}  // namespace piotd::ctl
