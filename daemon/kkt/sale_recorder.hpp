// Records a sale the register closed, so the module answers "sold" for its codes afterwards.
// Implemented by the relay (relay_sale_recorder.hpp): the sold set and the withdrawal document
// in one transaction. Called on the register's worker thread after the receipt
// is closed: a failure here does not undo the fiscal receipt, it is reported beside it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace piotd::daemon {

struct SoldItem {
    std::string ki;
    std::string code;
    std::uint64_t price_kopecks = 0;
    std::string tag1265;
};

struct Sale {
    std::string fn_number;
    std::uint32_t document_number = 0;
    std::uint32_t fiscal_sign = 0;
    std::int64_t time_ms = 0;
    std::vector<SoldItem> items;  // the marked items only
};

class SaleRecorder {
public:
    virtual ~SaleRecorder() = default;
    // Throws on failure (storage::StorageError, std::exception).
    virtual void record(const Sale& sale) = 0;
};

}  // namespace piotd::daemon
