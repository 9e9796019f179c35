// See risk.hpp: Monte Carlo VaR and its scenarios. Follows src/backends/reference/risk/risk-montecarlo.ts
// (its header states the model) in the same order of floating-point operations: the normals are the
// same bits (random.hpp), and each sum runs in the reference's index order. Paths go eight at a time:
// their normals are drawn in one vectorized loop, and the eight dot products of a portfolio proceed
// side by side (eight independent sums instead of one chain).
#include <algorithm>
#include <cmath>
#include <vector>

#include "parallel.hpp"
#include "random.hpp"
#include "risk.hpp"
#include "risk_checks.hpp"
#include "risk_steps.hpp"
#include "simd.hpp"

namespace kernelbus::risk {
namespace {

constexpr size_t kPaths = 8;  // paths per block

// The normals of kPaths paths from `path0`: pair q of path path0 + p at [q * kPaths + p] of z0 (its
// cosine half, normal 2q) and z1 (its sine half, normal 2q + 1). random::normalPair() in three
// passes (the uniforms, the radii, the angles: one fused loop spills registers and runs 40% slower).
KERNELBUS_VECTOR_BODY
void drawBlock(random::Word k0, random::Word k1, uint64_t path0, size_t pairs, double* __restrict z0, double* __restrict z1) {
  // path0 is a multiple of kPaths (a divisor of 2^32): the block's paths share their high word
  const random::Word low = path0 & random::kLow32, high = path0 >> 32;
  const size_t count = pairs * kPaths;
  for (size_t f = 0; f < count; f++) {
    random::Word x0 = low + f % kPaths, x1 = high, x2 = f / kPaths, x3 = 0;
    random::philox4x32(x0, x1, x2, x3, k0, k1);
    z0[f] = random::uniform52(x0, x1);
    z1[f] = random::uniform52(x2, x3);
  }
  for (size_t f = 0; f < count; f++) z0[f] = std::sqrt(-2 * random::logPositive(z0[f]));
  for (size_t f = 0; f < count; f++) {
    double s, c;
    random::sinCos2Pi(z1[f], s, c);
    const double radius = z0[f];
    z0[f] = radius * c;
    z1[f] = radius * s;
  }
}

// pathScale() of each path of the block (1 for normal scenarios).
void blockScales(random::Word k0, random::Word k1, uint64_t path0, double nu, double* scale) {
  for (size_t p = 0; p < kPaths; p++) {
    const uint64_t path = path0 + p;
    scale[p] = nu == 0 ? 1 : std::sqrt((nu - 2) / random::chiSquare(k0, k1, path & random::kLow32, path >> 32, nu));
  }
}

// dot[p] = sum over j < n of b[j] z_j of path p, in j order, for the kPaths paths of a block.
KERNELBUS_VECTOR_BODY
void blockDots(const double* b, size_t n, const double* __restrict z0, const double* __restrict z1, double* __restrict dot) {
  double acc[kPaths] = {};
  for (size_t j = 0; j < n; j += 2) {
    const double* __restrict even = z0 + (j / 2) * kPaths;
    const double* __restrict odd = z1 + (j / 2) * kPaths;
    const double b0 = b[j];
    for (size_t p = 0; p < kPaths; p++) acc[p] += b0 * even[p];
    if (j + 1 == n) break;
    const double b1 = b[j + 1];
    for (size_t p = 0; p < kPaths; p++) acc[p] += b1 * odd[p];
  }
  for (size_t p = 0; p < kPaths; p++) dot[p] = acc[p];
}

// Blocks of paths a thread takes at the least: about 2^16 multiply-adds, so that a thread's start
// (tens of microseconds) stays small beside its work.
size_t minBlocks(size_t n, size_t perAsset) {
  const size_t work = kPaths * (n + 1) * (perAsset + 8);
  return work >= 65536 ? 1 : 65536 / work;
}

struct Draws {
  random::Word k0, k1;
  size_t n, pairs;
  double nu;
  std::vector<double> z0, z1;
  double scale[kPaths];
  Draws(double seed, size_t n_, double nu_)
      : k0(static_cast<random::Word>(seed) & random::kLow32),
        k1(static_cast<random::Word>(seed) >> 32),
        n(n_),
        pairs((n_ + 1) / 2),
        nu(nu_),
        z0(pairs * kPaths),
        z1(pairs * kPaths) {}
  void block(uint64_t path0) {
    simd::run<drawBlock>(k0, k1, path0, pairs, z0.data(), z1.data());
    blockScales(k0, k1, path0, nu, scale);
  }
};

}  // namespace

// The reference's cholesky(): right-looking, in place on the lower triangle of a (n x n); column k is
// copied out so that the update of each row vectorizes over j.
Status nativeCholesky(const double* cov, size_t n, std::vector<double>& a) {
  a.assign(n * n, 0.0);
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j <= i; j++) a[i * n + j] = cov[i * n + j];
  std::vector<double> column(n);
  for (size_t k = 0; k < n; k++) {
    const double pivot = a[k * n + k];
    if (!(pivot > 0 && pivot < INFINITY)) return detail::fault(Fault::CovNotPositiveDefinite, k, pivot, n);
    const double lkk = std::sqrt(pivot);
    a[k * n + k] = lkk;
    for (size_t i = k + 1; i < n; i++) column[i] = a[i * n + k] /= lkk;
    for (size_t i = k + 1; i < n; i++) {
      const double lik = column[i];
      double* __restrict row = a.data() + i * n;
      const double* __restrict col = column.data();
      for (size_t j = k + 1; j <= i; j++) row[j] -= lik * col[j];
    }
  }
  return Status{};
}

/// Monte Carlo VaR then ES per portfolio (risk_montecarlo.cpp) into out (monteCarloVarOut()): mean (n),
/// cov (n x n, symmetric and finite; CovNotPositiveDefinite at the first failing Cholesky pivot),
/// weights portfolios x n (finite), paths >= 1, horizon > 0, seed an integer in [0, 2^53), nu = 0
/// (normal) or > 2 (Student t). Memory: portfolios x paths doubles.
Status monteCarloVar(const double* mean, const double* cov, size_t n, const double* weights, size_t portfolios, size_t paths,
                     double confidence, double horizon, size_t seed, double nu, double* out) {
  return monteCarloVar(nativeCholesky, mean, cov, n, weights, portfolios, paths, confidence, horizon, seed, nu, out);
}

/// The scenarios of monteCarloVar into out[paths * n] (row-major).
Status monteCarloScenarios(const double* mean, const double* cov, size_t n, size_t paths, double horizon, size_t seed, double nu,
                           double* out) {
  return monteCarloScenarios(nativeCholesky, mean, cov, n, paths, horizon, seed, nu, out);
}

Status monteCarloVar(CholeskyStep cholesky, const double* mean, const double* cov, size_t n, const double* weights, size_t portfolios,
                     size_t paths, double confidence, double horizon, double seed, double nu, double* out) {
  if (Status s = detail::checkWeights(weights, portfolios * n, n); !s.ok()) return s;
  std::vector<double> L;
  if (Status s = cholesky(cov, n, L); !s.ok()) return s;
  const size_t P = portfolios;
  std::vector<double> b(P * n), drift(P);
  projectWeights(L.data(), n, weights, P, mean, horizon, b.data(), drift.data());
  const double root = std::sqrt(horizon);
  std::vector<double> pnl(P * paths);
  // blocks of kPaths paths shared out between the threads (each path's P&L is the same on any thread)
  parallelFor((paths + kPaths - 1) / kPaths, minBlocks(n, P), [&](size_t firstBlock, size_t endBlock) {
    Draws draws(seed, n, nu);
    double dot[kPaths];
    for (size_t block = firstBlock; block < endBlock; block++) {
      const size_t first = block * kPaths;
      draws.block(first);
      const size_t count = std::min(kPaths, paths - first);
      for (size_t p = 0; p < P; p++) {
        simd::run<blockDots>(b.data() + p * n, n, draws.z0.data(), draws.z1.data(), dot);
        for (size_t q = 0; q < count; q++) pnl[p * paths + first + q] = drift[p] + root * (draws.scale[q] * dot[q]);
      }
    }
  });
  // (not valueAtRisk(): it refuses infinite values, and a P&L may overflow to them)
  const MonteCarloVarOut o = monteCarloVarOut(out, P);
  std::vector<double> scratch;
  for (size_t p = 0; p < P; p++) detail::historicalVar(pnl.data() + p * paths, paths, confidence, o.var[p], o.es[p], scratch);
  return Status{};
}

Status monteCarloScenarios(CholeskyStep cholesky, const double* mean, const double* cov, size_t n, size_t paths, double horizon,
                           double seed, double nu, double* out) {
  std::vector<double> L;
  if (Status s = cholesky(cov, n, L); !s.ok()) return s;
  const double root = std::sqrt(horizon);
  parallelFor((paths + kPaths - 1) / kPaths, minBlocks(n, n), [&](size_t firstBlock, size_t endBlock) {
    Draws draws(seed, n, nu);
    for (size_t block = firstBlock; block < endBlock; block++) {
      const size_t first = block * kPaths;
      draws.block(first);
      const size_t count = std::min(kPaths, paths - first);
      for (size_t q = 0; q < count; q++) {
        for (size_t i = 0; i < n; i++) {
          double dot = 0;
          for (size_t j = 0; j <= i; j++) dot += L[i * n + j] * (j & 1 ? draws.z1 : draws.z0)[(j / 2) * kPaths + q];
          out[(first + q) * n + i] = horizon * mean[i] + root * (draws.scale[q] * dot);
        }
      }
    }
  });
  return Status{};
}

void projectWeights(const double* L, size_t n, const double* weights, size_t portfolios, const double* mean, double horizon, double* b,
                    double* drift) {
  for (size_t p = 0; p < portfolios; p++) {
    const double* w = weights + p * n;
    for (size_t j = 0; j < n; j++) {
      double s = 0;
      for (size_t i = j; i < n; i++) s += L[i * n + j] * w[i];
      b[p * n + j] = s;
    }
    double m = 0;
    for (size_t i = 0; i < n; i++) m += w[i] * mean[i];
    drift[p] = horizon * m;
  }
}

}  // namespace kernelbus::risk
