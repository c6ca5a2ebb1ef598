// Steers each new connection to the I/O thread whose index is the client's CPU modulo the thread
// count, instead of the kernel's hash of the four-tuple.
//
// Why: piotd's clients are on the same machine (the POS software calls it over loopback), where
// a connection's packets are processed on the CPU of the thread that sends them. With the hash,
// a client thread's connections are spread over all I/O threads, so a request and its answer
// wake threads on other CPUs (an inter-processor interrupt each way, costly in a VM). Steered,
// the connections a client thread opens on CPU n all go to I/O thread n % threads, which the
// scheduler then keeps beside it. Measured on the 2-core bench machine with wrk -t2 -c32
// (bench/README.md, twelfth session): 11.7 -> 8.9 us of server CPU per request, 81 k -> 105 k
// requests/s.
//
// Only for loopback listeners: a remote client's SYN is processed on the CPU that took the
// network card's interrupt, and a card with one queue would put every connection on one thread.
// Nor with more threads than CPUs, where CPU mod threads would leave threads without a
// connection. A client that opens all its connections from one CPU gets one I/O thread; a
// till's POS does not need more.
#pragma once

namespace piotd::daemon {

// Attaches the steering program to the SO_REUSEPORT group of `listen_fd` (any socket of the
// group; the program then picks among all of them in the order they were bound). `threads` is
// the number of sockets in the group, at least 1. Returns false with errno set when the kernel
// refuses (older than 4.5, or filtered); connections are then hashed as before.
bool steer_connections_by_client_cpu(int listen_fd, unsigned threads);

}  // namespace piotd::daemon
