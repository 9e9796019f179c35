// garchVar (src/backends/reference/volatility/var.ts, function for function): the one-step VaR and ES
// of each bar from a fit on the window before it, refitted every `refit` bars (warm-started, no
// standard errors), the forecast between refits at the last fit's parameters.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "parallel.hpp"
#include "volatility/model.hpp"

namespace kernelbus::volatility {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

/// numpy's linear-interpolation percentile of z at alpha and the mean of the values at or below it.
void empiricalTail(const double* z, size_t n, double alpha, double& q, double& eq) {
  std::vector<double> sorted(z, z + n);
  std::sort(sorted.begin(), sorted.end());
  const double h = double(n - 1) * alpha;
  const size_t lo = size_t(std::floor(h));
  q = lo + 1 < n ? sorted[lo] + (h - double(lo)) * (sorted[lo + 1] - sorted[lo]) : sorted[lo];
  double sum = 0;
  size_t count = 0;
  for (size_t i = 0; i < n && sorted[i] <= q; i++) {
    sum += sorted[i];
    count++;
  }
  eq = sum / double(count);
}

/// One column into out ([var T, es T]); returns a fault status or 0.
double varSeries(const Model& m, const double* y, size_t T, const VarOptions& o, double* out) {
  std::fill(out, out + 2 * T, kNaN);
  const size_t window = o.window, k = paramCount(m), length = fitLength(m, window);
  const size_t status = 2 * k + 1, stdAt = 2 * k + 3 + window;
  const double alpha = 1 - o.confidence;
  std::vector<double> fit(length), fcast(forecastLength(1)), params;
  double q = 0, eq = 0;
  for (size_t t = window; t < T; t++) {
    const double* y0 = y + (t - window);
    bool due = params.empty() || (t - window) % o.refit == 0;
    if (!due) {
      forecastSeries(m, y0, window, params.data(), 1, fcast.data(), 0, 0);
      due = fcast[0] == kFaultOmega;
    }
    if (due) {
      fitSeries(m, y0, window, fit.data(), params.empty() ? nullptr : params.data(), false);
      if (fit[status] >= 10) return fit[status];
      params.assign(fit.begin(), fit.begin() + std::ptrdiff_t(k));
      if (o.method == 1)
        empiricalTail(fit.data() + stdAt + m.lags, window - m.lags, alpha, q, eq);
      else
        distribution(m.dist).tail(params.data() + (k - distCount(m)), alpha, q, eq);
      forecastSeries(m, y0, window, params.data(), 1, fcast.data(), 0, 0);
    }
    if (fcast[0] != 0) return fcast[0];
    const double mu = fcast[1], sigma = std::sqrt(fcast[3]);
    out[t] = -(mu + sigma * q);
    out[T + t] = -(mu + sigma * eq);
  }
  return 0;
}

void varColumns(const Model& m, const double* returns, size_t T, size_t N, const VarOptions& o, double* out) {
  const size_t length = varLength(T);
  parallelForChunks(N, 1, [&](size_t begin, size_t end) {
    std::vector<double> y(T);
    for (size_t c = begin; c < end; c++) {
      for (size_t t = 0; t < T; t++) y[t] = returns[t * N + c];
      double* o2 = out + c * length;
      o2[0] = varSeries(m, y.data(), T, o, o2 + 1);
    }
  });
}

}  // namespace kernelbus::volatility
