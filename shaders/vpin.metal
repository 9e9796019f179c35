// Bulk volume classification (the VPIN family's bulkClassify): one thread per bar turns its
// standardized price change z = dP / sigma into the buy fraction F(z), F the standard normal CDF or
// Student's t CDF. The host (native/metal/host_vpin.cpp) checks the bars, differences the prices and
// computes sigma in double precision, marks the bars whose fraction is 1/2 (sigma not > 0) with NaN,
// and multiplies the fractions by the volumes in double precision. Float on the GPU: the fractions are
// within about 1e-6 of the reference's (absolute), so buy volumes within 1e-6 of the bar's volume.
#ifdef __METAL_VERSION__
#include <metal_stdlib>
using namespace metal;
#else
#include "shim/metal_shim.hpp"
#endif
#include "kb_types.h"

/// From this many degrees of freedom on, Student's t CDF by Hill's normalizing transformation (within
/// 1e-9 of the exact CDF there); below it, by the incomplete beta function.
constant float kbStudentHillNu = 10.0f;
/// Iterations of the continued fraction at most (it converges in a few dozen below kbStudentHillNu).
constant int kbBetaIterations = 300;

/// erfc(x) by Numerical Recipes' erfcc (a Chebyshev fit with fractional error below 1.2e-7 for every x):
/// MSL has no erf.
inline float kbErfc(float x) {
  float z = metal::fabs(x);
  float t = 1.0f / (1.0f + 0.5f * z);
  float poly = -1.26551223f +
               t * (1.00002368f +
                    t * (0.37409196f +
                         t * (0.09678418f +
                              t * (-0.18628806f +
                                   t * (0.27886807f + t * (-1.13520398f + t * (1.48851587f + t * (-0.82215223f + t * 0.17087277f))))))));
  float r = t * precise::exp(poly - z * z);
  return x >= 0.0f ? r : 2.0f - r;
}

/// Phi(x) = erfc(-x / sqrt 2) / 2 (relative accuracy in the lower tail, absolute in the upper).
inline float kbNormalCdf(float x) { return 0.5f * kbErfc(-0.70710678118654752f * x); }

/// ln(1 + u) for u >= 0, accurate for small u (Goldberg's correction: ln(v) u / (v - 1), v = 1 + u).
inline float kbLog1p(float u) {
  float v = 1.0f + u;
  if (v == 1.0f) return u;
  if (metal::isinf(v)) return v;
  return precise::log(v) * (u / (v - 1.0f));
}

/// The continued fraction of the incomplete beta function I_x(a, b) (Numerical Recipes' betacf,
/// modified Lentz), until a step changes it by less than 3e-7.
inline float kbBetaFraction(float a, float b, float x) {
  const float tiny = 1e-30f;
  float qab = a + b;
  float qap = a + 1.0f;
  float qam = a - 1.0f;
  float c = 1.0f;
  float d = 1.0f - qab * x / qap;
  if (metal::fabs(d) < tiny) d = tiny;
  d = 1.0f / d;
  float h = d;
  for (int m = 1; m <= kbBetaIterations; m++) {
    float fm = float(m);
    float m2 = 2.0f * fm;
    float aa = fm * (b - fm) * x / ((qam + m2) * (a + m2));
    d = 1.0f + aa * d;
    if (metal::fabs(d) < tiny) d = tiny;
    c = 1.0f + aa / c;
    if (metal::fabs(c) < tiny) c = tiny;
    d = 1.0f / d;
    h *= d * c;
    aa = -(a + fm) * (qab + fm) * x / ((a + m2) * (qap + m2));
    d = 1.0f + aa * d;
    if (metal::fabs(d) < tiny) d = tiny;
    c = 1.0f + aa / c;
    if (metal::fabs(c) < tiny) c = tiny;
    d = 1.0f / d;
    float step = d * c;
    h *= step;
    if (metal::fabs(step - 1.0f) < 3e-7f) break;
  }
  return h;
}

/// P(T <= t) for Student's t with nu > 0 degrees of freedom (t not NaN, nu a normal float).
/// - nu >= kbStudentHillNu: G. W. Hill's normalizing transformation (CACM Algorithm 395, 1970):
///   y = (nu - 1/2) ln(1 + t^2 / nu), z = sqrt(y) (1 + (y + 3 + poly(y)) / (48 (nu - 1/2)^2)), F = Phi(z).
/// - below: P(T > |t|) = I_x(nu / 2, 1 / 2) / 2 with x = nu / (nu + t^2), by the continued fraction of x
///   or of y = 1 - x (whichever converges), times x^a y^(1/2) / B(a, 1/2) = a g, g = x^a y^(1/2) /
///   (a B(a, 1/2)) (logABeta = ln(a B(a, 1/2)) from the host, in double precision).
/// ln(1 + t^2 / nu) and ln(1 + nu / t^2) come from u = t^2 / nu where it is moderate, from
/// ln u = 2 ln|t| - ln nu beyond (no overflow for |t| up to the largest float, whatever nu).
inline float kbStudentTCdf(float t, float nu, float logABeta) {
  if (t == 0.0f) return 0.5f;
  float at = metal::fabs(t);
  float lu = 2.0f * precise::log(at) - precise::log(nu);
  float l1x;
  float l1y;
  float x;
  float y;
  if (metal::fabs(lu) > 16.0f) {
    float small = precise::exp(-metal::fabs(lu));
    float l = kbLog1p(small);
    l1x = lu > 0.0f ? lu + l : l;
    l1y = lu > 0.0f ? l : l - lu;
    x = lu > 0.0f ? small / (1.0f + small) : 1.0f / (1.0f + small);
    y = lu > 0.0f ? 1.0f / (1.0f + small) : small / (1.0f + small);
  } else {
    float u = (at / nu) * at;
    l1x = kbLog1p(u);
    l1y = kbLog1p(1.0f / u);
    x = 1.0f / (1.0f + u);
    y = u / (1.0f + u);
  }
  float tail;
  if (nu >= kbStudentHillNu) {
    float ah = nu - 0.5f;
    float b = 48.0f * ah * ah;
    // ln(1 + u) = u to float precision below u = 2^-24 (lu < -16): then (nu - 1/2) u = t^2 (nu - 1/2) / nu,
    // without exp(lu), whose rounding would grow with |lu|
    float v = lu < -16.0f ? at * at * (ah / nu) : ah * l1x;
    if (v > 1e4f) {
      tail = 0.0f;
    } else {
      float z = (((((-0.4f * v - 3.3f) * v - 24.0f) * v - 85.5f) / (0.8f * v * v + 100.0f + b) + v + 3.0f) / b + 1.0f) * precise::sqrt(v);
      tail = kbNormalCdf(-z);
    }
  } else {
    float a = 0.5f * nu;
    float g = precise::exp(-a * l1x - 0.5f * l1y - logABeta);
    tail = 0.5f * (x < (a + 1.0f) / (a + 2.5f) ? g * kbBetaFraction(a, 0.5f, x) : 1.0f - 2.0f * a * g * kbBetaFraction(0.5f, a, y));
  }
  return t > 0.0f ? 1.0f - tail : tail;
}

/// fraction[i] = F(z[i]), or 1/2 where z[i] is NaN.
kernel void kb_classify(device const float* z [[buffer(0)]], device float* fraction [[buffer(1)]],
                        constant KbClassifyParams& p [[buffer(2)]], uint i [[thread_position_in_grid]]) {
  if (i >= p.count) return;
  float x = z[i];
  fraction[i] = metal::isnan(x) ? 0.5f : p.distribution == 0u ? kbNormalCdf(x) : kbStudentTCdf(x, p.nu, p.logABeta);
}
