// varBacktest (risk_analytics.hpp): src/backends/reference/risk-backtest.ts function for function, in
// the same order of floating-point operations. The columns are swept row by row in blocks (one block
// per thread; each column computed whole by one thread), so that memory is read in order.
#include <cmath>
#include <vector>

#include "parallel.hpp"
#include "risk_analytics.hpp"
#include "risk_checks.hpp"
#include "special.hpp"

namespace kernelbus::risk {
namespace {

constexpr int kLags = 4;                           // DQ_LAGS
constexpr int kRegressors = kLags + 2;             // a constant, the VaR, the lagged hits
constexpr unsigned kPatterns = 1u << (kLags + 1);  // the last five hits
constexpr double kPivotTolerance = 1e-10;

// term()
inline double term(double count, double d) { return count == 0 ? 0 : count * std::log1p(d); }

// kupiecLR()
double kupiecLR(double x, double n, double p) {
  if (n == 0) return NAN;
  const double rate = x / n;
  const double lr = 2 * (term(n - x, (p - rate) / (1 - p)) + term(x, (rate - p) / p));
  return lr > 0 ? lr : 0;
}

// independenceLR()
double independenceLR(double t00, double t01, double t10, double t11) {
  const double all = t00 + t01 + t10 + t11;
  if (all == 0) return NAN;
  const double pi = (t01 + t11) / all, pi0 = t01 / (t00 + t01), pi1 = t11 / (t10 + t11);
  const double lr =
      2 * (term(t00, (pi - pi0) / (1 - pi)) + term(t01, (pi0 - pi) / pi) + term(t10, (pi - pi1) / (1 - pi)) + term(t11, (pi1 - pi) / pi));
  return lr > 0 ? lr : 0;
}

// binomialCdf()
double binomialCdf(double x, double n, double p) {
  if (x >= n) return 1;
  const double ratio = std::log(p) - std::log1p(-p);
  double logPmf = n * std::log1p(-p), sum = 0;
  for (double k = 0; k <= x; k++) {
    sum += std::exp(logPmf);
    logPmf += std::log((n - k) / (k + 1)) + ratio;
  }
  return sum < 1 ? sum : 1;
}

// zoneOf()
inline double zoneOf(double probability) { return probability <= 0.95 ? 0 : probability <= 0.9999 ? 1 : 2; }

// hit()
inline double hit(unsigned pattern, int lag, double p) { return static_cast<double>((pattern >> lag) & 1u) - p; }

// dqStatistic()
double dqStatistic(const double* count, const double* varSum, double varSquares, double p) {
  constexpr int k = kRegressors;
  double G[k * k] = {}, b[k] = {};
  for (unsigned q = 0; q < kPatterns; q++) {
    const double n = count[q], v = varSum[q], y = hit(q, 0, p);
    G[0] += n;
    G[1] += v;
    b[0] += n * y;
    b[1] += v * y;
    for (int i = 0; i < kLags; i++) {
      const double hi = hit(q, i + 1, p);
      G[2 + i] += n * hi;
      G[k + 2 + i] += v * hi;
      b[2 + i] += n * hi * y;
      for (int j = i; j < kLags; j++) G[(2 + i) * k + 2 + j] += n * hi * hit(q, j + 1, p);
    }
  }
  G[k + 1] = varSquares;
  for (int i = 0; i < k; i++)
    for (int j = 0; j < i; j++) G[i * k + j] = G[j * k + i];
  double L[k * k] = {}, d[k] = {}, w[k] = {}, form = 0;
  for (int j = 0; j < k; j++) {
    double dj = G[j * k + j];
    for (int m = 0; m < j; m++) dj -= L[j * k + m] * L[j * k + m] * d[m];
    if (!(dj > kPivotTolerance * G[j * k + j])) continue;
    d[j] = dj;
    for (int i = j + 1; i < k; i++) {
      double s = G[i * k + j];
      for (int m = 0; m < j; m++) s -= L[i * k + m] * L[j * k + m] * d[m];
      L[i * k + j] = s / dj;
    }
    double wj = b[j];
    for (int m = 0; m < j; m++) wj -= L[j * k + m] * w[m];
    w[j] = wj;
    form += (wj * wj) / dj;
  }
  return form / (p * (1 - p));
}

// The per-column state of varBacktest()'s sweep over the dates.
struct ColumnState {
  double n = 0, x = 0, t01 = 0, t10 = 0, t11 = 0, varSquares = 0, nWindow = 0, xWindow = 0;
  unsigned pattern = 0;
  double count[kPatterns] = {}, varSum[kPatterns] = {};
};

}  // namespace

// varBacktest()
Status varBacktest(const double* returns, size_t rows, size_t cols, const double* var, double confidence, size_t window, double* out) {
  const Status s = detail::checkReturns(returns, rows * cols, cols);
  if (!s.ok()) return s;
  const VarBacktestOut o = varBacktestOut(out, rows, cols);
  const double p = 1 - confidence;
  const size_t windowStart = rows > window ? rows - window : 0;
  const size_t minColumns = rows == 0 ? cols : 1 + 16384 / rows;
  parallelFor(cols, minColumns, [&](size_t begin, size_t end) {
    std::vector<ColumnState> state(end - begin);
    for (size_t t = 0; t < rows; t++) {
      const double* r = returns + t * cols;
      const double* v = var + t * cols;
      double* e = o.exceptions + t * cols;
      const bool inWindow = t >= windowStart;
      for (size_t c = begin; c < end; c++) {
        ColumnState& a = state[c - begin];
        if (r[c] != r[c] || v[c] != v[c]) {
          e[c] = NAN;
          continue;
        }
        const unsigned ex = r[c] < -v[c] ? 1u : 0u;
        e[c] = ex;
        if (a.n > 0) {
          const unsigned before = a.pattern & 1u;
          a.t01 += before == 0 && ex == 1 ? 1 : 0;
          a.t10 += before == 1 && ex == 0 ? 1 : 0;
          a.t11 += before == 1 && ex == 1 ? 1 : 0;
        }
        a.pattern = ((a.pattern << 1) | ex) & (kPatterns - 1);
        if (a.n >= kLags) {
          a.count[a.pattern] += 1;
          a.varSum[a.pattern] += v[c];
          a.varSquares += v[c] * v[c];
        }
        a.n++;
        a.x += ex;
        if (inWindow) {
          a.nWindow++;
          a.xWindow += ex;
        }
      }
    }
    for (size_t c = begin; c < end; c++) {
      const ColumnState& a = state[c - begin];
      const double t00 = a.n > 0 ? a.n - 1 - a.t01 - a.t10 - a.t11 : 0;
      const double uc = kupiecLR(a.x, a.n, p), ind = independenceLR(t00, a.t01, a.t10, a.t11);
      o.count[c] = a.x;
      o.observations[c] = a.n;
      o.kupiecLR[c] = uc;
      o.kupiecPValue[c] = chiSquareSf(uc, 1);
      o.independenceLR[c] = ind;
      o.independencePValue[c] = chiSquareSf(ind, 1);
      o.conditionalCoverageLR[c] = uc + ind;
      o.conditionalCoveragePValue[c] = chiSquareSf(uc + ind, 2);
      const double dq = a.n > kLags ? dqStatistic(a.count, a.varSum, a.varSquares, p) : NAN;
      o.dqStat[c] = dq;
      o.dqPValue[c] = chiSquareSf(dq, kRegressors);
      o.windowExceptions[c] = a.xWindow;
      o.windowObservations[c] = a.nWindow;
      const double probability = a.nWindow > 0 ? binomialCdf(a.xWindow, a.nWindow, p) : NAN;
      o.windowProbability[c] = probability;
      o.zone[c] = a.nWindow > 0 ? zoneOf(probability) : NAN;
    }
  });
  return Status{};
}

}  // namespace kernelbus::risk
