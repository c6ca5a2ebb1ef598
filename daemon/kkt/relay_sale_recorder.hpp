// SaleRecorder through the relay's sell path (docs/relay.md): a receipt the register closed marks
// its codes sold and enqueues their withdrawal document in one LMDB transaction, exactly as
// POST /api/v2/cis/sell does. The document id is derived from the FN and fiscal document
// number, so recording the same receipt twice makes one document. The held sale lives in the
// same LMDB environment (storage/held_sale.hpp).
#pragma once

#include "daemon/kkt/sale_recorder.hpp"
#include "daemon/relay/document_intake.hpp"
#include "storage/environment.hpp"

namespace piotd::daemon {

class RelaySaleRecorder : public SaleRecorder {
public:
    RelaySaleRecorder(DocumentIntake& intake, const storage::Environment& env)
        : intake_(intake), env_(env) {}
    // Throws when no code could be recorded (all already sold) or on a storage failure.
    void record(const Sale& sale) override;
    void hold(const Sale& sale, std::uint32_t last_document_before) override;
    std::optional<HeldSale> held(const std::string& fn_number) override;
    void release(const std::string& fn_number) override;

private:
    void record_sale(const Sale& sale);

    DocumentIntake& intake_;
    const storage::Environment& env_;
};

// "kkt-<FN>-<document number>", or empty (a fresh id) before the FN number is known.
std::string sale_document_id(const Sale& sale);

}  // namespace piotd::daemon
