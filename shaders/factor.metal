// The factor regressions' normal equations: per date, the styles' Gram matrix X'WX and X'Wy (W the
// weights sqrt(cap), y the returns or their residuals after the market and sectors), the O(N s^2)
// part of factorReturns. The host (native/metal/host_factor.cpp) runs the market + sector stage in
// double precision, writes the used assets scaled to at most 1 in magnitude by powers of two (an
// asset the date cannot use weighs 0), and solves each date's s x s system in double precision.
#ifdef __METAL_VERSION__
#include <metal_stdlib>
using namespace metal;
#else
#include "shim/metal_shim.hpp"
#endif
#include "kb_types.h"
#include "kb_common.h"

/// out[(t s + a)(s + 1) + b] = sum over assets i of w[t][i] (x_a[i] x_b[i]), x_b = y for b = s: one
/// thread per (date, a, b). The product x_a x_b is formed first, so the matrix is exactly symmetric.
kernel void kb_gram(device const float* x [[buffer(0)]], device const float* w [[buffer(1)]], device const float* y [[buffer(2)]],
                    device float* out [[buffer(3)]], constant KbGramParams& p [[buffer(4)]], uint g [[thread_position_in_grid]]) {
  uint s = p.styles;
  uint cols = s + 1u;
  if (g >= p.dates * s * cols) return;
  uint date = g / (s * cols);
  uint r = g % (s * cols);
  uint a = r / cols;
  uint b = r % cols;
  device const float* wt = w + date * p.assets;
  device const float* xa = x + (date * s + a) * p.assets;
  device const float* xb = b < s ? x + (date * s + b) * p.assets : y + date * p.assets;
  KbKahan sum = kbKahanZero();
  for (uint i = 0; i < p.assets; i++) sum = kbKahanAdd(sum, wt[i] * (xa[i] * xb[i]));
  out[g] = sum.sum;
}
