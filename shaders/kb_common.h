// What the shaders share: compensated (Kahan) sums. Included by the .metal files after kb_types.h.
#ifndef KB_COMMON_H
#define KB_COMMON_H

/// A compensated sum: `sum`, and `c`, the rounding error of the last addition (Kahan 1965): each
/// term is corrected by it before it is added, so that n float terms sum with an error of a few ulps
/// of the sum of their magnitudes instead of n ulps (the host reads `sum`).
struct KbKahan {
  float sum;
  float c;
};

/// k + x, compensated. Needs IEEE arithmetic without reassociation: the host compiles the shaders
/// with fast math off (MTLMathModeSafe, or fastMathEnabled = NO), the harness without -ffast-math.
inline KbKahan kbKahanAdd(KbKahan k, float x) {
  float y = x - k.c;
  float t = k.sum + y;
  KbKahan r;
  r.c = (t - k.sum) - y;
  r.sum = t;
  return r;
}

/// An empty compensated sum.
inline KbKahan kbKahanZero() {
  KbKahan r;
  r.sum = 0.0f;
  r.c = 0.0f;
  return r;
}

#endif
