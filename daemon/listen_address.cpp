#include "daemon/listen_address.hpp"

#include <charconv>
#include <stdexcept>
#include <string>

namespace piotd::daemon {

boost::asio::ip::tcp::endpoint parse_listen_address(std::string_view text) {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
        throw std::runtime_error("listen address must be ADDR:PORT, got '" + std::string(text) +
                                 "'");
    }
    std::string_view host = text.substr(0, colon);
    const std::string_view port_text = text.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    unsigned port = 0;
    const auto [end, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || port > 65535) {
        throw std::runtime_error("bad port in listen address '" + std::string(text) + "'");
    }
    boost::system::error_code error;
    const auto address = boost::asio::ip::make_address(std::string(host), error);
    if (error) {
        throw std::runtime_error("bad IP address in listen address '" + std::string(text) + "'");
    }
    return {address, static_cast<unsigned short>(port)};
}

std::system_error cannot_listen(const boost::system::error_code& ec,
                                const boost::asio::ip::tcp::endpoint& endpoint) {
    return std::system_error(ec, "cannot listen on " + endpoint.address().to_string() + ":" +
                                     std::to_string(endpoint.port()));
}

}  // namespace piotd::daemon
