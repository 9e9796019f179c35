// Binding for the features family: its bar kernels are counted entries (native/kernels/features/
// features_entry.hpp), one registration line each (entry.h): <name> and <name>Async.
#include "common.h"
#include "entry.h"
#include "features/features_entry.hpp"

namespace kernelbus::binding {

void registerFeatures(Napi::Env env, Napi::Object exports) {
  using namespace features::entry;  // NOLINT: the family's entries, one line each
  add<&Bars::count>(env, exports, "bars(ts, price, volume, params)");
  add<&ImbalanceBars::count>(env, exports, "imbalanceBars(ts, price, volume, params)");
  add<&RunBars::count>(env, exports, "runBars(ts, price, volume, params)");
}

}  // namespace kernelbus::binding
