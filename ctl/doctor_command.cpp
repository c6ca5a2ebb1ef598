// piotctl doctor: looks at everything that commonly breaks a till's piotd and says, in plain
// words, what to fix. Each finding is ok, warn or fail; any fail exits 1.
#include <rapidjson/document.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <filesystem>

#include "ctl/ctl_context.hpp"
#include "ctl/exit_code.hpp"
#include "ctl/local_module_report.hpp"
#include "daemon/status/html_text.hpp"
#include "protocol/json/json_writer.hpp"

namespace piotd::ctl {

namespace {

enum class Level { ok, warn, fail, skip };

struct Finding {
    std::string check;
    Level level;
    std::string message;
    std::string fix;  // empty when nothing to do
};

const char* level_name(Level level) {
    switch (level) {
        case Level::ok:
            return "ok";
        case Level::warn:
            return "warn";
        case Level::fail:
            return "fail";
        case Level::skip:
            return "skip";
    }
    return "fail";
}

void check_config(const CtlContext& context, std::vector<Finding>& out) {
    const std::string& file = context.options.config_file;
    struct stat st {};
    if (stat(file.c_str(), &st) != 0) {
        out.push_back({"config", context.options.config_given ? Level::fail : Level::warn,
                       file + " does not exist",
                       "install the package or pass --config; piotd then runs on defaults"});
        return;
    }
    if (!context.connection.config_error.empty()) {
        out.push_back({"config", Level::fail, context.connection.config_error,
                       access(file.c_str(), R_OK) != 0
                           ? "run piotctl as root or as a member of group piotd"
                           : "fix the line named above (docs/configuration.md lists every key)"});
        return;
    }
    if ((st.st_mode & S_IROTH) != 0) {
        out.push_back({"config", Level::fail,
                       file + " is readable by every user, and it holds the API password",
                       "chmod 0640 " + file + " && chown root:piotd " + file});
        return;
    }
    if (context.connection.config.password.empty()) {
        out.push_back({"config", Level::fail, "no API password in " + file,
                       "set [auth] password (piotd refuses to start without one)"});
        return;
    }
    out.push_back(
        {"config", Level::ok, file + " is readable, parses, and is not world-readable", ""});
}

void check_data_dir(const CtlContext& context, std::vector<Finding>& out) {
    const std::filesystem::path dir = context.connection.config.data_dir;
    struct stat st {};
    if (stat(dir.c_str(), &st) != 0) {
        out.push_back({"data dir", Level::fail, dir.string() + " does not exist",
                       "mkdir -p " + dir.string() + " && chown piotd:piotd " + dir.string()});
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        out.push_back({"data dir", Level::fail, dir.string() + " is not a directory",
                       "point [storage] data_dir at a directory"});
        return;
    }
    if ((st.st_mode & S_IWOTH) != 0) {
        out.push_back({"data dir", Level::fail, dir.string() + " is writable by every user",
                       "chmod 0750 " + dir.string()});
        return;
    }
    struct statvfs fs {};
    if (statvfs(dir.c_str(), &fs) == 0) {
        const std::uint64_t free_bytes = static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
        const std::uint64_t total = static_cast<std::uint64_t>(fs.f_blocks) * fs.f_frsize;
        if (free_bytes < (256u << 20) || (total > 0 && free_bytes * 20 < total)) {
            out.push_back({"disk space", Level::fail,
                           daemon::format_bytes(free_bytes) + " free on the data dir's disk",
                           "free disk space: the lists need room to grow and LMDB to write"});
        } else {
            out.push_back(
                {"disk space", Level::ok, daemon::format_bytes(free_bytes) + " free", ""});
        }
    }
    out.push_back({"data dir", Level::ok, dir.string() + " exists and is not world-writable", ""});
}

// Is the daemon listening, and is it piotd? Returns the status page JSON when it answered.
std::string check_port(CtlContext& context, std::vector<Finding>& out) {
    HttpAnswer answer;
    try {
        answer = context.client.get("/api/v1/status/page");
    } catch (const Unreachable& e) {
        const std::string what = e.what();
        if (what.starts_with("cannot connect") || what.starts_with("cannot resolve")) {
            out.push_back({"daemon", Level::fail, "nothing answers: " + what,
                           "start it: systemctl start piotd; then journalctl -u piotd says why it "
                           "stopped"});
        } else {
            out.push_back({"daemon", Level::fail,
                           "something listens at " + context.client.url_text() +
                               " but does not answer like piotd: " + what,
                           "stop that program or give piotd another [server] listen port"});
        }
        return {};
    }
    if (answer.status == 401) {
        out.push_back({"daemon", Level::fail, "piotd answers but refuses the credentials",
                       "use the password of [auth] in the config (--password or PIOTD_PASSWORD)"});
        return {};
    }
    rapidjson::Document doc;
    doc.Parse(answer.body.data(), answer.body.size());
    if (answer.status == 200 && !doc.HasParseError() && doc.IsObject() && doc.HasMember("inst")) {
        const std::string state = doc.HasMember("state") && doc["state"].IsString()
                                      ? doc["state"].GetString()
                                      : "unknown";
        out.push_back({"daemon", Level::ok,
                       "piotd answers at " + context.client.url_text() + " (state " + state + ")",
                       ""});
        if (state != "ready") {
            out.push_back({"module state", Level::fail, "the module is " + state,
                           state == "not_configured"
                               ? "piotctl init TOKEN, or set [upstream] url to a store piotd"
                           : state == "sync_error"
                               ? "the lists are older than 72 h: check the upstream below"
                               : "wait for the lists to load (piotctl status shows progress)"});
        }
        return answer.body;
    }
    out.push_back({"daemon", Level::fail,
                   "the port of " + context.client.url_text() +
                       " is taken by something that is not piotd (HTTP " +
                       std::to_string(answer.status) + ")",
                   "stop that program or give piotd another [server] listen port"});
    return {};
}

void check_map_use(const CtlContext& context, const std::string& status_json,
                   std::vector<Finding>& out) {
    std::uint64_t used = 0;
    std::uint64_t map = 0;
    rapidjson::Document doc;
    doc.Parse(status_json.data(), status_json.size());
    if (!doc.HasParseError() && doc.IsObject() && doc.HasMember("data") && doc["data"].IsObject()) {
        const auto& data = doc["data"];
        if (data.HasMember("usedBytes") && data["usedBytes"].IsUint64()) {
            used = data["usedBytes"].GetUint64();
        }
        if (data.HasMember("mapBytes") && data["mapBytes"].IsUint64()) {
            map = data["mapBytes"].GetUint64();
        }
    } else {
        // The daemon is down: the file size is what the data has grown to.
        std::error_code ec;
        used = std::filesystem::file_size(context.connection.config.data_dir / "data.mdb", ec);
        if (ec) used = 0;
        map = static_cast<std::uint64_t>(context.connection.config.map_size_mb) << 20;
    }
    if (map == 0) return;
    const double share = static_cast<double>(used) / static_cast<double>(map);
    char percent[32];
    std::snprintf(percent, sizeof percent, "%.1f %%", share * 100);
    const std::string message = std::string("LMDB map ") + percent + " used (" +
                                daemon::format_bytes(used) + " of " + daemon::format_bytes(map) +
                                ")";
    const std::string fix =
        "raise [storage] map_size_mb (now " + std::to_string(map >> 20) + ") and restart piotd";
    if (share >= 0.95) {
        out.push_back({"map use", Level::fail, message, fix});
    } else if (share >= 0.8) {
        out.push_back({"map use", Level::warn, message, fix});
    } else {
        out.push_back({"map use", Level::ok, message, ""});
    }
}

// The local module piotd stands in front of ([local_module] url), as the daemon mirrors it.
void check_local_module(const std::string& status_json, std::vector<Finding>& out) {
    rapidjson::Document doc;
    doc.Parse(status_json.data(), status_json.size());
    if (status_json.empty() || doc.HasParseError() || !doc.IsObject()) {
        out.push_back({"local module", Level::skip, "the daemon does not answer", ""});
        return;
    }
    const auto lm = doc.FindMember("localModule");
    if (lm == doc.MemberEnd() || !lm->value.IsObject()) {
        out.push_back({"local module", Level::skip,
                       "no [local_module] url: piotd does not stand in front of a local module",
                       ""});
        return;
    }
    const auto now = doc.FindMember("now");
    const std::int64_t now_ms = now != doc.MemberEnd() && now->value.IsInt64()
                                    ? now->value.GetInt64()
                                    : static_cast<std::int64_t>(std::time(nullptr)) * 1000;
    const LocalModuleFinding finding = local_module_finding(lm->value, now_ms);
    const Level level = finding.level == LocalModuleFinding::Level::fail   ? Level::fail
                        : finding.level == LocalModuleFinding::Level::warn ? Level::warn
                                                                           : Level::ok;
    out.push_back({"local module", level, finding.message, finding.fix});
}

std::int64_t parse_http_date(const std::string& text) {
    std::tm tm{};
    if (strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm) == nullptr) return -1;
    return static_cast<std::int64_t>(timegm(&tm));
}

void check_upstream(const CtlContext& context, std::vector<Finding>& out) {
    const daemon::Config& config = context.connection.config;
    if (config.upstream_url.empty()) {
        out.push_back(
            {"upstream", Level::skip, "no [upstream] url: this piotd does not replicate", ""});
        out.push_back({"clock", Level::skip, "no upstream to compare the clock with", ""});
        return;
    }
    daemon::UpstreamUrl url;
    try {
        url = daemon::parse_upstream_url(config.upstream_url);
    } catch (const std::exception& e) {
        out.push_back({"upstream", Level::fail, e.what(), "fix [upstream] url"});
        return;
    }
    DaemonClient upstream(url, config.upstream_user, config.upstream_password,
                          std::chrono::milliseconds(context.options.timeout_ms));
    HttpAnswer answer;
    try {
        answer = upstream.get("/api/v1/replication/state");
    } catch (const Unreachable& e) {
        out.push_back({"upstream", Level::fail, e.what(),
                       "check the network to the store server and that its piotd runs"});
        return;
    }
    if (answer.status == 401) {
        out.push_back({"upstream", Level::fail, upstream.url_text() + " refuses the credentials",
                       "set [upstream] user and password to the store piotd's API credentials"});
    } else if (answer.status != 200) {
        out.push_back({"upstream", Level::fail,
                       upstream.url_text() + " answers HTTP " + std::to_string(answer.status) +
                           " to the replication state",
                       "make [upstream] url point at a piotd"});
    } else {
        out.push_back({"upstream", Level::ok, upstream.url_text() + " answers", ""});
    }
    // The Date header, or piotd's own serverTime (epoch ms) in the replication state.
    const auto date = answer.headers.find("date");
    std::int64_t their = date == answer.headers.end() ? -1 : parse_http_date(date->second);
    if (their < 0 && answer.status == 200) {
        rapidjson::Document doc;
        doc.Parse(answer.body.data(), answer.body.size());
        if (!doc.HasParseError() && doc.IsObject() && doc.HasMember("serverTime") &&
            doc["serverTime"].IsInt64()) {
            their = doc["serverTime"].GetInt64() / 1000;
        }
    }
    if (their < 0) {
        out.push_back({"clock", Level::skip, "the upstream tells no time (no Date header)", ""});
        return;
    }
    const std::int64_t skew = static_cast<std::int64_t>(std::time(nullptr)) - their;
    const std::int64_t magnitude = skew < 0 ? -skew : skew;
    const std::string message = "local clock is " + std::to_string(magnitude) + " s " +
                                (skew >= 0 ? "ahead of" : "behind") + " the upstream";
    if (magnitude > 300) {
        out.push_back({"clock", Level::fail, message,
                       "enable time sync: timedatectl set-ntp true (lag and 72 h rules use it)"});
    } else if (magnitude > 30) {
        out.push_back(
            {"clock", Level::warn, message, "enable time sync: timedatectl set-ntp true"});
    } else {
        out.push_back({"clock", Level::ok, message, ""});
    }
}

}  // namespace

int run_doctor(CtlContext& context) {
    std::vector<Finding> findings;
    check_config(context, findings);
    check_data_dir(context, findings);
    const std::string status = check_port(context, findings);
    check_map_use(context, status, findings);
    check_local_module(status, findings);
    check_upstream(context, findings);

    bool failed = false;
    for (const Finding& f : findings) failed = failed || f.level == Level::fail;
    if (context.options.json) {
        piotd::protocol::JsonBuffer buffer;
        protocol::JsonWriter writer(buffer);
        writer.StartObject();
        protocol::write_key(writer, "ok");
        writer.Bool(!failed);
        protocol::write_key(writer, "findings");
        writer.StartArray();
        for (const Finding& f : findings) {
            writer.StartObject();
            protocol::write_key(writer, "check");
            protocol::write_string(writer, f.check);
            protocol::write_key(writer, "level");
            protocol::write_string(writer, level_name(f.level));
            protocol::write_key(writer, "message");
            protocol::write_string(writer, daemon::utf8_sanitized(f.message));
            protocol::write_key(writer, "fix");
            protocol::write_string(writer, f.fix);
            writer.EndObject();
        }
        writer.EndArray();
        writer.EndObject();
        context.out << std::string_view(buffer.GetString(), buffer.GetSize()) << "\n";
    } else {
        for (const Finding& f : findings) {
            char head[48];
            std::snprintf(head, sizeof head, "%-5s %-13s ", level_name(f.level), f.check.c_str());
            context.out << head << f.message << "\n";
            if (!f.fix.empty() && (f.level == Level::fail || f.level == Level::warn)) {
                context.out << "      fix:          " << f.fix << "\n";
            }
        }
        context.out << (failed ? "problems found\n" : "no problems found\n");
    }
    return failed ? kProblem : kOk;
}

}  // namespace piotd::ctl
