// rolling (risk_analytics.hpp): src/backends/reference/risk/risk-rolling.ts in the same order of
// floating-point operations per column. The window's sums are running (a date added, the date leaving
// removed: O(1) per date) and compensated, re-summed from the window's own dates every `window` dates
// and when their shift is stale. The moments (sharpe, sortino, volatility, gaussianVar) and the pairs
// (beta, alpha) are swept row by row over every column of a thread's block (memory read in order, the
// reference's moments and pairs windows per column; a branch-free two-sum gives Neumaier's exact error;
// the sweeps compiled for every vector width); maxDrawdown row by row too, O(1) per date
// (risk_rolling_drawdown.cpp); the rest column by column from a contiguous copy: the captures (running)
// and historicalVar (the window kept sorted: a binary search and a move per date, O(window)).
#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <vector>

#include "parallel.hpp"
#include "risk_analytics.hpp"
#include "risk_checks.hpp"
#include "risk_rolling_drawdown.hpp"
#include "simd.hpp"
#include "math/special.hpp"

namespace kernelbus::risk {
namespace {

// Sum: a Neumaier-compensated running sum.
struct Sum {
  double s = 0, c = 0;
  void add(double x) {
    const double t = s + x;
    c += std::fabs(s) >= std::fabs(x) ? (s - t) + x : (x - t) + s;
    s = t;
  }
  double value() const { return s + c; }
};

// The captures' running sums of a column (the reference's captures window; the moments and the pairs are
// summed row by row: rollingMoments(), rollingPairs()).
struct Window {
  double up = 0, down = 0, ruined = 0;
  Sum upR, upB, downR, downB;
};

// The groups of sums a statistic needs (partsOf()).
constexpr unsigned kMoments = 1, kPairs = 2, kCaptures = 4;

// update(): date (r, b)'s contributions to the capture sums, added (sign 1) or removed (sign -1).
void update(Window& w, double r, double b, double sign) {
  if (!(b > 0 || b < 0)) return;
  const double rr = r == r ? r : 0;                 // captures: a missing return counts as 0
  const bool ruin = !(1 + rr > 0) || !(1 + b > 0);  // a wealth of 0 or less has no log: the product is taken then
  if (ruin) w.ruined += sign;
  const double lr = ruin ? 0 : std::log1p(rr), lb = ruin ? 0 : std::log1p(b);
  if (b > 0) {
    w.up += sign;
    w.upR.add(sign * lr);
    w.upB.add(sign * lb);
  } else {
    w.down += sign;
    w.downR.add(sign * lr);
    w.downB.add(sign * lb);
  }
}

// resum(): the window [begin, end) summed afresh.
void resum(Window& w, const double* r, const double* b, size_t begin, size_t end) {
  w = Window{};
  for (size_t t = begin; t < end; t++) update(w, r[t], b[t], 1);
}

// annualReturn() of the window's subset dates, from the product when a wealth is 0 or less.
double captureOf(const double* x, const double* b, size_t begin, size_t end, int subset, double ppy) {
  double dates = 0, wealth = 1;
  for (size_t t = begin; t < end; t++) {
    if (!(subset > 0 ? b[t] > 0 : b[t] < 0)) continue;
    dates++;
    wealth *= 1 + (x[t] == x[t] ? x[t] : 0);
  }
  return dates < 1 ? NAN : std::expm1(std::log(wealth) / (dates / ppy));
}

// linearQuantile() of risk-common.ts over sorted values.
double linearQuantileOf(const double* sorted, size_t n, double p) {
  const double h = static_cast<double>(n) * p + (1 - p) - 1;
  const double floorH = std::floor(h);
  const size_t lo = static_cast<size_t>(std::min(std::max(floorH, 0.0), static_cast<double>(n - 1)));
  const size_t hi = std::min(lo + 1, n - 1);
  const double t = h - floorH, a = sorted[lo], b = sorted[hi], diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

// The kernel's parameters and outputs, shared by the columns.
struct Job {
  size_t rows, cols, window;
  unsigned mask;
  double ppy, rf, confidence, z;
  RollingOut o;
};

inline bool wants(const Job& j, RollingStat s) { return (j.mask >> s) & 1u; }

// partsOf(): the sums the requested statistics read.
unsigned partsOf(unsigned mask) {
  const auto any = [mask](std::initializer_list<RollingStat> stats) {
    for (RollingStat s : stats)
      if ((mask >> s) & 1u) return true;
    return false;
  };
  return (any({kRollSharpe, kRollSortino, kRollVolatility, kRollGaussianVar}) ? kMoments : 0) |
         (any({kRollBeta, kRollAlpha}) ? kPairs : 0) | (any({kRollUpCapture, kRollDownCapture}) ? kCaptures : 0);
}
inline void put(double* out, const Job& j, size_t t, size_t c, double v) {
  if (out) out[t * j.cols + c] = v;
}

// rollingColumn(): every requested statistic of column c (r its values, b the benchmark's).
void rollingColumn(const Job& j, size_t c, const double* r, const double* b, std::vector<double>& sorted) {
  const size_t T = j.rows, w = j.window;
  const RollingOut& o = j.o;
  for (size_t t = 0; t + 1 < w && t < T; t++) {
    for (double* out : {o.upCapture, o.downCapture, o.historicalVar}) put(out, j, t, c, NAN);
  }
  const bool captures = partsOf(j.mask) & kCaptures;
  Window win;
  sorted.clear();
  for (size_t t = 0; t < T; t++) {
    const size_t begin = t + 1 >= w ? t + 1 - w : 0;
    if (t + 1 >= w && (t + 1 - w) % w == 0) {
      if (captures) resum(win, r, b, begin, t + 1);
    } else if (captures) {
      update(win, r[t], b[t], 1);
      if (t >= w) update(win, r[t - w], b[t - w], -1);
    }
    if (wants(j, kRollHistoricalVar)) {
      if (r[t] == r[t]) sorted.insert(std::upper_bound(sorted.begin(), sorted.end(), r[t]), r[t]);
      if (t >= w && r[t - w] == r[t - w]) sorted.erase(std::lower_bound(sorted.begin(), sorted.end(), r[t - w]));
    }
    if (t + 1 < w) continue;
    if (o.upCapture || o.downCapture) {
      double upCapture, downCapture;
      if (win.ruined > 0) {
        upCapture = captureOf(r, b, begin, t + 1, 1, j.ppy) / captureOf(b, b, begin, t + 1, 1, j.ppy);
        downCapture = captureOf(r, b, begin, t + 1, -1, j.ppy) / captureOf(b, b, begin, t + 1, -1, j.ppy);
      } else {
        const double upYears = win.up / j.ppy, downYears = win.down / j.ppy;
        upCapture = win.up < 1 ? NAN : std::expm1(win.upR.value() / upYears) / std::expm1(win.upB.value() / upYears);
        downCapture = win.down < 1 ? NAN : std::expm1(win.downR.value() / downYears) / std::expm1(win.downB.value() / downYears);
      }
      put(o.upCapture, j, t, c, upCapture);
      put(o.downCapture, j, t, c, downCapture);
    }
    if (o.historicalVar)
      put(o.historicalVar, j, t, c, sorted.empty() ? NAN : -linearQuantileOf(sorted.data(), sorted.size(), 1 - j.confidence));
  }
}

// The moments of every column, row by row (rows outer, columns inner: memory read in order, the inner
// loops vectorize). Per column the same operations in the same order as a Window of kMoments alone
// (the reference's moments window): its compensation by a branch-free two-sum, the same exact error
// as Neumaier's branch. State per column: n, shift, and (sum, compensation) of s1, s2 and downside.
struct Moments {
  std::vector<double> n, shift, s1, c1, s2, c2, ds, dc;
  explicit Moments(size_t cols) : n(cols), shift(cols), s1(cols), c1(cols), s2(cols), c2(cols), ds(cols), dc(cols) {}
};

// twoSum(): s += x, its exact rounding error added to c.
inline void twoSum(double& s, double& c, double x) {
  const double t = s + x, bp = t - s;
  c += (s - (t - bp)) + (x - bp);
  s = t;
}

// One row's contributions (sign 1 or -1) to columns [begin, end). A missing value adds exactly 0 (its
// two-sums leave the sums as they are), as the reference skips it: its weight is 0 and its deviation 0.
// Restrict parameters and selects of values (not of products, which GCC 12 leaves as branches): the
// loop vectorizes.
KERNELBUS_VECTOR_BODY void momentsSweep(double* __restrict n, const double* __restrict shift, double* __restrict s1, double* __restrict c1,
                                        double* __restrict s2, double* __restrict c2, double* __restrict ds, double* __restrict dc,
                                        const double* __restrict row, size_t begin, size_t end, double rf, double sign) {
  for (size_t c = begin; c < end; c++) {
    const double r = row[c];
    const double w = r == r ? sign : 0.0, x = r == r ? r : shift[c];
    const double d = x - shift[c], excess = x - rf;
    const double below = excess < 0 ? excess : 0.0;
    n[c] += w;
    twoSum(s1[c], c1[c], w * d);
    twoSum(s2[c], c2[c], w * (d * d));
    twoSum(ds[c], dc[c], w * (below * below));
  }
}

inline void momentsRow(Moments& m, const double* row, size_t begin, size_t end, double rf, double sign) {
  simd::run<momentsSweep>(m.n.data(), m.shift.data(), m.s1.data(), m.c1.data(), m.s2.data(), m.c2.data(), m.ds.data(), m.dc.data(), row,
                          begin, end, rf, sign);
}

// Column c's moments afresh over rows [from, to): shifted by its first present value there.
void momentsResum(Moments& m, const double* returns, size_t cols, size_t c, size_t from, size_t to, double rf) {
  m.n[c] = m.s1[c] = m.c1[c] = m.s2[c] = m.c2[c] = m.ds[c] = m.dc[c] = 0;
  m.shift[c] = 0;
  for (size_t t = from; t < to; t++) {
    const double r = returns[t * cols + c];
    if (r == r) {
      m.shift[c] = r;
      break;
    }
  }
  for (size_t t = from; t < to; t++) momentsRow(m, returns + t * cols, c, c + 1, rf, 1);
}

// momentsResum() of columns [begin, end) at once, row by row (each column's operations as there).
void momentsResumRows(Moments& m, const double* returns, size_t cols, size_t begin, size_t end, size_t from, size_t to, double rf) {
  std::fill(m.n.begin() + begin, m.n.begin() + end, 0.0);
  for (auto* v : {&m.s1, &m.c1, &m.s2, &m.c2, &m.ds, &m.dc}) std::fill(v->begin() + begin, v->begin() + end, 0.0);
  std::vector<unsigned char> found(end - begin, 0);
  std::fill(m.shift.begin() + begin, m.shift.begin() + end, 0.0);
  for (size_t t = from; t < to; t++) {
    const double* row = returns + t * cols;
    for (size_t c = begin; c < end; c++) {
      if (!found[c - begin] && row[c] == row[c]) {
        m.shift[c] = row[c];
        found[c - begin] = 1;
      }
    }
  }
  for (size_t t = from; t < to; t++) momentsRow(m, returns + t * cols, begin, end, rf, 1);
}

// One row's statistics (row offset `at`) of columns [begin, end) from their sums, in loops without calls
// or branches (each value computed, then selected: see momentsSweep()); mean and sd are scratch.
KERNELBUS_VECTOR_BODY void momentsOut(const Moments& m, const RollingOut& o, size_t at, size_t begin, size_t end, double sqrtPpy,
                                      double ppy, double rf, double z, double* __restrict mean, double* __restrict sd) {
  const double* __restrict n = m.n.data(), * __restrict shift = m.shift.data();
  const double* __restrict s1 = m.s1.data(), * __restrict c1 = m.c1.data(), * __restrict s2 = m.s2.data(), * __restrict c2 = m.c2.data();
  for (size_t c = begin; c < end; c++) {
    const double sum1 = s1[c] + c1[c], sum2 = s2[c] + c2[c];
    mean[c] = shift[c] + sum1 / n[c];
    const double var = (sum2 - sum1 * sum1 / n[c]) / (n[c] - 1);
    sd[c] = var < 0 ? 0 : std::sqrt(var);  // rounding below 0: 0 (NaN stays NaN)
  }
  if (double* __restrict out = o.volatility)
    for (size_t c = begin; c < end; c++) {
      const double v = sd[c] * sqrtPpy;
      out[at + c] = n[c] < 2 ? NAN : v;
    }
  if (double* __restrict out = o.sharpe)
    for (size_t c = begin; c < end; c++) {
      const double v = (mean[c] - rf) / sd[c] * sqrtPpy;
      out[at + c] = n[c] < 2 ? NAN : v;
    }
  if (double* __restrict out = o.sortino) {
    const double* __restrict ds = m.ds.data(), * __restrict dc = m.dc.data();
    for (size_t c = begin; c < end; c++) {
      const double v = ((mean[c] - rf) * ppy) / (std::sqrt((ds[c] + dc[c]) / n[c]) * sqrtPpy);
      out[at + c] = n[c] < 1 ? NAN : v;
    }
  }
  if (double* __restrict out = o.gaussianVar)
    for (size_t c = begin; c < end; c++) {
      const double v = -(mean[c] + z * sd[c]);
      out[at + c] = n[c] < 1 ? NAN : v;
    }
}

// rollingMoments(): sharpe, sortino, volatility, gaussianVar of columns [begin, end) over the rows. After
// each row's update: the stale columns re-summed (rare), then momentsOut()'s arithmetic for the whole
// row in loops without calls or branches (they vectorize: the divisions and square roots dominate).
void rollingMoments(const Job& j, const double* returns, size_t begin, size_t end) {
  const size_t T = j.rows, w = j.window, cols = j.cols;
  const RollingOut& o = j.o;
  Moments m(cols);
  std::vector<double> meanOf(cols), sdOf(cols);  // momentsOut()'s scratch
  const double sqrtPpy = std::sqrt(j.ppy), ppy = j.ppy, rf = j.rf, z = j.z;
  for (size_t t = 0; t < T; t++) {
    const size_t from = t + 1 >= w ? t + 1 - w : 0;
    const bool scheduled = t + 1 >= w && (t + 1 - w) % w == 0;
    if (scheduled) {
      momentsResumRows(m, returns, cols, begin, end, from, t + 1, rf);
    } else {
      momentsRow(m, returns + t * cols, begin, end, rf, 1);
      if (t >= w) momentsRow(m, returns + (t - w) * cols, begin, end, rf, -1);
    }
    if (t + 1 < w) {
      for (double* out : {o.sharpe, o.sortino, o.volatility, o.gaussianVar})
        if (out) std::fill(out + t * cols + begin, out + t * cols + end, NAN);
      continue;
    }
    if (!scheduled) {
      for (size_t c = begin; c < end; c++) {
        const double n = m.n[c], s1 = m.s1[c] + m.c1[c], s2 = m.s2[c] + m.c2[c];
        if (n >= 2 && s2 - s1 * s1 / n < 1e-3 * s2) momentsResum(m, returns, cols, c, from, t + 1, rf);  // stale(): about its own values
      }
    }
    simd::run<momentsOut>(m, o, t * cols, begin, end, sqrtPpy, ppy, rf, z, meanOf.data(), sdOf.data());
  }
}

// The benchmark pairs (beta, alpha) of every column, row by row as the moments: per column the same
// operations in the same order as the reference's pairs window. State per column: m, the shifts, and
// (sum, compensation) of dr, db, db^2 and db dr.
struct Pairs {
  std::vector<double> m, shift, shiftB, pr, cr, pb, cb, pbb, cbb, pbr, cbr;
  explicit Pairs(size_t cols)
      : m(cols), shift(cols), shiftB(cols), pr(cols), cr(cols), pb(cols), cb(cols), pbb(cols), cbb(cols), pbr(cols), cbr(cols) {}
};

// One row's contributions (sign 1 or -1) to columns [begin, end); b the benchmark's value that date. A
// date without both values adds exactly 0, as in momentsSweep() (whose comment says why it is written so).
KERNELBUS_VECTOR_BODY void pairsSweep(double* __restrict m, const double* __restrict shift, const double* __restrict shiftB,
                                      double* __restrict pr, double* __restrict cr, double* __restrict pb, double* __restrict cb,
                                      double* __restrict pbb, double* __restrict cbb, double* __restrict pbr, double* __restrict cbr,
                                      const double* __restrict row, double b, size_t begin, size_t end, double sign) {
  const bool bPresent = b == b;
  for (size_t c = begin; c < end; c++) {
    const double r = row[c];
    const bool present = (r == r) & bPresent;
    const double w = present ? sign : 0.0, x = present ? r : shift[c], y = present ? b : shiftB[c];
    const double dr = x - shift[c], db = y - shiftB[c];
    m[c] += w;
    twoSum(pr[c], cr[c], w * dr);
    twoSum(pb[c], cb[c], w * db);
    twoSum(pbb[c], cbb[c], w * (db * db));
    twoSum(pbr[c], cbr[c], w * (db * dr));
  }
}

inline void pairsRow(Pairs& p, const double* row, double b, size_t begin, size_t end, double sign) {
  simd::run<pairsSweep>(p.m.data(), p.shift.data(), p.shiftB.data(), p.pr.data(), p.cr.data(), p.pb.data(), p.cb.data(), p.pbb.data(),
                        p.cbb.data(), p.pbr.data(), p.cbr.data(), row, b, begin, end, sign);
}

// Columns [cb, ce) afresh over rows [from, to): shift the first present return, shiftB the benchmark at
// the first date both are present.
void pairsResum(Pairs& p, const double* returns, const double* b, size_t cols, size_t cb, size_t ce, size_t from, size_t to) {
  for (auto* v : {&p.m, &p.pr, &p.cr, &p.pb, &p.cb, &p.pbb, &p.cbb, &p.pbr, &p.cbr, &p.shift, &p.shiftB})
    std::fill(v->begin() + cb, v->begin() + ce, 0.0);
  for (size_t c = cb; c < ce; c++) {
    for (size_t t = from; t < to; t++) {
      const double r = returns[t * cols + c];
      if (r == r) {
        p.shift[c] = r;
        break;
      }
    }
    for (size_t t = from; t < to; t++) {
      const double r = returns[t * cols + c];
      if (r == r && b[t] == b[t]) {
        p.shiftB[c] = b[t];
        break;
      }
    }
  }
  for (size_t t = from; t < to; t++) pairsRow(p, returns + t * cols, b[t], cb, ce, 1);
}

// rollingPairs(): beta and alpha of columns [begin, end) over the rows (rollingMoments()'s schedule).
void rollingPairs(const Job& j, const double* returns, const double* b, size_t begin, size_t end) {
  const size_t T = j.rows, w = j.window, cols = j.cols;
  const RollingOut& o = j.o;
  Pairs p(cols);
  std::vector<double> betaOf(cols);
  const double rf = j.rf, ppy = j.ppy;
  for (size_t t = 0; t < T; t++) {
    const size_t from = t + 1 >= w ? t + 1 - w : 0;
    const bool scheduled = t + 1 >= w && (t + 1 - w) % w == 0;
    if (scheduled) {
      pairsResum(p, returns, b, cols, begin, end, from, t + 1);
    } else {
      pairsRow(p, returns + t * cols, b[t], begin, end, 1);
      if (t >= w) pairsRow(p, returns + (t - w) * cols, b[t - w], begin, end, -1);
    }
    if (t + 1 < w) {
      for (double* out : {o.beta, o.alpha})
        if (out) std::fill(out + t * cols + begin, out + t * cols + end, NAN);
      continue;
    }
    if (!scheduled) {
      for (size_t c = begin; c < end; c++) {
        const double m = p.m[c], pb = p.pb[c] + p.cb[c], pbb = p.pbb[c] + p.cbb[c];
        if (m >= 2 && pbb - pb * pb / m < 1e-3 * pbb) pairsResum(p, returns, b, cols, c, c + 1, from, t + 1);  // stale()
      }
    }
    const double* __restrict m = p.m.data();
    double* __restrict beta = betaOf.data();
    for (size_t c = begin; c < end; c++) {
      const double pb = p.pb[c] + p.cb[c], pr = p.pr[c] + p.cr[c];
      const double v = (p.pbb[c] + p.cbb[c] - pb * pb / m[c]) / m[c];
      const double cov = (p.pbr[c] + p.cbr[c] - pb * pr / m[c]) / m[c];
      beta[c] = m[c] < 2 || v < 1e-30 ? NAN : cov / v;
    }
    const size_t at = t * cols;
    if (double* __restrict out = o.beta) std::copy(beta + begin, beta + end, out + at + begin);
    if (double* out = o.alpha) {
      for (size_t c = begin; c < end; c++) {
        const double mr = p.shift[c] + (p.pr[c] + p.cr[c]) / m[c], mb = p.shiftB[c] + (p.pb[c] + p.cb[c]) / m[c];
        out[at + c] = m[c] < 2 ? NAN : std::expm1(std::log1p(mr - rf - beta[c] * (mb - rf)) * ppy);
      }
    }
  }
}

}  // namespace

// rolling()
Status rolling(const double* returns, size_t rows, size_t cols, const double* benchmark, size_t window, unsigned mask,
               double periodsPerYear, double riskFree, double confidence, double* out) {
  const Status s = detail::checkReturns(returns, rows * cols, cols);
  if (!s.ok()) return s;
  const Job job{
      rows, cols, window, mask, periodsPerYear, riskFree, confidence, normalQuantile(1 - confidence), rollingOut(out, rows, cols, mask)};
  std::vector<double> none(benchmark ? 0 : rows, NAN);
  const double* b = benchmark ? benchmark : none.data();
  const size_t minColumns = rows == 0 ? cols : 1 + 4096 / rows;
  const bool moments = partsOf(mask) & kMoments, pairs = partsOf(mask) & kPairs;
  const bool others = (partsOf(mask) & kCaptures) || ((mask >> kRollHistoricalVar) & 1u);
  parallelFor(cols, minColumns, [&](size_t begin, size_t end) {
    if (moments) rollingMoments(job, returns, begin, end);
    if (pairs) rollingPairs(job, returns, b, begin, end);
    if (double* o = job.o.maxDrawdown) {
      for (size_t t = 0; t + 1 < window && t < rows; t++) std::fill(o + t * cols + begin, o + t * cols + end, NAN);
      detail::rollingMaxDrawdown(returns, rows, cols, window, begin, end, o);
    }
    if (!others) return;
    std::vector<double> column(rows), sorted;
    sorted.reserve(std::min(window, rows));  // a window longer than the series (all NaN) holds at most rows values
    for (size_t c = begin; c < end; c++) {
      for (size_t t = 0; t < rows; t++) column[t] = returns[t * cols + c];
      rollingColumn(job, c, column.data(), b, sorted);
    }
  });
  return Status{};
}

}  // namespace kernelbus::risk
