// Binding for the indicators family: the generated entries (native/kernels/generated/indicators.hpp
// addEntries; native/kernels/indicators/): each indicator's columns, rows, cols and packed parameters
// into a caller-supplied output. Each registers <name> and <name>Async.
#include "common.h"
#include "entry.h"
#include "generated/indicators.hpp"

namespace kernelbus::binding {

void registerIndicators(Napi::Env env, Napi::Object exports) {
  Registrar registrar{env, exports};
  indicators::entry::addEntries(registrar);
}

}  // namespace kernelbus::binding
