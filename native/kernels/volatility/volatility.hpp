// The volatility family: arch 8.0's GARCH, GJR-GARCH and EGARCH with a constant, zero or AR mean and
// normal, Student's t or skew-t errors (src/kernels/volatility/volatility.ts says the layouts; the
// reference, src/backends/reference/volatility/, is the oracle these functions follow one for one).
// Plain C++ over pointers: no N-API.
#pragma once

#include <cstddef>
#include <vector>

#include "volatility/dists.hpp"

namespace kernelbus::volatility {

/// A model (volatility.ts MODEL, packed: vol, p, o, q, mean, lags, dist, delta).
struct Model {
  int vol = 0;  // the process's code (volatility-processes.ts): 0 GARCH (GJR included), 1 EGARCH, 2 APARCH
  size_t p = 1, o = 0, q = 1;
  int mean = 0;  // 0 constant, 1 zero, 2 AR
  size_t lags = 0;
  int dist = 0;      // the distribution's code (dists.hpp): 0 normal, 1 t, 2 skew-t, 3 GED
  double delta = 0;  // APARCH's fixed power; 0 where estimated
};
constexpr int kVolGarch = 0;
constexpr int kVolEgarch = 1;
constexpr int kVolAparch = 2;
constexpr int kMeanZero = 1;
constexpr int kMeanAr = 2;
/// The distributions' codes (dists.hpp's table; the passes specialized by distribution, garch11.cpp,
/// lanes.cpp and hessian.cpp, take the code as a template parameter).
constexpr int kDistNormal = 0;
constexpr int kDistT = 1;
constexpr int kDistSkewT = 2;
constexpr int kDistGed = 3;
constexpr size_t kMaxOrder = 20;
constexpr size_t kModelLength = 8;

/// The status slot's faults (volatility.ts FAULT_CONSTANT, FAULT_OMEGA, FAULT_OVERFLOW).
constexpr double kFaultConstant = 10;
constexpr double kFaultOmega = 11;
constexpr double kFaultOverflow = 12;

/// Reads a packed model (its generated unpack(): each value's range) and checks the rules between its
/// values (the TS resolver's: o <= p for GARCH, p + o >= 1 for EGARCH, lags exactly for an AR mean):
/// false when it is not one.
bool unpackModel(const double* packed, size_t length, Model& m);

inline size_t meanCount(const Model& m) { return m.mean == kMeanZero ? 0 : 1 + m.lags; }
inline size_t distCount(const Model& m) { return distribution(m.dist).shapes; }
/// Parameters of the process after beta: APARCH's delta where estimated.
inline size_t extraCount(const Model& m) { return m.vol == kVolAparch && m.delta == 0 ? 1 : 0; }
inline size_t paramCount(const Model& m) { return meanCount(m) + 1 + m.p + m.o + m.q + extraCount(m) + distCount(m); }
/// The fewest observations a model takes (volatility.ts minObservations), plus the AR's lags: the fewest returns.
inline size_t minReturns(const Model& m) {
  size_t mx = m.p > m.o ? m.p : m.o;
  mx = mx > m.q ? mx : m.q;
  return paramCount(m) + mx + 1 + m.lags;
}

/// fitLayout: [params k, stdErrors k, ll, status, iterations, vol T, std T].
inline size_t fitLength(const Model& m, size_t T) { return 2 * paramCount(m) + 3 + 2 * T; }
inline size_t filterLength(size_t T) { return 2 + 2 * T; }
inline size_t forecastLength(size_t H) { return 1 + 3 * H; }

/// Fits one series y (T values, finite) into out (fitLength); `start` k values or null; `stdErrors`
/// false leaves them NaN (garchVar's refits).
void fitSeries(const Model& m, const double* y, size_t T, double* out, const double* start, bool stdErrors);
/// Fits each column of the row-major T x N returns on the pool's threads into out (N x fitLength).
void fitColumns(const Model& m, const double* returns, size_t T, size_t N, const double* start, double* out);
/// am.fix(params) into out (filterLength).
void filterSeries(const Model& m, const double* y, size_t T, const double* params, double* out);
/// garchVar's options (volatility.ts VAR_OPTIONS): window, refit, confidence, method (0 parametric, 1 filtered).
struct VarOptions {
  size_t window = 0, refit = 1;
  double confidence = 0.95;
  int method = 0;
};
/// garchVar's output per column: [status, var T, es T].
inline size_t varLength(size_t T) { return 1 + 2 * T; }
/// Each column's VaR and ES on the pool's threads into out (N x varLength).
void varColumns(const Model& m, const double* returns, size_t T, size_t N, const VarOptions& o, double* out);
/// The forecast into out (forecastLength(horizon)): analytic, or with simulations > 0 the variances
/// beyond the first step by that many paths drawn from `seed`.
void forecastSeries(const Model& m, const double* y, size_t T, const double* params, size_t horizon, double* out, size_t simulations,
                    double seed);

}  // namespace kernelbus::volatility
