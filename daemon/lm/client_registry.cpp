#include "daemon/lm/client_registry.hpp"

#include <algorithm>

namespace piotd::daemon {

void ClientRegistry::record(std::string_view id, std::int64_t now_ms) {
    if (id.empty() || id.size() > kMaxIdLength) return;
    for (const char c : id) {
        if (c <= 0x20 || c >= 0x7f) return;
    }
    std::lock_guard lock(mutex_);
    auto it = std::find_if(clients_.begin(), clients_.end(),
                           [id](const ClientSeen& c) { return c.id == id; });
    if (it == clients_.end()) {
        if (clients_.size() < kMaxClients) {
            it = clients_.insert(clients_.end(), ClientSeen{std::string(id), 0, 0});
        } else {
            it = std::min_element(clients_.begin(), clients_.end(),
                                  [](const ClientSeen& a, const ClientSeen& b) {
                                      return a.last_seen_ms < b.last_seen_ms;
                                  });
            *it = ClientSeen{std::string(id), 0, 0};
        }
    }
    ++it->requests;
    it->last_seen_ms = now_ms;
}

void ClientRegistry::record_client_info(std::string_view name, std::string_view version,
                                        std::string_view id, std::int64_t now_ms) {
    std::string key;
    key.reserve(kMaxIdLength);
    const auto append = [&key](std::string_view text) {
        for (const char c : text) {
            if (key.size() == kMaxIdLength) return;
            key.push_back(c <= 0x20 || c >= 0x7f ? '_' : c);
        }
    };
    append(name.empty() ? std::string_view("tspiot") : name);
    if (!version.empty()) {
        append("/");
        append(version);
    }
    if (!id.empty()) {
        append("#");
        append(id);
    }
    record(key, now_ms);
}

std::vector<ClientSeen> ClientRegistry::snapshot() const {
    std::lock_guard lock(mutex_);
    return clients_;
}

}  // namespace piotd::daemon
