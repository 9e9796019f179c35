// The allocation kernels' entries (portfolio_alloc_entry.hpp): the packed parameters unpacked by the
// generated unpack() (generated/portfolio.hpp), checked there once.
#include "portfolio_alloc_entry.hpp"

#include <string>

#include "portfolio_psd.hpp"

namespace kernelbus::portfolio {

namespace entry {

Outcome riskParity(In cov, size_t covCount, size_t n, In budgets, size_t budgetCount, size_t problems, Out out) {
  if (n == 0) return ArgFault{2, -1, "at least one asset", "0"};
  if (problems == 0) return ArgFault{5, -1, "at least one problem", "0"};
  if (covCount != 1 && covCount != problems)
    return ArgFault{1, -1, "1 or " + std::to_string(problems) + " (the problems)", std::to_string(covCount)};
  if (budgetCount != 1 && budgetCount != problems)
    return ArgFault{4, -1, "1 or " + std::to_string(problems) + " (the problems)", std::to_string(budgetCount)};
  if (Outcome o = requireLength(0, cov, cells(covCount, cells(n, n)), "covCount x n x n"); !o.ok()) return o;
  if (Outcome o = requireLength(3, budgets, cells(budgetCount, n), "budgetCount x n"); !o.ok()) return o;
  if (Outcome o = requireLength(6, out, riskParityLength(n, problems)); !o.ok()) return o;
  return portfolio::riskParity(cov.data, covCount, n, budgets.data, budgetCount, problems, out.data);
}

Outcome hrp(In data, size_t rows, size_t cols, In corr, Packed params, Out out) {
  HrpParams p;
  if (Outcome o = unpack(params, p); !o.ok()) return o;
  if (cols == 0) return ArgFault{2, -1, "at least one asset", "0"};
  if (Outcome o = requireLength(0, data, cells(rows, cols)); !o.ok()) return o;
  if (p.source != 0 && (rows == 0 || rows % cols != 0))
    return ArgFault{1, -1, "a multiple of " + std::to_string(cols) + " (a stack of covariances: P x cols rows)", std::to_string(rows)};
  const size_t problems = p.source == 0 ? 1 : rows / cols;
  if (Outcome o = requireLength(3, corr, p.source == 2 ? cells(rows, cols) : 0, "rows x cols with a corr, else 0"); !o.ok()) return o;
  if (Outcome o = requireLength(5, out, hrpLength(cols, problems)); !o.ok()) return o;
  return portfolio::hrp(data.data, rows, cols, corr.data, p.linkage, p.source, out.data);
}

Outcome expectedReturns(In prices, size_t rows, size_t cols, In benchmark, Packed params, Out out) {
  ExpectedReturnsParams p;
  if (Outcome o = unpack(params, p); !o.ok()) return o;
  if (Outcome o = requireLength(0, prices, cells(rows, cols)); !o.ok()) return o;
  if (benchmark.length != 0)
    if (Outcome o = requireLength(3, benchmark, rows, "rows, or 0 without one"); !o.ok()) return o;
  if (Outcome o = requireLength(5, out, expectedReturnsLength(cols)); !o.ok()) return o;
  return portfolio::expectedReturns(prices.data, rows, cols, benchmark.length != 0 ? benchmark.data : nullptr, p.method, p.compounding,
                                    p.span, p.frequency, p.riskFree, p.returnsData, p.logReturns, out.data);
}

}  // namespace entry
}  // namespace kernelbus::portfolio
