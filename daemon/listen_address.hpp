// "ADDR:PORT" ("127.0.0.1:5995", "[::1]:5995", "0.0.0.0:0") to an endpoint.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <string_view>
#include <system_error>

namespace piotd::daemon {

// Throws std::runtime_error naming the bad part.
boost::asio::ip::tcp::endpoint parse_listen_address(std::string_view text);

// What a listener that cannot bind throws: "cannot listen on ADDR:PORT: <the error>".
std::system_error cannot_listen(const boost::system::error_code& ec,
                                const boost::asio::ip::tcp::endpoint& endpoint);

}  // namespace piotd::daemon
