// See factor.hpp. Each function names its counterpart in src/backends/reference/factor.ts.
#include "factor.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "factor_solve.hpp"
#include "factor_stages.hpp"
#include "parallel.hpp"
#include "random.hpp"
#include "simd.hpp"

namespace kernelbus::factor {
namespace {

inline bool finite(double v) { return v - v == 0; }

Status fault(Fault f, size_t index, double value, size_t cols) {
  return Status{f, static_cast<double>(index), value, static_cast<double>(cols)};
}

// Order statistics of n finite values (the values they would have at `ranks`, ascending, once sorted)
// without sorting: bucket by value between the min and the max (floor((v - min) * scale) never
// decreases with v, so buckets hold consecutive ranks), count, then select within the few buckets the
// ranks fall in. About three passes over the values; falls back to std::nth_element when the
// spread overflows.
class RankSelector {
 public:
  void select(const double* v, size_t n, const size_t* ranks, size_t count, double* out) {
    double lo = v[0], hi = v[0];
    for (size_t i = 1; i < n; i++) {
      lo = v[i] < lo ? v[i] : lo;
      hi = v[i] > hi ? v[i] : hi;
    }
    const double scale = static_cast<double>(kBuckets) / (hi - lo);
    if (!(hi > lo) || !std::isfinite(scale) || !std::isfinite(hi - lo) || count > kMaxRanks) {
      slow_.assign(v, v + n);
      for (size_t j = 0; j < count; j++) {
        std::nth_element(slow_.begin(), slow_.begin() + ranks[j], slow_.end());
        out[j] = slow_[ranks[j]];
      }
      return;
    }
    index_.resize(n);
    bucketAll(v, n, lo, scale, index_.data());
    std::fill(counts_, counts_ + kBuckets + 1, 0u);
    for (size_t i = 0; i < n; i++) counts_[index_[i] + 1]++;
    for (size_t b = 0; b < kBuckets; b++) counts_[b + 1] += counts_[b];  // counts_[b]: values in buckets < b
    uint32_t target[kMaxRanks] = {};
    for (size_t j = 0; j < count; j++) {
      uint32_t b = 0;
      while (counts_[b + 1] <= ranks[j]) b++;
      target[j] = b;
      picked_[j].clear();
    }
    for (size_t j = 0; j < count; j++) {
      if (j > 0 && target[j] == target[j - 1]) continue;  // the same bucket: the same list
      std::vector<double>& in = picked_[j];
      in.resize(n);
      size_t kept = 0;
      for (size_t i = 0; i < n; i++) {  // branch-free compaction of the bucket's values
        in[kept] = v[i];
        kept += index_[i] == target[j] ? 1 : 0;
      }
      in.resize(kept);
    }
    for (size_t j = 0; j < count; j++) {
      size_t owner = j;
      while (owner > 0 && target[owner - 1] == target[j]) owner--;
      std::vector<double>& in = picked_[owner];
      const size_t k = ranks[j] - counts_[target[j]];
      std::nth_element(in.begin(), in.begin() + k, in.end());
      out[j] = in[k];
    }
  }

 private:
  static constexpr size_t kBuckets = 1024, kMaxRanks = 4;
  // floor((v - lo) * scale), at most kBuckets - 1, for every value (vectorizes)
  KERNELBUS_VECTOR_CLONES
  static void bucketAll(const double* __restrict v, size_t n, double lo, double scale, uint32_t* __restrict index) {
    for (size_t i = 0; i < n; i++) {
      const double x = (v[i] - lo) * scale;
      index[i] =
          x >= static_cast<double>(kBuckets - 1) ? static_cast<uint32_t>(kBuckets - 1) : static_cast<uint32_t>(static_cast<int32_t>(x));
    }
  }
  uint32_t counts_[kBuckets + 1];
  std::vector<uint32_t> index_;
  std::vector<double> slow_, picked_[kMaxRanks];
};

// linearQuantile() of n finite values: numpy's virtual index and lerp over two order statistics.
double linearQuantile(const double* v, size_t n, double p, RankSelector& selector) {
  const double h = static_cast<double>(n) * p + (1 - p) - 1;
  const double fl = std::floor(h);
  const size_t lo = static_cast<size_t>(std::min(std::max(fl, 0.0), static_cast<double>(n - 1)));
  const size_t both[2] = {lo, std::min(lo + 1, n - 1)};
  double ab[2];
  selector.select(v, n, both, 2, ab);
  const double t = h - fl;
  const double a = ab[0], b = ab[1];
  const double diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

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
KERNELBUS_VECTOR_CLONES
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

Status checkReturns(const double* returns, size_t n, size_t cols) {
  for (size_t i = 0; i < n; i++)
    if (std::fabs(returns[i]) == INFINITY) return fault(Fault::ReturnNotFinite, i, returns[i], cols);
  return Status{};
}

Status checkCaps(const double* cap, size_t n, size_t cols) {
  for (size_t i = 0; i < n; i++) {
    const double v = cap[i];
    if (!(v > 0 && v < INFINITY) && v == v) return fault(Fault::MarketCapNotPositive, i, v, cols);
  }
  return Status{};
}

// The weighted products of one date's window, across assets (each asset's product in k order).
KERNELBUS_VECTOR_CLONES
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
KERNELBUS_VECTOR_CLONES
void logOfMany(const double* __restrict x, size_t n, double sign, double* __restrict out) {
  for (size_t i = 0; i < n; i++) {
    const double v = x[i];
    const bool subnormal = v < 2.2250738585072014e-308;
    const double l = random::logPositive(subnormal ? v * 18014398509481984.0 : v) - (subnormal ? 54 * 0.6931471805599453 : 0.0);
    out[i] = sign * (!(v > 0) ? NAN : v == INFINITY ? INFINITY : l);
  }
}

// size()'s band: values strictly between lo and hi become 0 (branch-free: about half of them do, at random).
KERNELBUS_VECTOR_CLONES
void zeroBand(double* row, size_t cols, double lo, double hi) {
  for (size_t c = 0; c < cols; c++) row[c] = ((row[c] > lo) & (row[c] < hi)) ? 0 : row[c];
}

// nearestQuantile(): index round-half-up(q (n - 1)).
size_t nearestRank(size_t n, double q) { return static_cast<size_t>(std::floor(q * static_cast<double>(n - 1) + 0.5)); }

}  // namespace

// Rows a thread takes at the least in the per-date loops: about 2^15 values.
size_t minRows(size_t cols) { return std::max<size_t>(1, 32768 / (cols + 1)); }

void winsorize(const double* x, size_t rows, size_t cols, double lower, double upper, double* out) {
  parallelFor(rows, minRows(cols), [&](size_t begin, size_t end) {
    std::vector<double> buf;
    RankSelector selector;
    for (size_t t = begin; t < end; t++) winsorizeRow(x + t * cols, cols, lower, upper, out + t * cols, buf, selector);
  });
}

void standardize(const double* x, size_t rows, size_t cols, double* out) {
  parallelFor(rows, minRows(cols), [&](size_t begin, size_t end) {
    for (size_t t = begin; t < end; t++) standardizeRow(x + t * cols, cols, out + t * cols);
  });
}

Status momentum(const double* returns, size_t rows, size_t cols, const double* weights, size_t window, size_t lag, double p, double* out) {
  if (Status s = checkReturns(returns, rows * cols, cols); !s.ok()) return s;
  std::vector<double> raw(rows * cols, NAN);
  const size_t first = lag + window - 1;
  if (rows > first) {
    parallelFor(rows - first, std::max<size_t>(1, 65536 / (window * cols + 1)), [&](size_t begin, size_t end) {
      for (size_t t = first + begin; t < first + end; t++)
        windowProducts(returns + (t - first) * cols, cols, weights, window, raw.data() + t * cols);
    });
  }
  std::vector<double> clipped(rows * cols);
  winsorize(raw.data(), rows, cols, p, 1 - p, clipped.data());
  standardize(clipped.data(), rows, cols, out);
  return Status{};
}

Status size(const double* cap, size_t rows, size_t cols, double lower, double upper, double* out) {
  if (Status s = checkCaps(cap, rows * cols, cols); !s.ok()) return s;
  // one row at a time (the temporaries stay in cache), rows shared out between the threads
  parallelFor(rows, minRows(cols), [&](size_t begin, size_t end) {
    std::vector<double> logs(cols), buf;
    RankSelector selector;
    for (size_t t = begin; t < end; t++) {
      double* row = out + t * cols;
      logOfMany(cap + t * cols, cols, -1, logs.data());
      standardizeRow(logs.data(), cols, row);
      rowValues(row, cols, buf);
      if (buf.empty()) continue;
      const size_t ranks[2] = {nearestRank(buf.size(), lower), nearestRank(buf.size(), upper)};
      double band[2];
      selector.select(buf.data(), buf.size(), ranks, 2, band);
      zeroBand(row, cols, band[0], band[1]);
    }
  });
  return Status{};
}

void value(const double* book, const double* sales, const double* cashFlow, size_t rows, size_t cols, double p, double* out) {
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
        if (k < 2) logOfMany(work.data(), cols, 1, logs.data());
        standardizeRow(k < 2 ? logs.data() : work.data(), cols, parts.data() + k * cols);
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
      standardizeRow(work.data(), cols, out + t * cols);
    }
  });
}

Status checkFactorInputs(const FactorInputs& in) {
  const size_t N = in.cols;
  if (Status st = checkReturns(in.returns, in.rows * N, N); !st.ok()) return st;
  if (Status st = checkCaps(in.cap, in.rows * N, N); !st.ok()) return st;
  const size_t codes = in.perDate ? in.rows * N : N;
  for (size_t i = 0; i < codes; i++) {
    const double v = in.sectors[i];
    if (in.perDate && v != v) continue;
    if (!(v >= 0 && v < static_cast<double>(in.m) && std::floor(v) == v)) return fault(Fault::SectorOutOfRange, i, v, in.perDate ? N : 1);
  }
  return Status{};
}

struct SectorStage::Scratch {
  explicit Scratch(size_t m) : sw(m), swr(m), A1(m * m), c1(m), g(m), fitted(m), b(m) {}
  RankSelector selector;
  std::vector<double> sw, swr, A1, c1, g, fitted, b, v;
  std::vector<int> code;
};

SectorStage::SectorStage(size_t m) : scratch_(std::make_unique<Scratch>(m)) {}
SectorStage::~SectorStage() = default;

bool SectorStage::run(const FactorInputs& in, size_t t, FactorDate& d, double* fr) {
  const size_t N = in.cols, m = in.m, s = in.s;
  Scratch& x = *scratch_;
  std::vector<double>& b = x.b;
  auto sectorRow = [&](size_t j) {
    b[0] = 1;
    for (size_t q = 1; q < m; q++) b[q] = j == m - 1 ? -1 : j == q - 1 ? 1 : 0;
  };
  d.use.clear();
  for (size_t c = 0; c < N; c++) {
    const size_t i = t * N + c;
    bool ok = finite(in.returns[i]) && finite(in.cap[i]) && finite(in.sectors[in.perDate ? i : c]);
    for (size_t k = 0; k < s; k++) ok = ok && finite(in.styles[k][i]);
    if (ok) d.use.push_back(c);
  }
  const size_t n = d.use.size();
  if (n < in.factors()) return false;
  d.r.resize(n);
  d.w.resize(n);
  x.code.resize(n);
  for (size_t a = 0; a < n; a++) {
    const size_t i = t * N + d.use[a];
    d.r[a] = in.returns[i];
    d.w[a] = std::sqrt(in.cap[i]);
    x.code[a] = static_cast<int>(in.sectors[in.perDate ? i : d.use[a]]);
  }
  const double p = in.winsorize;
  if (p >= 0) {
    const double lo = linearQuantile(d.r.data(), n, p, x.selector);
    const double hi = linearQuantile(d.r.data(), n, 1 - p, x.selector);
    for (size_t a = 0; a < n; a++) d.r[a] = d.r[a] < lo ? lo : d.r[a] > hi ? hi : d.r[a];
  }
  std::fill(x.sw.begin(), x.sw.end(), 0.0);
  std::fill(x.swr.begin(), x.swr.end(), 0.0);
  for (size_t a = 0; a < n; a++) {
    x.sw[x.code[a]] += d.w[a];
    x.swr[x.code[a]] += d.w[a] * d.r[a];
  }
  std::fill(x.A1.begin(), x.A1.end(), 0.0);
  std::fill(x.c1.begin(), x.c1.end(), 0.0);
  for (size_t j = 0; j < m; j++) {
    sectorRow(j);
    for (size_t q = 0; q < m; q++) {
      x.c1[q] += x.swr[j] * b[q];
      for (size_t y = 0; y < m; y++) x.A1[q * m + y] += x.sw[j] * (b[q] * b[y]);
    }
  }
  pinvSolve(x.A1.data(), m, x.c1.data(), x.g.data(), x.v);
  for (size_t j = 0; j < m; j++) {
    sectorRow(j);
    double fit = 0;
    for (size_t q = 0; q < m; q++) fit += b[q] * x.g[q];
    x.fitted[j] = fit;
  }
  d.e.resize(n);
  for (size_t a = 0; a < n; a++) d.e[a] = d.r[a] - x.fitted[x.code[a]];
  fr[0] = x.g[0];
  double others = 0;
  for (size_t j = 0; j + 1 < m; j++) {
    fr[1 + j] = x.g[1 + j];
    others += x.g[1 + j];
  }
  fr[m] = 0 - others;
  return true;
}

void styleGram(const FactorInputs& in, size_t t, const FactorDate& d, double* A, double* c) {
  const size_t s = in.s, N = in.cols;
  const std::vector<double>& yv = d.y(in.residualize);
  std::fill(A, A + s * s, 0.0);
  std::fill(c, c + s, 0.0);
  for (size_t a = 0; a < d.use.size(); a++) {
    const size_t i = t * N + d.use[a];
    for (size_t x = 0; x < s; x++) {
      const double wx = d.w[a] * in.styles[x][i];
      c[x] += wx * yv[a];
      for (size_t z = 0; z < s; z++) A[x * s + z] += wx * in.styles[z][i];
    }
  }
}

void styleStage(const FactorInputs& in, size_t t, const FactorDate& d, double* A, const double* c, double* fr, double* resid,
                StyleScratch& scratch) {
  const size_t s = in.s;
  scratch.f.resize(s);
  double* fs = scratch.f.data();
  pinvSolve(A, s, c, fs, scratch.v);
  styleResiduals(in, t, d, fs, fr, resid);
}

void styleResiduals(const FactorInputs& in, size_t t, const FactorDate& d, const double* f, double* fr, double* resid) {
  const size_t s = in.s, N = in.cols, m = in.m;
  for (size_t k = 0; k < s; k++) fr[1 + m + k] = f[k];
  for (size_t a = 0; a < d.use.size(); a++) {
    const size_t i = t * N + d.use[a];
    double fit = 0;
    for (size_t k = 0; k < s; k++) fit += in.styles[k][i] * f[k];
    resid[i] = d.e[a] - fit;
  }
}

Status factorReturns(const double* returns, const double* cap, size_t rows, size_t cols, const double* sectors, bool perDate, size_t m,
                     const double* const* styles, size_t s, double p, bool residualize, double* out) {
  const FactorInputs in{returns, cap, rows, cols, sectors, perDate, m, styles, s, p, residualize};
  struct Scratch {
    std::vector<double> A, c;  // the date's normal equations
    StyleScratch style;
  };
  return runDates<Scratch>(in, out, [&](size_t t, const FactorDate& date, double* fr, double* resid, Scratch& scratch) {
    scratch.A.resize(s * s);
    scratch.c.resize(s);
    styleGram(in, t, date, scratch.A.data(), scratch.c.data());
    styleStage(in, t, date, scratch.A.data(), scratch.c.data(), fr, resid, scratch.style);
  });
}

}  // namespace kernelbus::factor
