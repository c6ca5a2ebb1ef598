// The POS clients seen, by the X-ClientId header they send (the fiscal drive number, lm-api.md
// §2.1): how many requests and when last. Bounded, so a client that invents a new id per request
// cannot grow it; shown in /status as piotd's "clients" field.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace piotd::daemon {

struct ClientSeen {
    std::string id;
    std::uint64_t requests = 0;
    std::int64_t last_seen_ms = 0;
};

class ClientRegistry {
public:
    static constexpr std::size_t kMaxClients = 32;
    static constexpr std::size_t kMaxIdLength = 64;

    // Ids that are empty, too long or not printable ASCII are not recorded.
    void record(std::string_view id, std::int64_t now_ms);
    // A ТС ПИоТ client by its client_info (free text, any bytes): recorded as
    // "NAME/VERSION#ID", every byte that is not printable ASCII (space included) as '_', cut to
    // kMaxIdLength.
    void record_client_info(std::string_view name, std::string_view version, std::string_view id,
                            std::int64_t now_ms);
    std::vector<ClientSeen> snapshot() const;

private:
    mutable std::mutex mutex_;
    std::vector<ClientSeen> clients_;  // at most kMaxClients; the least recent is replaced
};

}  // namespace piotd::daemon
