// Filtered historical simulation's scenarios (generated/margin.hpp declares filteredScenarios):
// src/backends/reference/margin/margin.ts in C++, the same operations in the same order; 'garch'
// through the volatility family's fit and analytic forecast (volatility.hpp), as the reference goes
// through its own.
#include <cmath>
#include <vector>

#include "margin.hpp"
#include "volatility/volatility.hpp"

namespace kernelbus::margin {

namespace {

/// The scenarios of rows returns and stressRows stress rows at horizon h (margin.ts scenarioCount).
size_t scenarioCount(size_t rows, size_t stressRows, size_t h) {
  return (rows >= h ? rows - h + 1 : 0) + (stressRows >= h ? stressRows - h + 1 : 0);
}

/// GARCH(1,1), a constant mean, normal errors: arch_model's defaults (margin.ts GARCH11).
const volatility::Model kGarch11{};

/// One column's one-day scenarios (margin.ts oneDay); a failed GARCH fit is the Garch fault.
Status oneDay(const double* y, size_t T, size_t c, int model, double lambda, size_t seed, double volFloor, double* one) {
  if (model == 1) {
    std::vector<double> fit(volatility::fitLength(kGarch11, T));
    volatility::fitSeries(kGarch11, y, T, fit.data(), nullptr, false);
    const size_t k = volatility::paramCount(kGarch11);
    const double status = fit[2 * k + 1];
    if (status > 2) return marginFault(MarginFault::Garch, static_cast<double>(c), status);
    std::vector<double> forecast(volatility::forecastLength(1));
    volatility::forecastSeries(kGarch11, y, T, fit.data(), 1, forecast.data(), 0, 0);
    const double sigma = std::sqrt(forecast[2]);
    const double* z = fit.data() + 2 * k + 3 + T;
    for (size_t t = 0; t < T; t++) one[t] = fit[0] + z[t] * sigma;
    return Status{};
  }
  double s2 = 0;
  for (size_t t = 0; t < seed; t++) s2 += y[t] * y[t];
  s2 /= static_cast<double>(seed);
  std::vector<double> z(T);
  for (size_t t = 0; t < T; t++) {
    // a zero return where the variance is still 0 (a price that has not moved) is a scenario of 0
    z[t] = y[t] == 0 ? 0 : y[t] / std::sqrt(s2);
    s2 = lambda * s2 + (1 - lambda) * (y[t] * y[t]);
  }
  double scale = std::sqrt(s2);
  if (volFloor > 0) {
    double mean = 0;
    for (size_t t = 0; t < T; t++) mean += y[t];
    mean /= static_cast<double>(T);
    double ss = 0;
    for (size_t t = 0; t < T; t++) ss += (y[t] - mean) * (y[t] - mean);
    const double floor = volFloor * std::sqrt(ss / static_cast<double>(T - 1));
    if (floor > scale) scale = floor;
  }
  for (size_t t = 0; t < T; t++) one[t] = z[t] * scale;
  return Status{};
}

/// The h-day sums of column c of x (rows x xCols) into column c of out (outCols wide) from row `from` (margin.ts windows).
void windows(const double* x, size_t rows, size_t xCols, size_t xc, size_t h, double* out, size_t outCols, size_t c, size_t from) {
  for (size_t t = 0; t + h <= rows; t++) {
    double sum = 0;
    for (size_t j = t; j < t + h; j++) sum += x[j * xCols + xc];
    out[(from + t) * outCols + c] = sum;
  }
}

}  // namespace

Status filteredScenarios(const double* returns, size_t rows, size_t cols, const double* stress, size_t stressRows, size_t scenarios,
                         int model, double lambda, size_t seed, size_t horizon, double volFloor, double* out) {
  if (Status s = requireFinite(returns, rows * cols, MarginFault::Return); !s.ok()) return s;
  if (Status s = requireFinite(stress, stressRows * cols, MarginFault::Stress); !s.ok()) return s;
  if (horizon > rows) return marginFault(MarginFault::Horizon, static_cast<double>(horizon), static_cast<double>(rows));
  if (model == 0 && seed > rows) return marginFault(MarginFault::Seed, static_cast<double>(seed), static_cast<double>(rows));
  const size_t expected = scenarioCount(rows, stressRows, horizon);
  if (scenarios != expected) return marginFault(MarginFault::ScenarioCount, static_cast<double>(scenarios), static_cast<double>(expected));
  std::vector<double> y(rows);
  std::vector<double> one(rows);
  for (size_t c = 0; c < cols; c++) {
    for (size_t t = 0; t < rows; t++) y[t] = returns[t * cols + c];
    if (Status s = oneDay(y.data(), rows, c, model, lambda, seed, volFloor, one.data()); !s.ok()) return s;
    windows(one.data(), rows, 1, 0, horizon, out, cols, c, 0);
    windows(stress, stressRows, cols, c, horizon, out, cols, c, rows - horizon + 1);
  }
  return Status{};
}

}  // namespace kernelbus::margin
