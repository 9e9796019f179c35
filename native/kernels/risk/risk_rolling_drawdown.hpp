// rolling()'s maxDrawdown (risk_rolling_drawdown.cpp), called by rolling() in risk_rolling.cpp.
#pragma once

#include <cstddef>

namespace kernelbus::risk::detail {

/// performanceStats' max drawdown of every `window` dates of columns [begin, end) of returns (rows x
/// cols), into out (rows x cols) at rows window - 1 .. rows - 1: O(1) per date (see the .cpp).
void rollingMaxDrawdown(const double* returns, size_t rows, size_t cols, size_t window, size_t begin, size_t end, double* out);

}  // namespace kernelbus::risk::detail
