// The portfolio family's optimizer entries (entry.hpp): each kernel's call as the addon makes it (its
// packed parameters' Params struct and unpack() are generated from OPTIMIZER_KERNELS' descriptors:
// generated/portfolio.hpp, npm run gen): the problems and the constraints as two records
// (record.hpp: ProblemStack and ResolvedConstraints, the JS objects of the same names), then the
// kernel's own arguments. Counts, lengths and the constraints checked, then the kernel (portfolio.hpp).
#pragma once

#include <cstddef>
#include <tuple>

#include "entry.hpp"
#include "generated/portfolio.hpp"
#include "portfolio.hpp"
#include "record.hpp"

namespace kernelbus::portfolio {

namespace entry {

/// The problems of a call, as the JS call passes them (src/kernels/portfolio/portfolio.ts ProblemStack): P
/// problems of N assets, meanCount (1 or P, 0 for minVariance) x N means, covCount (1 or P) stacked
/// N x N covariances. The entries check it into a MeanBatch.
struct ProblemStack {
  In mean;
  size_t meanCount;
  In cov;
  size_t covCount;
  size_t n;
  size_t problems;
};

/// The constraints of a call, as the JS call passes them (src/kernels/portfolio/portfolio.ts
/// ResolvedConstraints): boundCount (1 or P) x N bounds, m rows of N with their sides and tags. The
/// entries check them into Constraints.
struct ResolvedConstraints {
  In lower;
  In upper;
  size_t boundCount;
  In rows;
  In rlo;
  In rhi;
  In tags;
  size_t m;
};

/// minVariance(stack, constraints, params, out): the stack's covariances (its means are not read).
Outcome minVariance(ProblemStack stack, ResolvedConstraints constraints, Packed params, Out out);
/// maxSharpe(stack, constraints, params, out)
Outcome maxSharpe(ProblemStack stack, ResolvedConstraints constraints, Packed params, Out out);
/// maxUtility(stack, constraints, params, out)
Outcome maxUtility(ProblemStack stack, ResolvedConstraints constraints, Packed params, Out out);
/// efficientReturn(stack, constraints, targets, params, out): targets one per problem.
Outcome efficientReturn(ProblemStack stack, ResolvedConstraints constraints, In targets, Packed params, Out out);
/// efficientRisk(stack, constraints, targets, params, out)
Outcome efficientRisk(ProblemStack stack, ResolvedConstraints constraints, In targets, Packed params, Out out);
/// efficientFrontier(stack, constraints, points, out): of the constraints the bounds only (finite).
Outcome efficientFrontier(ProblemStack stack, ResolvedConstraints constraints, size_t points, Out out);

}  // namespace entry
}  // namespace kernelbus::portfolio

namespace kernelbus {

template <>
struct RecordFields<portfolio::entry::ProblemStack> {
  using R = portfolio::entry::ProblemStack;
  static constexpr auto fields =
      std::make_tuple(Field<R, In>{"mean", &R::mean}, Field<R, size_t>{"meanCount", &R::meanCount}, Field<R, In>{"cov", &R::cov},
                      Field<R, size_t>{"covCount", &R::covCount}, Field<R, size_t>{"n", &R::n}, Field<R, size_t>{"problems", &R::problems});
};

template <>
struct RecordFields<portfolio::entry::ResolvedConstraints> {
  using R = portfolio::entry::ResolvedConstraints;
  static constexpr auto fields =
      std::make_tuple(Field<R, In>{"lower", &R::lower}, Field<R, In>{"upper", &R::upper}, Field<R, size_t>{"boundCount", &R::boundCount},
                      Field<R, In>{"rows", &R::rows}, Field<R, In>{"rlo", &R::rlo}, Field<R, In>{"rhi", &R::rhi},
                      Field<R, In>{"tags", &R::tags}, Field<R, size_t>{"m", &R::m});
};

}  // namespace kernelbus
