// A read buffer whose drained read tells Asio's epoll reactor to wait for the next epoll edge.
//
// Why: after an answer on a keep-alive connection the session queues the next read, and Asio
// first tries a recv at once (its "speculative" read). The client has not seen the answer yet,
// so that recv almost always finds nothing (EAGAIN): 0.67 wasted recvfrom per request against
// nginx's none (bench/README.md, eighth session). Asio skips the speculative try once an
// operation has reported the descriptor "exhausted", until the next epoll edge re-enables it; a
// send reports that on a short write, but a recv only at end of stream.
//
// A short read alone does not prove the socket drained: a FIN (or RST) that came with the data
// rode on the same epoll edge, and the next recv would return it, but no new edge will come. A
// first version trusted short reads and missed such an end of stream (a client that sends its
// request and shuts down its side waited for the idle timeout: tests/unit/
// daemon_drained_read_test.cpp). So the read asks the kernel: with TCP_INQ set on the socket
// (inherited from the listening socket, enable_drained_reads below) every recvmsg returns the
// bytes left in the receive queue, and 1 once a FIN has arrived. Only a read that leaves 0 is
// exhausted; the next read on that socket, whatever its buffer type, is then queued without a
// recv and without an epoll_ctl, and runs when epoll reports new bytes. Without the hint (an
// old kernel, a socket without TCP_INQ) every read is "done", which is Asio's own behaviour.
//
// What is left: an RST that arrives in the same instant as the data is not in the hint (the
// queue is empty, no FIN). The session then learns of it when it writes its answer (EPIPE), or,
// if the request was incomplete, at the read timeout; the RST itself frees nothing more.
//
// This specialises the perform step of Asio's receive operation for this one buffer type, an
// Asio internal: it is compiled only for the Asio it was read against (1.26, Boost 1.81, Debian
// 12), where the reactor is epoll. Any other Asio gets a plain buffer and Asio's own behaviour.
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/asio/detail/config.hpp>
#include <boost/asio/version.hpp>

#if BOOST_ASIO_VERSION == 102600 && defined(BOOST_ASIO_HAS_EPOLL) && \
    !defined(BOOST_ASIO_HAS_IO_URING_AS_DEFAULT)
#define PIOTD_DRAINED_READ 1
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <boost/asio/detail/reactive_socket_recv_op.hpp>
#include <boost/asio/detail/reactor_op.hpp>
#include <boost/asio/detail/socket_ops.hpp>
#include <cstring>
#else
#define PIOTD_DRAINED_READ 0
#endif

namespace piotd::daemon {

// One contiguous buffer, a MutableBufferSequence like boost::asio::mutable_buffer itself.
struct DrainedReadBuffer : boost::asio::mutable_buffer {
    explicit DrainedReadBuffer(boost::asio::mutable_buffer buffer)
        : boost::asio::mutable_buffer(buffer) {}
};

// Sets TCP_INQ on a listening (or connected) TCP socket; accepted sockets inherit it. False
// where it cannot be set: reads into a DrainedReadBuffer then behave as plain reads.
inline bool enable_drained_reads([[maybe_unused]] int socket) {
#if PIOTD_DRAINED_READ
    const int on = 1;
    return ::setsockopt(socket, IPPROTO_TCP, TCP_INQ, &on, sizeof on) == 0;
#else
    return false;
#endif
}

}  // namespace piotd::daemon

#if PIOTD_DRAINED_READ
namespace boost::asio::detail {

// Asio's own reactive_socket_recv_op_base, for one buffer, with one change in do_perform: a read
// that leaves the receive queue empty by the kernel's TCP_INQ hint is `done_and_exhausted`,
// not `done`. End of stream and errors (no bytes) were exhausted already. reactive_socket_recv_op
// derives from this and keeps its handler and completion logic unchanged.
template <>
class reactive_socket_recv_op_base<piotd::daemon::DrainedReadBuffer> : public reactor_op {
public:
    reactive_socket_recv_op_base(const boost::system::error_code& success_ec, socket_type socket,
                                 socket_ops::state_type state,
                                 const piotd::daemon::DrainedReadBuffer& buffer,
                                 socket_base::message_flags flags, func_type complete_func)
        : reactor_op(success_ec, &reactive_socket_recv_op_base::do_perform, complete_func),
          socket_(socket),
          state_(state),
          buffer_(buffer),
          flags_(flags) {}

    // Asio's non_blocking_recv1 (socket_ops.ipp), as recvmsg with room for the TCP_INQ hint.
    static status do_perform(reactor_op* base) {
        auto* o = static_cast<reactive_socket_recv_op_base*>(base);
        const bool stream = (o->state_ & socket_ops::stream_oriented) != 0;
        for (;;) {
            iovec iov{o->buffer_.data(), o->buffer_.size()};
            alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
            msghdr msg{};
            msg.msg_iov = &iov;
            msg.msg_iovlen = 1;
            msg.msg_control = control;
            msg.msg_controllen = sizeof control;
            const ssize_t bytes = ::recvmsg(o->socket_, &msg, o->flags_);
            socket_ops::get_last_error(o->ec_, bytes < 0);
            if (stream && bytes == 0) {
                o->ec_ = boost::asio::error::eof;
                o->bytes_transferred_ = 0;
                return done_and_exhausted;
            }
            if (bytes >= 0) {
                o->bytes_transferred_ = static_cast<std::size_t>(bytes);
                return stream && queue_left_empty(msg) ? done_and_exhausted : done;
            }
            if (o->ec_ == boost::asio::error::interrupted) continue;
            if (o->ec_ == boost::asio::error::would_block ||
                o->ec_ == boost::asio::error::try_again) {
                return not_done;  // stays queued for the next edge
            }
            o->bytes_transferred_ = 0;
            return done_and_exhausted;  // an error: Asio's own op reports it exhausted too
        }
    }

private:
    // The TCP_INQ control message: bytes still queued, 1 after a FIN. No hint: not known.
    static bool queue_left_empty(msghdr& msg) {
        for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
            if (c->cmsg_level == IPPROTO_TCP && c->cmsg_type == TCP_CM_INQ &&
                c->cmsg_len >= CMSG_LEN(sizeof(int))) {
                int left = 0;
                std::memcpy(&left, CMSG_DATA(c), sizeof left);
                return left == 0;
            }
        }
        return false;
    }

private:
    socket_type socket_;
    socket_ops::state_type state_;
    piotd::daemon::DrainedReadBuffer buffer_;
    socket_base::message_flags flags_;
};

}  // namespace boost::asio::detail
#endif
