// The black-list checks of the LM API (lm-api.md §3.3–3.5, §4):
//   GET  /api/v1/cis/check?cis=…      flat answer         (deprecated, still served)
//   POST /api/v1/cis/check            {"results":[…]}     (deprecated, still served)
//   GET  /api/v1/cis/outCheck?cis=…   flat answer
//   POST /api/v1/cis/outCheck         {"results":[…]}
//   POST /api/v2/cis/outCheck         {"results":[…]} with sold, mrp, smp
// A full code with its crypto tail is accepted and cut to the КИ.
#pragma once

#include <cstdint>

#include "daemon/http/router.hpp"
#include "daemon/lm/lm_route_options.hpp"
#include "daemon/local_module.hpp"
#include "protocol/lm/lm_check_answer.hpp"

namespace piotd::daemon {

// One code against the black lists and the sold set; the views point into `code`. Also the
// offline step of the permissive-mode check (docs/permissive-mode.md).
// `learned`: whether the `learned` list counts. It does not on top of an answer of the store's LM:
// learned only caches what the LM (or the True API) said, and the LM's own answer is newer.
enum class Learned : std::uint8_t { counts, ignored };
protocol::LmCodeResult lookup_code(const LocalModule& module, const protocol::MarkingCode& code,
                                   Learned learned = Learned::counts);

// The checks are reported to the module's check observer once the answer is sent (the reply's
// after_sent); refusals at once. `options`: the local module piotd stands in front of
// (lm_front_check.hpp) and scan-ahead; null: neither.
Reply handle_check_get(const LocalModule& module, const RequestContext& context,
                       protocol::LmApiVersion api, const LmRouteOptions* options = nullptr);
Reply handle_check_post(const LocalModule& module, const RequestContext& context,
                        protocol::LmApiVersion api, const LmRouteOptions* options = nullptr);

}  // namespace piotd::daemon
