// Binding for the volatility family: its entries (native/kernels/volatility/volatility_entry.hpp: each
// checks the call again, the packed model and options unpacked by their generated unpack(), then runs
// its kernel into the caller's output); entry.h reads the arguments by the entry's C++ types. Each
// registers <name> and <name>Async.
#include "common.h"
#include "entry.h"
#include "volatility/volatility_entry.hpp"

namespace kernelbus::binding {

using namespace volatility::entry;

void registerVolatility(Napi::Env env, Napi::Object exports) {
  add<garch>(env, exports, "garch(returns, rows, cols, model, start, out)");
  add<garchFilter>(env, exports, "garchFilter(returns, rows, model, params, out)");
  add<garchForecast>(env, exports, "garchForecast(returns, rows, model, params, horizon, simulations, seed, out)");
  add<garchVar>(env, exports, "garchVar(returns, rows, cols, model, options, out)");
}

}  // namespace kernelbus::binding
