// The entries of the risk family's analytics kernels (risk_analytics.hpp), as risk_entry.hpp's: each
// call in the order of the JS call, its packed parameters unpacked by generated/risk_params.hpp.
#pragma once

#include <cstddef>

#include "entry.hpp"
#include "generated/risk_params.hpp"
#include "risk_analytics.hpp"

namespace kernelbus::risk {

namespace entry {

/// varBacktest(returns, rows, cols, var, params, out)
Outcome varBacktest(In returns, size_t rows, size_t cols, In var, Packed params, Out out);
/// drawdownSeries(returns, rows, cols, out)
Outcome drawdownSeries(In returns, size_t rows, size_t cols, Out out);
/// drawdowns(returns, rows, cols, params, out)
Outcome drawdowns(In returns, size_t rows, size_t cols, Packed params, Out out);
/// rolling(returns, rows, cols, benchmark, params, out): benchmark of rows values (NaN: none)
Outcome rolling(In returns, size_t rows, size_t cols, In benchmark, Packed params, Out out);
/// aggregateReturns(returns, rows, cols, groups, groupCount, out)
Outcome aggregateReturns(In returns, size_t rows, size_t cols, In groups, size_t groupCount, Out out);

}  // namespace entry
}  // namespace kernelbus::risk
