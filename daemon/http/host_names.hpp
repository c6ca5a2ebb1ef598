// The names a listener answers to (the Host check, issue 22 item 1). A request whose Host names
// anything else is misdirected (421): a page that rebinds evil.example to 127.0.0.1 sends
// Host: evil.example, so a browser on the till cannot read or drive piotd through such a name.
//
// Always accepted: 127.0.0.1, [::1] and localhost, in any letter case, with any port or none
// (the host part is compared, not the port). Added per listener: the names
// configured for its TLS front ([server] tls_names) and IP literals of its own addresses. The
// session also accepts the literal of the address a connection reached (a store piotd on
// 0.0.0.0 answers Host: 10.0.0.5) without listing it here.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace piotd::daemon {

class HostNames {
public:
    HostNames();

    // A DNS name or an IP literal (an IPv6 one with or without brackets), without a port.
    // Throws std::invalid_argument for an empty name or one with characters no host has.
    void add(std::string_view name);
    // The literal of `address` (v4-mapped IPv6 as IPv4), unless it is loopback (always in).
    void add(const boost::asio::ip::address& address);
    // What a listener bound to `endpoint` is reached by: its address, or, for 0.0.0.0 and ::,
    // the addresses of this machine's interfaces now.
    void add_listen_address(const boost::asio::ip::tcp::endpoint& endpoint);

    // Whether a Host field value designates this listener: its host part (before ":port";
    // whatever follows the ':' is not looked at) is one of the names, in any letter case. The
    // name nearly every client sends is compared inline, with a length the compiler knows:
    // about ten instructions for "127.0.0.1:5995" (callgrind).
    bool accepts(std::string_view host) const {
        constexpr std::string_view kUsual = "127.0.0.1";
        if (host.size() >= kUsual.size() &&
            std::memcmp(host.data(), kUsual.data(), kUsual.size()) == 0 &&
            (host.size() == kUsual.size() || host[kUsual.size()] == ':')) {
            return true;
        }
        return accepts_other(host);
    }

    const std::vector<std::string>& names() const { return names_; }

private:
    bool accepts_other(std::string_view host) const;

    std::vector<std::string> names_;  // lowercase, IPv6 in brackets
};

// The literal a Host field names `address` by: "10.0.0.5", "[fe80::1]" (v4-mapped as IPv4).
std::string host_literal(const boost::asio::ip::address& address);

// Whether the host part of a Host value (before ":port") equals `name`, without regard to case.
bool host_part_is(std::string_view host, std::string_view name);

}  // namespace piotd::daemon
