// GET / and /status: the status page for the person at the till or the store's admin. One HTML
// document, no external assets (inline CSS, inline SVG sparklines), readable without JavaScript;
// with it, a small inline script refreshes the figures from /api/v1/status/page every 5 s.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "daemon/status/status_snapshot.hpp"

namespace piotd::daemon {

// `script_nonce`: the CSP nonce the inline script carries (the response's
// Content-Security-Policy allows only a script with it); empty: no nonce attribute.
std::string render_status_page(const StatusSnapshot& snapshot, std::string_view script_nonce = {});

// An inline <svg> polyline of the lag samples (unknown samples leave a gap); empty history gives
// an SVG with a "no data" title.
std::string lag_sparkline_svg(const std::vector<LagSample>& samples, int width = 160,
                              int height = 28);

}  // namespace piotd::daemon
