#include "daemon/config.hpp"

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace piotd::daemon {

namespace {

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
        text.remove_suffix(1);
    }
    return text;
}

}  // namespace

std::size_t to_size(std::string_view key, std::string_view value, std::size_t min,
                    std::size_t max) {
    std::size_t result = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), result);
    if (ec != std::errc{} || end != value.data() + value.size() || result < min || result > max) {
        throw std::runtime_error(std::string(key) + " must be a whole number from " +
                                 std::to_string(min) + " to " + std::to_string(max));
    }
    return result;
}

namespace {

LogLevel to_log_level(std::string_view value) {
    if (value == "error") return LogLevel::error;
    if (value == "warning") return LogLevel::warning;
    if (value == "info") return LogLevel::info;
    if (value == "debug") return LogLevel::debug;
    throw std::runtime_error("log.level must be error, warning, info or debug");
}

}  // namespace

void set_config_value(Config& config, std::string_view section, std::string_view key,
                      std::string_view value) {
    const std::string name = std::string(section) + "." + std::string(key);
    using std::chrono::milliseconds;
    if (name == "server.listen") {
        config.listen = value;
    } else if (name == "server.tls_listen") {
        config.tls_listen = value;
    } else if (name == "server.tls_names") {
        // Comma-separated names the TLS front is reached by; a Host naming them is served.
        std::string_view rest = value;
        while (!rest.empty()) {
            const std::size_t comma = rest.find(',');
            std::string_view item = rest.substr(0, comma);
            rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
            while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) {
                item.remove_prefix(1);
            }
            while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) {
                item.remove_suffix(1);
            }
            if (item.empty()) continue;
            try {
                config.limits.hosts.add(item);
            } catch (const std::invalid_argument& e) {
                throw std::runtime_error(name + ": " + e.what());
            }
        }
    } else if (name == "server.tls_cert_file") {
        config.tls_cert_file = value;
    } else if (name == "server.tls_key_file") {
        config.tls_key_file = value;
    } else if (name == "server.threads") {
        config.limits.threads = static_cast<unsigned>(to_size(name, value, 1, 64));
    } else if (name == "server.max_connections") {
        config.limits.max_connections = to_size(name, value, 1, 1'000'000);
    } else if (name == "server.max_body_bytes") {
        config.limits.max_body_bytes = to_size(name, value, 1024, 64u << 20);
    } else if (name == "server.body_budget_mb") {
        config.body_budget_bytes = to_size(name, value, 1, 4096) << 20;
    } else if (name == "server.max_header_bytes") {
        config.limits.max_header_bytes = to_size(name, value, 1024, 1u << 20);
    } else if (name == "server.read_timeout_ms") {
        config.limits.read_timeout = milliseconds(to_size(name, value, 100, 3'600'000));
    } else if (name == "server.idle_timeout_ms") {
        config.limits.idle_timeout = milliseconds(to_size(name, value, 100, 3'600'000));
    } else if (name == "server.write_timeout_ms") {
        config.limits.write_timeout = milliseconds(to_size(name, value, 100, 3'600'000));
    } else if (name == "server.max_codes_per_request") {
        config.max_codes_per_request = to_size(name, value, 1, 100'000);
    } else if (name == "storage.data_dir") {
        config.data_dir = std::string(value);
    } else if (name == "storage.map_size_mb") {
        config.map_size_mb = to_size(name, value, 16, 1u << 20);
    } else if (name == "auth.user") {
        config.user = value;
    } else if (name == "auth.password") {
        config.password = value;
    } else if (name == "auth.pos_user") {
        config.pos_user = value;
    } else if (name == "auth.pos_password") {
        config.pos_password = value;
    } else if (name == "auth.replica_user") {
        config.replica_user = value;
    } else if (name == "auth.replica_password") {
        config.replica_password = value;
    } else if (name == "auth.status_open") {
        if (value != "true" && value != "false") {
            throw std::runtime_error("auth.status_open must be true or false");
        }
        config.status_open = value == "true";
    } else if (name == "module.name") {
        config.name = value;
    } else if (name == "module.inn") {
        config.inn = value;
    } else if (name == "module.service_url") {
        config.service_url = value;
    } else if (name == "upstream.url") {
        config.upstream_url = value;
    } else if (name == "upstream.user") {
        config.upstream_user = value;
    } else if (name == "upstream.password") {
        config.upstream_password = value;
    } else if (name == "upstream.sync_period_s") {
        config.sync_period_s = static_cast<unsigned>(to_size(name, value, 1, 86'400));
    } else if (name == "upstream.snapshot_batch_items") {
        config.snapshot_batch_items = to_size(name, value, 1, 1'000'000);
    } else if (name == "upstream.timeout_ms") {
        config.upstream_timeout_ms = to_size(name, value, 100, 600'000);
    } else if (name == "replication.max_snapshot_streams") {
        config.max_snapshot_streams = to_size(name, value, 1, 1'000);
    } else if (name == "kkt.device") {
        config.kkt_device = value;
    } else if (name == "kkt.baud") {
        config.kkt_baud = static_cast<unsigned>(to_size(name, value, 1200, 921'600));
    } else if (name == "kkt.password") {
        config.kkt_password = static_cast<std::uint32_t>(to_size(name, value, 0, 99'999'999));
    } else if (name == "metrics.open") {
        if (value != "true" && value != "false") {
            throw std::runtime_error("metrics.open must be true or false");
        }
        config.metrics_open = value == "true";
    } else if (section == "relay") {
        set_relay_config_value(config.relay, key, value);
    } else if (section == "trueapi") {
        set_trueapi_value(config.trueapi, key, value);
    } else if (section == "local_module") {
        set_local_module_value(config.local_module, key, value);
    } else if (name == "log.level") {
        config.log_level = to_log_level(value);
    } else if (section == "scanner" && set_scanner_config_value(config.scanner, key, value)) {
    } else if (section == "image" && set_image_config_value(config.image, key, value)) {
    } else {
        throw std::runtime_error("unknown key " + name);
    }
}

void load_config_file(const std::filesystem::path& file, Config& config) {
    std::ifstream in(file);
    if (!in) throw std::runtime_error(file.string() + ": cannot open config file");
    std::string line;
    std::string section;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        const std::string where = file.string() + ":" + std::to_string(number) + ": ";
        const std::string_view text = trim(line);
        if (text.empty() || text.front() == '#' || text.front() == ';') continue;
        if (text.front() == '[') {
            if (text.back() != ']') throw std::runtime_error(where + "unclosed section header");
            section = trim(text.substr(1, text.size() - 2));
            continue;
        }
        const std::size_t eq = text.find('=');
        if (eq == std::string_view::npos) throw std::runtime_error(where + "expected key = value");
        if (section.empty()) throw std::runtime_error(where + "key outside a [section]");
        std::string_view value = trim(text.substr(eq + 1));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
            value = value.substr(1, value.size() - 2);
        }
        try {
            set_config_value(config, section, trim(text.substr(0, eq)), value);
        } catch (const std::runtime_error& e) {
            throw std::runtime_error(where + e.what());
        }
    }
}

void apply_environment(Config& config) {
    if (const char* user = std::getenv("PIOTD_USER"); user && *user) config.user = user;
    if (const char* password = std::getenv("PIOTD_PASSWORD"); password && *password) {
        config.password = password;
    }
    if (const char* user = std::getenv("PIOTD_UPSTREAM_USER"); user && *user) {
        config.upstream_user = user;
    }
    if (const char* password = std::getenv("PIOTD_POS_PASSWORD"); password && *password) {
        config.pos_password = password;
    }
    if (const char* password = std::getenv("PIOTD_REPLICA_PASSWORD"); password && *password) {
        config.replica_password = password;
    }
    if (const char* password = std::getenv("PIOTD_UPSTREAM_PASSWORD"); password && *password) {
        config.upstream_password = password;
    }
    apply_relay_environment(config.relay);
    apply_local_module_environment(config.local_module);
    if (const char* token = std::getenv("PIOTD_TOKEN"); token && *token) {
        config.trueapi.token = token;
    }
}

void apply_local_module_relay(Config& config) {
    if (config.local_module.url.empty() || !config.relay.url.empty()) return;
    config.relay.url = config.local_module.url;
    config.relay.kind = RelayKind::lm;
    config.relay.user = config.local_module.user;
    config.relay.password = config.local_module.password;
}

}  // namespace piotd::daemon
