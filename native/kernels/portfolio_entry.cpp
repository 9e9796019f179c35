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

Status unpack(Packed packed, MaxSharpeParams& out) {
  ParamReader p(packed, kMaxSharpeParams);
  out.riskFree = p.finite();       // a finite number
  out.l2Gamma = p.zeroOrAbove(0);  // a finite number >= 0
  return p.status();
}

Status unpack(Packed packed, MaxUtilityParams& out) {
  ParamReader p(packed, kMaxUtilityParams);
  out.riskAversion = p.positive();  // a finite number > 0
  out.l2Gamma = p.zeroOrAbove(0);   // a finite number >= 0
  out.riskFree = p.finite();        // a finite number
  return p.status();
}

Status unpack(Packed packed, EfficientParams& out) {
  ParamReader p(packed, kEfficientParams);
  out.l2Gamma = p.zeroOrAbove(0);  // a finite number >= 0
  out.riskFree = p.finite();       // a finite number
  return p.status();
}

bool optimizerParamNames(std::string_view kernel, ParamNames& out) {
  if (kernel == "minVariance") {
    out = paramNamesOf(kMinVarianceParams);
  } else if (kernel == "maxSharpe") {
    out = paramNamesOf(kMaxSharpeParams);
  } else if (kernel == "maxUtility") {
    out = paramNamesOf(kMaxUtilityParams);
  } else if (kernel == "efficientReturn" || kernel == "efficientRisk") {
    out = paramNamesOf(kEfficientParams);
  } else if (kernel == "efficientFrontier") {
    out = ParamNames{nullptr, 0};
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

/// The checks every optimizer over expected returns shares (arguments in the order of its JS call):
/// the counts, every length, the bounds and rows; into the batch and the constraints.
Outcome prepareMean(In mean, size_t meanCount, In cov, size_t covCount, size_t n, In lower, In upper, size_t boundCount, In rows, In rlo,
                    In rhi, In tags, size_t m, size_t problems, MeanBatch& b, Constraints& c) {
  if (n < 1) return ArgFault{4, -1, "at least one asset", "0"};
  if (problems < 1) return ArgFault{13, -1, "at least one problem", "0"};
  if (m < 1) return ArgFault{12, -1, "at least one row (the budget)", "0"};
  if (Outcome o = requireOneOr(1, meanCount, problems); !o.ok()) return o;
  if (Outcome o = requireOneOr(3, covCount, problems); !o.ok()) return o;
  if (Outcome o = requireOneOr(7, boundCount, problems); !o.ok()) return o;
  if (Outcome o = requireLength(0, mean, cells(meanCount, n), "meanCount x n"); !o.ok()) return o;
  if (Outcome o = requireLength(2, cov, cells(covCount, cells(n, n)), "covCount x n x n"); !o.ok()) return o;
  if (Outcome o = requireLength(5, lower, cells(boundCount, n), "boundCount x n"); !o.ok()) return o;
  if (Outcome o = requireLength(6, upper, cells(boundCount, n), "boundCount x n"); !o.ok()) return o;
  if (Outcome o = requireLength(8, rows, cells(m, n), "m x n"); !o.ok()) return o;
  if (Outcome o = requireLength(9, rlo, m, "m"); !o.ok()) return o;
  if (Outcome o = requireLength(10, rhi, m, "m"); !o.ok()) return o;
  if (Outcome o = requireLength(11, tags, m, "m"); !o.ok()) return o;
  if (Outcome o = requireBounds(5, lower, upper); !o.ok()) return o;
  if (Outcome o = requireRows(8, rows, rlo, rhi, tags); !o.ok()) return o;
  b = MeanBatch{mean.data, meanCount, cov.data, covCount, n, problems};
  c = Constraints{lower.data, upper.data, boundCount, rows.data, rlo.data, rhi.data, tags.data, m};
  return Outcome{};
}

/// Targets (argument `at`): one per problem, finite, >= min.
Outcome requireTargets(int at, In targets, size_t problems, double min) {
  if (Outcome o = requireLength(at, targets, problems, "one per problem"); !o.ok()) return o;
  for (size_t k = 0; k < targets.length; k++) {
    if (!(std::isfinite(targets.data[k]) && targets.data[k] >= min)) {
      return ArgFault{at, -1, "finite targets", "targets[" + std::to_string(k) + "] = " + std::to_string(targets.data[k])};
    }
  }
  return Outcome{};
}

}  // namespace

Outcome maxSharpe(In mean, size_t meanCount, In cov, size_t covCount, size_t n, In lower, In upper, size_t boundCount, In rows, In rlo,
                  In rhi, In tags, size_t m, size_t problems, Packed params, Out out) {
  MaxSharpeParams p;
  if (Outcome o = unpack(params, p); !o.ok()) return o;
  MeanBatch b;
  Constraints c;
  if (Outcome o = prepareMean(mean, meanCount, cov, covCount, n, lower, upper, boundCount, rows, rlo, rhi, tags, m, problems, b, c);
      !o.ok())
    return o;
  if (!(rlo.data[0] > 0 && rlo.data[0] == rhi.data[0]))
    return ArgFault{9, -1, "row 0 the budget, > 0", "rlo[0] = " + std::to_string(rlo.data[0])};
  if (Outcome o = requireLength(15, out, meanLength(problems, n)); !o.ok()) return o;
  return portfolio::maxSharpe(b, c, p.riskFree, p.l2Gamma, out.data);
}

Outcome maxUtility(In mean, size_t meanCount, In cov, size_t covCount, size_t n, In lower, In upper, size_t boundCount, In rows, In rlo,
                   In rhi, In tags, size_t m, size_t problems, Packed params, Out out) {
  MaxUtilityParams p;
  if (Outcome o = unpack(params, p); !o.ok()) return o;
  MeanBatch b;
  Constraints c;
  if (Outcome o = prepareMean(mean, meanCount, cov, covCount, n, lower, upper, boundCount, rows, rlo, rhi, tags, m, problems, b, c);
      !o.ok())
    return o;
  if (Outcome o = requireLength(15, out, meanLength(problems, n)); !o.ok()) return o;
  return portfolio::maxUtility(b, c, p.riskAversion, p.l2Gamma, p.riskFree, out.data);
}

Outcome efficientReturn(In mean, size_t meanCount, In cov, size_t covCount, size_t n, In lower, In upper, size_t boundCount, In rows,
                        In rlo, In rhi, In tags, size_t m, size_t problems, In targets, Packed params, Out out) {
  EfficientParams p;
  if (Outcome o = unpack(params, p); !o.ok()) return o;
  MeanBatch b;
  Constraints c;
  if (Outcome o = prepareMean(mean, meanCount, cov, covCount, n, lower, upper, boundCount, rows, rlo, rhi, tags, m, problems, b, c);
      !o.ok())
    return o;
  if (Outcome o = requireTargets(14, targets, problems, -INFINITY); !o.ok()) return o;
  if (Outcome o = requireLength(16, out, meanLength(problems, n)); !o.ok()) return o;
  return portfolio::efficientReturn(b, c, targets.data, p.l2Gamma, p.riskFree, out.data);
}

Outcome efficientRisk(In mean, size_t meanCount, In cov, size_t covCount, size_t n, In lower, In upper, size_t boundCount, In rows, In rlo,
                      In rhi, In tags, size_t m, size_t problems, In targets, Packed params, Out out) {
  EfficientParams p;
  if (Outcome o = unpack(params, p); !o.ok()) return o;
  MeanBatch b;
  Constraints c;
  if (Outcome o = prepareMean(mean, meanCount, cov, covCount, n, lower, upper, boundCount, rows, rlo, rhi, tags, m, problems, b, c);
      !o.ok())
    return o;
  if (Outcome o = requireTargets(14, targets, problems, 0); !o.ok()) return o;
  if (Outcome o = requireLength(16, out, meanLength(problems, n)); !o.ok()) return o;
  return portfolio::efficientRisk(b, c, targets.data, p.l2Gamma, p.riskFree, out.data);
}

Outcome efficientFrontier(In mean, size_t meanCount, In cov, size_t covCount, size_t n, In lower, In upper, size_t boundCount,
                          size_t problems, size_t points, Out out) {
  if (n < 1) return ArgFault{4, -1, "at least one asset", "0"};
  if (problems < 1) return ArgFault{8, -1, "at least one problem", "0"};
  if (points < 1 || points > 1000000) return ArgFault{9, -1, "an integer in [1, 1000000]", std::to_string(points)};
  if (Outcome o = requireOneOr(1, meanCount, problems); !o.ok()) return o;
  if (Outcome o = requireOneOr(3, covCount, problems); !o.ok()) return o;
  if (Outcome o = requireOneOr(7, boundCount, problems); !o.ok()) return o;
  if (Outcome o = requireLength(0, mean, cells(meanCount, n), "meanCount x n"); !o.ok()) return o;
  if (Outcome o = requireLength(2, cov, cells(covCount, cells(n, n)), "covCount x n x n"); !o.ok()) return o;
  if (Outcome o = requireLength(5, lower, cells(boundCount, n), "boundCount x n"); !o.ok()) return o;
  if (Outcome o = requireLength(6, upper, cells(boundCount, n), "boundCount x n"); !o.ok()) return o;
  if (Outcome o = requireBounds(5, lower, upper); !o.ok()) return o;
  // finite, and small enough that the turning points' arithmetic cannot overflow (src/kernels/portfolio-optimizers.ts)
  constexpr double kFrontierBoundLimit = 1e12;
  for (size_t k = 0; k < lower.length; k++) {
    if (!(std::fabs(lower.data[k]) <= kFrontierBoundLimit && std::fabs(upper.data[k]) <= kFrontierBoundLimit))
      return ArgFault{5, -1, "finite bounds of magnitude at most 1e12",
                      "lower[" + std::to_string(k) + "], upper[" + std::to_string(k) + "]"};
  }
  if (Outcome o = requireLength(10, out, frontierLength(problems, n, points)); !o.ok()) return o;
  const MeanBatch b{mean.data, meanCount, cov.data, covCount, n, problems};
  return portfolio::efficientFrontier(b, lower.data, upper.data, boundCount, points, out.data);
}

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
