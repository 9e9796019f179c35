// Binding for the labeling family: every kernel is a generated entry (kernels/generated/labeling.hpp),
// registered with its Async by the generated addEntries().
#include "common.h"
#include "entry.h"
#include "generated/labeling.hpp"

namespace kernelbus::binding {

void registerLabeling(Napi::Env env, Napi::Object exports) {
  using namespace labeling::entry;  // NOLINT: the family's entries
  Registrar registrar{env, exports};
  addEntries(registrar);
}

}  // namespace kernelbus::binding
