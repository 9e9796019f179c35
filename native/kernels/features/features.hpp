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
/// dollar value (p.by 0, 1, 2) reaches p.threshold.
Status bars(Doubles ts, Doubles price, Doubles volume, size_t n, const BarsParams& p, std::vector<BarRow>& out);

}  // namespace kernelbus::features
