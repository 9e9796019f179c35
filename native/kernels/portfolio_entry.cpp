// The optimizers' parameters and entries (portfolio_entry.hpp). The ranges are the descriptors'
// `expected` strings in src/kernels/portfolio-optimizers.ts, checked here once; the constraints'
// shapes and values as src/kernels/portfolio.ts resolveConstraints() leaves them.
#include "portfolio_entry.hpp"

#include <cmath>
#include <string>

namespace kernelbus::portfolio {

Status unpack(Packed packed, MinVarianceParams& out) {
  ParamReader p(packed, kMinVarianceParams);
  out.l2Gamma = p.zeroOrAbove(0);  // a finite number >= 0
  return p.status();
}

bool optimizerParamNames(std::string_view kernel, ParamNames& out) {
  if (kernel == "minVariance") {
    out = paramNamesOf(kMinVarianceParams);
  } else {
    return false;
  }
  return true;
}

namespace entry {
namespace {

/// A count argument `at` of 1 or `problems`.
Outcome requireOneOr(int at, size_t count, size_t problems) {
  if (count == 1 || count == problems) return Outcome{};
  return ArgFault{at, -1, "1 or " + std::to_string(problems) + " (the problems)", std::to_string(count)};
}

/// The bounds (arguments `at`, `at` + 1): lower <= upper, lower < Infinity, upper > -Infinity, no NaN.
Outcome requireBounds(int at, In lower, In upper) {
  for (size_t k = 0; k < lower.length; k++) {
    const double l = lower.data[k], u = upper.data[k];
    if (!(l <= u) || l == INFINITY || u == -INFINITY) {
      return ArgFault{at, -1, "lower <= upper, lower < Infinity, upper > -Infinity",
                      "lower[" + std::to_string(k) + "] = " + std::to_string(l) + ", upper = " + std::to_string(u)};
    }
  }
  return Outcome{};
}

/// The rows (argument `at`: finite) and their sides (`at` + 1, + 2: rlo <= rhi, no NaN) and tags (`at` + 3: finite).
Outcome requireRows(int at, In rows, In rlo, In rhi, In tags) {
  for (size_t k = 0; k < rows.length; k++) {
    if (!std::isfinite(rows.data[k]))
      return ArgFault{at, -1, "finite coefficients", "rows[" + std::to_string(k) + "] = " + std::to_string(rows.data[k])};
  }
  for (size_t i = 0; i < rlo.length; i++) {
    const double l = rlo.data[i], u = rhi.data[i];
    if (!(l <= u) || l == INFINITY || u == -INFINITY) {
      return ArgFault{at + 1, -1, "rlo <= rhi, rlo < Infinity, rhi > -Infinity", "row " + std::to_string(i)};
    }
    if (!std::isfinite(tags.data[i])) return ArgFault{at + 3, -1, "finite tags", "tags[" + std::to_string(i) + "]"};
  }
  return Outcome{};
}

}  // namespace

Outcome minVariance(In cov, size_t covCount, size_t n, In lower, In upper, size_t boundCount, In rows, In rlo, In rhi, In tags, size_t m,
                    size_t problems, Packed params, Out out) {
  MinVarianceParams p;
  if (Outcome o = unpack(params, p); !o.ok()) return o;
  if (n < 1) return ArgFault{2, -1, "at least one asset", "0"};
  if (problems < 1) return ArgFault{11, -1, "at least one problem", "0"};
  if (Outcome o = requireOneOr(1, covCount, problems); !o.ok()) return o;
  if (Outcome o = requireOneOr(5, boundCount, problems); !o.ok()) return o;
  if (Outcome o = requireLength(0, cov, cells(covCount, cells(n, n)), "covCount x n x n"); !o.ok()) return o;
  if (Outcome o = requireLength(3, lower, cells(boundCount, n), "boundCount x n"); !o.ok()) return o;
  if (Outcome o = requireLength(4, upper, cells(boundCount, n), "boundCount x n"); !o.ok()) return o;
  if (Outcome o = requireLength(6, rows, cells(m, n), "m x n"); !o.ok()) return o;
  if (Outcome o = requireLength(7, rlo, m, "m"); !o.ok()) return o;
  if (Outcome o = requireLength(8, rhi, m, "m"); !o.ok()) return o;
  if (Outcome o = requireLength(9, tags, m, "m"); !o.ok()) return o;
  if (Outcome o = requireBounds(3, lower, upper); !o.ok()) return o;
  if (Outcome o = requireRows(6, rows, rlo, rhi, tags); !o.ok()) return o;
  if (Outcome o = requireLength(13, out, minVarianceLength(problems, n)); !o.ok()) return o;
  const Constraints c{lower.data, upper.data, boundCount, rows.data, rlo.data, rhi.data, tags.data, m};
  return portfolio::minVariance(cov.data, covCount, n, c, problems, p.l2Gamma, out.data);
}

}  // namespace entry
}  // namespace kernelbus::portfolio
