// Binding for the special functions over arrays: the generated entries (native/kernels/generated/
// special.hpp addEntries; special_arrays.cpp): f(x[i]) into a caller-supplied out[i], NaN in, NaN out,
// never an error for a value. The Student-t functions take their degrees of freedom packed (nu > 0,
// Infinity: the normal). Each registers <name> and <name>Async.
#include "common.h"
#include "entry.h"
#include "generated/special.hpp"

namespace kernelbus::binding {

void registerSpecial(Napi::Env env, Napi::Object exports) {
  Registrar registrar{env, exports};
  special::entry::addEntries(registrar);
}

}  // namespace kernelbus::binding
