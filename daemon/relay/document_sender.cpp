#include "daemon/relay/document_sender.hpp"

namespace piotd::daemon {

bool transient_status(int status) {
    return status >= 500 || status == 401 || status == 408 || status == 429 || status < 200;
}

std::vector<SendOutcome> DocumentSender::send_run(
    const std::vector<const storage::OutboxRecord*>& records,
    const std::vector<protocol::RelayDocument>& documents) {
    std::vector<SendOutcome> outcomes;
    for (std::size_t i = 0; i < records.size(); ++i) {
        try {
            outcomes.push_back(send(*records[i], documents[i]));
        } catch (const UpstreamError& e) {
            outcomes.push_back({SendStatus::transient, e.what(), {}});
        }
        if (outcomes.back().status != SendStatus::delivered &&
            outcomes.back().status != SendStatus::accepted) {
            break;  // order: nothing after a document that must wait
        }
    }
    return outcomes;
}

}  // namespace piotd::daemon
