// The volatility family's entries (entry.hpp; native/binding/volatility_binding.cc registers each with
// its Async): garch, garchFilter, garchForecast and garchVar, each checking its call again (never trust
// the caller) before its kernel fills `out`, whose length the caller takes from the layout
// (src/kernels/volatility/volatility.ts). The model and garchVar's options are packed records
// (volatility.ts MODEL, VAR_OPTIONS; their unpack(), generated/volatility_records.hpp). Plain C++17, no
// N-API.
#pragma once

#include <cmath>
#include <cstddef>
#include <string>

#include "entry.hpp"
#include "generated/volatility_records.hpp"
#include "volatility/volatility.hpp"

namespace kernelbus::volatility::entry {

namespace detail {

/// The packed model, argument `at`: unpacked and checked into `m` (unpackModel), else its fault.
inline Outcome model(Packed packed, int at, Model& m) {
  if (unpackModel(packed.data, packed.length, m)) return Outcome{};
  return ArgFault{at, -1, "a packed model [vol, p, o, q, mean, lags, dist, delta]", "a value out of range"};
}

/// The returns, argument 0: rows x cols finite values, at least the model's fewest rows.
inline Outcome returns(In y, size_t rows, size_t cols, const Model& m) {
  if (cols == 0 || y.length / cols != rows || y.length % cols != 0) return ArgFault{0, -1, "rows x cols values", std::to_string(y.length)};
  if (rows < minReturns(m)) {
    return ArgFault{0, -1, "at least " + std::to_string(minReturns(m)) + " returns for this model", std::to_string(rows)};
  }
  for (size_t i = 0; i < y.length; i++) {
    const double x = y.data[i];
    if (std::isfinite(x)) continue;
    const std::string at =
        cols == 1 ? "row " + std::to_string(i) : "row " + std::to_string(i / cols) + ", column " + std::to_string(i % cols);
    return ArgFault{0, -1, "finite returns", std::string(std::isnan(x) ? "NaN" : x > 0 ? "Infinity" : "-Infinity") + " at " + at};
  }
  return Outcome{};
}

/// The parameters, argument `at`: the model's k, finite.
inline Outcome params(In p, int at, const Model& m) {
  if (p.length != paramCount(m)) return ArgFault{at, -1, std::to_string(paramCount(m)) + " parameters", std::to_string(p.length)};
  for (size_t j = 0; j < p.length; j++)
    if (!std::isfinite(p.data[j])) return ArgFault{at, -1, "finite parameters", "a value that is not"};
  return Outcome{};
}

}  // namespace detail

/// garch(returns, rows, cols, model, start, out): each column's fit (fitColumns); `start` empty or cols x k warm starts.
inline Outcome garch(In returns, size_t rows, size_t cols, Packed model, In start, Out out) {
  Model m;
  if (Outcome o = detail::model(model, 3, m); !o.ok()) return o;
  if (Outcome o = detail::returns(returns, rows, cols, m); !o.ok()) return o;
  if (start.length != 0 && start.length != cols * paramCount(m))
    return ArgFault{4, -1, "0 or cols x k values", std::to_string(start.length)};
  if (Outcome o = requireLength(5, out, cols * fitLength(m, rows)); !o.ok()) return o;
  fitColumns(m, returns.data, rows, cols, start.length != 0 ? start.data : nullptr, out.data);
  return Outcome{};
}

/// garchFilter(returns, rows, model, params, out): am.fix(params) (filterSeries).
inline Outcome garchFilter(In returns, size_t rows, Packed model, In params, Out out) {
  Model m;
  if (Outcome o = detail::model(model, 2, m); !o.ok()) return o;
  if (Outcome o = detail::returns(returns, rows, 1, m); !o.ok()) return o;
  if (Outcome o = detail::params(params, 3, m); !o.ok()) return o;
  if (Outcome o = requireLength(4, out, filterLength(rows)); !o.ok()) return o;
  filterSeries(m, returns.data, rows, params.data, out.data);
  return Outcome{};
}

/// garchForecast(returns, rows, model, params, horizon, simulations, seed, out): analytic, or with
/// simulations > 0 the variances beyond the first step by that many paths (forecastSeries).
inline Outcome garchForecast(In returns, size_t rows, Packed model, In params, size_t horizon, size_t simulations, size_t seed, Out out) {
  Model m;
  if (Outcome o = detail::model(model, 2, m); !o.ok()) return o;
  if (Outcome o = detail::returns(returns, rows, 1, m); !o.ok()) return o;
  if (Outcome o = detail::params(params, 3, m); !o.ok()) return o;
  if (horizon < 1 || horizon > 100000) return ArgFault{4, -1, "an integer in [1, 100000]", std::to_string(horizon)};
  if (simulations > 1000000) return ArgFault{5, -1, "an integer in [0, 1000000]", std::to_string(simulations)};
  if (m.vol != kVolGarch && horizon > 1 && simulations == 0)
    return ArgFault{4, -1, m.vol == kVolEgarch ? "1 for EGARCH's analytic forecast" : "1 for APARCH's analytic forecast",
                    std::to_string(horizon)};
  if (Outcome o = requireLength(7, out, forecastLength(horizon)); !o.ok()) return o;
  forecastSeries(m, returns.data, rows, params.data, horizon, out.data, simulations, double(seed));
  return Outcome{};
}

/// garchVar(returns, rows, cols, model, options, out): each column's VaR and ES (varColumns); the
/// options a packed VarOptions whose window lies in [the model's fewest returns, rows].
inline Outcome garchVar(In returns, size_t rows, size_t cols, Packed model, Packed options, Out out) {
  Model m;
  if (Outcome o = detail::model(model, 3, m); !o.ok()) return o;
  if (Outcome o = detail::returns(returns, rows, cols, m); !o.ok()) return o;
  VarOptions v;
  if (!unpack(options, v).ok() || v.window < minReturns(m) || v.window > rows) {
    return ArgFault{4, -1, "[window, refit, confidence, method] in range", "a value out of range"};
  }
  if (Outcome o = requireLength(5, out, cols * varLength(rows)); !o.ok()) return o;
  varColumns(m, returns.data, rows, cols, v, out.data);
  return Outcome{};
}

}  // namespace kernelbus::volatility::entry
