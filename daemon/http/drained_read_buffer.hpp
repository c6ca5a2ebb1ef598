// A read buffer whose short read tells Asio's epoll reactor that the socket is drained.
//
// Why: after an answer on a keep-alive connection the session queues the next read, and Asio
// first tries a recv at once (its "speculative" read). The client has not seen the answer yet,
// so that recv almost always finds nothing (EAGAIN): 0.5 wasted recvfrom per request against
// nginx's none (bench/README.md, seventh session). Asio skips the speculative try once an
// operation has reported the descriptor "exhausted", until the next epoll edge re-enables it; a
// send reports that on a short write, but a recv only at end of stream. A recv that returns
// fewer bytes than it asked for has drained the socket as surely (TCP hands over all it holds,
// up to the size asked), which is how nginx decides to wait for epoll (its `ready = 0`).
//
// So reads into a DrainedReadBuffer report a short read as exhausted. The next read on that
// socket, whatever its buffer type, is then queued without a recv and without an epoll_ctl, and
// runs when epoll reports new bytes. No wake-up can be lost: bytes that arrive after the short
// recv raise a new edge (the socket is registered edge-triggered), and the reactor re-enables
// speculative reads when it sees that edge, before or after the next read is queued.
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
#include <boost/asio/detail/reactive_socket_recv_op.hpp>
#include <boost/asio/detail/reactor_op.hpp>
#include <boost/asio/detail/socket_ops.hpp>
#else
#define PIOTD_DRAINED_READ 0
#endif

namespace piotd::daemon {

// One contiguous buffer, a MutableBufferSequence like boost::asio::mutable_buffer itself.
struct DrainedReadBuffer : boost::asio::mutable_buffer {
    explicit DrainedReadBuffer(boost::asio::mutable_buffer buffer)
        : boost::asio::mutable_buffer(buffer) {}
};

}  // namespace piotd::daemon

#if PIOTD_DRAINED_READ
namespace boost::asio::detail {

// Asio's own reactive_socket_recv_op_base, for one buffer, with one change in do_perform: a read
// shorter than the buffer is `done_and_exhausted`, not `done`. End of stream and errors (no
// bytes) were exhausted already. reactive_socket_recv_op derives from this and keeps its handler
// and completion logic unchanged.
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

    static status do_perform(reactor_op* base) {
        auto* o = static_cast<reactive_socket_recv_op_base*>(base);
        const bool stream = (o->state_ & socket_ops::stream_oriented) != 0;
        if (!socket_ops::non_blocking_recv1(o->socket_, o->buffer_.data(), o->buffer_.size(),
                                            o->flags_, stream, o->ec_, o->bytes_transferred_)) {
            return not_done;  // EAGAIN: stays queued for the next edge
        }
        if (stream && o->bytes_transferred_ < o->buffer_.size()) return done_and_exhausted;
        return done;
    }

private:
    socket_type socket_;
    socket_ops::state_type state_;
    piotd::daemon::DrainedReadBuffer buffer_;
    socket_base::message_flags flags_;
};

}  // namespace boost::asio::detail
#endif
