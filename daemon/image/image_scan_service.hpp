// POST /api/v1/scan/image: a photo or screenshot of marked goods (PNG or JPEG, body up to
// image.max_bytes) in, every DataMatrix in it out, each normalised, parsed and checked like a
// serial scan (docs/drivers.md). Decoding takes tens to hundreds of milliseconds, so it runs in a
// bounded worker pool; the I/O thread only validates the request and parks the connection. When
// the pool is full the answer is 503 at once.
#pragma once

#include "daemon/bounded_worker_pool.hpp"
#include "daemon/http/router.hpp"
#include "daemon/scanner/scan_checker.hpp"
#include "daemon/scanner/scanner_config.hpp"

namespace piotd::daemon {

class ImageScanService {
public:
    ImageScanService(const ImageConfig& config, ScanChecker& checker);

    // Registers the route and its body limit.
    void add_routes(Router& router);
    Reply handle(const RequestContext& context);
    // Joins the decoders; queued uploads are dropped (their connections close with the server).
    void stop() { pool_.stop(); }

private:
    const ImageConfig& config_;
    ScanChecker& checker_;
    BoundedWorkerPool pool_;
};

// Decodes and checks one upload: the whole JSON answer (or JSON error). Blocking; pure apart from
// the checker. Exposed for tests and the corpus run.
Response scan_image(std::string_view body, const ImageConfig& config, ScanChecker& checker);

}  // namespace piotd::daemon
