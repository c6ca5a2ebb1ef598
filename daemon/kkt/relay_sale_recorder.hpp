// SaleRecorder through the relay's sell path (docs/relay.md): a receipt the register closed marks
// its codes sold and enqueues their withdrawal document in one LMDB transaction, exactly as
// POST /api/v2/cis/sell does. The document id is derived from the FN and fiscal document
// number, so recording the same receipt twice makes one document.
#pragma once

#include "daemon/kkt/sale_recorder.hpp"
#include "daemon/relay/document_intake.hpp"

namespace piotd::daemon {

class RelaySaleRecorder : public SaleRecorder {
public:
    explicit RelaySaleRecorder(DocumentIntake& intake) : intake_(intake) {}
    // Throws when no code could be recorded (all already sold) or on a storage failure.
    void record(const Sale& sale) override;

private:
    DocumentIntake& intake_;
};

// "kkt-<FN>-<document number>", or empty (a fresh id) before the FN number is known.
std::string sale_document_id(const Sale& sale);

}  // namespace piotd::daemon
