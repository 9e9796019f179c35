// The risk family's data-parallel parts: batched quadratic forms w'Sw (portfolioVolatility) and the
// Monte Carlo scenarios (monteCarloVar, monteCarloScenarios): normals by Philox4x32-10 + Box-Muller,
// then per path either each portfolio's dot product with b = L'w or the scenario L z. The host
// (native/metal/host_risk.cpp) validates, factors the covariance (Cholesky), forms b = L'w, scales
// every row to at most 1 in magnitude by a power of two before rounding it to float (so that huge and
// tiny inputs keep their digits), adds drifts, Student-t scales and takes square roots and quantiles in
// double precision. Sums are compensated (Kahan).
#ifdef __METAL_VERSION__
#include <metal_stdlib>
using namespace metal;
#else
#include "shim/metal_shim.hpp"
#endif
#include "kb_types.h"
#include "kb_common.h"
#include "kb_random.h"

/// out[p] = w_p' S w_p for the weight row p (one thread per portfolio), in the reference's order: v_i =
/// sum over j of w_j S[j][i], then the sum over i of w_i v_i.
kernel void kb_quadratic_forms(device const float* cov [[buffer(0)]], device const float* weights [[buffer(1)]],
                               device float* out [[buffer(2)]], constant KbQuadraticParams& p [[buffer(3)]],
                               uint portfolio [[thread_position_in_grid]]) {
  if (portfolio >= p.portfolios) return;
  uint n = p.n;
  device const float* w = weights + portfolio * n;
  KbKahan q = kbKahanZero();
  for (uint i = 0; i < n; i++) {
    KbKahan v = kbKahanZero();
    for (uint j = 0; j < n; j++) v = kbKahanAdd(v, w[j] * cov[j * n + i]);
    q = kbKahanAdd(q, w[i] * v.sum);
  }
  out[portfolio] = q.sum;
}

/// The n normals of each of p.paths paths (row-major, one row per path; one thread per pair of normals).
kernel void kb_normals(device float* z [[buffer(0)]], constant KbNormalsParams& p [[buffer(1)]], uint g [[thread_position_in_grid]]) {
  uint pairs = (p.n + 1u) / 2u;
  if (g >= p.paths * pairs) return;
  uint local = g / pairs;
  uint q = g % pairs;
  uint c0 = p.path0Low + local;
  uint c1 = p.path0High + (c0 < local ? 1u : 0u);
  float2 pair = kbNormalPair(p.key0, p.key1, c0, c1, q);
  device float* row = z + local * p.n;
  row[2u * q] = pair.x;
  if (2u * q + 1u < p.n) row[2u * q + 1u] = pair.y;
}

/// out[p * paths + k] = b_p . z_k for each portfolio p and path k (one thread each).
kernel void kb_path_dots(device const float* z [[buffer(0)]], device const float* b [[buffer(1)]], device float* out [[buffer(2)]],
                         constant KbPathParams& p [[buffer(3)]], uint g [[thread_position_in_grid]]) {
  if (g >= p.paths * p.portfolios) return;
  uint portfolio = g / p.paths;
  uint path = g % p.paths;
  device const float* zk = z + path * p.n;
  device const float* bp = b + portfolio * p.n;
  KbKahan s = kbKahanZero();
  for (uint j = 0; j < p.n; j++) s = kbKahanAdd(s, bp[j] * zk[j]);
  out[g] = s.sum;
}

/// out[k * n + i] = sum over j <= i of L[i][j] z_k[j] (the correlated draw of asset i on path k).
kernel void kb_scenarios(device const float* z [[buffer(0)]], device const float* L [[buffer(1)]], device float* out [[buffer(2)]],
                         constant KbPathParams& p [[buffer(3)]], uint g [[thread_position_in_grid]]) {
  if (g >= p.paths * p.n) return;
  uint path = g / p.n;
  uint i = g % p.n;
  device const float* zk = z + path * p.n;
  device const float* row = L + i * p.n;
  KbKahan s = kbKahanZero();
  for (uint j = 0; j <= i; j++) s = kbKahanAdd(s, row[j] * zk[j]);
  out[g] = s.sum;
}
