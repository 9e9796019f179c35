// See factor.hpp and factor_stages.hpp: factorReturns, date by date in its stages. Each function names
// its counterpart in src/backends/reference/factor/factor.ts.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <vector>

#include "factor.hpp"
#include "factor_rows.hpp"
#include "factor_solve.hpp"
#include "factor_stages.hpp"
#include "parallel.hpp"

namespace kernelbus::factor {

using detail::checkCaps;
using detail::checkReturns;
using detail::fault;
using detail::finite;
using detail::linearQuantile;
using detail::RankSelector;

namespace {

// True when every return is finite or NaN and every cap NaN or finite > 0 (not <= 0, not +inf):
// parts of the panel on the threads, each tested without a branch (a loop that vectorizes; a 64-bit
// flag, as the doubles). The scalar scans that stop at the first fault (checkReturns, checkCaps) were
// a serial 0.7 ms of factorReturns 252 x 3,000's 27 ms on one thread: they now only name a fault.
bool returnsAndCapsValid(const FactorInputs& in) {
  const double* r = in.returns;
  const double* cap = in.cap;
  std::atomic<bool> bad{false};
  parallelFor(in.rows * in.cols, size_t{1} << 16, [&](size_t begin, size_t end) {
    long long flag = 0;
    for (size_t i = begin; i < end; i++) flag |= (std::fabs(r[i]) == INFINITY) | (cap[i] <= 0) | (cap[i] == INFINITY);
    if (flag != 0) bad.store(true, std::memory_order_relaxed);
  });
  return !bad.load();
}

}  // namespace

Status checkFactorInputs(const FactorInputs& in) {
  const size_t N = in.cols;
  if (!returnsAndCapsValid(in)) {  // the first fault, as the reference finds it
    if (Status st = checkReturns(in.returns, in.rows * N, N); !st.ok()) return st;
    if (Status st = checkCaps(in.cap, in.rows * N, N); !st.ok()) return st;
  }
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
