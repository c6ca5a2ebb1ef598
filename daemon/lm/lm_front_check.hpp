// The LM API's checks in front of a real local module (docs/local-module.md): with
// --local-module set, GET/POST /api/v1/cis/check, /api/v1/cis/outCheck and POST
// /api/v2/cis/outCheck ask that LM and answer with its answer object as it sent it — its reqId,
// reqTimestamp, inst, version and every code field, those piotd does not model included — so a
// POS that builds tag 1265 from these answers writes the LM's identity. piotd's own lists apply
// on top: a code they block that the LM does not is answered "isBlocked":true with
// "blockedBy":"own_list". When the LM gives no valid answer, piotd's own lists answer as before
// (with piotd's identity), or the not-ready error when piotd has no lists of its own.
#pragma once

#include <optional>
#include <vector>

#include "daemon/http/router.hpp"
#include "daemon/lm_upstream/lm_client.hpp"
#include "daemon/local_module.hpp"
#include "protocol/lm/lm_check_answer.hpp"
#include "protocol/codes/marking_code.hpp"

namespace piotd::daemon {

struct FrontCheckCode {
    protocol::MarkingCode code;
    std::optional<int> product_group;
};

// `own_answer` makes piotd's own answer (its lists, its identity) for the fallback; it runs on
// the connection's thread after the LM failed. `wrapped`: the POST shape {"results":[…]}.
// `learn` (may be empty) is told the КИ the LM reported blocked.
Reply front_check(const LocalModule& module, LmClient& lm, std::vector<FrontCheckCode> codes,
                  bool wrapped, std::function<Reply()> own_answer,
                  std::function<void(std::vector<std::string>)> learn = {});

}  // namespace piotd::daemon
