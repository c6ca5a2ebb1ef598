// The ТС ПИоТ-compatible API (tspiot-kkt.md §A.4) on its own port (--piot-listen, default
// 127.0.0.1:51401), for POS software written for ESM:
//   POST /api/v{1,2,3}/codes/check   base64 codes in, codesResponse out (v1 nested, v2/v3 flat)
//   GET|POST /api/v{1,2,3}/info      the instance: fiscal drive, check timeout, local module
// HTTP 203 "аварийный режим" when neither the online nor the local check could be made. No Basic
// auth, as ESM has none; the port is loopback by default. HTTPS when [trueapi] piot_cert_file and
// piot_key_file are set (a TLS front relays to the plain server on a loopback port).
#pragma once

#include <memory>

#include "daemon/http/router.hpp"
#include "daemon/http/server.hpp"
#include "daemon/http/tls_front.hpp"
#include "daemon/permissive/permissive_checker.hpp"
#include "daemon/trueapi/trueapi_config.hpp"

namespace piotd::daemon {

class TsPiotListener {
public:
    // Binds at once; throws std::system_error when the address is taken.
    TsPiotListener(const TrueApiConfig& config, PermissiveChecker& checker);
    ~TsPiotListener();

    void start();
    void stop();
    std::uint16_t port() const;

private:
    Router router_;
    std::unique_ptr<HttpServer> server_;
    std::unique_ptr<TlsFront> front_;  // set when serving HTTPS
};

}  // namespace piotd::daemon
