// See factor.hpp. Each function names its counterpart in src/backends/reference/factor.ts.
#include "factor.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "factor_solve.hpp"
#include "random.hpp"
#include "simd.hpp"

namespace kernelbus::factor {
namespace {

inline bool finite(double v) { return v - v == 0; }

Status fault(Fault f, size_t index, double value, size_t cols) {
  return Status{f, static_cast<double>(index), value, static_cast<double>(cols)};
}

// linearQuantile() of the values in buf (any order; reordered): the two order statistics by selection.
double linearQuantile(std::vector<double>& buf, double p) {
  const size_t n = buf.size();
  const double h = static_cast<double>(n) * p + (1 - p) - 1;
  const double fl = std::floor(h);
  const size_t lo = static_cast<size_t>(std::min(std::max(fl, 0.0), static_cast<double>(n - 1)));
  const size_t hi = std::min(lo + 1, n - 1);
  const double t = h - fl;
  std::nth_element(buf.begin(), buf.begin() + lo, buf.end());
  const double a = buf[lo];
  const double b = hi == lo ? a : *std::min_element(buf.begin() + lo + 1, buf.end());
  const double diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

// rowValues(): the finite values of a row.
void rowValues(const double* row, size_t cols, std::vector<double>& out) {
  out.clear();
  for (size_t c = 0; c < cols; c++)
    if (finite(row[c])) out.push_back(row[c]);
}

// winsorizeRow()
void winsorizeRow(const double* row, size_t cols, double lower, double upper, double* out, std::vector<double>& buf) {
  rowValues(row, cols, buf);
  double lo = NAN, hi = NAN;
  if (!buf.empty()) {
    lo = linearQuantile(buf, lower);
    hi = linearQuantile(buf, upper);
  }
  for (size_t c = 0; c < cols; c++) {
    const double v = row[c];
    out[c] = !finite(v) ? NAN : v < lo ? lo : v > hi ? hi : v;
  }
}

// standardizeRow()
void standardizeRow(const double* row, size_t cols, double* out) {
  double sum = 0, n = 0;
  for (size_t c = 0; c < cols; c++) {
    if (finite(row[c])) {
      sum += row[c];
      n++;
    }
  }
  const double mean = sum / n;
  double squares = 0;
  for (size_t c = 0; c < cols; c++)
    if (finite(row[c])) squares += (row[c] - mean) * (row[c] - mean);
  const double sd = std::sqrt(squares / (n - 1));
  for (size_t c = 0; c < cols; c++) out[c] = finite(row[c]) ? (row[c] - mean) / sd : NAN;
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

// nearestQuantile() by selection.
double nearestQuantile(std::vector<double>& buf, double q) {
  const size_t k = static_cast<size_t>(std::floor(q * static_cast<double>(buf.size() - 1) + 0.5));
  std::nth_element(buf.begin(), buf.begin() + k, buf.end());
  return buf[k];
}

}  // namespace

void winsorize(const double* x, size_t rows, size_t cols, double lower, double upper, double* out) {
  std::vector<double> buf;
  for (size_t t = 0; t < rows; t++) winsorizeRow(x + t * cols, cols, lower, upper, out + t * cols, buf);
}

void standardize(const double* x, size_t rows, size_t cols, double* out) {
  for (size_t t = 0; t < rows; t++) standardizeRow(x + t * cols, cols, out + t * cols);
}

Status momentum(const double* returns, size_t rows, size_t cols, const double* weights, size_t window, size_t lag,
                double p, double* out) {
  if (Status s = checkReturns(returns, rows * cols, cols); !s.ok()) return s;
  std::vector<double> raw(rows * cols, NAN);
  for (size_t t = lag + window - 1; t < rows; t++) windowProducts(returns + (t - lag - window + 1) * cols, cols, weights, window, raw.data() + t * cols);
  std::vector<double> clipped(rows * cols);
  winsorize(raw.data(), rows, cols, p, 1 - p, clipped.data());
  standardize(clipped.data(), rows, cols, out);
  return Status{};
}

Status size(const double* cap, size_t rows, size_t cols, double lower, double upper, double* out) {
  if (Status s = checkCaps(cap, rows * cols, cols); !s.ok()) return s;
  std::vector<double> logs(rows * cols);
  for (size_t i = 0; i < rows * cols; i++) logs[i] = -random::logOf(cap[i]);
  standardize(logs.data(), rows, cols, out);
  std::vector<double> buf;
  for (size_t t = 0; t < rows; t++) {
    double* row = out + t * cols;
    rowValues(row, cols, buf);
    if (buf.empty()) continue;
    const double lo = nearestQuantile(buf, lower);
    const double hi = nearestQuantile(buf, upper);
    for (size_t c = 0; c < cols; c++)
      if (row[c] > lo && row[c] < hi) row[c] = 0;
  }
  return Status{};
}

void value(const double* book, const double* sales, const double* cashFlow, size_t rows, size_t cols, double p, double* out) {
  const size_t n = rows * cols;
  std::vector<double> parts(3 * n), work(n);
  const double* inputs[3] = {book, sales, cashFlow};
  for (int k = 0; k < 3; k++) {
    const double* x = inputs[k];
    if (p >= 0) {
      winsorize(x, rows, cols, p, 1 - p, work.data());
    } else {
      std::copy(x, x + n, work.begin());
    }
    if (k < 2)
      for (size_t i = 0; i < n; i++) work[i] = random::logOf(work[i]);
    standardize(work.data(), rows, cols, parts.data() + k * n);
  }
  for (size_t i = 0; i < n; i++) {
    double sum = 0, count = 0;
    for (int k = 0; k < 3; k++) {
      const double v = parts[k * n + i];
      if (finite(v)) {
        sum += v;
        count++;
      }
    }
    work[i] = count > 0 ? sum / count : NAN;
  }
  standardize(work.data(), rows, cols, out);
}

Status factorReturns(const double* returns, const double* cap, size_t rows, size_t cols, const double* sectors, bool perDate,
                     size_t m, const double* const* styles, size_t s, double p, bool residualize, double* out) {
  const size_t N = cols, K = 1 + m + s;
  if (Status st = checkReturns(returns, rows * N, N); !st.ok()) return st;
  if (Status st = checkCaps(cap, rows * N, N); !st.ok()) return st;
  const size_t codes = perDate ? rows * N : N;
  for (size_t i = 0; i < codes; i++) {
    const double v = sectors[i];
    if (perDate && v != v) continue;
    if (!(v >= 0 && v < static_cast<double>(m) && std::floor(v) == v)) return fault(Fault::SectorOutOfRange, i, v, perDate ? N : 1);
  }
  std::fill(out, out + rows * K + rows * N, NAN);
  double* resid = out + rows * K;
  std::vector<size_t> use;
  std::vector<double> r, w, buf, sw(m), swr(m), A1(m * m), c1(m), g(m), fitted(m), b(m), e, A2(s * s), c2(s), f(s), scratch;
  std::vector<int> code;
  auto sectorRow = [&](size_t j) {
    b[0] = 1;
    for (size_t q = 1; q < m; q++) b[q] = j == m - 1 ? -1 : j == q - 1 ? 1 : 0;
  };
  for (size_t t = 0; t < rows; t++) {
    use.clear();
    for (size_t c = 0; c < N; c++) {
      const size_t i = t * N + c;
      bool ok = finite(returns[i]) && finite(cap[i]) && finite(sectors[perDate ? i : c]);
      for (size_t k = 0; k < s; k++) ok = ok && finite(styles[k][i]);
      if (ok) use.push_back(c);
    }
    const size_t n = use.size();
    if (n < K) continue;
    r.resize(n);
    w.resize(n);
    code.resize(n);
    for (size_t a = 0; a < n; a++) {
      const size_t i = t * N + use[a];
      r[a] = returns[i];
      w[a] = std::sqrt(cap[i]);
      code[a] = static_cast<int>(sectors[perDate ? i : use[a]]);
    }
    if (p >= 0) {
      buf.assign(r.begin(), r.end());
      const double lo = linearQuantile(buf, p);
      const double hi = linearQuantile(buf, 1 - p);
      for (size_t a = 0; a < n; a++) r[a] = r[a] < lo ? lo : r[a] > hi ? hi : r[a];
    }
    std::fill(sw.begin(), sw.end(), 0.0);
    std::fill(swr.begin(), swr.end(), 0.0);
    for (size_t a = 0; a < n; a++) {
      sw[code[a]] += w[a];
      swr[code[a]] += w[a] * r[a];
    }
    std::fill(A1.begin(), A1.end(), 0.0);
    std::fill(c1.begin(), c1.end(), 0.0);
    for (size_t j = 0; j < m; j++) {
      sectorRow(j);
      for (size_t x = 0; x < m; x++) {
        c1[x] += swr[j] * b[x];
        for (size_t y = 0; y < m; y++) A1[x * m + y] += sw[j] * (b[x] * b[y]);
      }
    }
    pinvSolve(A1.data(), m, c1.data(), g.data(), scratch);
    for (size_t j = 0; j < m; j++) {
      sectorRow(j);
      double fit = 0;
      for (size_t x = 0; x < m; x++) fit += b[x] * g[x];
      fitted[j] = fit;
    }
    e.resize(n);
    for (size_t a = 0; a < n; a++) e[a] = r[a] - fitted[code[a]];
    double* fr = out + t * K;
    fr[0] = g[0];
    double others = 0;
    for (size_t j = 0; j + 1 < m; j++) {
      fr[1 + j] = g[1 + j];
      others += g[1 + j];
    }
    fr[m] = 0 - others;
    const std::vector<double>& yv = residualize ? e : r;
    std::fill(A2.begin(), A2.end(), 0.0);
    std::fill(c2.begin(), c2.end(), 0.0);
    for (size_t a = 0; a < n; a++) {
      const size_t i = t * N + use[a];
      for (size_t x = 0; x < s; x++) {
        const double wx = w[a] * styles[x][i];
        c2[x] += wx * yv[a];
        for (size_t z = 0; z < s; z++) A2[x * s + z] += wx * styles[z][i];
      }
    }
    pinvSolve(A2.data(), s, c2.data(), f.data(), scratch);
    for (size_t k = 0; k < s; k++) fr[1 + m + k] = f[k];
    for (size_t a = 0; a < n; a++) {
      const size_t i = t * N + use[a];
      double fit = 0;
      for (size_t k = 0; k < s; k++) fit += styles[k][i] * f[k];
      resid[i] = e[a] - fit;
    }
  }
  return Status{};
}

}  // namespace kernelbus::factor
