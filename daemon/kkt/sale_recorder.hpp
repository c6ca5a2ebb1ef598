// Records a sale the register closed, so the module answers "sold" for its codes afterwards.
// Implemented by the relay (relay_sale_recorder.hpp): the sold set and the withdrawal document
// in one transaction. Called on the register's worker thread after the receipt
// is closed: a failure here does not undo the fiscal receipt, it is reported beside it.
// Before the close the sale is held durably (hold), so that a crash or a lost link while the
// receipt prints is settled later from the register's last document number (held_sale.hpp).
#pragma once

#include <cstdint>
#include <optional>
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

// A sale held while the register closed it: the FN's last document number before the close.
struct HeldSale {
    Sale sale;  // document_number and fiscal_sign not known yet
    std::uint32_t last_document_before = 0;
};

class SaleRecorder {
public:
    virtual ~SaleRecorder() = default;
    // Records a closed sale and releases the sale held for its FN. Recording the same receipt
    // (FN and document number) again changes nothing. Throws on failure (storage::StorageError,
    // std::exception).
    virtual void record(const Sale& sale) = 0;
    // Keeps `sale` durably (committed before it returns) until record() or release().
    virtual void hold(const Sale& sale, std::uint32_t last_document_before) = 0;
    // The sale held for this FN, if any (one that cannot be read back is released and logged).
    virtual std::optional<HeldSale> held(const std::string& fn_number) = 0;
    virtual void release(const std::string& fn_number) = 0;
};

}  // namespace piotd::daemon
