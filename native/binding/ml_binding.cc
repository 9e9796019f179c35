// Binding for the ml family: every kernel is a generated entry (kernels/generated/ml.hpp), registered
// with its Async by the generated addEntries().
#include "common.h"
#include "entry.h"
#include "generated/ml.hpp"

namespace kernelbus::binding {

void registerMl(Napi::Env env, Napi::Object exports) {
  using namespace ml::entry;  // NOLINT: the family's entries
  Registrar registrar{env, exports};
  addEntries(registrar);
}

}  // namespace kernelbus::binding
