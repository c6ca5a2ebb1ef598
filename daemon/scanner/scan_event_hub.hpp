// Fan-out of scanner events to HTTP clients as server-sent events (text/event-stream). Each
// client has a bounded queue: a client that does not keep up is dropped (its connection closed)
// when the queue is full, so one stuck POS cannot make the daemon's memory grow. Idle streams get
// a comment line now and then (keep_alive()), which also finds clients that went away.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "daemon/http/chunk_source.hpp"

namespace piotd::daemon {

class ScanEventHub {
public:
    explicit ScanEventHub(std::size_t queue_limit);
    ~ScanEventHub();
    ScanEventHub(const ScanEventHub&) = delete;
    ScanEventHub& operator=(const ScanEventHub&) = delete;

    // A body for one client's GET: streams every event published from now on.
    std::unique_ptr<ChunkSource> subscribe();
    // Sends `event: NAME`, `id: N` and `data: JSON` (one line, no newlines) to every client.
    void publish(std::string_view name, std::string_view json);
    // Wakes idle clients to send a comment line.
    void keep_alive();
    // Ends every stream (shutdown); later subscribers get an empty stream.
    void close();

    std::size_t clients() const;
    std::uint64_t dropped_clients() const;
    std::uint64_t published() const;

private:
    struct State;
    class Stream;
    std::shared_ptr<State> state_;
};

}  // namespace piotd::daemon
