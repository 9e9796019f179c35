// The mean-variance optimizers (portfolio.hpp): each problem written in the solver's form
// (portfolio_qp.hpp) and its optimum read back, as src/backends/reference/portfolio/portfolio.ts does, the
// blocks of a batch shared between threads.
#include <algorithm>
#include <cmath>
#include <vector>

#include "parallel.hpp"
#include "portfolio.hpp"
#include "portfolio_psd.hpp"
#include "portfolio_qp.hpp"
#include "portfolio_rows.hpp"
#include "simd.hpp"

#if KERNELBUS_SIMD_DISPATCH
#include <immintrin.h>
#endif

namespace kernelbus::portfolio {
namespace {

Status fault(Fault f, double index, double value, double previous) { return Status{f, index, value, previous}; }

// Whether the n x n S is finite and symmetric with a diagonal >= 0: one branch-free pass over the
// lower triangle, row by row, each entry against its mirror (a finite entry equal to its mirror makes
// the mirror finite too); 4-7x faster than the row-major scan with its branches, which finds the fault.
// `largest` gets max |S_ij| of a valid S (the lower triangle's: its mirror's by symmetry), the QP's scale.
bool covValid(const double* S, size_t n, double& largest) {
  bool bad = false;
  double big = 0;
  for (size_t i = 0; i < n; i++) {
    const double* row = S + i * n;
    for (size_t j = 0; j <= i; j++) {
      const double v = row[j];
      bad |= !(v - v == 0) | !(v == S[j * n + i]);
      big = std::max(big, std::fabs(v));
    }
    bad |= !(row[i] >= 0);
  }
  largest = big;
  return !bad;
}

#if KERNELBUS_SIMD_DISPATCH
/// Lanes where row differs from mirror (or either is NaN) or row is not finite.
KERNELBUS_TARGET_AVX2 inline __m256d mismatch(__m256d row, __m256d mirror, __m256d zero) {
  return _mm256_or_pd(_mm256_cmp_pd(row, mirror, _CMP_NEQ_UQ), _mm256_cmp_pd(_mm256_sub_pd(row, row), zero, _CMP_NEQ_UQ));
}
// covValid by 4 x 4 blocks of the lower triangle, each against its mirror block transposed in
// registers (8 loads for 16 pairs, where the scan above loads twice per pair): about 3x faster.
KERNELBUS_TARGET_AVX2 bool covValidAvx2(const double* S, size_t n, double& largest) {
  const size_t n4 = n & ~size_t{3};
  const __m256d zero = _mm256_setzero_pd();
  const __m256d sign = _mm256_set1_pd(-0.0);
  __m256d bad = zero, big = zero;
  for (size_t ib = 0; ib < n4; ib += 4) {
    for (size_t jb = 0; jb <= ib; jb += 4) {
      const double* m = S + jb * n + ib;
      const __m256d m0 = _mm256_loadu_pd(m), m1 = _mm256_loadu_pd(m + n), m2 = _mm256_loadu_pd(m + 2 * n), m3 = _mm256_loadu_pd(m + 3 * n);
      const __m256d a = _mm256_unpacklo_pd(m0, m1), b = _mm256_unpackhi_pd(m0, m1);
      const __m256d c = _mm256_unpacklo_pd(m2, m3), d = _mm256_unpackhi_pd(m2, m3);
      const double* r = S + ib * n + jb;
      const __m256d r0 = _mm256_loadu_pd(r), r1 = _mm256_loadu_pd(r + n), r2 = _mm256_loadu_pd(r + 2 * n), r3 = _mm256_loadu_pd(r + 3 * n);
      bad = _mm256_or_pd(bad, mismatch(r0, _mm256_permute2f128_pd(a, c, 0x20), zero));
      bad = _mm256_or_pd(bad, mismatch(r1, _mm256_permute2f128_pd(b, d, 0x20), zero));
      bad = _mm256_or_pd(bad, mismatch(r2, _mm256_permute2f128_pd(a, c, 0x31), zero));
      bad = _mm256_or_pd(bad, mismatch(r3, _mm256_permute2f128_pd(b, d, 0x31), zero));
      big = _mm256_max_pd(big, _mm256_max_pd(_mm256_max_pd(_mm256_andnot_pd(sign, r0), _mm256_andnot_pd(sign, r1)),
                                             _mm256_max_pd(_mm256_andnot_pd(sign, r2), _mm256_andnot_pd(sign, r3))));
    }
  }
  bool scalarBad = _mm256_movemask_pd(bad) != 0;
  alignas(32) double lanes[4];
  _mm256_store_pd(lanes, big);
  double most = std::max(std::max(lanes[0], lanes[1]), std::max(lanes[2], lanes[3]));
  for (size_t i = n4; i < n; i++) {
    for (size_t j = 0; j <= i; j++) {
      const double v = S[i * n + j];
      scalarBad |= !(v - v == 0) | !(v == S[j * n + i]);
      most = std::max(most, std::fabs(v));
    }
  }
  for (size_t i = 0; i < n; i++) scalarBad |= !(S[i * n + i] >= 0);
  largest = most;
  return !scalarBad;
}
bool covOk(const double* S, size_t n, double& largest) {
  return simd::level() >= simd::Level::avx2 ? covValidAvx2(S, n, largest) : covValid(S, n, largest);
}
#else
bool covOk(const double* S, size_t n, double& largest) { return covValid(S, n, largest); }
#endif

}  // namespace

Status solveFault(const QpResult& r, size_t p, const double* tags) {
  const double at = static_cast<double>(p);
  switch (r.status) {
    case QpStatus::Infeasible:
      return fault(Fault::PortfolioInfeasible, at, r.value, tags[static_cast<size_t>(r.where)]);
    case QpStatus::NotPsd:
      return fault(Fault::PortfolioNotPsd, at, r.value, r.where);
    case QpStatus::Unbounded:
      return fault(Fault::PortfolioUnbounded, at, 0, r.where);
    default:
      return fault(Fault::PortfolioNotConverged, at, r.iterations, 0);
  }
}

double quadratic(const double* S, const double* w, size_t n) {
  // r = S w by rows (portfolio_rows.hpp: S symmetric), then w'r in order
  thread_local std::vector<double> r;
  r.assign(n, 0.0);
  addRows(r.data(), S, w, n);
  double s = 0;
  for (size_t i = 0; i < n; i++) s += w[i] * r[i];
  return s;
}

void scaledCov(double* H, const double* S, size_t n, double a, double b) {
  for (size_t i = 0; i < n; i++) {
    for (size_t j = 0; j < n; j++) H[i * n + j] = a * S[i * n + j];
    H[i * n + i] += b;
  }
}

Status forEachProblem(size_t n, size_t m, size_t problems, const std::function<Status(size_t, QpSolver&, bool)>& solveOne) {
  const size_t blocks = (problems + kBlock - 1) / kBlock;
  std::vector<Status> faults(blocks);
  // one block a chunk, handed out as threads come free: a batch's problems cost unevenly (rolling
  // windows: a run of hard ones), so contiguous halves left one thread idle while the other finished
  parallelForChunks(blocks, 1, [&](size_t b0, size_t b1) {
    QpSolver solver(n, m);
    for (size_t b = b0; b < b1; b++) {
      const size_t end = std::min(problems, (b + 1) * kBlock);
      for (size_t p = b * kBlock; p < end; p++) {
        const Status s = solveOne(p, solver, p % kBlock != 0);
        if (!s.ok()) {
          faults[b] = s;
          break;
        }
      }
    }
  });
  for (const Status& s : faults)
    if (!s.ok()) return s;
  return Status{};
}

Status checkCovAt(const double* cov, size_t p, size_t n, double* largest) {
  const size_t base = p * n * n;
  double big = 0;
  if (covOk(cov + base, n, big)) {
    if (largest) *largest = big;
    return Status{};
  }
  // the first fault in row-major order, as the reference finds it
  for (size_t i = 0; i < n; i++) {
    for (size_t j = 0; j < n; j++) {
      const double v = cov[base + i * n + j];
      if (!std::isfinite(v) || v != cov[base + j * n + i] || (i == j && v < 0)) {
        return fault(Fault::PortfolioCovInvalid, static_cast<double>(base + i * n + j), v, static_cast<double>(n));
      }
    }
  }
  return Status{};
}

namespace {

// The budget row's closed form (src/backends/reference/portfolio/portfolio.ts budgetOnly): with one
// equality row a'w = b (b != 0) and the bounds not binding, w = b H^-1 a / (a'H^-1 a), from the factor
// F of H / s that psdPivot leaves; y gets H^-1 a times s. False (the QP solves it) when a pivot is zero,
// a'H^-1 a is not > 0 or a weight falls outside its bounds (w partly written).
bool budgetOnly(const double* F, size_t n, const double* a, double b, const double* lower, const double* upper, double* y, double* w) {
  for (size_t j = 0; j < n; j++)
    if (!(F[j * n + j] > kPsdTolerance)) return false;
  for (size_t i = 0; i < n; i++) {
    double v = a[i];
    for (size_t k = 0; k < i; k++) v -= F[i * n + k] * y[k];
    y[i] = v / std::sqrt(F[i * n + i]);
  }
  for (size_t i = n; i-- > 0;) {
    double v = y[i];
    for (size_t k = i + 1; k < n; k++) v -= F[k * n + i] * y[k];
    y[i] = v / std::sqrt(F[i * n + i]);
  }
  double q = 0;
  for (size_t i = 0; i < n; i++) q += a[i] * y[i];
  if (!(q > 0 && q < INFINITY)) return false;
  const double f = b / q;
  for (size_t j = 0; j < n; j++) {
    const double x = f * y[j];
    if (!(x >= lower[j] && x <= upper[j])) return false;
    w[j] = x;
  }
  return true;
}

/// What minVariance does with each covariance (see prepareCov); H, F and the test's panel in `scratch`.
struct CovWork {
  size_t n;
  double l2Gamma;
  bool test, direct;
  double *H, *F;
};

/// The test of the n x n S into `scratch` (n * n + psdPanelLength(n)): PortfolioCovNotPsd at `at`
/// with its pivot and asset when it fails; the factor kept in it when `keepFactor` (psdPivot).
Status testInto(const double* S, size_t n, double at, double* scratch, bool keepFactor, PsdTeam* team = nullptr) {
  size_t asset = 0;
  double pivot = 0;
  if (!psdPivot(S, n, scratch, asset, pivot, keepFactor, team))
    return fault(Fault::PortfolioCovNotPsd, at, pivot, static_cast<double>(asset));
  return Status{};
}

/// The test of S (n x n) into w.F (the factor the closed form reads, kept where it is wanted).
Status testCov(const double* S, double at, const CovWork& w, PsdTeam* team = nullptr) { return testInto(S, w.n, at, w.F, w.direct, team); }

/// H = S + l2Gamma I for the QP: S itself when l2Gamma is 0 (no copy; `scale`, S's max |S_ij|, is
/// H's), else written into w.H (`scale` -1: the QP finds H's).
const double* qpMatrix(const double* S, const CovWork& w, double& scale) {
  if (w.l2Gamma == 0) return S;
  scale = -1;
  scaledCov(w.H, S, w.n, 1, w.l2Gamma);
  return w.H;
}

/// Covariance p of the stack, checked (checkCovAt), with the QP's H = S + l2Gamma I into `H`: the
/// covariance test of S first when asked (PortfolioCovNotPsd at `at` when it fails), then, when wanted,
/// H's factor into w.F for the budget row's closed form (the test's own when H = S); `factored`:
/// whether w.F holds it (one that fails, untested, is left for the QP to meet); `scale`: max |H_ij|
/// when H = S (the check's), else -1 (the QP finds it). As the reference's.
Status prepareCov(const double* cov, size_t p, double at, const CovWork& w, const double*& H, bool& factored, double& scale) {
  const size_t n = w.n;
  factored = false;
  if (Status s = checkCovAt(cov, p, n, &scale); !s.ok()) return s;
  const double* S = cov + p * n * n;
  if (w.test) {
    if (Status s = testCov(S, at, w); !s.ok()) return s;
  }
  H = qpMatrix(S, w, scale);
  if (!w.direct) return Status{};
  size_t asset = 0;
  double pivot = 0;
  factored = (w.test && w.l2Gamma == 0) || psdPivot(H, n, w.F, asset, pivot);
  return Status{};
}

/// A thread's CovWork over its own scratch (H, then F with the test's panel), `slot` 0 or 1 (the calling
/// thread's shared covariance and its problems' own).
CovWork covWork(size_t n, double l2Gamma, bool test, bool direct, int slot) {
  thread_local std::vector<double> scratch[2];
  std::vector<double>& s = scratch[slot];
  s.resize(2 * n * n + psdPanelLength(n));
  return CovWork{n, l2Gamma, test, direct, s.data(), s.data() + n * n};
}

}  // namespace

Status testCovariance(const double* S, size_t n, double at, std::vector<double>& scratch, PsdTeam* team) {
  scratch.resize(n * n + psdPanelLength(n));
  return testInto(S, n, at, scratch.data(), false, team);
}

Status sideBySide(const std::function<Status()>& first, const std::function<Status()>& second) {
  if (threadCount() < 2) {
    if (Status s = first(); !s.ok()) return s;
    return second();
  }
  Status a, b;
  parallelForChunks(2, 1, [&](size_t i0, size_t i1) {
    for (size_t i = i0; i < i1; i++) {
      if (i == 0)
        a = first();
      else
        b = second();
    }
  });
  return a.ok() ? b : a;
}

Status minVariance(const double* cov, size_t covCount, size_t n, const Constraints& c, size_t problems, double l2Gamma, bool psdTest,
                   double* out) {
  const MinVarianceOut o = minVarianceOut(out, problems, n);
  const bool direct = n <= kClosedFormMaxAssets && c.m == 1 && c.rlo[0] == c.rhi[0] && c.rlo[0] != 0;
  // the shared covariance's H and factor, read by every problem's thread
  const CovWork shared = covWork(n, l2Gamma, psdTest, direct, 0);
  bool sharedFactored = false;
  const double* sharedH = nullptr;
  double sharedScale = -1;
  // one problem of one covariance that the closed form does not take, with a second thread: its test
  // beside its check and solve (below)
  const bool overlap = covCount == 1 && problems == 1 && psdTest && !direct && n >= kOverlapFromAssets && threadCount() >= 2;
  if (overlap) {
    // (the check and H on the solve's thread, below)
  } else if (covCount == 1) {
    if (Status s = prepareCov(cov, 0, -1, shared, sharedH, sharedFactored, sharedScale); !s.ok()) return s;
  }
  // the QP's linear term, 0: a pointer into the calling thread's own (the problems' threads read it)
  thread_local std::vector<double> zeros;
  zeros.assign(n, 0.0);
  const double* zero = zeros.data();
  const auto solveAll = [&] {
    return forEachProblem(n, c.m, problems, [&](size_t p, QpSolver& solver, bool warm) {
      CovWork own = shared;
      bool factored = sharedFactored;
      const double* H = sharedH;
      double scale = sharedScale;
      if (covCount > 1) {
        own = covWork(n, l2Gamma, psdTest, direct, 1);
        if (Status s = prepareCov(cov, p, static_cast<double>(p), own, H, factored, scale); !s.ok()) return s;
      }
      const size_t bo = c.boundCount == 1 ? 0 : p * n;
      double* w = o.weights + p * n;
      thread_local std::vector<double> y;
      y.resize(n);
      if (factored && budgetOnly(own.F, n, c.rows, c.rlo[0], c.lower + bo, c.upper + bo, y.data(), w)) {
        o.iterations[p] = 1;
        // the next QP of the block warm only from the problem just before it: otherwise a block that starts
        // with closed forms would begin from the thread's previous block, and the bits would follow the threads
        solver.forget();
      } else {
        const QpProblem problem{n, H, zero, c.lower + bo, c.upper + bo, c.m, c.rows, c.rlo, c.rhi, scale};
        const QpResult r = solver.solve(problem, warm);
        if (r.status != QpStatus::Optimal) return solveFault(r, p, c.tags);
        std::copy(solver.x(), solver.x() + n, w);
        o.iterations[p] = r.iterations;
      }
      o.volatility[p] = std::sqrt(std::max(quadratic(cov + (covCount == 1 ? 0 : p * n * n), w, n), 0.0));
      return Status{};
    });
  };
  if (!overlap) return solveAll();
  // The test on one thread from the start, the covariance's check then the solve on the other, which
  // helps the test once it is done: the solve does not read the test's factor; the check decides (a
  // covariance that is not finite and symmetric is refused as such, whatever the test met on it), then
  // the test (a covariance that fails is refused with its pivot whatever the solve met), so the outputs
  // are the sequential ones', bits included.
  PsdTeam team;
  Status check;
  const Status s = sideBySide([&] { return testCov(cov, -1, shared, &team); },
                              [&] {
                                check = checkCovAt(cov, 0, n, &sharedScale);
                                if (!check.ok()) return Status{};
                                sharedH = qpMatrix(cov, shared, sharedScale);
                                const Status solved = solveAll();
                                psdHelp(team);
                                return solved;
                              });
  return check.ok() ? s : check;
}

}  // namespace kernelbus::portfolio
