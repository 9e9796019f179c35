// Binding for the indicators family: the generated entries (native/kernels/generated/indicators.hpp
// addEntries; native/kernels/indicators/): each indicator's columns, rows, cols and packed parameters
// into a caller-supplied output; and the hand-written ones (indicators/indicators_entry.hpp
// addHandEntries): each indicator's grid of parameter sets, and crossedAbove. Each registers <name>
// and <name>Async.
#include "common.h"
#include "entry.h"
#include "generated/indicators.hpp"
#include "indicators/indicators_entry.hpp"

namespace kernelbus::binding {

void registerIndicators(Napi::Env env, Napi::Object exports) {
  Registrar registrar{env, exports};
  indicators::entry::addEntries(registrar);
  indicators::entry::addHandEntries(registrar);
}

}  // namespace kernelbus::binding
