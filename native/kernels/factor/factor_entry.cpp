// The factor family's entries (factor_entry.hpp).
#include "factor_entry.hpp"

#include <string>

namespace kernelbus::factor {

namespace entry {

namespace {

/// Weights at argument `at` (expWeights): each in (0, 1].
Outcome requireWeights(int at, In w) {
  for (size_t k = 0; k < w.length; k++) {
    if (!(w.data[k] > 0 && w.data[k] <= 1)) {
      return ArgFault{at, -1, "weights in (0, 1] (expWeights)", "weights[" + std::to_string(k) + "] = " + std::to_string(w.data[k])};
    }
  }
  return Outcome{};
}

/// A count argument `at` in [lo, hi].
Outcome requireCount(int at, size_t v, size_t lo, size_t hi, const std::string& expected) {
  if (v >= lo && v <= hi) return Outcome{};
  return ArgFault{at, -1, expected, std::to_string(v)};
}

}  // namespace

Outcome momentum(In returns, size_t rows, size_t cols, In weights, Packed params, Out out) {
  MomentumParams p;
  if (Outcome o = unpack(params, p); !o.ok()) return o;
  if (Outcome o = requireLength(0, returns, cells(rows, cols)); !o.ok()) return o;
  if (weights.length < 1) return ArgFault{3, -1, "at least one weight (window >= 1)", "none"};
  if (Outcome o = requireWeights(3, weights); !o.ok()) return o;
  if (Outcome o = requireLength(5, out, panelLength(rows, cols)); !o.ok()) return o;
  return factor::momentum(returns.data, rows, cols, weights.data, weights.length, p.lag, p.winsorize, out.data);
}

Outcome prepareFactorReturns(In returns, In cap, size_t rows, size_t cols, In sectors, size_t perDate, size_t m, const Panels& styles,
                             Packed params, Out out, FactorReturnsParams& p, std::vector<const double*>& pointers) {
  if (Outcome o = unpack(params, p); !o.ok()) return o;
  if (Outcome o = requireCount(5, perDate, 0, 1, "0 or 1"); !o.ok()) return o;
  if (Outcome o = requireCount(6, m, 1, 100000, "a number of sectors in [1, 100000]"); !o.ok()) return o;
  const size_t s = styles.list.size();
  if (s > 1000) return ArgFault{7, -1, "at most 1000 style panels", std::to_string(s)};
  const size_t n = cells(rows, cols);
  pointers.resize(s);
  for (size_t k = 0; k < s; k++) {
    Outcome o = requireLength(7, styles.list[k], n);
    if (!o.ok()) {
      o.arg.element = static_cast<int>(k);
      return o;
    }
    pointers[k] = styles.list[k].data;  // non-finite scores are missing values (the kernel leaves the asset out)
  }
  if (Outcome o = requireLength(0, returns, n); !o.ok()) return o;
  if (Outcome o = requireLength(1, cap, n); !o.ok()) return o;
  if (Outcome o = requireLength(4, sectors, perDate == 1 ? n : cols); !o.ok()) return o;
  return requireLength(9, out, factorReturnsLength(rows, cols, m, s));
}

Outcome factorCovariance(In f, size_t rows, size_t K, In weights, Packed params, Out out) {
  FactorCovarianceParams p;
  if (Outcome o = unpack(params, p); !o.ok()) return o;
  if (Outcome o = requireLength(0, f, cells(rows, K)); !o.ok()) return o;
  if (Outcome o = requireLength(3, weights, rows, "one per date"); !o.ok()) return o;
  if (Outcome o = requireWeights(3, weights); !o.ok()) return o;
  if (Outcome o = requireLength(5, out, factorCovarianceLength(K)); !o.ok()) return o;
  factor::factorCovariance(f.data, rows, K, weights.data, p.lags, out.data);
  return Outcome{};
}

Outcome specificRisk(In residuals, size_t rows, size_t cols, In weights, Out out) {
  if (Outcome o = requireLength(0, residuals, cells(rows, cols)); !o.ok()) return o;
  if (Outcome o = requireLength(3, weights, rows, "one per date"); !o.ok()) return o;
  if (Outcome o = requireWeights(3, weights); !o.ok()) return o;
  if (Outcome o = requireLength(4, out, specificRiskLength(cols)); !o.ok()) return o;
  factor::specificRisk(residuals.data, rows, cols, weights.data, out.data);
  return Outcome{};
}

}  // namespace entry
}  // namespace kernelbus::factor
