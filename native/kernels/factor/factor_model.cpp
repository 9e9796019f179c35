// See factor.hpp: the factor risk model. Follows src/backends/reference/factor/factor-model.ts (its header
// states the conventions) in the same order of operations.
#include <algorithm>
#include <cmath>
#include <vector>

#include "factor.hpp"
#include "simd.hpp"

namespace kernelbus::factor {
namespace {

inline bool finite(double v) { return v - v == 0; }

// sum w_t e^2 and sum w_t per asset, the rows in order, vectorized across assets.
KERNELBUS_VECTOR_BODY
void weightedSquares(const double* residuals, size_t rows, size_t cols, const double* weights, double* __restrict num,
                     double* __restrict den) {
  for (size_t t = 0; t < rows; t++) {
    const double* __restrict row = residuals + t * cols;
    const double w = weights[t];
    for (size_t i = 0; i < cols; i++) {
      const double e = row[i];
      const bool ok = e - e == 0;
      num[i] += ok ? w * (e * e) : 0;
      den[i] += ok ? w : 0;
    }
  }
}

}  // namespace

void factorCovariance(const double* f, size_t rows, size_t K, const double* weights, size_t lags, double* out) {
  std::vector<size_t> complete;
  std::vector<char> isComplete(rows, 0);
  for (size_t t = 0; t < rows; t++) {
    bool ok = true;
    for (size_t k = 0; k < K; k++) ok = ok && finite(f[t * K + k]);
    if (ok) {
      complete.push_back(t);
      isComplete[t] = 1;
    }
  }
  for (size_t i = 0; i < K * K; i++) out[i] = complete.size() < 2 ? NAN : 0;
  if (complete.size() < 2) return;
  double total = 0;
  std::vector<double> mean(K, 0.0), d(rows * K, 0.0), c(K * K);
  for (size_t t : complete) {
    total += weights[t];
    for (size_t k = 0; k < K; k++) mean[k] += weights[t] * f[t * K + k];
  }
  for (size_t k = 0; k < K; k++) mean[k] /= total;
  for (size_t t : complete)
    for (size_t k = 0; k < K; k++) d[t * K + k] = f[t * K + k] - mean[k];
  for (size_t t : complete) {
    for (size_t a = 0; a < K; a++)
      for (size_t b = 0; b < K; b++) out[a * K + b] += weights[t] * (d[t * K + a] * d[t * K + b]);
  }
  for (size_t i = 0; i < K * K; i++) out[i] /= total;
  for (size_t l = 1; l <= lags; l++) {
    std::fill(c.begin(), c.end(), 0.0);
    double sum = 0;
    for (size_t t : complete) {
      if (t < l || !isComplete[t - l]) continue;
      sum += weights[t];
      for (size_t a = 0; a < K; a++)
        for (size_t b = 0; b < K; b++) c[a * K + b] += weights[t] * (d[(t - l) * K + a] * d[t * K + b]);
    }
    if (sum == 0) continue;
    const double bartlett = 1 - static_cast<double>(l) / static_cast<double>(lags + 1);
    for (size_t a = 0; a < K; a++)
      for (size_t b = 0; b < K; b++) out[a * K + b] += bartlett * (c[a * K + b] / sum + c[b * K + a] / sum);
  }
}

void specificRisk(const double* residuals, size_t rows, size_t cols, const double* weights, double* out) {
  std::vector<double> num(cols, 0.0), den(cols, 0.0);
  simd::run<weightedSquares>(residuals, rows, cols, weights, num.data(), den.data());
  for (size_t i = 0; i < cols; i++) out[i] = den[i] > 0 ? num[i] / den[i] : NAN;
}

/// Risk decomposition of P portfolios (weights P x N, finite) into out (riskDecompositionOut()): total,
/// factor, specific, contributions (P x K), exposures (P x K).
Status riskDecomposition(const double* X, size_t N, size_t K, const double* cov, const double* specificVar, const double* weights, size_t P,
                         double* out) {
  for (size_t i = 0; i < P * N; i++) {
    if (!std::isfinite(weights[i])) return Status{Fault::WeightNotFinite, static_cast<double>(i), weights[i], static_cast<double>(N)};
  }
  const RiskDecompositionOut o = riskDecompositionOut(out, P, K);
  std::vector<double> x(K);
  for (size_t p = 0; p < P; p++) {
    const double* w = weights + p * N;
    std::fill(x.begin(), x.end(), 0.0);
    double specific = 0;
    for (size_t i = 0; i < N; i++) {
      if (w[i] == 0) continue;
      const double* row = X + i * K;
      for (size_t k = 0; k < K; k++) x[k] += w[i] * row[k];
      specific += w[i] * w[i] * specificVar[i];
    }
    double factor = 0;
    for (size_t k = 0; k < K; k++) {
      double v = 0;
      for (size_t j = 0; j < K; j++) v += cov[k * K + j] * x[j];
      const double contribution = x[k] * v;
      o.contributions[p * K + k] = contribution;
      o.exposures[p * K + k] = x[k];
      factor += contribution;
    }
    o.total[p] = factor + specific;
    o.factor[p] = factor;
    o.specific[p] = specific;
  }
  return Status{};
}

}  // namespace kernelbus::factor
