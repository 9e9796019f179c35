// See factor.hpp: the panel scores (winsorize, standardize, momentum, size, value). Each function
// names its counterpart in src/backends/reference/factor/factor.ts.
#include <algorithm>
#include <cmath>
#include <vector>

#include "factor.hpp"
#include "factor_rows.hpp"
#include "parallel.hpp"
#include "random.hpp"
#include "simd.hpp"

namespace kernelbus::factor {
namespace {

using detail::checkCaps;
using detail::checkReturns;
using detail::finite;
using detail::linearQuantile;
using detail::RankSelector;

// rowValues(): the finite values of a row (a branch-free compaction: every value is written, the
// finite ones kept).
void rowValues(const double* row, size_t cols, std::vector<double>& out) {
  out.resize(cols);
  size_t k = 0;
  for (size_t c = 0; c < cols; c++) {
    out[k] = row[c];
    k += finite(row[c]) ? 1 : 0;
  }
  out.resize(k);
}

// winsorizeRow()
void winsorizeRow(const double* row, size_t cols, double lower, double upper, double* out, std::vector<double>& buf,
                  RankSelector& selector) {
  rowValues(row, cols, buf);
  double lo = NAN, hi = NAN;
  if (!buf.empty()) {
    lo = linearQuantile(buf.data(), buf.size(), lower, selector);
    hi = linearQuantile(buf.data(), buf.size(), upper, selector);
  }
  for (size_t c = 0; c < cols; c++) {
    const double v = row[c];
    out[c] = !finite(v) ? NAN : v < lo ? lo : v > hi ? hi : v;
  }
}

constexpr size_t kLanes = 8;  // LANES

// combine()
inline double combine(const double* s) { return s[0] + s[1] + (s[2] + s[3]) + (s[4] + s[5] + (s[6] + s[7])); }

// standardizeRow(): the lanes are one vector of partial sums, so each pass vectorizes.
KERNELBUS_VECTOR_BODY
void standardizeRow(const double* __restrict row, size_t cols, double* __restrict out) {
  double sums[kLanes] = {}, counts[kLanes] = {}, squares[kLanes] = {};
  size_t c = 0;
  for (; c + kLanes <= cols; c += kLanes) {
    for (size_t l = 0; l < kLanes; l++) {
      const double v = row[c + l];
      const bool ok = v - v == 0;
      sums[l] += ok ? v : 0;
      counts[l] += ok ? 1 : 0;
    }
  }
  for (size_t l = 0; c + l < cols; l++) {
    const double v = row[c + l];
    const bool ok = v - v == 0;
    sums[l] += ok ? v : 0;
    counts[l] += ok ? 1 : 0;
  }
  const double n = combine(counts);
  const double mean = combine(sums) / n;
  for (c = 0; c + kLanes <= cols; c += kLanes) {
    for (size_t l = 0; l < kLanes; l++) {
      const double v = row[c + l];
      squares[l] += v - v == 0 ? (v - mean) * (v - mean) : 0;
    }
  }
  for (size_t l = 0; c + l < cols; l++) {
    const double v = row[c + l];
    squares[l] += v - v == 0 ? (v - mean) * (v - mean) : 0;
  }
  const double sd = std::sqrt(combine(squares) / (n - 1));
  for (c = 0; c < cols; c++) out[c] = row[c] - row[c] == 0 ? (row[c] - mean) / sd : NAN;
}

// The weighted products of one date's window, across assets (each asset's product in k order).
KERNELBUS_VECTOR_BODY
void windowProducts(const double* first, size_t cols, const double* weights, size_t window, double* __restrict acc) {
  for (size_t c = 0; c < cols; c++) acc[c] = 1;
  for (size_t k = 0; k < window; k++) {
    const double* __restrict row = first + k * cols;
    const double wk = weights[k];
    for (size_t c = 0; c < cols; c++) acc[c] *= 1 + wk * row[c];
  }
  for (size_t c = 0; c < cols; c++) acc[c] = acc[c] - 1;
}

// random::logOf() of n values (sign: +1 or -1 applied after), branch-free so that the loop vectorizes.
KERNELBUS_VECTOR_BODY
void logOfMany(const double* __restrict x, size_t n, double sign, double* __restrict out) {
  for (size_t i = 0; i < n; i++) {
    const double v = x[i];
    const bool subnormal = v < 2.2250738585072014e-308;
    const double l = random::logPositive(subnormal ? v * 18014398509481984.0 : v) - (subnormal ? 54 * 0.6931471805599453 : 0.0);
    out[i] = sign * (!(v > 0) ? NAN : v == INFINITY ? INFINITY : l);
  }
}

// size()'s band: values strictly between lo and hi become 0 (branch-free: about half of them do, at random).
KERNELBUS_VECTOR_BODY
void zeroBand(double* row, size_t cols, double lo, double hi) {
  for (size_t c = 0; c < cols; c++) row[c] = ((row[c] > lo) & (row[c] < hi)) ? 0 : row[c];
}

// nearestQuantile(): index round-half-up(q (n - 1)).
size_t nearestRank(size_t n, double q) { return static_cast<size_t>(std::floor(q * static_cast<double>(n - 1) + 0.5)); }

// Rows a thread takes at the least in the per-date loops: about 2^15 values.
size_t minRows(size_t cols) { return std::max<size_t>(1, 32768 / (cols + 1)); }

}  // namespace

/// Each row clipped to its linear lower/upper percentiles (non-finite -> NaN) into out[rows * cols].
Status winsorize(const double* x, size_t rows, size_t cols, double lower, double upper, double* out) {
  parallelFor(rows, minRows(cols), [&](size_t begin, size_t end) {
    std::vector<double> buf;
    RankSelector selector;
    for (size_t t = begin; t < end; t++) winsorizeRow(x + t * cols, cols, lower, upper, out + t * cols, buf, selector);
  });
  return Status{};
}

/// Each row minus its mean over its sd (ddof 1), non-finite -> NaN, into out[rows * cols].
Status standardize(const double* x, size_t rows, size_t cols, double* out) {
  parallelFor(rows, minRows(cols), [&](size_t begin, size_t end) {
    for (size_t t = begin; t < end; t++) simd::run<standardizeRow>(x + t * cols, cols, out + t * cols);
  });
  return Status{};
}

Status momentum(const double* returns, size_t rows, size_t cols, const double* weights, size_t window, size_t lag, double p, double* out) {
  if (Status s = checkReturns(returns, rows * cols, cols); !s.ok()) return s;
  std::vector<double> raw(rows * cols, NAN);
  const size_t first = lag + window - 1;
  if (rows > first) {
    parallelFor(rows - first, std::max<size_t>(1, 65536 / (window * cols + 1)), [&](size_t begin, size_t end) {
      for (size_t t = first + begin; t < first + end; t++)
        simd::run<windowProducts>(returns + (t - first) * cols, cols, weights, window, raw.data() + t * cols);
    });
  }
  std::vector<double> clipped(rows * cols);
  winsorize(raw.data(), rows, cols, p, 1 - p, clipped.data());
  standardize(clipped.data(), rows, cols, out);
  return Status{};
}

/// Size scores (caps NaN or finite > 0) into out[rows * cols].
Status size(const double* cap, size_t rows, size_t cols, double lower, double upper, double* out) {
  if (Status s = checkCaps(cap, rows * cols, cols); !s.ok()) return s;
  // one row at a time (the temporaries stay in cache), rows shared out between the threads
  parallelFor(rows, minRows(cols), [&](size_t begin, size_t end) {
    std::vector<double> logs(cols), buf;
    RankSelector selector;
    for (size_t t = begin; t < end; t++) {
      double* row = out + t * cols;
      simd::run<logOfMany>(cap + t * cols, cols, -1, logs.data());
      simd::run<standardizeRow>(logs.data(), cols, row);
      rowValues(row, cols, buf);
      if (buf.empty()) continue;
      const size_t ranks[2] = {nearestRank(buf.size(), lower), nearestRank(buf.size(), upper)};
      double band[2];
      selector.select(buf.data(), buf.size(), ranks, 2, band);
      simd::run<zeroBand>(row, cols, band[0], band[1]);
    }
  });
  return Status{};
}

/// Value scores (winsorize < 0: off) into out[rows * cols].
Status value(const double* book, const double* sales, const double* cashFlow, size_t rows, size_t cols, double p, double* out) {
  // one row at a time (every step is per date; the temporaries stay in cache), rows shared out
  parallelFor(rows, minRows(cols), [&](size_t begin, size_t end) {
    std::vector<double> parts(3 * cols), work(cols), logs(cols), buf;
    RankSelector selector;
    const double* inputs[3] = {book, sales, cashFlow};
    for (size_t t = begin; t < end; t++) {
      for (int k = 0; k < 3; k++) {
        const double* x = inputs[k] + t * cols;
        if (p >= 0) {
          winsorizeRow(x, cols, p, 1 - p, work.data(), buf, selector);
        } else {
          std::copy(x, x + cols, work.begin());
        }
        if (k < 2) simd::run<logOfMany>(work.data(), cols, 1, logs.data());
        simd::run<standardizeRow>(k < 2 ? logs.data() : work.data(), cols, parts.data() + k * cols);
      }
      for (size_t c = 0; c < cols; c++) {
        double sum = 0, count = 0;
        for (int k = 0; k < 3; k++) {
          const double v = parts[k * cols + c];
          if (finite(v)) {
            sum += v;
            count++;
          }
        }
        work[c] = count > 0 ? sum / count : NAN;
      }
      simd::run<standardizeRow>(work.data(), cols, out + t * cols);
    }
  });
  return Status{};
}

}  // namespace kernelbus::factor
