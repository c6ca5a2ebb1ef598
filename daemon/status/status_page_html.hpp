// GET / and /status: the status page for the person at the till or the store's admin. One HTML
// document, no external assets (inline CSS, inline SVG sparklines), readable without JavaScript;
// with it, a small inline script refreshes the figures from /api/v1/status/page every 5 s.
#pragma once

#include <string>
#include <vector>

#include "daemon/status/status_snapshot.hpp"

namespace piotd::daemon {

std::string render_status_page(const StatusSnapshot& snapshot);

// An inline <svg> polyline of the lag samples (unknown samples leave a gap); empty history gives
// an SVG with a "no data" title.
std::string lag_sparkline_svg(const std::vector<LagSample>& samples, int width = 160,
                              int height = 28);

}  // namespace piotd::daemon
