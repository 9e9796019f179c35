// See risk.hpp: returns, performance statistics and VaR (covariance and volatility: risk_cov.cpp).
// Each function names its counterpart in src/backends/reference/risk/risk.ts.
#include "risk.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <vector>

#include "parallel.hpp"
#include "risk_checks.hpp"
#include "risk_select.hpp"
#include "simd.hpp"
#include "math/special.hpp"

namespace kernelbus::risk {
namespace {

using detail::checkReturns;
using detail::fault;

// checkPrices()
Status checkPrices(const double* prices, size_t n, size_t cols) {
  for (size_t i = 0; i < n; i++) {
    const double p = prices[i];
    if (!(p > 0 && p <= DBL_MAX) && !std::isnan(p)) return fault(Fault::PriceNotPositive, i, p, cols);
  }
  return Status{};
}

// scipy's threshold for a zero variance in skew/kurtosis (RESOLUTION).
constexpr double kResolution = 1e-15;

// tailPlan()'s sample: values at a stride of n / 64 (n >= 4 x 64).
constexpr size_t kTailSample = 64;

// columnStats() for every column at once, in two sweeps over the matrix in memory order (rows outer,
// columns inner: the inner loops vectorize across columns). Each column's sums still take its values
// in row order, as the reference's per-column loops do, so every sum rounds as there; a missing (NaN)
// value adds 0, which changes no sum. Accumulators per column in `acc`.
struct Accumulators {
  std::vector<double> n, wealth, sum, sumRf, down, growth, peak, worst, gains, losses, sqRf, m2, m3, m4;
  explicit Accumulators(size_t cols)
      : n(cols, 0),
        wealth(cols, 1),
        sum(cols, 0),
        sumRf(cols, 0),
        down(cols, 0),
        growth(cols, 1),
        peak(cols, 100),
        worst(cols, 0),
        gains(cols, 0),
        losses(cols, 0),
        sqRf(cols, 0),
        m2(cols, 0),
        m3(cols, 0),
        m4(cols, 0) {}
};

// The first sweep over `width` columns of x (rows of `stride` values), one copy per vector width
// (simd::run: its pointers restrict). The inner loop vectorizes across columns (checked with GCC 12's
// -fopt-info-vec): the body selects values only, and the count adds a selected value (`n += present ?
// 1.0 : 0.0` alone reads to it as "control flow in loop").
KERNELBUS_VECTOR_BODY void firstSweep(const double* x, size_t rows, size_t stride, size_t width, double rf, double threshold, double* n,
                                      double* wealth, double* sum, double* sumRf, double* down, double* growth, double* peak, double* worst,
                                      double* gains, double* losses) {
  for (size_t t = 0; t < rows; t++) {
    const double* row = x + t * stride;
    for (size_t c = 0; c < width; c++) {
      const double v = row[c];
      const bool present = v == v;
      const double r = present ? v : 0.0;  // a missing return adds 0 to every sum below (and 1 to no count)
      const double one = present ? 1.0 : 0.0;
      n[c] += one;
      wealth[c] *= 1 + r;  // annual_return: only present returns, times 1 otherwise
      sum[c] += r;         // nanMean(shift 0): r - 0 where present, 0 where not
      const double below = r - rf;
      sumRf[c] += present ? below : 0.0;        // nanMean(shift rf)
      const double excess = below - threshold;  // omega: the gains and losses beyond the threshold
      gains[c] += present && excess > 0 ? excess : 0.0;
      losses[c] += present && excess < 0 ? excess : 0.0;
      const double negative = below < 0 ? below : 0.0;
      const double d = present ? negative : 0.0;  // downside_risk: min(r - rf, 0)
      down[c] += d * d;
      const double g = growth[c] * (1 + r);  // max_drawdown
      growth[c] = g;
      const double value = g * 100;
      const double top = value > peak[c] ? value : peak[c];
      peak[c] = top;
      const double drawdown = (value - top) / top;
      worst[c] = drawdown < worst[c] ? drawdown : worst[c];
    }
  }
}

// The second sweep (as firstSweep()), about the first's means. nanStd(shift 0)'s sum of squares is m2
// (v - 0 - mu is v - mu, bit for bit).
KERNELBUS_VECTOR_BODY void secondSweep(const double* x, size_t rows, size_t stride, size_t width, double rf, const double* mean,
                                       const double* meanRf, double* sqRf, double* m2, double* m3, double* m4) {
  for (size_t t = 0; t < rows; t++) {
    const double* row = x + t * stride;
    for (size_t c = 0; c < width; c++) {
      const double v = row[c];
      const double mu = mean[c], muRf = meanRf[c];  // loaded unconditionally: the selects then vectorize
      const bool present = v == v;
      const double dRf = present ? v - rf - muRf : 0;  // nanStd(shift rf)
      const double d = present ? v - mu : 0;           // nanStd(shift 0), nanMoment(k = 2, 3, 4)
      sqRf[c] += dRf * dRf;
      m2[c] += d * d;
      m3[c] += d * d * d;
      m4[c] += d * d * (d * d);
    }
  }
}

// linearQuantile() at p of x[0..n) (x left as it is), in two steps: tailPlan() says which order
// statistics (lo and hi = lo + 1, clamped) are needed and, where `sample` (64 of the values, sorted)
// allows, a threshold on p's side that every one of them lies at or beyond (about 1.5 n min(p, 1 - p)
// + n / 8 values pass it); tailSelect() selects them among the values kept by the threshold, or, when
// the sample misjudged (fewer kept than needed) or n is small, among a copy of all of x.
struct Tail {
  double h, floorH;
  size_t lo, hi, count;  // count: the order statistics from p's end of x up to lo and hi
  bool low, sampled;
  double threshold;
};

Tail tailPlan(size_t n, double p, const double* sample) {
  Tail t{};
  t.h = static_cast<double>(n) * p + (1 - p) - 1;
  t.floorH = std::floor(t.h);
  t.lo = static_cast<size_t>(std::min(std::max(t.floorH, 0.0), static_cast<double>(n - 1)));
  t.hi = std::min(t.lo + 1, n - 1);
  t.low = p <= 0.5;
  t.count = t.low ? t.hi + 1 : n - t.lo;
  t.sampled = sample && t.count * 8 <= n;
  if (t.sampled) {
    const size_t margin = std::min(kTailSample - 1, (t.count * kTailSample * 3) / (2 * n) + 8);
    t.threshold = sample[t.low ? margin : kTailSample - 1 - margin];
  }
  return t;
}

// The quantile from kept[0..m), the values of x at or beyond the plan's threshold in x's order (m = 0
// when not sampled; kept has room for n values): its order statistics selected without data-dependent
// branches among more than 256 values (risk_select.hpp), by std::nth_element among fewer (faster
// there: measured on a year of 252).
double tailSelect(const Tail& q, const double* x, size_t n, double* kept, size_t m) {
  size_t first = q.low ? 0 : n - m;  // kept[0..m) are the order statistics first .. first + m - 1 of x
  if (m < q.count) {
    std::copy(x, x + n, kept);
    m = n;
    first = 0;
  }
  const size_t k = q.lo - first;
  if (m > 256)
    detail::selectSmallest(kept, m, k);
  else
    std::nth_element(kept, kept + k, kept + m);
  const double a = kept[k], b = q.hi == q.lo ? a : *std::min_element(kept + k + 1, kept + m);
  const double t = q.h - q.floorH, diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

// stability's R^2 from the regression's sums over count values (scipy's linregress rvalue, squared).
double rSquared(double sxx, double sxy, double syy, double count) {
  const double den = std::sqrt((sxx / count) * (syy / count));
  const double r = den == 0 ? 0 : std::min(std::max(sxy / count / den, -1.0), 1.0);
  return r * r;
}

// stability of a column's n present values v (in row order): R^2 of cumsum(log1p v) on its index
// (`scratch` for the cumulative sums).
double stabilityOf(const double* v, size_t n, std::vector<double>& scratch) {
  if (n < 2) return NAN;
  const double count = static_cast<double>(n);
  scratch.resize(n);
  double* cum = scratch.data();  // cumsum(log1p r), one log1p per value
  double y = 0, sumY = 0;
  for (size_t i = 0; i < n; i++) {
    y += std::log1p(v[i]);
    cum[i] = y;
    sumY += y;
  }
  const double meanY = sumY / count, meanX = (count - 1) / 2;
  double sxx = 0, sxy = 0, syy = 0;
  for (size_t i = 0; i < n; i++) {
    const double dx = static_cast<double>(i) - meanX, dy = cum[i] - meanY;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  return rSquared(sxx, sxy, syy, count);
}

// The regression sums of stabilityOf() for kBlock columns of n values each at once, their cumulative
// sums row-major in cum (cum[i * kBlock + j]): each column's sums in its row order, so the same bits
// as stabilityOf(), the columns in the vector's lanes.
constexpr size_t kBlock = 8;
KERNELBUS_VECTOR_BODY void blockRegression(const double* cum, size_t n, const double* meanY, double* sxy, double* syy) {
  const double meanX = (static_cast<double>(n) - 1) / 2;
  for (size_t i = 0; i < n; i++) {
    const double dx = static_cast<double>(i) - meanX;
    for (size_t j = 0; j < kBlock; j++) {
      const double dy = cum[i * kBlock + j] - meanY[j];
      sxy[j] += dx * dy;
      syy[j] += dy * dy;
    }
  }
}

// stabilityOf() of kBlock columns with no value missing, v column-major (v[j * n + i]), into out.
void blockStability(const double* v, size_t n, std::vector<double>& scratch, double* out) {
  if (n < 2) {
    std::fill(out, out + kBlock, NAN);
    return;
  }
  const double count = static_cast<double>(n);
  scratch.resize(n * kBlock);
  double* cum = scratch.data();
  double y[kBlock] = {}, sumY[kBlock] = {}, meanY[kBlock], sxy[kBlock] = {}, syy[kBlock] = {};
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < kBlock; j++) {
      y[j] += std::log1p(v[j * n + i]);
      cum[i * kBlock + j] = y[j];
      sumY[j] += y[j];
    }
  for (size_t j = 0; j < kBlock; j++) meanY[j] = sumY[j] / count;
  simd::run<blockRegression>(cum, n, meanY, sxy, syy);
  const double meanX = (count - 1) / 2;
  double sxx = 0;  // the same for every column
  for (size_t i = 0; i < n; i++) {
    const double dx = static_cast<double>(i) - meanX;
    sxx += dx * dx;
  }
  for (size_t j = 0; j < kBlock; j++) out[j] = rSquared(sxx, sxy[j], syy[j], count);
}

// Columns [from, from + width) of the row-major rows x cols matrix x into buffer, column j's present
// (non-NaN) values in row order from buffer[j * rows], their number in count[j]. A block of kBlock
// columns is first copied whole by a transpose in tiles of kBlock x kBlock (no store waits on a count),
// and gathered again value by value only when that met a NaN. True when none was missing.
bool gatherBlock(const double* x, size_t rows, size_t cols, size_t from, size_t width, double* buffer, size_t* count) {
  if (width == kBlock) {
    bool missing = false;
    for (size_t t0 = 0; t0 < rows; t0 += kBlock) {
      const size_t t1 = std::min(rows, t0 + kBlock);
      for (size_t j = 0; j < kBlock; j++)
        for (size_t t = t0; t < t1; t++) {
          const double v = x[t * cols + from + j];
          buffer[j * rows + t] = v;
          missing |= v != v;
        }
    }
    if (!missing) {
      std::fill(count, count + kBlock, rows);
      return true;
    }
  }
  std::fill(count, count + width, size_t{0});
  for (size_t t = 0; t < rows; t++) {
    const double* row = x + t * cols + from;
    for (size_t j = 0; j < width; j++)
      if (row[j] == row[j]) buffer[j * rows + count[j]++] = row[j];
  }
  return false;
}

// tailRatio of a column's n present values v: |95th percentile| / |5th| (`scratch` for the quantiles).
double tailRatioOf(const double* v, size_t n, std::vector<double>& scratch) {
  if (n < 1) return NAN;
  double sample[kTailSample];
  const bool sampled = n >= 4 * kTailSample;
  if (sampled) {
    for (size_t i = 0; i < kTailSample; i++) sample[i] = v[i * (n / kTailSample)];
    std::sort(sample, sample + kTailSample);
  }
  const double* s = sampled ? sample : nullptr;
  const Tail top = tailPlan(n, 0.95, s), bottom = tailPlan(n, 0.05, s);
  scratch.resize(2 * n);
  double *high = scratch.data(), *low = high + n;
  size_t mHigh = 0, mLow = 0;
  if (top.sampled && bottom.sampled) {  // both tails' values kept in one branch-free pass
    for (size_t i = 0; i < n; i++) {
      const double x = v[i];
      high[mHigh] = x;
      low[mLow] = x;
      mHigh += x >= top.threshold ? 1 : 0;
      mLow += x <= bottom.threshold ? 1 : 0;
    }
  }
  return std::fabs(tailSelect(top, v, n, high, mHigh)) / std::fabs(tailSelect(bottom, v, n, low, mLow));
}

// linearQuantile() of the order statistics lo and hi = lo + 1 (clamped), given as values.
double lerpQuantile(double a, double b, double t) {
  const double diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

// PerformanceAnalytics' .skewEst/.kurtEst guard (PA_ZERO_VARIANCE).
constexpr double kPaZeroVariance = 1.5e-8;

// The `count` smallest of x[0..n) in ascending order, the same values a full sort puts first: a
// threshold from a sample of 64 values, one branch-free pass that keeps the values at or below it in
// `scratch`, and a selection and sort of those alone; when the sample misjudged (fewer kept than
// needed), a selection over all of x instead (x is reordered then). From 256 values, selection and
// sort without data-dependent branches (risk_select.hpp).
const double* smallestSorted(double* x, size_t n, size_t count, std::vector<double>& scratch) {
  constexpr size_t kSample = 64;
  if (n < 4 * kSample) {
    // A short series keeps the branchy selection: called again and again on one series (the calls
    // bench's valueAtRisk of 252 returns, C++ min of 30 sweeps of 2,000 calls), a branch predictor
    // learns it and it costs 0.71 us a call against 0.90 us without branches; on 2,000 distinct series
    // it costs 2.7-4.6 us against 1.2-1.3 us.
    std::nth_element(x, x + (count - 1), x + n);
    std::sort(x, x + (count - 1));
    return x;
  }
  scratch.resize(n + count);  // the kept values, then the sort's room
  double* tmp = scratch.data() + n;
  if (count * 8 <= n) {
    double sample[kSample];
    for (size_t i = 0; i < kSample; i++) sample[i] = x[i * (n / kSample)];
    // The sample quantile of (count / n), with room: 1.5 times the expected rank plus 8.
    const size_t rank = std::min(kSample - 1, (count * kSample * 3) / (2 * n) + 8);
    detail::selectSmallest(sample, kSample, rank);
    const double threshold = sample[rank];
    double* kept = scratch.data();
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
      kept[m] = x[i];
      m += x[i] <= threshold ? 1 : 0;
    }
    if (m >= count) {
      detail::selectSmallest(kept, m, count - 1);
      detail::sortAscending(kept, count - 1, tmp);
      return kept;
    }
  }
  detail::selectSmallest(x, n, count - 1);
  detail::sortAscending(x, count - 1, tmp);
  return x;
}

// The parametric VaR and ES (varGaussian(), varCornishFisher()) of a column of n present values
// from their mean and the sums of their deviations' powers s2, s3, s4 (in row order).
void parametricVar(int method, double n, double mean, double s2, double s3, double s4, double c, double ddof, double& var, double& es) {
  if (n == 0) {
    var = es = NAN;
    return;
  }
  const double alpha = 1 - c;
  const double z = normalQuantile(alpha);
  if (method == kGaussian) {
    const double sigma = std::sqrt(s2 / (n - ddof));
    var = -(mean + z * sigma);
    es = -mean + (normalPdf(z) * sigma) / alpha;
    return;
  }
  const double m2 = s2 / n;
  const bool flat = std::fabs(m2) <= kPaZeroVariance;
  const double skew = flat ? 0 : s3 / n / (m2 * std::sqrt(m2));  // m2^1.5 (as the TS: pow may round differently)
  const double exkurt = flat ? 0 : s4 / n / (m2 * m2) - 3;
  const double z2 = z * z, z3 = z2 * z;
  const double h = z + (1.0 / 6) * (z2 - 1) * skew + (1.0 / 24) * (z3 - 3 * z) * exkurt - (1.0 / 36) * (2 * z3 - 5 * z) * (skew * skew);
  const double sd = std::sqrt(m2);
  const double h2 = h * h, h3 = h2 * h, h4 = h2 * h2, h6 = h3 * h3;
  const double mes =
      normalPdf(h) * (1 + (h3 * skew) / 6 + ((h6 - 9 * h4 + 9 * h2 + 3) * (skew * skew)) / 72 + ((h4 - 2 * h2 - 1) * exkurt) / 24);
  var = -mean - h * sd;
  es = -mean - sd * std::min(-mes / alpha, h);
}

// The count and sum of the present values of `width` columns of x (rows of `stride`), each in row
// order (a missing value adds 0), vectorized across the columns as firstSweep().
KERNELBUS_VECTOR_BODY void sumSweep(const double* x, size_t rows, size_t stride, size_t width, double* n, double* sum) {
  for (size_t t = 0; t < rows; t++) {
    const double* row = x + t * stride;
    for (size_t c = 0; c < width; c++) {
      const double v = row[c];
      const bool present = v == v;
      n[c] += present ? 1.0 : 0.0;
      sum[c] += present ? v : 0.0;
    }
  }
}

}  // namespace

void detail::historicalVar(double* x, size_t n, double c, double& var, double& es, std::vector<double>& scratch) {
  const double alpha = 1 - c;
  const double h = static_cast<double>(n) * alpha + (1 - alpha) - 1;
  const size_t lo = static_cast<size_t>(std::min(std::max(std::floor(h), 0.0), static_cast<double>(n - 1)));
  const size_t hi = std::min(lo + 1, n - 1);
  const size_t k = static_cast<size_t>(std::floor(static_cast<double>(n - 1) * alpha));
  const size_t m = std::max(k, hi);  // the m + 1 smallest, sorted, hold every order statistic needed
  const double* smallest = smallestSorted(x, n, m + 1, scratch);
  var = -lerpQuantile(smallest[lo], smallest[hi], h - std::floor(h));
  double sum = 0;
  for (size_t i = 0; i <= k; i++) sum += smallest[i];
  es = -(sum / static_cast<double>(k + 1));
}

/// VaR then ES per column into out (valueAtRiskOut()); 0 < confidence < 1, ddof >= 0.
Status valueAtRisk(const double* returns, size_t rows, size_t cols, int method, double confidence, size_t ddof, double* out) {
  const Status s = checkReturns(returns, rows * cols, cols);
  if (!s.ok()) return s;
  const ValueAtRiskOut o = valueAtRiskOut(out, cols);
  const double c = confidence, dof = static_cast<double>(ddof);
  if (method != kHistorical) {
    // the moments of every column in two sweeps over the matrix in memory order (as performanceStats():
    // each column's sums in its row order), the columns shared between the threads
    std::vector<double> sums(7 * cols);  // one allocation: a small call's cost is mostly its set-up
    double *n = sums.data(), *sum = n + cols, *mean = sum + cols, *s2 = mean + cols, *s3 = s2 + cols, *s4 = s3 + cols, *unused = s4 + cols;
    parallelFor(cols, rows == 0 ? cols : 1 + 16384 / rows, [&](size_t b, size_t e) {
      simd::run<sumSweep>(returns + b, rows, cols, e - b, &n[b], &sum[b]);
      for (size_t j = b; j < e; j++) mean[j] = sum[j] / n[j];
      simd::run<secondSweep>(returns + b, rows, cols, e - b, 0.0, &mean[b], &mean[b], &unused[b], &s2[b], &s3[b], &s4[b]);
      for (size_t j = b; j < e; j++) parametricVar(method, n[j], mean[j], s2[j], s3[j], s4[j], c, dof, o.var[j], o.es[j]);
    });
    return Status{};
  }
  // historicalVar() of each column's present values, gathered eight columns at a time (gatherBlock());
  // the blocks shared out between the threads (each column's figures computed alone: the same bits on
  // any thread count)
  const size_t blocks = (cols + kBlock - 1) / kBlock;
  const size_t minBlocks = std::max<size_t>(1, (size_t{1} << 14) / (kBlock * rows + 1));
  parallelFor(blocks, minBlocks, [&](size_t first, size_t last) {
    std::vector<double> buffer(kBlock * rows), scratch;
    for (size_t from = first * kBlock; from < std::min(cols, last * kBlock); from += kBlock) {
      const size_t width = std::min(kBlock, cols - from);
      size_t count[kBlock];
      gatherBlock(returns, rows, cols, from, width, buffer.data(), count);
      for (size_t j = 0; j < width; j++) {
        double* x = buffer.data() + j * rows;
        if (count[j] == 0)
          o.var[from + j] = o.es[from + j] = NAN;
        else
          detail::historicalVar(x, count[j], c, o.var[from + j], o.es[from + j], scratch);
      }
    }
  });
  return Status{};
}

/// (p[t] - p[t-1]) / p[t-1] per column into out[(rows - 1) * cols]; prices NaN or finite > 0.
Status simpleReturns(const double* prices, size_t rows, size_t cols, double* out) {
  const Status s = checkPrices(prices, rows * cols, cols);
  if (!s.ok()) return s;
  for (size_t i = cols; i < rows * cols; i++) out[i - cols] = (prices[i] - prices[i - cols]) / prices[i - cols];
  return Status{};
}

/// log1p of the simple return per column into out[(rows - 1) * cols].
Status logReturns(const double* prices, size_t rows, size_t cols, double* out) {
  const Status s = checkPrices(prices, rows * cols, cols);
  if (!s.ok()) return s;
  for (size_t i = cols; i < rows * cols; i++) {
    out[i - cols] = std::log1p((prices[i] - prices[i - cols]) / prices[i - cols]);
  }
  return Status{};
}

/// Cumulative returns per column into out[rows * cols] (empyrical cum_returns): w_t = w_(t-1) (1 + r_t),
/// a NaN return counted as 0; w - 1 when startingValue is 0, else startingValue * w. Returns finite or NaN.
Status cumulativeReturns(const double* returns, size_t rows, size_t cols, double startingValue, double* out) {
  const Status s = checkReturns(returns, rows * cols, cols);
  if (!s.ok()) return s;
  // Row by row over one running product per column (the reference's order for each column, read and
  // written in memory order).
  std::vector<double> wealth(cols, 1.0);
  for (size_t t = 0; t < rows; t++) {
    const double* r = returns + t * cols;
    double* o = out + t * cols;
    for (size_t c = 0; c < cols; c++) {
      wealth[c] *= 1 + (r[c] == r[c] ? r[c] : 0);
      o[c] = startingValue == 0 ? wealth[c] - 1 : startingValue * wealth[c];
    }
  }
  return Status{};
}

/// out[t * portfolios + p] = sum over c of weights[p * cols + c] * returns[t * cols + c].
Status portfolioReturns(const double* returns, size_t rows, size_t cols, const double* weights, size_t portfolios, double* out) {
  Status s = detail::checkWeights(weights, portfolios * cols, cols);
  if (s.ok()) s = checkReturns(returns, rows * cols, cols);
  if (!s.ok()) return s;
  // Four portfolios at a time: four independent chains of additions instead of one (each still sums
  // its assets in order, as the reference does).
  for (size_t t = 0; t < rows; t++) {
    const double* r = returns + t * cols;
    size_t p = 0;
    for (; p + 4 <= portfolios; p += 4) {
      const double* w = weights + p * cols;
      double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (size_t c = 0; c < cols; c++) {
        s0 += w[c] * r[c];
        s1 += w[cols + c] * r[c];
        s2 += w[2 * cols + c] * r[c];
        s3 += w[3 * cols + c] * r[c];
      }
      double* o = out + t * portfolios + p;
      o[0] = s0;
      o[1] = s1;
      o[2] = s2;
      o[3] = s3;
    }
    for (; p < portfolios; p++) {
      double sum = 0;
      for (size_t c = 0; c < cols; c++) sum += weights[p * cols + c] * r[c];
      out[t * portfolios + p] = sum;
    }
  }
  return Status{};
}

/// kStatCount statistics per column, stat-major, into out (performanceStatsOut(); empyrical, scipy).
Status performanceStats(const double* returns, size_t rows, size_t cols, double periodsPerYear, double riskFree, double requiredReturn,
                        double* out) {
  const Status s = checkReturns(returns, rows * cols, cols);
  if (!s.ok()) return s;
  const double ppy = periodsPerYear, rf = riskFree;
  const size_t T = rows;
  const PerformanceStatsOut o = performanceStatsOut(out, cols);
  Accumulators a(cols);
  std::vector<double> mean(cols), meanRf(cols);
  const double years = static_cast<double>(T) / ppy;
  const double threshold = ppy == 1 ? requiredReturn : std::expm1(std::log1p(requiredReturn) / ppy);  // omega's, per period
  // Columns shared between threads (each column's numbers do not depend on the split): the two sweeps
  // over the thread's columns (omega's sums in the first), then tailRatio and stability from a copy of
  // each column's present values in row order, eight columns at a time (gatherBlock(); a block with
  // none missing has its stability's sums in the vector's lanes).
  const size_t minColumns = rows == 0 ? cols : 1 + 16384 / rows;
  parallelFor(cols, minColumns, [&](size_t begin, size_t end) {
    const size_t b = begin, w = end - begin;
    simd::run<firstSweep>(returns + b, rows, cols, w, rf, threshold, &a.n[b], &a.wealth[b], &a.sum[b], &a.sumRf[b], &a.down[b],
                          &a.growth[b], &a.peak[b], &a.worst[b], &a.gains[b], &a.losses[b]);
    for (size_t c = begin; c < end; c++) {
      mean[c] = a.sum[c] / a.n[c];
      meanRf[c] = a.sumRf[c] / a.n[c];
    }
    simd::run<secondSweep>(returns + b, rows, cols, w, rf, &mean[b], &meanRf[b], &a.sqRf[b], &a.m2[b], &a.m3[b], &a.m4[b]);
    for (size_t c = begin; c < end; c++) {  // columnStats() from the sums
      const double n = a.n[c];
      const double annualReturn = T < 1 ? NAN : std::expm1(std::log(a.wealth[c]) / years);
      const double annualVolatility = T < 2 || n < 2 ? NAN : std::sqrt(a.m2[c] / (n - 1)) * std::sqrt(ppy);  // nanStd(): NaN for n < 2
      const double excessMean = meanRf[c];
      const double sharpe = T < 2 ? NAN : (excessMean / std::sqrt(a.sqRf[c] / (n - 1))) * std::sqrt(ppy);
      const double downsideRisk = T < 1 ? NAN : std::sqrt(a.down[c] / n) * std::sqrt(ppy);
      const double sortino = T < 2 ? NAN : (excessMean * ppy) / downsideRisk;
      const double maxDrawdown = T < 1 ? NAN : 0 - a.worst[c];
      const double calmarRaw = maxDrawdown > 0 ? annualReturn / maxDrawdown : NAN;
      const double calmar = std::isfinite(calmarRaw) ? calmarRaw : NAN;
      const double m2 = a.m2[c] / n;
      const bool flat = !(m2 > kResolution * mean[c] * (kResolution * mean[c]));
      const double skewness = flat ? NAN : (a.m3[c] / n) / (m2 * std::sqrt(m2));
      const double excessKurtosis = flat ? NAN : (a.m4[c] / n) / (m2 * m2) - 3;
      o.annualReturn[c] = annualReturn;
      o.annualVolatility[c] = annualVolatility;
      o.sharpe[c] = sharpe;
      o.sortino[c] = sortino;
      o.downsideRisk[c] = downsideRisk;
      o.maxDrawdown[c] = maxDrawdown;
      o.calmar[c] = calmar;
      o.skewness[c] = skewness;
      o.excessKurtosis[c] = excessKurtosis;
      o.cumulativeReturn[c] = T < 1 ? NAN : a.wealth[c] - 1;
      o.omega[c] = T < 2 || !(0 - a.losses[c] > 0) ? NAN : a.gains[c] / (0 - a.losses[c]);
    }
    std::vector<double> values(kBlock * rows), scratch;
    for (size_t from = begin; from < end; from += kBlock) {
      const size_t width = std::min(kBlock, end - from);
      size_t n[kBlock];
      if (gatherBlock(returns, rows, cols, from, width, values.data(), n)) {
        blockStability(values.data(), rows, scratch, &o.stability[from]);
      } else {
        for (size_t j = 0; j < width; j++) o.stability[from + j] = stabilityOf(values.data() + j * rows, n[j], scratch);
      }
      for (size_t j = 0; j < width; j++) o.tailRatio[from + j] = tailRatioOf(values.data() + j * rows, n[j], scratch);
    }
  });
  return Status{};
}

}  // namespace kernelbus::risk
