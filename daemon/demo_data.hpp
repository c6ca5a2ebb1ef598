// The lists --demo seeds into every list of the data dir that is empty (a list that holds items
// is kept, and `learned` never seeded: LocalModule::start_demo), so a newcomer can see a blocked
// and an allowed code at once (README). blocked_cis holds the four codes the CRPT sandbox is known
// to block (lm-api.md Appendix A, in their corrected forms) and a few more real-shaped ones.
#pragma once

#include <span>
#include <string_view>

#include "storage/list_name.hpp"

namespace piotd::daemon {

// Lines in the import format of storage/list_item.hpp.
std::span<const std::string_view> demo_list(storage::ListName list);

}  // namespace piotd::daemon
