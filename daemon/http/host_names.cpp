#include "daemon/http/host_names.hpp"

#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <boost/beast/core/string.hpp>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace piotd::daemon {

namespace {

// What may follow the host part: nothing, or ':' and a port (not looked at: a rebinding page
// cannot make a browser send a loopback host with a port that is not a number, and no other
// client is fooled by one).
bool is_port_suffix(std::string_view rest) {
    return rest.empty() || rest.front() == ':';
}

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

}  // namespace

HostNames::HostNames() : names_{"127.0.0.1", "localhost", "[::1]"} {}

std::string host_literal(const boost::asio::ip::address& address) {
    if (address.is_v6()) {
        const auto v6 = address.to_v6();
        if (v6.is_v4_mapped()) {
            return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6).to_string();
        }
        return "[" + v6.to_string() + "]";
    }
    return address.to_string();
}

bool host_part_is(std::string_view host, std::string_view name) {
    return host.size() >= name.size() && boost::beast::iequals(host.substr(0, name.size()), name) &&
           is_port_suffix(host.substr(name.size()));
}

void HostNames::add(std::string_view name) {
    std::string_view inner = name;
    if (inner.size() >= 2 && inner.front() == '[' && inner.back() == ']') {
        inner = inner.substr(1, inner.size() - 2);
    }
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(std::string(inner), ec);
    if (!ec) return add(address);
    std::string lower(name);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) {
        return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    });
    if (lower.empty() || !std::all_of(lower.begin(), lower.end(), is_name_char)) {
        throw std::invalid_argument("not a host name: \"" + std::string(name) + "\"");
    }
    if (std::find(names_.begin(), names_.end(), lower) == names_.end()) {
        names_.push_back(std::move(lower));
    }
}

void HostNames::add(const boost::asio::ip::address& address) {
    if (address.is_loopback() || address.is_unspecified()) return;
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        const auto v4 =
            boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6());
        if (v4.is_loopback() || v4.is_unspecified()) return;
    }
    std::string literal = host_literal(address);
    if (std::find(names_.begin(), names_.end(), literal) == names_.end()) {
        names_.push_back(std::move(literal));
    }
}

void HostNames::add_listen_address(const boost::asio::ip::tcp::endpoint& endpoint) {
    const auto address = endpoint.address();
    if (!address.is_unspecified()) return add(address);
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return;
    for (const ifaddrs* entry = list; entry != nullptr; entry = entry->ifa_next) {
        if (entry->ifa_addr == nullptr) continue;
        if (entry->ifa_addr->sa_family == AF_INET) {
            sockaddr_in in{};
            std::memcpy(&in, entry->ifa_addr, sizeof in);
            boost::asio::ip::address_v4::bytes_type bytes{};
            std::memcpy(bytes.data(), &in.sin_addr, bytes.size());
            add(boost::asio::ip::address(boost::asio::ip::address_v4(bytes)));
        } else if (entry->ifa_addr->sa_family == AF_INET6 && address.is_v6()) {
            sockaddr_in6 in6{};
            std::memcpy(&in6, entry->ifa_addr, sizeof in6);
            boost::asio::ip::address_v6::bytes_type bytes{};
            std::memcpy(bytes.data(), &in6.sin6_addr, bytes.size());
            const boost::asio::ip::address_v6 v6(bytes);
            // A link-local literal needs its zone in a URL; no client sends one as Host.
            if (!v6.is_link_local()) add(boost::asio::ip::address(v6));
        }
    }
    ::freeifaddrs(list);
}

bool HostNames::accepts_other(std::string_view host) const {
    // Byte for byte first: the names clients send are lowercase.
    for (const std::string& name : names_) {
        if (host.size() >= name.size() && std::memcmp(host.data(), name.data(), name.size()) == 0 &&
            is_port_suffix(host.substr(name.size()))) {
            return true;
        }
    }
    return std::any_of(names_.begin(), names_.end(),
                       [host](const std::string& name) { return host_part_is(host, name); });
}

}  // namespace piotd::daemon
