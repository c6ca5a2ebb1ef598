#include "tests/support/test_pki.hpp"

#include <doctest/doctest.h>

#include <cstdlib>

namespace piotd::test {

void make_test_pki(const std::string& dir) {
    const std::string script =
        "cd '" + dir +
        "' && "
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
        "-keyout ca.key -out ca.pem -days 2 -subj '/CN=piotd test CA' && "
        "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
        "-keyout server.key -out server.csr -subj '/CN=127.0.0.1' && "
        "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nbasicConstraints=CA:FALSE\\n' "
        "> ext.cnf && "
        "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
        "-out server.pem -days 2 -extfile ext.cnf";
    REQUIRE(std::system(("(" + script + ") >/dev/null 2>&1").c_str()) == 0);
}

}  // namespace piotd::test
