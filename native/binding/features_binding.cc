// Binding for the features family: its bar kernels are counted entries (native/kernels/features/
// features_entry.hpp) and realized measures (realized_entry.hpp), one registration line each (entry.h):
// <name> and <name>Async; har and the bar estimators are generated entries (kernels/generated/features.hpp).
#include "common.h"
#include "entry.h"
#include "features/features_entry.hpp"
#include "features/realized_entry.hpp"
#include "generated/features.hpp"

namespace kernelbus::binding {

void registerFeatures(Napi::Env env, Napi::Object exports) {
  using namespace features::entry;  // NOLINT: the family's entries, one line each
  add<&Bars::count>(env, exports, "bars(ts, price, volume, params)");
  add<&ImbalanceBars::count>(env, exports, "imbalanceBars(ts, price, volume, params)");
  add<&RunBars::count>(env, exports, "runBars(ts, price, volume, params)");
  add<&RealizedVariance::count>(env, exports, "realizedVariance(ts, price, params)");
  add<&BipowerVariation::count>(env, exports, "bipowerVariation(ts, price, params)");
  add<&MedRv::count>(env, exports, "medRV(ts, price, params)");
  add<&MinRv::count>(env, exports, "minRV(ts, price, params)");
  add<&RealizedSemivariance::count>(env, exports, "realizedSemivariance(ts, price, params)");
  add<&TwoScaleRv::count>(env, exports, "twoScaleRV(ts, price, params)");
  add<&RealizedKernel::count>(env, exports, "realizedKernel(ts, price, params)");
  Registrar registrar{env, exports};
  addEntries(registrar);  // the generated entries: har, the bar estimators
}

}  // namespace kernelbus::binding
