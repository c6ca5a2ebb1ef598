// A throw-away PKI for TLS tests, made at test time with the openssl CLI (nothing is committed or
// downloaded): a CA and a server certificate for 127.0.0.1 / localhost.
#pragma once

#include <string>

namespace piotd::test {

// Writes ca.pem, ca.key, server.pem and server.key into `dir`; REQUIREs that openssl succeeded.
void make_test_pki(const std::string& dir);

}  // namespace piotd::test
