// The Metal backend's Monte Carlo kernels (host.hpp). The host checks the weights (the native kernels'
// checks and faults), factors the covariance (risk::nativeCholesky, the native kernels' own), forms
// b = L'w and the drifts h w'mu in double precision, scales each row it hands over by a power of two to
// at most 1 in magnitude, and undoes the scaling, adds the drifts and the Student-t scales and takes the
// quantiles in double precision. The runner draws the normals and forms the dot products in float.
// Paths go in chunks of at most kChunkValues normals, so that memory stays bounded.
#include <algorithm>
#include <cmath>
#include <vector>

#include "host.hpp"
#include "random.hpp"
#include "risk/risk.hpp"
#include "risk_checks.hpp"
#include "risk/risk_steps.hpp"

namespace kernelbus::shader {

namespace {

/// Normals per chunk of Monte Carlo paths at most (16 MB of floats).
constexpr size_t kChunkValues = size_t{1} << 22;

/// Paths per chunk: at most kChunkValues normals and kChunkValues outputs (`perPath` each).
size_t chunkPaths(size_t paths, size_t n, size_t perPath) {
  const size_t widest = std::max<size_t>({n, perPath, 1});
  return std::max<size_t>(1, std::min(paths, kChunkValues / widest));
}

/// The seed's key words and each path's Student-t scale (1 for normal scenarios), as the native kernels
/// draw them (random.hpp): computed on the host in double precision, the same bits as the reference.
struct Draws {
  random::Word k0, k1;
  double nu;
  Draws(double seed, double nu_)
      : k0(static_cast<random::Word>(seed) & random::kLow32), k1(static_cast<random::Word>(seed) >> 32), nu(nu_) {}
  double scale(uint64_t path) const {
    return nu == 0 ? 1 : std::sqrt((nu - 2) / random::chiSquare(k0, k1, path & random::kLow32, path >> 32, nu));
  }
  /// kb_normals' parameters for `count` paths from `first`.
  KbNormalsParams normals(uint64_t first, size_t count, size_t n) const {
    return KbNormalsParams{static_cast<unsigned>(count),
                           static_cast<unsigned>(n),
                           static_cast<unsigned>(k0),
                           static_cast<unsigned>(k1),
                           static_cast<unsigned>(first & random::kLow32),
                           static_cast<unsigned>(first >> 32)};
  }
};

/// Rows of `cols` values into a runner buffer, each scaled by its own power of two (exponents into `e`).
Buffer scaledRows(Runner& runner, const double* x, size_t rows, size_t cols, std::vector<int>& e) {
  requireElements(rows * cols, "a matrix");
  Buffer out = runner.allocate(std::max<size_t>(rows * cols, 1));
  e.resize(rows);
  for (size_t r = 0; r < rows; r++) {
    e[r] = scaleExponent(x + r * cols, cols);
    for (size_t c = 0; c < cols; c++) out.data[r * cols + c] = scaled(x[r * cols + c], e[r]);
  }
  return out;
}

}  // namespace

Status monteCarloVar(Runner& runner, const double* mean, const double* cov, size_t n, const double* weights, size_t portfolios,
                     size_t paths, double confidence, double horizon, double seed, double nu, double* out) {
  if (Status s = risk::detail::checkWeights(weights, portfolios * n, n); !s.ok()) return s;
  std::vector<double> L;
  if (Status s = risk::nativeCholesky(cov, n, L); !s.ok()) return s;
  const size_t P = portfolios;
  std::vector<double> b(P * n), drift(P);  // b_p = L' w_p and h w_p' mu, as the native kernel forms them
  risk::projectWeights(L.data(), n, weights, P, mean, horizon, b.data(), drift.data());
  if (P == 0) return Status{};
  const double root = std::sqrt(horizon);
  const Draws draws(seed, nu);
  std::vector<int> eB;
  Buffer B = scaledRows(runner, b.data(), P, n, eB);
  const size_t chunk = chunkPaths(paths, n, P);
  Buffer z = runner.allocate(std::max<size_t>(chunk * n, 1)), dots = runner.allocate(chunk * P);
  std::vector<double> pnl(P * paths), scale(chunk);
  for (size_t first = 0; first < paths; first += chunk) {
    const size_t count = std::min(chunk, paths - first);
    if (n > 0) {
      runner.run(Kernel::Normals, {&z}, draws.normals(first, count, n), count * ((n + 1) / 2));
      runner.run(Kernel::PathDots, {&z, &B, &dots},
                 KbPathParams{static_cast<unsigned>(count), static_cast<unsigned>(n), static_cast<unsigned>(P)}, count * P);
    } else {
      std::fill(dots.data, dots.data + count * P, 0.0f);
    }
    for (size_t q = 0; q < count; q++) scale[q] = draws.scale(first + q);
    runner.finish();
    for (size_t p = 0; p < P; p++) {
      for (size_t q = 0; q < count; q++) {
        const double dot = std::ldexp(static_cast<double>(dots.data[p * count + q]), eB[p]);
        pnl[p * paths + first + q] = drift[p] + root * (scale[q] * dot);
      }
    }
  }
  const risk::MonteCarloVarOut o = risk::monteCarloVarOut(out, P);
  std::vector<double> scratch;
  for (size_t p = 0; p < P; p++) risk::detail::historicalVar(pnl.data() + p * paths, paths, confidence, o.var[p], o.es[p], scratch);
  return Status{};
}

Status monteCarloScenarios(Runner& runner, const double* mean, const double* cov, size_t n, size_t paths, double horizon, double seed,
                           double nu, double* out) {
  std::vector<double> L;
  if (Status s = risk::nativeCholesky(cov, n, L); !s.ok()) return s;
  if (n == 0) return Status{};
  const double root = std::sqrt(horizon);
  const Draws draws(seed, nu);
  std::vector<int> eL;
  Buffer Ls = scaledRows(runner, L.data(), n, n, eL);
  const size_t chunk = chunkPaths(paths, n, n);
  Buffer z = runner.allocate(chunk * n), x = runner.allocate(chunk * n);
  std::vector<double> scale(chunk);
  for (size_t first = 0; first < paths; first += chunk) {
    const size_t count = std::min(chunk, paths - first);
    runner.run(Kernel::Normals, {&z}, draws.normals(first, count, n), count * ((n + 1) / 2));
    runner.run(Kernel::Scenarios, {&z, &Ls, &x}, KbPathParams{static_cast<unsigned>(count), static_cast<unsigned>(n), 0u}, count * n);
    for (size_t q = 0; q < count; q++) scale[q] = draws.scale(first + q);
    runner.finish();
    for (size_t q = 0; q < count; q++) {
      for (size_t i = 0; i < n; i++) {
        const double dot = std::ldexp(static_cast<double>(x.data[q * n + i]), eL[i]);
        out[(first + q) * n + i] = horizon * mean[i] + root * (scale[q] * dot);
      }
    }
  }
  return Status{};
}

}  // namespace kernelbus::shader
