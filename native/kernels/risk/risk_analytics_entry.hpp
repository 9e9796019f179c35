// The entry of rolling, the risk kernel whose output layout is not data (the statistics a mask
// chooses: risk_analytics.hpp rollingLength): written by hand as the generated ones are written
// (generated/risk.hpp), its packed parameters unpacked by the generated RollingParams.
#pragma once

#include <cstddef>

#include "entry.hpp"
#include "generated/risk.hpp"
#include "risk_analytics.hpp"

namespace kernelbus::risk::entry {

/// rolling(returns, rows, cols, benchmark, params, out): benchmark of rows values (NaN: none). The
/// benchmark's values are not scanned here (the API refuses an infinite one, and passes NaN for none).
inline Outcome rolling(In returns, size_t rows, size_t cols, In benchmark, Packed params, Out out) {
  RollingParams p;
  if (Outcome o = unpack(params, p); !o.ok()) return o;
  if (Outcome o = requireLength(0, returns, cells(rows, cols), "rows x cols"); !o.ok()) return o;
  if (Outcome o = requireLength(3, benchmark, rows, "rows"); !o.ok()) return o;
  if (Outcome o = requireLength(5, out, rollingLength(rows, cols, p.stats)); !o.ok()) return o;
  return risk::rolling(returns.data, rows, cols, benchmark.data, p.window, p.stats, p.periodsPerYear, p.riskFree, p.confidence, out.data);
}

}  // namespace kernelbus::risk::entry
