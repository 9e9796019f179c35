// The optimizers' entries (portfolio_entry.hpp): the packed parameters unpacked by the generated
// unpack() (generated/portfolio.hpp), checked there once; the constraints' shapes and values as
// src/kernels/portfolio/portfolio.ts resolveConstraints() leaves them.
#include "portfolio_entry.hpp"

#include <cmath>
#include <string>
#include <utility>

namespace kernelbus::portfolio {

namespace entry {
namespace {

// The two records come first in every entry here (native/binding/portfolio_binding.cc's signatures).
constexpr int kStack = 0, kConstraints = 1;

/// A fault of field `field` of the record argument `at`.
ArgFault fieldFault(int at, const char* field, std::string expected, std::string actual) {
  return ArgFault{at, -1, std::move(expected), std::move(actual), field};
}

/// Field `field` of the record `at` (a view of `in.length` values) must hold `expected` values.
Outcome requireField(int at, const char* field, In in, size_t expected, const char* rule) {
  Outcome o = requireLength(at, in, expected, rule);
  if (!o.ok()) o.arg.field = field;
  return o;
}

/// A count field of 1 or `problems`.
Outcome requireOneOr(int at, const char* field, size_t count, size_t problems) {
  if (count == 1 || count == problems) return Outcome{};
  return fieldFault(at, field, "1 or " + std::to_string(problems) + " (the problems)", std::to_string(count));
}

/// The bounds: lower <= upper, lower < Infinity, upper > -Infinity, no NaN.
Outcome requireBounds(const ResolvedConstraints& r) {
  for (size_t k = 0; k < r.lower.length; k++) {
    const double l = r.lower.data[k], u = r.upper.data[k];
    if (!(l <= u) || l == INFINITY || u == -INFINITY) {
      return fieldFault(kConstraints, "lower", "lower <= upper, lower < Infinity, upper > -Infinity",
                        "lower[" + std::to_string(k) + "] = " + std::to_string(l) + ", upper = " + std::to_string(u));
    }
  }
  return Outcome{};
}

/// The rows (finite), their sides (rlo <= rhi, no NaN) and tags (finite).
Outcome requireRows(const ResolvedConstraints& r) {
  for (size_t k = 0; k < r.rows.length; k++) {
    if (!std::isfinite(r.rows.data[k]))
      return fieldFault(kConstraints, "rows", "finite coefficients", "rows[" + std::to_string(k) + "] = " + std::to_string(r.rows.data[k]));
  }
  for (size_t i = 0; i < r.rlo.length; i++) {
    const double l = r.rlo.data[i], u = r.rhi.data[i];
    if (!(l <= u) || l == INFINITY || u == -INFINITY) {
      return fieldFault(kConstraints, "rlo", "rlo <= rhi, rlo < Infinity, rhi > -Infinity", "row " + std::to_string(i));
    }
    if (!std::isfinite(r.tags.data[i])) return fieldFault(kConstraints, "tags", "finite tags", "tags[" + std::to_string(i) + "]");
  }
  return Outcome{};
}

/// What an entry reads of the records: the means (all but minVariance), the rows (all but
/// efficientFrontier, whose budget is 1), at least one row (the optimizers over expected returns).
struct Reads {
  bool means, rows, budget;
};
constexpr Reads kMinVariance{false, true, false}, kMean{true, true, true}, kFrontier{true, false, false};

/// The records checked (the counts, every length read, the bounds and the rows) into the kernels'
/// batch and constraints: the one place an entry reads them. What is not read is null (count 0).
Outcome prepare(const ProblemStack& s, const ResolvedConstraints& r, Reads reads, MeanBatch& b, Constraints& c) {
  if (s.n < 1) return fieldFault(kStack, "n", "at least one asset", "0");
  if (s.problems < 1) return fieldFault(kStack, "problems", "at least one problem", "0");
  if (reads.budget && r.m < 1) return fieldFault(kConstraints, "m", "at least one row (the budget)", "0");
  if (Outcome o = reads.means ? requireOneOr(kStack, "meanCount", s.meanCount, s.problems) : Outcome{}; !o.ok()) return o;
  if (Outcome o = requireOneOr(kStack, "covCount", s.covCount, s.problems); !o.ok()) return o;
  if (Outcome o = requireOneOr(kConstraints, "boundCount", r.boundCount, s.problems); !o.ok()) return o;
  if (reads.means) {
    if (Outcome o = requireField(kStack, "mean", s.mean, cells(s.meanCount, s.n), "meanCount x n"); !o.ok()) return o;
  }
  if (Outcome o = requireField(kStack, "cov", s.cov, cells(s.covCount, cells(s.n, s.n)), "covCount x n x n"); !o.ok()) return o;
  if (Outcome o = requireField(kConstraints, "lower", r.lower, cells(r.boundCount, s.n), "boundCount x n"); !o.ok()) return o;
  if (Outcome o = requireField(kConstraints, "upper", r.upper, cells(r.boundCount, s.n), "boundCount x n"); !o.ok()) return o;
  if (reads.rows) {
    if (Outcome o = requireField(kConstraints, "rows", r.rows, cells(r.m, s.n), "m x n"); !o.ok()) return o;
    if (Outcome o = requireField(kConstraints, "rlo", r.rlo, r.m, "m"); !o.ok()) return o;
    if (Outcome o = requireField(kConstraints, "rhi", r.rhi, r.m, "m"); !o.ok()) return o;
    if (Outcome o = requireField(kConstraints, "tags", r.tags, r.m, "m"); !o.ok()) return o;
  }
  if (Outcome o = requireBounds(r); !o.ok()) return o;
  if (Outcome o = reads.rows ? requireRows(r) : Outcome{}; !o.ok()) return o;
  b = MeanBatch{reads.means ? s.mean.data : nullptr, reads.means ? s.meanCount : 0, s.cov.data, s.covCount, s.n, s.problems};
  c = reads.rows ? Constraints{r.lower.data, r.upper.data, r.boundCount, r.rows.data, r.rlo.data, r.rhi.data, r.tags.data, r.m}
                 : Constraints{r.lower.data, r.upper.data, r.boundCount, nullptr, nullptr, nullptr, nullptr, 0};
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

Outcome minVariance(ProblemStack stack, ResolvedConstraints constraints, Packed params, Out out) {
  constexpr int kOut = 3;
  MinVarianceParams p;
  if (Outcome o = unpack(params, p); !o.ok()) return o;
  MeanBatch b;
  Constraints c;
  if (Outcome o = prepare(stack, constraints, kMinVariance, b, c); !o.ok()) return o;
  if (Outcome o = requireLength(kOut, out, minVarianceLength(b.problems, b.n)); !o.ok()) return o;
  return portfolio::minVariance(b.cov, b.covCount, b.n, c, b.problems, p.l2Gamma, p.psdTest, out.data);
}

Outcome maxSharpe(ProblemStack stack, ResolvedConstraints constraints, Packed params, Out out) {
  constexpr int kOut = 3;
  MaxSharpeParams p;
  if (Outcome o = unpack(params, p); !o.ok()) return o;
  MeanBatch b;
  Constraints c;
  if (Outcome o = prepare(stack, constraints, kMean, b, c); !o.ok()) return o;
  if (!(c.rlo[0] > 0 && c.rlo[0] == c.rhi[0]))
    return fieldFault(kConstraints, "rlo", "row 0 the budget, > 0", "rlo[0] = " + std::to_string(c.rlo[0]));
  if (Outcome o = requireLength(kOut, out, meanLength(b.problems, b.n)); !o.ok()) return o;
  return portfolio::maxSharpe(b, c, p.riskFree, p.l2Gamma, p.psdTest, out.data);
}

Outcome maxUtility(ProblemStack stack, ResolvedConstraints constraints, Packed params, Out out) {
  constexpr int kOut = 3;
  MaxUtilityParams p;
  if (Outcome o = unpack(params, p); !o.ok()) return o;
  MeanBatch b;
  Constraints c;
  if (Outcome o = prepare(stack, constraints, kMean, b, c); !o.ok()) return o;
  if (Outcome o = requireLength(kOut, out, meanLength(b.problems, b.n)); !o.ok()) return o;
  return portfolio::maxUtility(b, c, p.riskAversion, p.l2Gamma, p.riskFree, out.data);
}

Outcome efficientReturn(ProblemStack stack, ResolvedConstraints constraints, In targets, Packed params, Out out) {
  constexpr int kTargets = 2, kOut = 4;
  EfficientReturnParams p;
  if (Outcome o = unpack(params, p); !o.ok()) return o;
  MeanBatch b;
  Constraints c;
  if (Outcome o = prepare(stack, constraints, kMean, b, c); !o.ok()) return o;
  if (Outcome o = requireTargets(kTargets, targets, b.problems, -INFINITY); !o.ok()) return o;
  if (Outcome o = requireLength(kOut, out, meanLength(b.problems, b.n)); !o.ok()) return o;
  return portfolio::efficientReturn(b, c, targets.data, p.l2Gamma, p.riskFree, out.data);
}

Outcome efficientRisk(ProblemStack stack, ResolvedConstraints constraints, In targets, Packed params, Out out) {
  constexpr int kTargets = 2, kOut = 4;
  EfficientRiskParams p;
  if (Outcome o = unpack(params, p); !o.ok()) return o;
  MeanBatch b;
  Constraints c;
  if (Outcome o = prepare(stack, constraints, kMean, b, c); !o.ok()) return o;
  if (Outcome o = requireTargets(kTargets, targets, b.problems, 0); !o.ok()) return o;
  if (Outcome o = requireLength(kOut, out, meanLength(b.problems, b.n)); !o.ok()) return o;
  return portfolio::efficientRisk(b, c, targets.data, p.l2Gamma, p.riskFree, out.data);
}

Outcome efficientFrontier(ProblemStack stack, ResolvedConstraints constraints, size_t points, Out out) {
  constexpr int kPoints = 2, kOut = 3;
  if (points < 1 || points > 1000000) return ArgFault{kPoints, -1, "an integer in [1, 1000000]", std::to_string(points)};
  MeanBatch b;
  Constraints c;
  if (Outcome o = prepare(stack, constraints, kFrontier, b, c); !o.ok()) return o;
  // finite, and small enough that the turning points' arithmetic cannot overflow (src/kernels/portfolio/portfolio-optimizers.ts)
  constexpr double kFrontierBoundLimit = 1e12;
  for (size_t k = 0; k < constraints.lower.length; k++) {
    if (!(std::fabs(c.lower[k]) <= kFrontierBoundLimit && std::fabs(c.upper[k]) <= kFrontierBoundLimit))
      return fieldFault(kConstraints, "lower", "finite bounds of magnitude at most 1e12",
                        "lower[" + std::to_string(k) + "], upper[" + std::to_string(k) + "]");
  }
  if (Outcome o = requireLength(kOut, out, frontierLength(b.problems, b.n, points)); !o.ok()) return o;
  return portfolio::efficientFrontier(b, c.lower, c.upper, c.boundCount, points, out.data);
}

}  // namespace entry
}  // namespace kernelbus::portfolio
