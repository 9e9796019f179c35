// The features family's kernels (src/kernels/features/): plain C++ over pointers, each the reference's
// function (src/backends/reference/features/) in the same order of floating-point operations. They
// return the closed bars as rows; features_entry.hpp counts and writes them.
#pragma once

#include <cstddef>
#include <vector>

#include "bar_builder.hpp"
#include "doubles.hpp"
#include "generated/features.hpp"

namespace kernelbus::features {

/// Standard bars (mlfinlab's StandardBars): a bar closes at the trade whose sum of ticks, volume or
/// dollar value (p.by 0, 1, 2) reaches p.threshold; p.by 3: time bars of p.threshold ms (TimeBars).
Status bars(Doubles ts, Doubles price, Doubles volume, size_t n, const BarsParams& p, std::vector<BarRow>& out);

/// Imbalance bars (mlfinlab's BaseImbalanceBars, EMA or Const by p.kind): a bar closes when
/// |sum theta| > expNumTicks x |E[theta]|.
Status imbalanceBars(Doubles ts, Doubles price, Doubles volume, size_t n, const ImbalanceBarsParams& p, std::vector<BarRow>& out);

/// Run bars (mlfinlab's BaseRunBars): a bar closes when max(theta_buy, theta_sell) > expNumTicks x
/// max(P E[buy], (1 - P) E[sell]).
Status runBars(Doubles ts, Doubles price, Doubles volume, size_t n, const RunBarsParams& p, std::vector<BarRow>& out);

}  // namespace kernelbus::features
