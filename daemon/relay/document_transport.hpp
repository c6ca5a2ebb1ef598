// How the relay reaches its upstream: one request at a time over a kept-alive connection, through
// the blocking UpstreamClient of replication (http:// or https://).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "daemon/http/http_types.hpp"
#include "daemon/replication/upstream_client.hpp"

namespace piotd::daemon {

class DocumentTransport {
public:
    virtual ~DocumentTransport() = default;
    // `target` is relative to the URL's path. Throws UpstreamError when the upstream cannot be
    // talked to (refused, timeout, not HTTP).
    virtual UpstreamReply send(http::verb method, const std::string& target,
                               const std::string& body, const UpstreamClient::Headers& headers) = 0;
    // From another thread, at shutdown: the request under way fails at once.
    virtual void interrupt() = 0;
    // The path prefix of the URL ("/api/v3/true-api"), without a trailing '/'.
    virtual const std::string& base() const = 0;
};

// http[s]://HOST[:PORT][/base]; https verifies the peer against the system CAs and `ca_file`.
// Throws std::runtime_error naming what is wrong.
std::unique_ptr<DocumentTransport> make_document_transport(const std::string& url,
                                                           const std::string& user,
                                                           const std::string& password,
                                                           std::chrono::milliseconds timeout,
                                                           const std::string& ca_file);

}  // namespace piotd::daemon
