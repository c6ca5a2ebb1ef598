// The unit tests' main. Several units run real servers and clients in this process (HTTP
// sessions, the relay's transport, the register's TCP link); a peer that closes first must give
// them EPIPE, as it does in the daemon (which ignores SIGPIPE in main), not kill the test run.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <csignal>

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    return doctest::Context(argc, argv).run();
}
