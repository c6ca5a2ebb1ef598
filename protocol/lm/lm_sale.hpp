// The LM v2 sold-set requests and answers (lm-api.md §4):
//   POST /api/v2/cis/sell|return {"cis_list":["<КИ>", …]}  ->
//   {"results":[{"success":true,"cis":…}]} GET  /api/v2/cis/sold?skip=&limit= ->
//   {"total_count":N,"cis_list":[…]}
// Entries may be objects with soldUnitCount/innerUnitCount for a partial sale; piotd adds "id"
// (the idempotency key) to the body it sends upstream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/documents/relay_document.hpp"

namespace piotd::protocol {

inline constexpr std::size_t kMaxSoldPage = 1000;

// The body a relay sends to an LM or a piotd for the document's codes.
std::string write_lm_sale_request(const RelayDocument& document);

struct SaleCodeResult {
    std::string cis;
    bool success = true;
    std::string error;        // piotd's machine name, e.g. "already_sold"
    std::string description;  // a sentence
};

std::string write_sale_results(const std::vector<SaleCodeResult>& results, std::string_view id);

struct SoldItem {
    std::string cis;
    std::uint32_t units = 0;  // 0: the whole unit
};

std::string write_sold_page(std::size_t total, const std::vector<SoldItem>& items);

}  // namespace piotd::protocol
