// libFuzzer target of every function in native/kernels/factor/factor.hpp: arbitrary panels (input.hpp's
// columns: plausible values with arbitrary doubles among them), shapes, sector counts, styles and
// options as the binding accepts them. Invariants: a fault exactly at the first bad element and only
// then; outputs written in full and nowhere else (a guard value after them); winsorized values within
// the row's finite range (where max - min does not overflow); size 0 never at the ends of the band; factor returns either all NaN on a
// date or the sector returns summing to 0 (relative to their magnitudes).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "factor/factor.hpp"
#include "input.hpp"
#include "invariants.hpp"

using namespace kernelbus;
using kernelbus::fuzz::require;

namespace {

constexpr double kGuard = 12345.678;

struct Panel {
  size_t rows, cols;
};

Panel shapeOf(fuzz::Input& in) {
  Panel p;
  p.cols = in.in<size_t>(0, 12);
  p.rows = p.cols == 0 ? in.in<size_t>(0, 5) : in.count(300) / p.cols;
  return p;
}

inline bool finite(double v) { return v - v == 0; }

std::vector<double> withGuard(size_t n) { return std::vector<double>(n + 1, kGuard); }

size_t firstBadCap(const std::vector<double>& cap) {
  size_t i = 0;
  while (i < cap.size() && ((cap[i] > 0 && cap[i] < INFINITY) || std::isnan(cap[i]))) i++;
  return i;
}

size_t firstInfinite(const std::vector<double>& x) {
  size_t i = 0;
  while (i < x.size() && std::fabs(x[i]) != INFINITY) i++;
  return i;
}

void requireFault(const Status& s, Fault code, size_t at, size_t n) {
  if (at < n) {
    require(s.fault == code && s.index == static_cast<double>(at));
  } else {
    require(s.ok());
  }
}

void helpers(fuzz::Input& in) {
  const Panel p = shapeOf(in);
  const size_t n = p.rows * p.cols;
  const std::vector<double> x = in.column(n);
  double lower = in.real(0, 1), upper = in.real(0, 1);
  if (lower > upper) std::swap(lower, upper);
  std::vector<double> w = withGuard(n), s = withGuard(n);
  factor::winsorize(x.data(), p.rows, p.cols, lower, upper, w.data());
  factor::standardize(x.data(), p.rows, p.cols, s.data());
  require(w[n] == kGuard && s[n] == kGuard);
  for (size_t t = 0; t < p.rows; t++) {
    double lo = INFINITY, hi = -INFINITY;
    for (size_t c = 0; c < p.cols; c++) {
      const double v = x[t * p.cols + c];
      if (finite(v)) {
        lo = std::fmin(lo, v);
        hi = std::fmax(hi, v);
      }
    }
    for (size_t c = 0; c < p.cols; c++) {
      const double v = w[t * p.cols + c];
      // within the row's range unless its spread overflows (numpy's lerp then overflows alike)
      if (std::isfinite(hi - lo)) require(finite(x[t * p.cols + c]) ? v >= lo && v <= hi : std::isnan(v));
      if (!finite(x[t * p.cols + c])) require(std::isnan(s[t * p.cols + c]));
    }
  }
}

void styles(fuzz::Input& in) {
  const Panel p = shapeOf(in);
  const size_t n = p.rows * p.cols;
  const std::vector<double> r = in.column(n), cap = in.column(n);
  const size_t window = in.in<size_t>(1, 12), lag = in.in<size_t>(0, 6);
  std::vector<double> weights(window);
  for (size_t k = 0; k < window; k++) weights[k] = std::exp(-0.3 * static_cast<double>(window - 1 - k));
  std::vector<double> mom = withGuard(n), size = withGuard(n), value = withGuard(n);
  const Status sm = factor::momentum(r.data(), p.rows, p.cols, weights.data(), window, lag, in.real(0, 0.5), mom.data());
  requireFault(sm, Fault::ReturnNotFinite, firstInfinite(r), n);
  double lower = in.real(0, 1), upper = in.real(0, 1);
  if (lower > upper) std::swap(lower, upper);
  const Status ss = factor::size(cap.data(), p.rows, p.cols, lower, upper, size.data());
  requireFault(ss, Fault::MarketCapNotPositive, firstBadCap(cap), n);
  const std::vector<double> sales = in.column(n), cf = in.column(n);
  factor::value(cap.data(), sales.data(), cf.data(), p.rows, p.cols, in.flag() ? -1 : in.real(0, 0.5), value.data());
  require(mom[n] == kGuard && size[n] == kGuard && value[n] == kGuard);
  if (sm.ok()) {
    for (size_t t = 0; t < std::min(p.rows, lag + window - 1); t++)
      for (size_t c = 0; c < p.cols; c++) require(std::isnan(mom[t * p.cols + c]));
  }
}

void regressions(fuzz::Input& in) {
  const Panel p = shapeOf(in);
  const size_t n = p.rows * p.cols;
  const size_t m = in.in<size_t>(1, 5), s = in.in<size_t>(0, 3);
  const bool perDate = in.flag();
  const std::vector<double> r = in.column(n), cap = in.column(n);
  std::vector<double> sectors(perDate ? n : p.cols);
  for (double& v : sectors) v = in.flag() ? static_cast<double>(in.in<size_t>(0, m - 1)) : in.anyDouble();
  std::vector<std::vector<double>> panels(s);
  std::vector<const double*> pointers(s);
  for (size_t k = 0; k < s; k++) {
    panels[k] = in.column(n);
    for (double& v : panels[k])
      if (std::fabs(v) == INFINITY) v = NAN;  // the binding refuses these
    pointers[k] = panels[k].data();
  }
  const double winsor = in.flag() ? -1 : in.real(0, 0.5);
  const size_t K = 1 + m + s;
  std::vector<double> out = withGuard(p.rows * (K + p.cols));
  const Status st = factor::factorReturns(r.data(), cap.data(), p.rows, p.cols, sectors.data(), perDate, m, pointers.data(), s, winsor,
                                          in.flag(), out.data());
  require(out[p.rows * (K + p.cols)] == kGuard);
  size_t badSector = 0;
  while (badSector < sectors.size()) {
    const double v = sectors[badSector];
    if (!((perDate && std::isnan(v)) || (v >= 0 && v < static_cast<double>(m) && std::floor(v) == v))) break;
    badSector++;
  }
  const size_t badReturn = firstInfinite(r), badCap = firstBadCap(cap);
  if (badReturn < n) {
    requireFault(st, Fault::ReturnNotFinite, badReturn, n);
  } else if (badCap < n) {
    requireFault(st, Fault::MarketCapNotPositive, badCap, n);
  } else {
    requireFault(st, Fault::SectorOutOfRange, badSector, sectors.size());
  }
  if (!st.ok()) return;
  for (size_t t = 0; t < p.rows; t++) {
    const double* f = out.data() + t * K;
    if (std::isnan(f[0])) continue;
    double sum = 0, magnitude = 0;
    for (size_t j = 0; j < m; j++) {
      sum += f[1 + j];
      magnitude += std::fabs(f[1 + j]);
    }
    if (std::isfinite(magnitude)) require(std::fabs(sum) <= 1e-9 * magnitude);
  }
}

// The risk model: factorCovariance exactly symmetric (or all NaN);
// specificRisk >= 0 or NaN; riskDecomposition's specific part >= 0 for variances >= 0 and its total
// the sum of its parts; outputs written in full and nowhere else.
void model(fuzz::Input& in) {
  const Panel p = shapeOf(in);
  const size_t K = std::max<size_t>(p.cols, 1), T = p.rows;
  const std::vector<double> f = in.column(T * K), e = in.column(T * K);
  std::vector<double> weights(T);
  const double half = in.real(0.5, 100);
  for (size_t t = 0; t < T; t++) weights[t] = std::exp(-0.6931471805599453 * static_cast<double>(T - 1 - t) / half);
  std::vector<double> F = withGuard(K * K), s = withGuard(K);
  factor::factorCovariance(f.data(), T, K, weights.data(), in.in<size_t>(0, 5), F.data());
  factor::specificRisk(e.data(), T, K, weights.data(), s.data());
  require(F[K * K] == kGuard && s[K] == kGuard);
  for (size_t a = 0; a < K; a++) {
    for (size_t b = 0; b < K; b++) require(F[a * K + b] == F[b * K + a] || (std::isnan(F[a * K + b]) && std::isnan(F[b * K + a])));
  }
  for (size_t i = 0; i < K; i++) require(!(s[i] < 0));
  const size_t N = in.in<size_t>(0, 8), P = in.in<size_t>(1, 3);
  const std::vector<double> X = in.column(N * K), w = in.column(P * N);
  std::vector<double> specific(N);
  for (size_t i = 0; i < N; i++) specific[i] = std::fabs(in.real(0, 1e-3));
  std::vector<double> cov(K * K);
  for (size_t a = 0; a < K; a++)
    for (size_t b = 0; b < K; b++) cov[a * K + b] = std::isfinite(F[a * K + b]) ? F[a * K + b] : (a == b ? 1 : 0);
  std::vector<double> out = withGuard(P * (3 + 2 * K));
  const Status st = factor::riskDecomposition(X.data(), N, K, cov.data(), specific.data(), w.data(), P, out.data());
  require(out[P * (3 + 2 * K)] == kGuard);
  size_t bad = 0;
  while (bad < w.size() && std::isfinite(w[bad])) bad++;
  requireFault(st, Fault::WeightNotFinite, bad, w.size());
  if (!st.ok()) return;
  for (size_t q = 0; q < P; q++) {
    require(!(out[2 * P + q] < 0));
    require(out[q] == out[P + q] + out[2 * P + q] || std::isnan(out[q]));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  switch (in.in(0, 3)) {
    case 0:
      helpers(in);
      break;
    case 1:
      styles(in);
      break;
    case 2:
      model(in);
      break;
    default:
      regressions(in);
      break;
  }
  return 0;
}
