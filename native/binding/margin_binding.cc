// Binding for the margin family: every kernel is a generated entry (kernels/generated/margin.hpp),
// registered with its Async by the generated addEntries().
#include "common.h"
#include "entry.h"
#include "generated/margin.hpp"

namespace kernelbus::binding {

void registerMargin(Napi::Env env, Napi::Object exports) {
  using namespace margin::entry;  // NOLINT: the family's entries
  Registrar registrar{env, exports};
  addEntries(registrar);
}

}  // namespace kernelbus::binding
