// A Sale as JSON, for the sale held while the register closes it (storage/held_sale.hpp).
// What is read back is checked like any stored input: a value piotd did not write is refused.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "daemon/kkt/sale_recorder.hpp"

namespace piotd::daemon {

std::string write_sale_json(const Sale& sale);
std::optional<Sale> read_sale_json(std::string_view json);

}  // namespace piotd::daemon
