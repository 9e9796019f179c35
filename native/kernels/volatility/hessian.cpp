// The analytic Hessian of -ll for GARCH(1,1) and GJR(1,1,1) with normal, Student's t or skew-t errors
// (hessian.ts, the same operations in the same order): the second derivatives of sigma^2 carried forward beside its first, in
// the pass that gives the value and the gradient (garch11.cpp's bits for both). The fit's Newton model
// (one pass an iteration where forward differences of the gradient took k more).
#include <cstddef>

#include "simd.hpp"
#include "volatility/garch_terms.hpp"
#include "volatility/passes.hpp"

namespace kernelbus::volatility {

namespace {

/// The lower triangle of a K x K matrix packed by rows: entry n is (row[n], col[n]), (i, j) is i (i + 1) / 2 + j.
template <size_t K>
struct Triangle {
  static constexpr size_t N = K * (K + 1) / 2;
  size_t row[N] = {}, col[N] = {};
  constexpr Triangle() {
    size_t n = 0;
    for (size_t i = 0; i < K; i++)
      for (size_t j = 0; j <= i; j++, n++) {
        row[n] = i;
        col[n] = j;
      }
  }
  static constexpr size_t at(size_t i, size_t j) { return i * (i + 1) / 2 + j; }
};

/// h, sigma^2's second derivatives over the mean's and the variance's KM + 3 + O parameters (packed:
/// Triangle), from step t - 1 to t: b h, then the terms of a e^2, g e^2 1(e < 0) and b sigma^2 (el e at
/// t - 1, rd(lag, i) d e_{t-1} / d theta_i, prev d sigma^2 at t - 1). The one definition of the MSVC
/// pass's and shapeBody's.
template <size_t O, size_t KM, typename Rd>
KERNELBUS_VECTOR_BODY void curvatureStep(double* h, double a, double g, double b, double el, size_t lag, const Rd& rd, const double* prev) {
  constexpr size_t IA = KM + 1, IG = KM + 2, IB = KM + 2 + O;
  using Tri = Triangle<KM + 3 + O>;
  for (size_t n = 0; n < Tri::N; n++) h[n] = b * h[n];
  for (size_t i = 0; i < KM; i++) {
    for (size_t j = 0; j <= i; j++) h[Tri::at(i, j)] += a * 2 * rd(lag, i) * rd(lag, j);
    h[Tri::at(IA, i)] += 2 * el * rd(lag, i);
  }
  if (O && el < 0) {
    for (size_t i = 0; i < KM; i++) {
      for (size_t j = 0; j <= i; j++) h[Tri::at(i, j)] += g * 2 * rd(lag, i) * rd(lag, j);
      h[Tri::at(IG, i)] += 2 * el * rd(lag, i);
    }
  }
  for (size_t i = 0; i < IB; i++) h[Tri::at(IB, i)] += prev[i];
  h[Tri::at(IB, IB)] += prev[IB] + prev[IB];
}

#if defined(__GNUC__) || defined(__clang__)

#include "vector_abi.hpp"

/// A row or a column of the K x K matrices, four lanes or eight.
template <size_t K>
struct Row {
  static constexpr size_t W = K <= 4 ? 4 : 8;
  typedef double V __attribute__((vector_size(8 * W)));
  typedef long long M __attribute__((vector_size(8 * W)));
};

/// The normal's pass: hessian.ts's scalar operations on the lower triangle, in vectors, so each entry
/// (i, j <= i) has their bits. The mean's columns j < KM are vectors (lane i: entry (i, j)), the rows i >=
/// KM the rest (lane j >= KM: entry (i, j)): e's terms, which only the mean's columns have, a vector op a
/// column. A lane outside an entry's vector part computes the same formula for another (i, j) and is
/// never read; where the scalar pass adds no term (an entry of sigma^2's second derivatives that is zero
/// in exact arithmetic, e's terms past the mean's rows) a lane adds +-0 (a product with a 0), which leaves
/// its sum's bits alone: the Hessian's sums start at +0 and never reach -0, and h's sign of zero reaches
/// them only through w h. The rows of h but beta's are 0 till the ceiling's first h / s - d d' / s^2 and
/// skipped till then. Two loops, each entry's operations in the same order as one: the recursion of
/// sigma^2 and its first derivatives (serial: a multiply and an add a step), each step's d and bound into
/// `work` (nobs x W, then nobs: 0, -1 where h restarts at 0, or sigma^2 before the ceiling's log); then the
/// rest, whose steps depend on each other only through h's recursion and the sums (in one loop a step's
/// division and the ~100 operations after it waited on the recursion, a step at a time; interleaving the
/// two loops, the recursion 16 steps ahead, was slower).
template <size_t O, size_t KM>
KERNELBUS_VECTOR_BODY double normalBody(const double* e, const double* y, size_t L, size_t nobs, const double* lower, const double* upper,
                                        double bc, const double* theta, double constant, double* sigma2, double* work, double* grad,
                                        double* hess) {
  constexpr size_t K = KM + 3 + O, IW = KM, IA = KM + 1, IG = KM + 2, IB = KM + 2 + O, W = Row<K>::W;
  using V = typename Row<K>::V;
  using M = typename Row<K>::M;
  const auto splat = [](double x) __attribute__((always_inline)) { return KERNELBUS_BROADCAST(V, M, x); };
  const auto blend = [](M mask, V x, V z) __attribute__((always_inline)) { return (V)(((M)x & mask) | ((M)z & ~mask)); };
  const auto lane = [](size_t i) __attribute__((always_inline)) {
    M m;
    for (size_t j = 0; j < W; j++) m[j] = j == i ? -1 : 0;
    return m;
  };
  const auto load = [](const double* p) __attribute__((always_inline)) {
    V v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
  };
  const M mW = lane(IW), mA = lane(IA), mG = lane(IG), mB = lane(IB);
  const double omega = theta[IW], a = theta[IA], g = O ? theta[IG] : 0, b = theta[IB];
  // rdz: d e_t / d theta_j in lane j < KM, 0 past the mean's
  const auto rdzAt = [&](size_t t) __attribute__((always_inline)) {
    V v = splat(0.0);
    for (size_t j = 0; j < KM; j++) v[j] = j == 0 ? -1 : -y[t + L - j];
    return v;
  };
  const V zero = splat(0.0);
  double* ds = work;
  double* clip = work + nobs * W;
  // a step of the recursion: s and d (garch11.cpp's operations, lane by lane: 0 + its terms, then b d),
  // bounded; e < 0's terms (GJR) taken or not by a blend, as lanes.cpp (no branch to mispredict)
  V dr = zero;
  double sPrev = 0;
  const auto recurse = [&](size_t t) __attribute__((always_inline)) {
    double s = omega;
    if (t == 0) {
      // d = 0, then 1 at omega, bc at alpha and beta, bc / 2 at gamma
      s += a * bc;
      V c = blend(mW, splat(1.0), blend(mA | mB, zero + splat(bc), zero));
      if (O) {
        s += g * 0.5 * bc;
        c = blend(mG, zero + splat(0.5 * bc), c);
      }
      s += b * bc;
      dr = c;
    } else {
      const double el = e[t - 1];
      const double el2 = el * el;
      s += a * el2;
      V c = blend(mW, splat(1.0), blend(mA, splat(el2), blend(mB, splat(sPrev), zero))) + splat(a * 2 * el) * rdzAt(t - 1);
      if (O) {
        const double sn = s + g * el2;
        s = el < 0 ? sn : s;
        const V cn = blend(mG, c + splat(el2), c + splat(g * 2 * el) * rdzAt(t - 1));
        c = blend(el < 0 ? ~M{} : M{}, cn, c);
      }
      s += b * sPrev;
      dr = c + splat(b) * dr;
    }
    // arch's bounds_check (boundVariance) with the derivatives: of u + ln(s / u), d / s
    double kind = 0;
    if (s < lower[t]) {
      dr = zero;
      kind = -1;
      s = lower[t];
    } else if (s > upper[t]) {
      if (std::isfinite(s)) {
        dr = dr / splat(s);
        kind = s;
        s = upper[t] + ln(s / upper[t]);
      } else {
        dr = zero;
        kind = -1;
        s = upper[t] + 1000;
      }
    }
    sigma2[t] = s;
    __builtin_memcpy(ds + t * W, &dr, sizeof dr);
    clip[t] = kind;
    sPrev = s;
  };
  // a step of the likelihood, its gradient, and the Hessian with h, d2 sigma^2
  V prev = zero, gr = zero, h[K], hl[K];
  for (size_t i = 0; i < K; i++) h[i] = hl[i] = zero;
  LogProduct s2p;
  double q = 0;
  // the rows of h past the mean's but beta's are 0 until the ceiling's h / s - d d' / s^2 fills them:
  // skipped till then (w h +-0, adding it leaves the sums' bits alone)
  bool dense = false;
  const auto accumulate = [&](size_t t) __attribute__((always_inline)) {
    const V d = load(ds + t * W);
    if (t > 0) {
      const double el = e[t - 1];
      const V rdz = rdzAt(t - 1);
      // h at t from h and d at t - 1: b h, then the terms of a e^2, g e^2 1(e < 0) and b sigma^2. A
      // column j < KM: a's terms (2 a rd_i) rd_j in lanes i < KM and (2 e) rd_j at alpha, prev_j at beta
      // (its other lanes +-0); a row i >= KM: prev at beta's, nothing at the others
      const V qa = blend(mA, splat(2 * el), splat(a * 2) * rdz);
      for (size_t j = 0; j < KM; j++) h[j] = splat(b) * h[j] + blend(mB, splat(prev[j]), qa * splat(rdz[j]));
      for (size_t i = KM; i < K; i++)
        if (i == IB || dense) h[i] = splat(b) * h[i];
      if (O) {
        const M neg = el < 0 ? ~M{} : M{};
        const V qg = blend(mG, splat(2 * el), splat(g * 2) * rdz);
        for (size_t j = 0; j < KM; j++) h[j] = blend(neg, h[j] + qg * splat(rdz[j]), h[j]);
      }
      h[IB] += blend(mB, prev + prev, prev);
    }
    // the bound's second derivatives: 0, or h / s - d d' / s^2 (d already divided)
    const double kind = clip[t];
    if (kind < 0) {
      for (size_t i = 0; i < K; i++) h[i] = zero;
    } else if (kind > 0) {
      for (size_t i = 0; i < K; i++) h[i] = h[i] / splat(kind) - splat(d[i]) * d;  // d_i d_j = d_j d_i: a column's too
      dense = true;
    }
    const double s = sigma2[t];
    // Dist::partials (normal), its operations: r, u, q, dl/d sigma^2 (w) and dl/de
    const double et = e[t];
    const double r = 1 / s;
    const double u = (et * et) * r;
    s2p.add(s);
    q += -0.5 * u;
    const double w = finiteClamp(-0.5 * (r - u * r));
    const double le = -et * r;
    const V rdz = rdzAt(t);
    gr += splat(w) * d;
    gr += splat(le) * rdz;
    // l_t's second partials in sigma^2 and e: (0.5 - u) / s^2, e / s^2, -1 / s
    const double lss = (0.5 - u) * r * r, les = et * r * r, lee = -r;
    const V lssd = splat(lss) * d;
    // a column j < KM: (lss d_i) d_j + w h, then e's terms (les rd_j) d_i, and in lanes i < KM (les rd_i) d_j
    // + (lee rd_i) rd_j (+-0 in the others)
    const V lesr = splat(les) * rdz, leer = splat(lee) * rdz;
    for (size_t j = 0; j < KM; j++) {
      hl[j] += lssd * splat(d[j]) + splat(w) * h[j];
      hl[j] += splat(les * rdz[j]) * d + (lesr * splat(d[j]) + leer * splat(rdz[j]));
    }
    // a row i >= KM, lanes KM <= j <= i: (lss d_i) d_j + w h (e's terms are the columns')
    for (size_t i = KM; i < K; i++) hl[i] += dense || i == IB ? splat(lssd[i]) * d + splat(w) * h[i] : splat(lssd[i]) * d;
    prev = d;
  };
  for (size_t t = 0; t < nobs; t++) recurse(t);
  for (size_t t = 0; t < nobs; t++) accumulate(t);
  for (size_t i = 0; i < K; i++) grad[i] = -gr[i];
  for (size_t i = 0; i < K; i++)
    for (size_t j = 0; j <= i; j++) hess[i * K + j] = hess[j * K + i] = -(j < KM ? hl[j][i] : hl[i][j]);
  return -(double(nobs) * constant - 0.5 * s2p.log() + q);
}

template <size_t O, size_t KM>
double pass(Problem& pr, const double* theta, double* grad, double* hess) {
  const double constant = Dist(kDistNormal, theta, 0).constant();
  const size_t need = pr.nobs * (Row<KM + 3 + O>::W + 1);
  if (pr.ds.size() < need) pr.ds.resize(need);  // the gradient's work, unused by these models' passes
  return simd::run<normalBody<O, KM>>(static_cast<const double*>(pr.e.data()), static_cast<const double*>(pr.y), pr.m.lags, pr.nobs,
                                      static_cast<const double*>(pr.lower.data()), static_cast<const double*>(pr.upper.data()), pr.backcast,
                                      theta, constant, pr.sigma2.data(), pr.ds.data(), grad, hess);
}

#else

// Without GCC's or clang's vectors (MSVC): the same operations, an entry at a time.
template <size_t O, size_t KM>
double pass(Problem& pr, const double* theta, double* grad, double* hess) {
  constexpr size_t K = KM + 3 + O, IW = KM, IA = KM + 1, IG = KM + 2, IB = KM + 2 + O;
  using Tri = Triangle<K>;
  constexpr size_t N = Tri::N;
  constexpr Tri tri;
  const size_t nobs = pr.nobs, L = pr.m.lags;
  const double bc = pr.backcast;
  const double* e = pr.e.data();
  const double* y = pr.y;
  double* sigma2 = pr.sigma2.data();
  const Dist dist(kDistNormal, theta, 0);
  const double omega = theta[IW], a = theta[IA], g = O ? theta[IG] : 0, b = theta[IB];
  const auto rd = [&](size_t t, size_t i) { return i == 0 ? -1 : -y[t + L - i]; };  // d e_t / d theta_i
  // d: d sigma^2_t (prev: at t - 1); h: d2 sigma^2_t, packed (Tri); gr, hl: of ll
  double d[K], prev[K], gr[K], h[N], hl[N];
  for (size_t i = 0; i < K; i++) prev[i] = gr[i] = 0.0;
  for (size_t n = 0; n < N; n++) h[n] = hl[n] = 0.0;
  LogProduct s2p;
  double q = 0;
  for (size_t t = 0; t < nobs; t++) {
    for (size_t i = 0; i < K; i++) d[i] = 0.0;
    d[IW] = 1;
    double s = omega;
    if (t == 0) {
      garch11Start<O, KM>(s, d, a, g, b, bc);
    } else {
      curvatureStep<O, KM>(h, a, g, b, e[t - 1], t - 1, rd, prev);                                     // h at t from h and d at t - 1
      garch11Step<O, KM, K>(s, d, prev, a, g, b, e[t - 1], sigma2[t - 1], t - 1, rd, branchNegative);  // d at t
    }
    // arch's bounds_check (boundVariance) with the second derivatives: of u + ln(s / u), h / s - d d' / s^2
    if (s < pr.lower[t]) {
      for (size_t i = 0; i < K; i++) d[i] = 0.0;
      for (size_t n = 0; n < N; n++) h[n] = 0.0;
      s = pr.lower[t];
    } else if (s > pr.upper[t]) {
      if (std::isfinite(s)) {
        for (size_t i = 0; i < K; i++) d[i] /= s;
        for (size_t n = 0; n < N; n++) h[n] = h[n] / s - d[tri.row[n]] * d[tri.col[n]];
        s = pr.upper[t] + ln(s / pr.upper[t]);
      } else {
        for (size_t i = 0; i < K; i++) d[i] = 0.0;
        for (size_t n = 0; n < N; n++) h[n] = 0.0;
        s = pr.upper[t] + 1000;
      }
    }
    sigma2[t] = s;
    // Dist::partials (normal), its operations: r, u, q, dl/d sigma^2 (w) and dl/de
    const double r = 1 / s;
    const double u = (e[t] * e[t]) * r;
    s2p.add(s);
    q += -0.5 * u;
    const double w = finiteClamp(-0.5 * (r - u * r));
    const double le = -e[t] * r;
    for (size_t i = 0; i < K; i++) gr[i] += w * d[i];
    for (size_t i = 0; i < KM; i++) gr[i] += le * rd(t, i);
    // l_t's second partials in sigma^2 and e: (0.5 - u) / s^2, e / s^2, -1 / s
    const double lss = (0.5 - u) * r * r, les = e[t] * r * r, lee = -r;
    for (size_t n = 0; n < N; n++) hl[n] += lss * d[tri.row[n]] * d[tri.col[n]] + w * h[n];
    for (size_t i = 0; i < K; i++)
      for (size_t j = 0; j < KM && j <= i; j++) {
        double c = les * rd(t, j) * d[i];
        if (i < KM) c += les * rd(t, i) * d[j] + lee * rd(t, i) * rd(t, j);
        hl[Tri::at(i, j)] += c;
      }
    for (size_t i = 0; i < K; i++) prev[i] = d[i];
  }
  for (size_t i = 0; i < K; i++) grad[i] = -gr[i];
  for (size_t n = 0; n < N; n++) hess[tri.row[n] * K + tri.col[n]] = hess[tri.col[n] * K + tri.row[n]] = -hl[n];
  return -(double(nobs) * dist.constant() - 0.5 * s2p.log() + q);
}

#endif

/// The (skew-)t's second partials (hessian.ts ShapeCurvature, the same operations): of one observation's
/// l_t = -log(sigma^2) / 2 - h(eta) log g(v) in sigma^2 (s), e, eta (E) and lambda (L), v = (b z + a) / (1 +
/// sign(z + a / b) lambda), z = e / sqrt(sigma^2), and of the constant K = log b + log c in eta and lambda.
/// Student's t is the skew-t at a = 0, b = 1, lambda = 0 (v = z).
#if defined(__GNUC__) || defined(__clang__)
typedef double V4 __attribute__((vector_size(32)));
#endif

struct ShapeCurvature {
  double w, h, cv, a, b, aob, ipl, iml, lam, aE, aL, bE, bL, aEE, aEL, bEE, bEL, bLL, kEE, kEL, kLL;
  bool clipped;

  ShapeCurvature(const Dist& dist, const double* theta, size_t id, size_t nd) {
    const Dist::Constants c = dist.constants();
    const double eta = theta[id];
    w = c.inu2;
    h = c.h;
    cv = -(eta + 1) * w;
    // c'' and phi = (log(a / lambda))', phi'
    const double i2 = 1 / (eta - 2), i1 = 1 / (eta - 1);
    const double dc = 0.5 * digamma((eta + 1) / 2) - 0.5 * digamma(eta / 2) - 0.5 * i2;
    const double ddc = 0.25 * trigamma((eta + 1) / 2) - 0.25 * trigamma(eta / 2) + 0.5 * (i2 * i2);
    if (nd == 1) {
      a = aob = lam = aE = aL = bE = bL = aEE = aEL = bEE = bEL = bLL = kEL = kLL = 0;
      b = ipl = iml = 1;
      clipped = true;
      kEE = ddc;
      return;
    }
    a = c.a;
    b = c.b;
    aob = c.aob;
    ipl = c.ipl;
    iml = c.iml;
    lam = c.lam;
    clipped = c.clipped;
    aE = c.daEta;
    aL = c.daLam;
    bE = c.dbEta;
    bL = c.dbLam;
    const double phi = dc + i2 - i1;
    const double dphi = ddc - i2 * i2 + i1 * i1;
    aEL = aL * phi;
    aEE = a * (phi * phi + dphi);
    // b^2 = 1 + 3 lambda^2 - a^2: b_xy = (b^2_xy / 2 - b_x b_y) / b
    bLL = ((3 - aL * aL) - bL * bL) / b;
    bEL = (-(aE * aL + a * aEL) - bE * bL) / b;
    bEE = (-(aE * aE + a * aEE) - bE * bE) / b;
    // (log b)_xy = b_xy / b - b_x b_y / b^2
    const double ib = 1 / b;
    kEE = bEE * ib - (bE * ib) * (bE * ib) + ddc;
    kEL = bEL * ib - (bE * ib) * (bL * ib);
    kLL = bLL * ib - (bL * ib) * (bL * ib);
  }

  /// sqrt(s), of a double or lane by lane.
  static double root(double s) { return std::sqrt(s); }
  /// sign(x) and 1 / (1 + sign(x) lambda) (Dist::sign, inverseDen's values).
  void signs(double x, double& sg, double& dd) const {
    sg = x > 0 ? 1 : x < 0 ? -1 : x;
    dd = sg > 0 ? ipl : sg < 0 ? iml : 1 / (1 + sg * lam);
  }
#if defined(__GNUC__) || defined(__clang__)
  // The vector forms always inlined, as at() itself: a vector passed to a function compiled for the
  // baseline from an AVX copy crosses two ABIs (clang called them: garbage lanes, the fuzz target's seeds).
  template <class V>
  KERNELBUS_VECTOR_BODY static V root(V s) {
    V r;
    for (size_t l = 0; l < sizeof(V) / sizeof(double); l++) r[l] = std::sqrt(s[l]);
    return r;
  }
  template <class V>
  KERNELBUS_VECTOR_BODY void signs(V x, V& sg, V& dd) const {
    using M = decltype(x < x);
    const V zero{}, one = zero + 1.0;
    const M pos = x > 0, neg = x < 0, none = ~(pos | neg);
    const auto pick = [](M m, V a, V b) __attribute__((always_inline)) { return (V)(((M)a & m) | ((M)b & ~m)); };
    sg = pick(pos, one, pick(neg, -one, x));
    dd = pick(pos, zero + ipl, pick(neg, zero + iml, pick(none, one / (1 + sg * lam), zero)));
  }
#endif

  /// l_t's second partials at (e, s): ss, se, ee, sE, eE, sL, eL, EE, EL, LL into o; with Fused (the
  /// skew-t) Dist::partials' g, dE, dSigma2, dA, dB into p, their operations (the same bits). T: a double,
  /// or a vector of steps, each lane a double's operations.
  template <class T, bool Fused>
  KERNELBUS_VECTOR_BODY void at(const Dist::Constants& c, T e, T s, T* p, T* o) const {
    const T isd = 1 / root(s);
    const T z = e * isd;
    const T x = z + aob;
    T sg, dd;
    signs(x, sg, dd);
    const T v = (b * z + a) * dd;
    const T vw2 = (v * v) * w;
    const T g = 1 + vw2;
    const T ig = 1 / g;
    // P(v, eta) = -h log g: its partials
    const T pv = cv * v * ig;
    if constexpr (Fused) {
      p[0] = g;
      const T dz = pv * c.b * dd;
      p[1] = dz * isd;
      p[2] = -0.5 * (isd * isd) * (1 + dz * z);
      p[3] = c.hi2 * (v * v) * ig + pv * (c.daEta + z * c.dbEta) * dd;
      p[4] = c.dbLamOb + pv * (c.daLam + z * c.dbLam) * dd - (c.clipped ? T{} : pv * v * sg * dd);
    }
    const T pvv = cv * (1 - vw2) * (ig * ig);
    const double hw = h * w;
    const T pvE = v * w * ig * (-1 + 2 * hw - 2 * hw * vw2 * ig);
    const T pEE = vw2 * w * ig * (1 - 2 * hw + hw * vw2 * ig);
    // v's partials in z, eta, lambda (1 / (1 + sign lambda)'s in lambda: -sign D^2, 2 sign^2 D^3)
    const T vz = b * dd;
    const T vE = (bE * z + aE) * dd;
    const T sd = clipped ? T{} : sg * dd;
    const T vL = (bL * z + aL) * dd - v * sd;
    const T vzE = bE * dd;
    const T vzL = bL * dd - b * dd * sd;
    const T vEE = (bEE * z + aEE) * dd;
    const T vEL = (bEL * z + aEL) * dd - vE * sd;
    const T vLL = bLL * z * dd - 2 * ((bL * z + aL) * dd) * sd + 2 * v * (sd * sd);
    // Q(z, eta, lambda) = P(v(z, eta, lambda), eta)
    const T qz = pv * vz;
    const T qzz = pvv * (vz * vz);
    const T qzE = pvv * vz * vE + pv * vzE + pvE * vz;
    const T qzL = pvv * vz * vL + pv * vzL;
    // z's partials in e and s: 1 / sqrt(s), -z / (2 s); -1 / (2 s sqrt(s)), 3 z / (4 s^2)
    const T r = isd * isd;
    const T ze = isd, zs = -0.5 * z * r;
    o[0] = 0.5 * (r * r) + qzz * (zs * zs) + qz * (0.75 * z * (r * r));
    o[1] = qzz * zs * ze + qz * (-0.5 * isd * r);
    o[2] = qzz * (ze * ze);
    o[3] = qzE * zs;
    o[4] = qzE * ze;
    o[5] = qzL * zs;
    o[6] = qzL * ze;
    o[7] = pvv * (vE * vE) + pv * vEE + 2 * pvE * vE + pEE;
    o[8] = pvv * vE * vL + pv * vEL + pvE * vL;
    o[9] = pvv * (vL * vL) + pv * vLL;
  }
};

/// pass() for Student's t (ND 1) and the skew-t (ND 2): the value and the gradient garch11Gradient's
/// operations (its bits), the Hessian from ShapeCurvature's partials; sigma^2's second derivatives over
/// the mean's and the variance's parameters (K0) alone, the shape parameters' rows last.
template <size_t O, size_t KM, size_t ND>
KERNELBUS_VECTOR_BODY double shapeBody(Problem* problem, const double* theta, double* grad, double* hess) {
  Problem& pr = *problem;
  constexpr size_t K0 = KM + 3 + O, K = K0 + ND, IW = KM, IA = KM + 1, IG = KM + 2, IB = KM + 2 + O, ID = K0;
  using Tri = Triangle<K>;
  constexpr size_t N = Tri::N, N0 = Triangle<K0>::N;
  constexpr Tri tri;
  const size_t nobs = pr.nobs, L = pr.m.lags;
  const double bc = pr.backcast;
  const double* e = pr.e.data();
  const double* y = pr.y;
  double* sigma2 = pr.sigma2.data();
  const Dist dist(pr.m.dist, theta, ID);
  const ShapeCurvature sc(dist, theta, ID, ND);
  const Dist::Constants dc = dist.constants();
  const double omega = theta[IW], a = theta[IA], g = O ? theta[IG] : 0, b = theta[IB];
  const auto rd = [&](size_t t, size_t i) { return i == 0 ? -1 : -y[t + L - i]; };  // d e_t / d theta_i
  // d: d sigma^2_t (prev: at t - 1); h: d2 sigma^2_t (K0's triangle); gr, hl: of ll (K's)
  double d[K0], prev[K0], gr[K], h[N0], hl[N];
  for (size_t i = 0; i < K0; i++) prev[i] = 0.0;
  for (size_t i = 0; i < K; i++) gr[i] = 0.0;
  for (size_t n = 0; n < N0; n++) h[n] = 0.0;
  for (size_t n = 0; n < N; n++) hl[n] = 0.0;
  LogProduct s2p, gs;
  double q = 0, g0 = 0, g1 = 0;
  // A block of steps at a time, in three loops: sigma^2's recursion (each step's bound: 0, -1 where d and h
  // restart at 0, or sigma^2 before the ceiling's log); the partials of each step, which depend on its e
  // and sigma^2 alone (in one loop a step's root, divisions and ~100 operations after them waited on the
  // recursions); then d and h's recursions and the sums. Each value's operations as in one loop, in t's order.
  constexpr size_t kBlock = 128;
  double clip[kBlock], os[kBlock][10];
  Partials parts[kBlock];
  for (size_t t0 = 0; t0 < nobs; t0 += kBlock) {
    const size_t t1 = t0 + kBlock < nobs ? t0 + kBlock : nobs;
    for (size_t t = t0; t < t1; t++) {
      double s = omega;
      if (t == 0) {
        s += a * bc;
        if (O) s += g * 0.5 * bc;
        s += b * bc;
      } else {
        const double el = e[t - 1];
        s += a * (el * el);
        if (O && el < 0) s += g * (el * el);
        s += b * sigma2[t - 1];
      }
      double kind = 0;
      if (s < pr.lower[t]) {
        kind = -1;
        s = pr.lower[t];
      } else if (s > pr.upper[t]) {
        if (std::isfinite(s)) {
          kind = s;
          s = pr.upper[t] + ln(s / pr.upper[t]);
        } else {
          kind = -1;
          s = pr.upper[t] + 1000;
        }
      }
      sigma2[t] = s;
      clip[t - t0] = kind;
    }
    const auto keep = [&](size_t t, const double* p) {  // the fused partials of step t
      Partials& part = parts[t - t0];
      if constexpr (ND == 2) {
        part.g = p[0];
        part.q = 0;
        part.dE = p[1];
        part.dSigma2 = p[2];
        part.dA = p[3];
        part.dB = p[4];
      } else {
        dist.partials(e[t], sigma2[t], part);
      }
    };
    size_t t = t0;
#if defined(__GNUC__) || defined(__clang__)
    // four steps at a time, a step a lane (their partials depend on no other step's)
    for (; t + 4 <= t1; t += 4) {
      V4 ev, sv, p[5], o[10];
      __builtin_memcpy(&ev, e + t, sizeof ev);
      __builtin_memcpy(&sv, sigma2 + t, sizeof sv);
      sc.at<V4, ND == 2>(dc, ev, sv, p, o);
      for (size_t l = 0; l < 4; l++) {
        const double pl[5] = {p[0][l], p[1][l], p[2][l], p[3][l], p[4][l]};
        keep(t + l, pl);
        for (size_t k = 0; k < 10; k++) os[t + l - t0][k] = o[k][l];
      }
    }
#endif
    for (; t < t1; t++) {
      double p[5];
      sc.at<double, ND == 2>(dc, e[t], sigma2[t], p, os[t - t0]);
      keep(t, p);
    }
    for (size_t t = t0; t < t1; t++) {
      for (size_t i = 0; i < K0; i++) d[i] = 0.0;
      d[IW] = 1;
      double unused = 0;  // sigma^2 is the value pass's, above: the step's d alone is kept
      if (t == 0) {
        garch11Start<O, KM>(unused, d, a, g, b, bc);
      } else {
        curvatureStep<O, KM>(h, a, g, b, e[t - 1], t - 1, rd, prev);
        garch11Step<O, KM, K0>(unused, d, prev, a, g, b, e[t - 1], sigma2[t - 1], t - 1, rd, branchNegative);
      }
      // arch's bounds_check (boundVariance) with the second derivatives: of u + ln(s / u), h / s - d d' / s^2
      const double kind = clip[t - t0];
      if (kind < 0) {
        for (size_t i = 0; i < K0; i++) d[i] = 0.0;
        for (size_t n = 0; n < N0; n++) h[n] = 0.0;
      } else if (kind > 0) {
        for (size_t i = 0; i < K0; i++) d[i] /= kind;
        for (size_t n = 0; n < N0; n++) h[n] = h[n] / kind - d[tri.row[n]] * d[tri.col[n]];
      }
      const double s = sigma2[t];
      const Partials& part = parts[t - t0];
      const double* o = os[t - t0];
      s2p.add(s);
      gs.add(part.g);
      q += part.q;
      const double w = part.dSigma2;
      for (size_t i = 0; i < K0; i++) gr[i] += w * d[i];
      for (size_t i = 0; i < KM; i++) gr[i] += part.dE * rd(t, i);
      g0 += part.dA;
      g1 += part.dB;
      // the Hessian: sigma^2 and e's terms, then the shape parameters' rows
      const double lss = o[0], les = o[1], lee = o[2];
      for (size_t n = 0; n < N0; n++) hl[n] += lss * d[tri.row[n]] * d[tri.col[n]] + w * h[n];
      for (size_t i = 0; i < K0; i++)
        for (size_t j = 0; j < KM && j <= i; j++) {
          double c = les * rd(t, j) * d[i];
          if (i < KM) c += les * rd(t, i) * d[j] + lee * rd(t, i) * rd(t, j);
          hl[Tri::at(i, j)] += c;
        }
      for (size_t r = 0; r < ND; r++) {
        const double ls = o[3 + 2 * r], le = o[4 + 2 * r];
        double* row = hl + Tri::at(ID + r, 0);
        for (size_t j = 0; j < K0; j++) row[j] += ls * d[j];
        for (size_t j = 0; j < KM; j++) row[j] += le * rd(t, j);
      }
      hl[Tri::at(ID, ID)] += o[7];
      if (ND > 1) {
        hl[Tri::at(ID + 1, ID)] += o[8];
        hl[Tri::at(ID + 1, ID + 1)] += o[9];
      }
      for (size_t i = 0; i < K0; i++) prev[i] = d[i];
    }
  }
  const double logG = gs.log();
  gr[ID] += double(nobs) * dist.constantA() - 0.5 * logG + g0;
  if (ND > 1) gr[ID + 1] += g1;
  hl[Tri::at(ID, ID)] += double(nobs) * sc.kEE;
  if (ND > 1) {
    hl[Tri::at(ID + 1, ID)] += double(nobs) * sc.kEL;
    hl[Tri::at(ID + 1, ID + 1)] += double(nobs) * sc.kLL;
  }
  for (size_t i = 0; i < K; i++) grad[i] = -gr[i];
  for (size_t n = 0; n < N; n++) hess[tri.row[n] * K + tri.col[n]] = hess[tri.col[n] * K + tri.row[n]] = -hl[n];
  return -(double(nobs) * dist.constant() - 0.5 * s2p.log() - dist.h() * logG + q);
}

template <size_t O, size_t KM, size_t ND>
double shapePass(Problem& pr, const double* theta, double* grad, double* hess) {
  return simd::run<shapeBody<O, KM, ND>>(&pr, theta, grad, hess);
}

template <size_t O, size_t KM>
HessianPass byDist(int dist) {
  if (!distribution(dist).curvature) return nullptr;
  return dist == kDistNormal ? pass<O, KM> : dist == kDistT ? shapePass<O, KM, 1> : shapePass<O, KM, 2>;
}

template <size_t O>
HessianPass byMean(size_t km, int dist) {
  switch (km) {
    case 0:
      return byDist<O, 0>(dist);
    case 1:
      return byDist<O, 1>(dist);
    case 2:
      return byDist<O, 2>(dist);
    default:
      return byDist<O, 3>(dist);
  }
}

}  // namespace

HessianPass garch11Hessian(const Model& m) {
  if (m.vol != kVolGarch || m.p != 1 || m.o > 1 || m.q != 1 || meanCount(m) > 3) return nullptr;
  return m.o == 1 ? byMean<1>(meanCount(m), m.dist) : byMean<0>(meanCount(m), m.dist);
}

double negLogLikelihoodHessian(Problem& pr, const double* theta, double* grad, double* hess) {
  residuals(pr, theta, pr.e.data());
  return garch11Hessian(pr.m)(pr, theta, grad, hess);
}

}  // namespace kernelbus::volatility
