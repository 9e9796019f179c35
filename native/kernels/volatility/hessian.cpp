// The analytic Hessian of -ll for GARCH(1,1) and GJR(1,1,1) with normal errors (hessian.ts, the same
// operations in the same order): the second derivatives of sigma^2 carried forward beside its first, in
// the pass that gives the value and the gradient (garch11.cpp's bits for both). The fit's Newton model
// (one pass an iteration where forward differences of the gradient took k more).
#include <cstddef>

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
      s += a * bc;
      d[IA] += bc;
      if (O) {
        s += g * 0.5 * bc;
        d[IG] += 0.5 * bc;
      }
      s += b * bc;
      d[IB] += bc;
    } else {
      const size_t lag = t - 1;
      const double el = e[lag];
      // h at t from h and d at t - 1: b h, then the terms of a e^2, g e^2 1(e < 0) and b sigma^2
      for (size_t n = 0; n < N; n++) h[n] = b * h[n];
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
      // d at t: garch11.cpp's operations
      s += a * (el * el);
      d[IA] += el * el;
      for (size_t i = 0; i < KM; i++) d[i] += a * 2 * el * rd(lag, i);
      if (O && el < 0) {
        s += g * (el * el);
        d[IG] += el * el;
        for (size_t i = 0; i < KM; i++) d[i] += g * 2 * el * rd(lag, i);
      }
      s += b * sigma2[lag];
      d[IB] += sigma2[lag];
      for (size_t i = 0; i < K; i++) d[i] += b * prev[i];
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
    const double w = -0.5 * (r - u * r);
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

template <size_t O>
HessianPass byMean(size_t km) {
  switch (km) {
    case 0:
      return pass<O, 0>;
    case 1:
      return pass<O, 1>;
    case 2:
      return pass<O, 2>;
    default:
      return pass<O, 3>;
  }
}

}  // namespace

HessianPass garch11Hessian(const Model& m) {
  if (m.egarch || m.p != 1 || m.o > 1 || m.q != 1 || meanCount(m) > 3 || m.dist != kDistNormal) return nullptr;
  return m.o == 1 ? byMean<1>(meanCount(m)) : byMean<0>(meanCount(m));
}

double negLogLikelihoodHessian(Problem& pr, const double* theta, double* grad, double* hess) {
  residuals(pr, theta, pr.e.data());
  return garch11Hessian(pr.m)(pr, theta, grad, hess);
}

}  // namespace kernelbus::volatility
