// Four parameter vectors of GARCH(1,1) or GJR(1,1,1) in one pass, a lane of a vector each (simd.hpp's
// copies: AVX2 where the CPU has it): the starting values' grid (the normal's values), and the values and
// gradients the optimizer's difference Hessian and the robust standard errors' differences take (each
// distribution). Each lane's operations are
// garch11.cpp's value() and pass() in their order, so each lane's bits are theirs (lanes.cpp has no
// twin in the reference: it is garch11.cpp's arithmetic, four at a time).
#include <cmath>
#include <cstddef>

#include "simd.hpp"
#include "volatility/garch_terms.hpp"
#include "volatility/passes.hpp"

namespace kernelbus::volatility {

#if defined(__GNUC__) || defined(__clang__)

namespace {

#include "vector_abi.hpp"

/// W lanes of doubles (4: a 256-bit vector; 8: AVX-512's, where simd::level() has it) and their masks.
template <size_t W>
struct Lanes {
  typedef double V __attribute__((vector_size(8 * W)));
  typedef long long M __attribute__((vector_size(8 * W)));
};

template <size_t W>
KERNELBUS_VECTOR_BODY typename Lanes<W>::V splat(double x) {
  return KERNELBUS_BROADCAST(typename Lanes<W>::V, typename Lanes<W>::M, x);
}
template <class V, class M>
KERNELBUS_VECTOR_BODY V blend(M mask, V a, V b) {
  return (V)(((M)a & mask) | ((M)b & ~mask));
}
template <class M>
KERNELBUS_VECTOR_BODY bool any(M m) {
  long long r = 0;
  for (size_t l = 0; l < sizeof(M) / 8; l++) r |= m[l];
  return r != 0;
}
template <class M>
KERNELBUS_VECTOR_BODY bool all(M m) {
  long long r = -1;
  for (size_t l = 0; l < sizeof(M) / 8; l++) r &= m[l];
  return r != 0;
}

/// LogProduct of each lane: the product in a vector, a lane's exponent moved out (LogProduct::normalize)
/// when its mantissa leaves [2^-16, 2^16], so each lane has LogProduct's bits.
template <size_t W>
struct Products {
  using V = typename Lanes<W>::V;
  using M = typename Lanes<W>::M;
  V m = splat<W>(1.0), e = splat<W>(0.0);
  KERNELBUS_VECTOR_BODY void add(V x) {
    m = m * x;
    const M in = (m >= splat<W>(0x1p-16)) & (m <= splat<W>(0x1p16));
    if (all(in)) return;
    // normalize's steps on the lanes out of range with a normal mantissa, in vectors (its operations:
    // the exponent, less 1023, added to e; the mantissa's exponent set to 1023); a subnormal lane by
    // normalize itself; infinity, NaN and 0 stay as they are
    const M bits = (M)m, ex = (bits >> 52) & 0x7ff;
    const M moved = ~in & (ex != 0) & (ex != 0x7ff);
    e = blend(moved, e + __builtin_convertvector(ex - 1023, V), e);
    m = blend(moved, (V)((bits & 0x800fffffffffffffLL) | (1023LL << 52)), m);
    const M subnormal = ~in & (ex == 0) & (m != splat<W>(0.0));
    if (!any(subnormal)) return;
    for (size_t l = 0; l < W; l++) {
      if (!subnormal[l]) continue;
      double ml = m[l], el = e[l];
      LogProduct::normalize(ml, el);
      m[l] = ml;
      e[l] = el;
    }
  }
  KERNELBUS_VECTOR_BODY double log(size_t l) const { return LogProduct::log(m[l], e[l]); }
};

/// boundVariance() lane by lane; with derivatives (K of them), boundVariance()'s on them.
template <size_t W, size_t K>
KERNELBUS_VECTOR_BODY typename Lanes<W>::V bound(typename Lanes<W>::V s, double lower, double upper, typename Lanes<W>::V* d) {
  using M = typename Lanes<W>::M;
  const M low = s < splat<W>(lower);
  if (any(low)) {
    s = blend(low, splat<W>(lower), s);
    for (size_t i = 0; i < K; i++) d[i] = blend(low, splat<W>(0.0), d[i]);
  }
  const M high = (s > splat<W>(upper)) & ~low;  // boundVariance's else: a lane at its floor stays there
  if (any(high)) {
    for (size_t l = 0; l < W; l++) {
      if (!high[l]) continue;
      const double sl = s[l];
      if (std::isfinite(sl)) {
        for (size_t i = 0; i < K; i++) d[i][l] /= sl;
        s[l] = upper + ln(sl / upper);
      } else {
        for (size_t i = 0; i < K; i++) d[i][l] = 0.0;
        s[l] = upper + 1000;
      }
    }
  }
  return s;
}

/// The usual step of s into `product`: no lane of s out of its bounds and no lane of the product to
/// normalize, so that bound() and Products::add would leave both as they are but for the product's
/// multiplication: then made here, with one reduction where those two took three. Else neither is made
/// (the caller takes bound(), then add()). A NaN lane is not usual.
template <size_t W>
KERNELBUS_VECTOR_BODY bool usualStep(Products<W>& product, typename Lanes<W>::V s, double lower, double upper) {
  using V = typename Lanes<W>::V;
  const V m = product.m * s;
  if (!all((s >= splat<W>(lower)) & (s <= splat<W>(upper)) & (m >= splat<W>(0x1p-16)) & (m <= splat<W>(0x1p16)))) return false;
  product.m = m;
  return true;
}

/// garch11.cpp's lanes<O, 4>, C of them: the log-likelihoods (normal) of thetas (C W x k) over e into ll
/// (C W). The C vectors' recursions are independent chains, each step's of them side by side: a step of
/// one waits on its last (a multiply and an add), and two fill the time of one.
template <size_t W, size_t O, size_t C>
KERNELBUS_VECTOR_BODY void gridBody(const double* e, size_t nobs, const double* lower, const double* upper, double bc, const double* thetas,
                                    size_t k, size_t iw, double constant, double* ll) {
  using V = typename Lanes<W>::V;
  V omega[C], a[C], g[C], b[C], q[C], prev[C];
  Products<W> s2[C];
  for (size_t c = 0; c < C; c++) {
    for (size_t l = 0; l < W; l++) {
      const double* theta = thetas + (c * W + l) * k;
      omega[c][l] = theta[iw];
      a[c][l] = theta[iw + 1];
      g[c][l] = O ? theta[iw + 2] : 0;
      b[c][l] = theta[iw + 2 + O];
    }
    q[c] = prev[c] = splat<W>(0.0);
  }
  for (size_t t = 0; t < nobs; t++) {
    for (size_t c = 0; c < C; c++) {
      V s = omega[c];
      if (t == 0) {
        s += a[c] * bc;
        if (O) s += g[c] * 0.5 * bc;
        s += b[c] * bc;
      } else {
        const double el = e[t - 1];
        s += a[c] * (el * el);
        if (O) s = blend(splat<W>(el) < splat<W>(0.0), s + g[c] * (el * el), s);  // no branch on the data's sign
        s += b[c] * prev[c];
      }
      if (!usualStep(s2[c], s, lower[t], upper[t])) {
        s = bound<W, 0>(s, lower[t], upper[t], nullptr);
        s2[c].add(s);
      }
      prev[c] = s;
      q[c] += -0.5 * ((e[t] * e[t]) * (splat<W>(1.0) / s));  // Dist::observe (normal): g = 1, its product 1
    }
  }
  // ll = nobs K - log(prod sigma^2) / 2 - h log(prod g) + q: h = 0 and log(prod g) = 0 for the normal
  for (size_t c = 0; c < C; c++)
    for (size_t l = 0; l < W; l++) ll[c * W + l] = double(nobs) * constant - 0.5 * s2[c].log(l) - 0.0 + q[c][l];
}

/// The distributions' constants of four lanes, in vectors.
template <size_t W>
struct DistLanes {
  using V = typename Lanes<W>::V;
  using M = typename Lanes<W>::M;
  V constant, constantA, h, inu2, hi, m2hi, a, b, aob, ipl, iml, lam, cv, hi2, daEta, dbEta, daLam, dbLam, dbLamOb;
  M clipped;
};

template <size_t W>
KERNELBUS_VECTOR_BODY DistLanes<W> distLanes(const Dist::Constants* c) {
  DistLanes<W> o;
  for (size_t l = 0; l < W; l++) {
    o.constant[l] = c[l].constant;
    o.constantA[l] = c[l].constantA;
    o.h[l] = c[l].h;
    o.inu2[l] = c[l].inu2;
    o.hi[l] = c[l].hi;
    o.m2hi[l] = c[l].m2hi;
    o.a[l] = c[l].a;
    o.b[l] = c[l].b;
    o.aob[l] = c[l].aob;
    o.ipl[l] = c[l].ipl;
    o.iml[l] = c[l].iml;
    o.lam[l] = c[l].lam;
    o.cv[l] = c[l].cv;
    o.hi2[l] = c[l].hi2;
    o.daEta[l] = c[l].daEta;
    o.dbEta[l] = c[l].dbEta;
    o.daLam[l] = c[l].daLam;
    o.dbLam[l] = c[l].dbLam;
    o.dbLamOb[l] = c[l].dbLamOb;
    o.clipped[l] = c[l].clipped ? -1 : 0;
  }
  return o;
}

/// Dist::partials lane by lane, its operations (ND: 0 normal, 1 t, 2 skew-t): g, q, dl/d sigma^2, dl/de, dA, dB.
template <size_t W, size_t ND, class V = typename Lanes<W>::V>
KERNELBUS_VECTOR_BODY void partials(const DistLanes<W>& c, V e, V s2, V& g, V& q, V& dSigma2, V& dE, V& dA, V& dB) {
  using M = typename Lanes<W>::M;
  const V one = splat<W>(1.0), zero = splat<W>(0.0);
  if (ND == 0) {
    const V r = one / s2;
    const V u = (e * e) * r;
    g = one;
    q = -0.5 * u;
    dSigma2 = -0.5 * (r - u * r);
    // finiteClamp (dist.hpp), lane by lane
    const V big = splat<W>(DBL_MAX);
    dSigma2 = blend(dSigma2 > big, big, blend(dSigma2 < -big, -big, dSigma2));
    dE = -e * r;
    dA = dB = zero;
  } else if (ND == 1) {
    const V r = one / s2;
    const V u = (e * e) * r * c.inu2;
    g = one + u;
    const V ig = one / g;
    q = zero;
    const V ru = u * ig;
    dSigma2 = (-0.5 + c.h * ru) * r;
    dE = c.m2hi * e * r * ig;
    dA = c.hi * ru;
    dB = zero;
  } else {
    V root;
    for (size_t l = 0; l < W; l++) root[l] = std::sqrt(s2[l]);
    const V isd = one / root;
    const V z = e * isd;
    // sign(z + a / b) and 1 / (1 + s lambda): Dist::sign and inverseDen, a lane at 0 or NaN its own
    const V x = z + c.aob;
    const M pos = x > zero, negative = x < zero;
    const V sg = blend(pos, one, blend(negative, splat<W>(-1.0), x));
    const V iden = blend(pos, c.ipl, blend(negative, c.iml, one / (one + sg * c.lam)));
    const V v = (c.b * z + c.a) * iden;
    g = one + (v * v) * c.inu2;
    const V ig = one / g;
    q = zero;
    const V dv = c.cv * v * ig;
    const V dz = dv * c.b * iden;
    dE = dz * isd;
    dSigma2 = -0.5 * (isd * isd) * (one + dz * z);
    dA = c.hi2 * (v * v) * ig + dv * (c.daEta + z * c.dbEta) * iden;
    dB = c.dbLamOb + dv * (c.daLam + z * c.dbLam) * iden - blend(c.clipped, zero, dv * v * sg * iden);
  }
}

/// garch11.cpp's pass<O, KM, ND, false> at thetas (4 x K): -ll into f (4), the gradients into grad (4 x K).
template <size_t W, size_t O, size_t KM, size_t ND>
KERNELBUS_VECTOR_BODY void gradientBody(const double* y, size_t lags, size_t nobs, const double* lower, const double* upper, double bc,
                                        double zero, const double* thetas, const Dist::Constants* constants, double* f, double* grad) {
  using V = typename Lanes<W>::V;
  constexpr size_t K = KM + 3 + O + ND, IW = KM, IA = KM + 1, IG = KM + 2, IB = KM + 2 + O, ID = KM + 3 + O;
  const size_t L = lags;
  const DistLanes<W> dist = distLanes<W>(constants);
  V th[K];
  for (size_t i = 0; i < K; i++)
    for (size_t l = 0; l < W; l++) th[i][l] = thetas[l * K + i];
  const V omega = th[IW], a = th[IA], g = O ? th[IG] : splat<W>(0.0), b = th[IB];
  const auto rd = [&](size_t t, size_t i) { return i == 0 ? -1 : -y[t + L - i]; };  // d e_t / d theta_i
  // residuals(): the mean's fit, then y less it (a zero mean: y)
  const auto residual = [&](size_t t) __attribute__((always_inline)) {  // a vector: never a call (vector_abi.hpp)
    if (KM == 0) return splat<W>(y[t]);
    V fit = th[0];
    for (size_t j = 1; j < KM; j++) fit += th[j] * y[t + L - j];
    return splat<W>(y[t + L]) - fit;
  };
  const auto negative = [](V x, V yes, V no) __attribute__((always_inline)) { return blend(x < splat<W>(0.0), yes, no); };
  V d[K] = {}, prev[K], gr[K];  // d zeroed here too: GCC 12 takes the broadcast below for a read of it (-Wmaybe-uninitialized)
  for (size_t i = 0; i < K; i++) prev[i] = gr[i] = splat<W>(0.0);
  Products<W> s2p, gs;
  V q = splat<W>(0.0), g0 = splat<W>(0.0), g1 = splat<W>(0.0), sPrev = splat<W>(0.0), el = splat<W>(0.0);
  for (size_t t = 0; t < nobs; t++) {
    const V et = residual(t);
    for (size_t i = 0; i < K; i++) d[i] = splat<W>(zero);
    d[IW] = splat<W>(1.0);
    V s = omega;
    if (t == 0)
      garch11Start<O, KM>(s, d, a, g, b, bc);
    else  // GJR's term blended, not branched on: the sign is the data's
      garch11Step<O, KM, K>(s, d, prev, a, g, b, el, sPrev, t - 1, rd, negative);
    if (!usualStep(s2p, s, lower[t], upper[t])) {
      s = bound<W, K>(s, lower[t], upper[t], d);
      s2p.add(s);
    }
    sPrev = s;
    V pg, pq, w, dE, dA, dB;
    partials<W, ND>(dist, et, s, pg, pq, w, dE, dA, dB);
    if (ND > 0) gs.add(pg);  // the normal's g is 1: its product stays 1, its log 0
    q += pq;
    for (size_t i = 0; i < K; i++) gr[i] += w * d[i];
    for (size_t i = 0; i < KM; i++) gr[i] += dE * (i == 0 ? -1 : -y[t + L - i]);
    g0 += dA;
    g1 += dB;
    for (size_t i = 0; i < K; i++) prev[i] = d[i];
    el = et;
  }
  for (size_t l = 0; l < W; l++) {
    const double logG = ND > 0 ? gs.log(l) : 0.0;
    if (ND > 0) gr[ID][l] += double(nobs) * dist.constantA[l] - 0.5 * logG + g0[l];
    if (ND > 1) gr[ID + 1][l] += g1[l];
    for (size_t i = 0; i < K; i++) grad[l * K + i] = -gr[i][l];
    f[l] = -(double(nobs) * dist.constant[l] - 0.5 * s2p.log(l) - dist.h[l] * logG + q[l]);
  }
}

template <size_t W, size_t O>
void grid(Problem& pr, const double* thetas, double* ll) {
  const Dist dist(kDistNormal, thetas, 0);
  simd::run<gridBody<W, O, 2>>(pr.e.data(), pr.nobs, pr.lower.data(), pr.upper.data(), pr.backcast, thetas, pr.k, pr.iw, dist.constant(),
                               ll);
}

template <size_t W, size_t O, size_t KM, size_t ND>
void gradient(Problem& pr, const double* thetas, double* f, double* grad) {
  Dist::Constants constants[W];
  for (size_t l = 0; l < W; l++) constants[l] = Dist(pr.m.dist, thetas + l * pr.k, pr.id).constants();
  const double zero = pr.lower.empty() ? 0.0 : pr.lower[0] * 0.0;
  simd::run<gradientBody<W, O, KM, ND>>(static_cast<const double*>(pr.y), pr.m.lags, pr.nobs, pr.lower.data(), pr.upper.data(), pr.backcast,
                                        zero, thetas, static_cast<const Dist::Constants*>(constants), f, grad);
}

template <size_t W, size_t O, size_t KM>
GradientLanes byDist(int dist) {
  if (!distribution(dist).curvature) return nullptr;
  return dist == kDistNormal ? gradient<W, O, KM, 0> : dist == kDistT ? gradient<W, O, KM, 1> : gradient<W, O, KM, 2>;
}

template <size_t W, size_t O>
GradientLanes byMean(size_t km, int dist) {
  switch (km) {
    case 0:
      return byDist<W, O, 0>(dist);
    case 1:
      return byDist<W, O, 1>(dist);
    case 2:
      return byDist<W, O, 2>(dist);
    default:
      return byDist<W, O, 3>(dist);
  }
}

template <size_t W>
GradientLanes byOrder(const Model& m) {
  return m.o == 1 ? byMean<W, 1>(meanCount(m), m.dist) : byMean<W, 0>(meanCount(m), m.dist);
}

bool laned(const Model& m) { return m.vol == kVolGarch && m.p == 1 && m.o <= 1 && m.q == 1 && meanCount(m) <= 3; }

}  // namespace

// Four lanes (a 256-bit vector): eight (AVX-512) cost the normal's and the t's fits twice the time a
// point, and since usualStep() the skew-t's too: its standard errors' 14 gradients 0.414 ms in four
// batches of four against 0.438 in two of eight (C++ harness, dispatch build as the addon). GCC 12 makes
// the 64-byte vectors' compares lane by lane (vcomisd).
GridLanes garch11GridLanes(const Model& m) {
  if (!laned(m)) return nullptr;
  return m.o == 1 ? grid<4, 1> : grid<4, 0>;
}

GradientLanes garch11GradientLanes(const Model& m) {
  if (!laned(m)) return nullptr;
  return byOrder<4>(m);
}

#else

GridLanes garch11GridLanes(const Model&) { return nullptr; }
GradientLanes garch11GradientLanes(const Model&) { return nullptr; }

#endif

}  // namespace kernelbus::volatility
