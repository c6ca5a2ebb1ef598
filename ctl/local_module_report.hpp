// The local module piotd stands in front of, in piotctl's words (docs/piotctl.md): the lines of
// `piotctl status` and the finding of `piotctl doctor`, both read from the localModule object of
// the status page's JSON (GET /api/v1/status/page; the object of GET /api/v1/status). Pure, so
// the unit tests feed them JSON.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <string>

namespace piotd::ctl {

// doctor warns from this age of the LM's lastSync (monitoring templates warn after a day) and
// fails at 72 h (kLmSyncLimitMs: the LM goes to sync_error).
inline constexpr std::int64_t kDoctorLmSyncWarnMs = 24LL * 3600 * 1000;

// `lm`: the localModule object; `now_ms`: the daemon's clock (the page's "now"). Lines end in
// '\n'; the LM's text is printed without control characters.
std::string local_module_status_lines(const rapidjson::Value& lm, std::int64_t now_ms);

struct LocalModuleFinding {
    enum class Level : std::uint8_t { ok, warn, fail };
    Level level = Level::ok;
    std::string message;
    std::string fix;  // empty when ok
};

// fail: unreachable, not ready, lastSync 72 h or more ago; warn: lastSync 24 h or more ago, the
// LM told no lastSync, the circuit is not closed; else ok. The message names every problem of
// the worst level.
LocalModuleFinding local_module_finding(const rapidjson::Value& lm, std::int64_t now_ms);

}  // namespace piotd::ctl
