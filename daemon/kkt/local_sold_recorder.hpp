// SaleRecorder into the local sold set (storage/black_lists.hpp mark_sold): after a sale the
// module's own checks answer "sold" for these codes.
#pragma once

#include "daemon/kkt/sale_recorder.hpp"
#include "daemon/local_module.hpp"

namespace piotd::daemon {

class LocalSoldRecorder : public SaleRecorder {
public:
    explicit LocalSoldRecorder(LocalModule& module) : module_(module) {}
    void record(const Sale& sale) override;

private:
    LocalModule& module_;
};

}  // namespace piotd::daemon
