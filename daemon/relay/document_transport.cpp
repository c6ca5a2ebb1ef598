#include "daemon/relay/document_transport.hpp"

#include "daemon/replication/upstream_url.hpp"

namespace piotd::daemon {

namespace {

class HttpDocumentTransport : public DocumentTransport {
public:
    HttpDocumentTransport(UpstreamUrl url, const std::string& user, const std::string& password,
                          std::chrono::milliseconds timeout, const std::string& ca_file)
        : base_(url.base), client_(std::move(url), user, password, timeout, ca_file) {}

    UpstreamReply send(http::verb method, const std::string& target, const std::string& body,
                       const UpstreamClient::Headers& headers) override {
        try {
            return client_.send(method, target, body, headers);
        } catch (const UpstreamError&) {
            // A kept-alive connection the upstream closed while idle fails the first write or
            // read: one fresh connection before the error counts (the receiver dedups by id).
            client_.disconnect();
            return client_.send(method, target, body, headers);
        }
    }

    void interrupt() override { client_.interrupt(); }
    const std::string& base() const override { return base_; }

private:
    std::string base_;
    UpstreamClient client_;
};

}  // namespace

std::unique_ptr<DocumentTransport> make_document_transport(const std::string& url,
                                                           const std::string& user,
                                                           const std::string& password,
                                                           std::chrono::milliseconds timeout,
                                                           const std::string& ca_file) {
    return std::make_unique<HttpDocumentTransport>(parse_service_url(url, "relay"), user, password,
                                                   timeout, ca_file);
}

}  // namespace piotd::daemon
