// Filtered historical simulation's scenarios (generated/margin.hpp declares filteredScenarios):
// src/backends/reference/margin/margin.ts in C++, the same operations in the same order; 'garch'
// through the volatility family's fit and analytic forecast (volatility.hpp), as the reference goes
// through its own.
#include <cmath>
#include <vector>

#include "margin.hpp"
#include "simd.hpp"
#include "volatility/volatility.hpp"

namespace kernelbus::margin {

namespace {

/// The scenarios of rows returns and stressRows stress rows at horizon h (margin.ts scenarioCount).
size_t scenarioCount(size_t rows, size_t stressRows, size_t h) {
  return (rows >= h ? rows - h + 1 : 0) + (stressRows >= h ? stressRows - h + 1 : 0);
}

/// GARCH(1,1), a constant mean, normal errors: arch_model's defaults (margin.ts GARCH11).
const volatility::Model kGarch11{};

/// One column's one-day scenarios by its GARCH(1,1) (margin.ts oneDay's 'garch'); a failed fit is the Garch fault.
Status garchOneDay(const double* y, size_t T, size_t c, double* one) {
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

/// The h-day sums of column c of x (rows x xCols) into column c of out (outCols wide) from row `from` (margin.ts windows).
void windows(const double* x, size_t rows, size_t xCols, size_t xc, size_t h, double* out, size_t outCols, size_t c, size_t from) {
  for (size_t t = 0; t + h <= rows; t++) {
    double sum = 0;
    for (size_t j = t; j < t + h; j++) sum += x[j * xCols + xc];
    out[(from + t) * outCols + c] = sum;
  }
}

/// The EWMA's one-day scenarios of every column at once (margin.ts oneDay's 'ewma', each column's arithmetic
/// in its own order: the same bits), row by row across the columns so that each step is a vector over them
/// and the returns are read in memory order (a column at a time, each value was a cache line's read). A
/// zero return where the variance is still 0 (a price that has not moved) is a scenario of 0.
/// var: cols values of room; one: rows x cols.
KERNELBUS_VECTOR_BODY void ewmaRows(const double* y, size_t T, size_t cols, double lambda, size_t seed, double volFloor, double* var,
                                    double* one) {
  for (size_t c = 0; c < cols; c++) var[c] = 0;
  for (size_t t = 0; t < seed; t++) {
    for (size_t c = 0; c < cols; c++) var[c] += y[t * cols + c] * y[t * cols + c];
  }
  for (size_t c = 0; c < cols; c++) var[c] /= static_cast<double>(seed);
  for (size_t t = 0; t < T; t++) {
    for (size_t c = 0; c < cols; c++) {
      const double v = y[t * cols + c];
      one[t * cols + c] = v == 0 ? 0 : v / std::sqrt(var[c]);
      var[c] = lambda * var[c] + (1 - lambda) * (v * v);
    }
  }
  for (size_t c = 0; c < cols; c++) var[c] = std::sqrt(var[c]);
  if (volFloor > 0) {
    for (size_t c = 0; c < cols; c++) {
      double mean = 0;
      for (size_t t = 0; t < T; t++) mean += y[t * cols + c];
      mean /= static_cast<double>(T);
      double ss = 0;
      for (size_t t = 0; t < T; t++) ss += (y[t * cols + c] - mean) * (y[t * cols + c] - mean);
      const double floor = volFloor * std::sqrt(ss / static_cast<double>(T - 1));
      if (floor > var[c]) var[c] = floor;
    }
  }
  for (size_t t = 0; t < T; t++) {
    for (size_t c = 0; c < cols; c++) one[t * cols + c] *= var[c];
  }
}

/// The h-day sums of x (rows x cols) into out from row `from`, row by row across the columns (windows()'s
/// sums, each in its own order).
KERNELBUS_VECTOR_BODY void windowSums(const double* x, size_t rows, size_t cols, size_t h, double* out, size_t from) {
  for (size_t t = 0; t + h <= rows; t++) {
    double* o = out + (from + t) * cols;
    for (size_t c = 0; c < cols; c++) o[c] = 0;
    for (size_t j = t; j < t + h; j++) {
      for (size_t c = 0; c < cols; c++) o[c] += x[j * cols + c];
    }
  }
}

/// windowSums() of x into x itself (from row 0): each row's sums made in `acc` (cols values of room), then
/// stored over the row, which no later row reads. (Not windowSums(x, ..., x): simd::run makes a body's
/// pointers restrict, and x read through one while written through the other would break that.)
KERNELBUS_VECTOR_BODY void windowSumsInPlace(double* x, size_t rows, size_t cols, size_t h, double* acc) {
  for (size_t t = 0; t + h <= rows; t++) {
    for (size_t c = 0; c < cols; c++) acc[c] = 0;
    for (size_t j = t; j < t + h; j++) {
      for (size_t c = 0; c < cols; c++) acc[c] += x[j * cols + c];
    }
    for (size_t c = 0; c < cols; c++) x[t * cols + c] = acc[c];
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
  if (model == 0) {
    std::vector<double> var(cols);
    if (scenarios >= rows) {
      // The one-day scenarios made in out and summed there: no 8 bytes a value of fresh scratch (each
      // page of it a fault on a VM, a call's time: bench/margin.ts).
      simd::run<ewmaRows>(returns, rows, cols, lambda, seed, volFloor, var.data(), out);
      simd::run<windowSumsInPlace>(out, rows, cols, horizon, var.data());  // (var: ewmaRows is done with it)
    } else {
      std::vector<double> one(rows * cols);
      simd::run<ewmaRows>(returns, rows, cols, lambda, seed, volFloor, var.data(), one.data());
      simd::run<windowSums>(one.data(), rows, cols, horizon, out, size_t{0});
    }
    simd::run<windowSums>(stress, stressRows, cols, horizon, out, rows - horizon + 1);
    return Status{};
  }
  std::vector<double> y(rows);
  std::vector<double> one(rows);
  for (size_t c = 0; c < cols; c++) {
    for (size_t t = 0; t < rows; t++) y[t] = returns[t * cols + c];
    if (Status s = garchOneDay(y.data(), rows, c, one.data()); !s.ok()) return s;
    windows(one.data(), rows, 1, 0, horizon, out, cols, c, 0);
    windows(stress, stressRows, cols, c, horizon, out, cols, c, rows - horizon + 1);
  }
  return Status{};
}

}  // namespace kernelbus::margin
