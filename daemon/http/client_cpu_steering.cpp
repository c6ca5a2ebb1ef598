#include "daemon/http/client_cpu_steering.hpp"

#include <linux/filter.h>
#include <sys/socket.h>

#include <array>

namespace piotd::daemon {

bool steer_connections_by_client_cpu(int listen_fd, unsigned threads) {
    // Classic BPF, which any user may attach: A = the current CPU; A %= threads; return A. The
    // kernel falls back to the hash when the returned index has no socket.
    std::array<sock_filter, 3> code{{
        {BPF_LD | BPF_W | BPF_ABS, 0, 0, static_cast<__u32>(SKF_AD_OFF + SKF_AD_CPU)},
        {BPF_ALU | BPF_MOD | BPF_K, 0, 0, threads == 0 ? 1U : threads},
        {BPF_RET | BPF_A, 0, 0, 0},
    }};
    sock_fprog program{static_cast<unsigned short>(code.size()), code.data()};
    return setsockopt(listen_fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &program, sizeof program) ==
           0;
}

}  // namespace piotd::daemon
