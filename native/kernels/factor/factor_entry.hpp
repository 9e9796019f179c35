// The factor family's entries (entry.hpp): each kernel's call as the addon makes it, arguments in the
// order of the JS call: its packed parameters unpacked (generated/factor.hpp, written from the
// descriptors' rules by scripts/gen-native.ts), shapes and lengths checked against factor.hpp's
// layouts, then the kernel. factorReturns, which
// other backends also compute (native/blas, native/metal's host: the same signature), has an entry
// templated over the kernel it runs, its checks in prepareFactorReturns.
#pragma once

#include <cstddef>
#include <vector>

#include "entry.hpp"
#include "factor.hpp"
#include "generated/factor.hpp"

namespace kernelbus::factor {

// ---------------------------------------------------------------------------------------------
// Entries, in the order of the JS call (src/backends/native/binding.ts).

namespace entry {

/// momentum(returns, rows, cols, weights, params, out): weights from expWeights (window >= 1, in (0, 1])
Outcome momentum(In returns, size_t rows, size_t cols, In weights, Packed params, Out out);
/// factorCovariance(factorReturns, rows, K, weights, params, out): weights one per date, in (0, 1]
Outcome factorCovariance(In f, size_t rows, size_t K, In weights, Packed params, Out out);
/// specificRisk(residuals, rows, cols, weights, out): weights one per date, in (0, 1]
Outcome specificRisk(In residuals, size_t rows, size_t cols, In weights, Out out);

/// The signature of a factorReturns kernel (factor::factorReturns, blas::factorReturns, shader::On<...>).
using FactorReturnsKernel = Status (*)(const double*, const double*, size_t, size_t, const double*, bool, size_t, const double* const*,
                                       size_t, double, bool, double*);

/// factorReturns' checks: the parameters into `p`, perDate 0 or 1, m in [1, 100000], at most 1000
/// styles, the lengths; the styles' data pointers into `styles`.
Outcome prepareFactorReturns(In returns, In cap, size_t rows, size_t cols, In sectors, size_t perDate, size_t m, const Panels& styles,
                             Packed params, Out out, FactorReturnsParams& p, std::vector<const double*>& pointers);

/// factorReturns(returns, marketCap, rows, cols, sectors, perDate, m, styles, params, out)
template <FactorReturnsKernel Kernel = factor::factorReturns>
Outcome factorReturns(In returns, In cap, size_t rows, size_t cols, In sectors, size_t perDate, size_t m, const Panels& styles,
                      Packed params, Out out) {
  FactorReturnsParams p;
  std::vector<const double*> pointers;
  if (Outcome o = prepareFactorReturns(returns, cap, rows, cols, sectors, perDate, m, styles, params, out, p, pointers); !o.ok()) return o;
  return Kernel(returns.data, cap.data, rows, cols, sectors.data, perDate == 1, m, pointers.data(), pointers.size(), p.winsorize,
                p.residualize, out.data);
}

}  // namespace entry
}  // namespace kernelbus::factor
