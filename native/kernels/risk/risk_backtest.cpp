// varBacktest (risk_analytics.hpp): src/backends/reference/risk/risk-backtest.ts function for function, in
// the same order of floating-point operations. The columns are swept row by row in blocks (one block
// per thread; each column computed whole by one thread), so that memory is read in order; the sweep
// keeps only the state the counts cannot be recovered from later (see Columns).
#include <cmath>
#include <vector>

#include "parallel.hpp"
#include "risk_analytics.hpp"
#include "risk_checks.hpp"
#include "risk_dq.hpp"
#include "math/special.hpp"

namespace kernelbus::risk {
namespace {

using dq::kLags;
using dq::kPatterns;

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

// The state of a block of columns in varBacktest()'s sweep over the dates, column j's at j (arrays side
// by side). The sweep keeps per column only what the reference's loop needs and cannot recover later:
// the count of dates present n, the last five hits (pattern), the squared return of the last date
// present (square), the DQ sums (DqSums: count, varSum, squareSum over the 32 patterns, from the fifth
// date on, with the sums of VaR^2, VaR y^2 and y^4), and `head`, the first four hits (the pattern after
// the fourth date). The exceptions, the transitions and the window's counts follow
// exactly at the end (integers: any order of addition gives the reference's numbers): from the
// histogram, whose bits 1 and 0 are the pair (I_(t-1), I_t) of each date from the fifth, from `head`
// for the first four dates, and from the exceptions written for the window's rows.
// A pattern's DQ sums side by side: one cache line per date's update.
struct alignas(32) Bin {
  double count, varSum, squareSum, unused;
};
struct Columns {
  std::vector<double> n, square, varSquares, varTimesSquare, squareSquares;
  std::vector<unsigned> pattern, head;
  std::vector<Bin> bins;  // kPatterns per column
  explicit Columns(size_t width)
      : n(width),
        square(width),
        varSquares(width),
        varTimesSquare(width),
        squareSquares(width),
        pattern(width),
        head(width),
        bins(width * kPatterns) {}
};

// One date (row) of the sweep over columns [0, width): branch-free (a missing return or VaR changes no
// state: its selects keep the old values and add 0 where the reference skips the date).
void sweepRow(Columns& k, size_t width, const double* __restrict r, const double* __restrict v, double* __restrict e) {
  double* __restrict n = k.n.data();
  double* __restrict square = k.square.data();
  double* __restrict squares = k.varSquares.data();
  double* __restrict varTimesSquare = k.varTimesSquare.data();
  double* __restrict squareSquares = k.squareSquares.data();
  unsigned* __restrict pattern = k.pattern.data();
  unsigned* __restrict head = k.head.data();
  Bin* __restrict bins = k.bins.data();
  for (size_t j = 0; j < width; j++) {
    const bool present = (r[j] == r[j]) & (v[j] == v[j]);
    const unsigned ex = r[j] < -v[j] ? 1u : 0u;
    e[j] = present ? static_cast<double>(ex) : NAN;
    const unsigned next = ((pattern[j] << 1) | ex) & (kPatterns - 1);
    pattern[j] = present ? next : pattern[j];
    head[j] = (present & (n[j] == kLags - 1)) ? next : head[j];
    const bool counted = present & (n[j] >= kLags);
    // DqSums.add(next, v, square) for a counted date
    const double before = square[j];
    Bin& bin = bins[j * kPatterns + next];
    bin.count += counted ? 1.0 : 0.0;
    bin.varSum += counted ? v[j] : 0.0;
    bin.squareSum += counted ? before : 0.0;
    squares[j] += counted ? v[j] * v[j] : 0.0;
    varTimesSquare[j] += counted ? v[j] * before : 0.0;
    squareSquares[j] += counted ? before * before : 0.0;
    square[j] = present ? r[j] * r[j] : before;
    n[j] += present ? 1.0 : 0.0;
  }
}

// The exceptions x and transitions t01, t10, t11 of column j (see Columns).
void transitions(const Columns& k, size_t j, double& x, double& t01, double& t10, double& t11) {
  const double n = k.n[j];
  // the first min(n, 4) hits, oldest in the highest bit: `head` once there were four, else the pattern
  const unsigned first = n >= kLags ? kLags : static_cast<unsigned>(n), seq = n >= kLags ? k.head[j] : k.pattern[j];
  unsigned long long ex = 0, p01 = 0, p10 = 0, p11 = 0;
  for (unsigned i = 0; i < first; i++) {
    const unsigned now = (seq >> (first - 1 - i)) & 1u;
    ex += now;
    if (i == 0) continue;
    const unsigned before = (seq >> (first - i)) & 1u;
    p01 += before == 0 && now == 1;
    p10 += before == 1 && now == 0;
    p11 += before == 1 && now == 1;
  }
  const Bin* bins = k.bins.data() + j * kPatterns;
  for (unsigned q = 0; q < kPatterns; q++) {
    const unsigned now = q & 1u, before = (q >> 1) & 1u;
    const auto count = static_cast<unsigned long long>(bins[q].count);
    ex += now * count;
    p01 += (before == 0 && now == 1) ? count : 0;
    p10 += (before == 1 && now == 0) ? count : 0;
    p11 += (before == 1 && now == 1) ? count : 0;
  }
  x = static_cast<double>(ex);
  t01 = static_cast<double>(p01);
  t10 = static_cast<double>(p10);
  t11 = static_cast<double>(p11);
}

}  // namespace

// varBacktest()
Status varBacktest(const double* returns, size_t rows, size_t cols, const double* var, double confidence, size_t window, int dqRegressors,
                   double* out) {
  const Status s = detail::checkReturns(returns, rows * cols, cols);
  if (!s.ok()) return s;
  const VarBacktestOut o = varBacktestOut(out, rows, cols);
  const double p = 1 - confidence;
  const int regressors = dq::regressors(dqRegressors);
  const size_t windowStart = rows > window ? rows - window : 0;
  const size_t minColumns = rows == 0 ? cols : 1 + 16384 / rows;
  parallelFor(cols, minColumns, [&](size_t begin, size_t end) {
    const size_t width = end - begin;
    Columns k(width);
    for (size_t t = 0; t < rows; t++)
      sweepRow(k, width, returns + t * cols + begin, var + t * cols + begin, o.exceptions + t * cols + begin);
    // the window's dates present and exceptions, from the exceptions written (NaN: not present)
    std::vector<double> nWindow(width), xWindow(width);
    for (size_t t = windowStart; t < rows; t++) {
      const double* e = o.exceptions + t * cols + begin;
      for (size_t j = 0; j < width; j++) {
        nWindow[j] += e[j] == e[j] ? 1.0 : 0.0;
        xWindow[j] += e[j] == 1 ? 1.0 : 0.0;
      }
    }
    double count[kPatterns], varSum[kPatterns], squareSum[kPatterns];
    for (size_t j = 0; j < width; j++) {
      const size_t c = begin + j;
      const double n = k.n[j];
      double x, t01, t10, t11;
      transitions(k, j, x, t01, t10, t11);
      const double t00 = n > 0 ? n - 1 - t01 - t10 - t11 : 0;
      const double uc = kupiecLR(x, n, p), ind = independenceLR(t00, t01, t10, t11);
      o.count[c] = x;
      o.observations[c] = n;
      o.kupiecLR[c] = uc;
      o.kupiecPValue[c] = chiSquareSf(uc, 1);
      o.independenceLR[c] = ind;
      o.independencePValue[c] = chiSquareSf(ind, 1);
      o.conditionalCoverageLR[c] = uc + ind;
      o.conditionalCoveragePValue[c] = chiSquareSf(uc + ind, 2);
      for (unsigned q = 0; q < kPatterns; q++) {
        const Bin& bin = k.bins[j * kPatterns + q];
        count[q] = bin.count;
        varSum[q] = bin.varSum;
        squareSum[q] = bin.squareSum;
      }
      const dq::Scalars sums{k.varSquares[j], k.varTimesSquare[j], k.squareSquares[j]};
      const double stat = n > kLags ? dq::dqStatistic(count, varSum, squareSum, sums, p, regressors) : NAN;
      o.dqStat[c] = stat;
      o.dqPValue[c] = chiSquareSf(stat, regressors);
      o.windowExceptions[c] = xWindow[j];
      o.windowObservations[c] = nWindow[j];
      const double probability = nWindow[j] > 0 ? binomialCdf(xWindow[j], nWindow[j], p) : NAN;
      o.windowProbability[c] = probability;
      o.zone[c] = nWindow[j] > 0 ? zoneOf(probability) : NAN;
    }
  });
  return Status{};
}

}  // namespace kernelbus::risk
