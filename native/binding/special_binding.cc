// Binding for the special functions over arrays: one line per function (entry.h;
// native/kernels/special_entry.hpp): f(x[i]) into a caller-supplied out[i], NaN in, NaN out, never an
// error for a value. The Student-t functions take their degrees of freedom packed (nu > 0, Infinity:
// the normal). Each registers <name> and <name>Async.
#include "common.h"
#include "entry.h"
#include "special_entry.hpp"

namespace kernelbus::binding {

namespace entry = special::entry;  // (the functions themselves share these names)

void registerSpecial(Napi::Env env, Napi::Object exports) {
  add<entry::normalCdf>(env, exports, "normalCdf(x, out)");
  add<entry::normalSf>(env, exports, "normalSf(x, out)");
  add<entry::normalPdf>(env, exports, "normalPdf(x, out)");
  add<entry::normalQuantile>(env, exports, "normalQuantile(p, out)");
  add<entry::studentTCdf>(env, exports, "studentTCdf(t, params, out)");
  add<entry::studentTQuantile>(env, exports, "studentTQuantile(p, params, out)");
}

}  // namespace kernelbus::binding
