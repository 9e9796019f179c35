// GARCH(1,1) and GJR-GARCH(1,1,1), the models fitted most, with their orders and parameter count fixed
// at compile time: model.cpp's garchValues + distLogLikelihood fused into one pass, and its
// garchGradient with the derivative rows in registers (a ring of rows in memory, written narrow and
// read wide, stalled store forwarding), every operation the generic passes' in their order, so the
// bits are theirs (and the reference's, model.ts).
#include <cmath>

#include "volatility/garch_terms.hpp"
#include "volatility/passes.hpp"

namespace kernelbus::volatility {

namespace {

template <size_t O>
double value(Problem& pr, const double* theta, const Dist& dist) {
  const size_t nobs = pr.nobs;
  const double bc = pr.backcast;
  const double* e = pr.e.data();
  double* sigma2 = pr.sigma2.data();
  const double omega = theta[pr.iw], a = theta[pr.ia], g = O ? theta[pr.ig] : 0, b = theta[pr.ib];
  LogProduct s2, gs;
  Partials out;
  double q = 0, prev = 0;
  for (size_t t = 0; t < nobs; t++) {
    double s = omega;
    if (t == 0) {
      s += a * bc;
      if (O) s += g * 0.5 * bc;
      s += b * bc;
    } else {
      const double el = e[t - 1];
      s += a * (el * el);
      if (O) s = selectLess(el, 0.0, s + g * (el * el), s);
      s += b * prev;
    }
    s = boundVariance(pr, t, s);
    sigma2[t] = s;
    prev = s;
    dist.observe(e[t], s, out);
    s2.add(s);
    gs.add(out.g);
    q += out.q;
  }
  return -(double(nobs) * dist.constant() - 0.5 * s2.log() - dist.h() * gs.log() + q);
}

/// value() of N parameter vectors at once (independent recursions interleaved: the steps' latency
/// overlaps), the log-likelihoods (not negated) into ll; sigma2 left as it was.
template <size_t O, size_t N>
void lanes(Problem& pr, const double* thetas, const Dist& dist, double* ll) {
  const size_t nobs = pr.nobs, k = pr.k;
  const double bc = pr.backcast;
  const double* e = pr.e.data();
  double omega[N], a[N], g[N], b[N], q[N], prev[N];
  LogProduct s2[N], gs[N];
  for (size_t n = 0; n < N; n++) {
    const double* theta = thetas + n * k;
    omega[n] = theta[pr.iw];
    a[n] = theta[pr.ia];
    g[n] = O ? theta[pr.ig] : 0;
    b[n] = theta[pr.ib];
    q[n] = prev[n] = 0;
  }
  Partials out;
  for (size_t t = 0; t < nobs; t++) {
    const double el = t == 0 ? 0 : e[t - 1];
    for (size_t n = 0; n < N; n++) {
      double s = omega[n];
      if (t == 0) {
        s += a[n] * bc;
        if (O) s += g[n] * 0.5 * bc;
        s += b[n] * bc;
      } else {
        s += a[n] * (el * el);
        if (O && el < 0) s += g[n] * (el * el);
        s += b[n] * prev[n];
      }
      s = boundVariance(pr, t, s);
      prev[n] = s;
      dist.observe(e[t], s, out);
      s2[n].add(s);
      gs[n].add(out.g);
      q[n] += out.q;
    }
  }
  for (size_t n = 0; n < N; n++) ll[n] = double(nobs) * dist.constant() - 0.5 * s2[n].log() - dist.h() * gs[n].log() + q[n];
}

template <size_t O>
void grid(Problem& pr, const double* thetas, size_t count, const Dist& dist, double* ll) {
  size_t n = 0;
  // the grid is the normal's (arch's starting values): eight at a time in two vectors' lanes where the
  // compiler has vectors (lanes.cpp, the same bits; eight lanes of AVX-512 took 1.4x as long as four)
  if (const GridLanes vector = garch11GridLanes(pr.m))
    for (; n + 8 <= count; n += 8) vector(pr, thetas + n * pr.k, ll + n);
  for (; n + 4 <= count; n += 4) lanes<O, 4>(pr, thetas + n * pr.k, dist, ll + n);
  for (; n < count; n++) lanes<O, 1>(pr, thetas + n * pr.k, dist, ll + n);
}

template <size_t O, size_t KM, size_t ND, bool S>
double pass(Problem& pr, const double* theta, const Dist& dist, double* grad, double* scores) {
  constexpr size_t K = KM + 3 + O + ND, IW = KM, IA = KM + 1, IG = KM + 2, IB = KM + 2 + O;
  const size_t nobs = pr.nobs, L = pr.m.lags;
  const double bc = pr.backcast;
  const double* e = pr.e.data();
  const double* y = pr.y;
  double* sigma2 = pr.sigma2.data();
  const double omega = theta[IW], a = theta[IA], g = O ? theta[IG] : 0, b = theta[IB];
  const auto rd = [&](size_t t, size_t i) { return i == 0 ? -1 : -y[t + L - i]; };  // d e_t / d theta_i
  const double zero = pr.lower.empty() ? 0.0 : pr.lower[0] * 0.0;
  double d[K], prev[K], gr[K];
  for (size_t i = 0; i < K; i++) prev[i] = gr[i] = 0.0;
  GradientSums sums;
  Partials part;
  for (size_t t = 0; t < nobs; t++) {
    for (size_t i = 0; i < K; i++) d[i] = zero;
    d[IW] = 1;
    double s = omega;
    if (t == 0)
      garch11Start<O, KM>(s, d, a, g, b, bc);
    else  // GJR's term selected, not branched on: the sign is the data's
      garch11Step<O, KM, K>(s, d, prev, a, g, b, e[t - 1], sigma2[t - 1], t - 1, rd, selectNegative);
    s = boundVariance(pr, t, s, d, K);
    sigma2[t] = s;
    dist.partials(e[t], s, part);
    const double w = part.dSigma2;
    sums.add(pr, t, s, part, w, d, K, KM, gr);
    if constexpr (S) {  // observationScore's operations, inlined (d in registers)
      double* row = scores + t * K;
      for (size_t i = 0; i < K; i++) row[i] = w * d[i];
      for (size_t i = 0; i < KM; i++) row[i] += part.dE * (i == 0 ? -1 : -y[t + L - i]);
      if (ND > 0) row[KM + 3 + O] += dist.constantA() - 0.5 * ln(part.g) + part.dA;
      if (ND > 1) row[KM + 4 + O] += part.dB;
      for (size_t i = 0; i < K; i++) row[i] = -row[i];
    }
    for (size_t i = 0; i < K; i++) prev[i] = d[i];
  }
  return sums.finish(pr, dist, ND, gr, grad, K);
}

template <size_t O, size_t KM, size_t ND>
double gradient(Problem& pr, const double* theta, const Dist& dist, double* grad, double* scores) {
  return scores ? pass<O, KM, ND, true>(pr, theta, dist, grad, scores) : pass<O, KM, ND, false>(pr, theta, dist, grad, nullptr);
}

template <size_t O, size_t KM>
GradientPass byDist(int dist) {
  if (!distribution(dist).curvature) return nullptr;
  return dist == kDistNormal ? gradient<O, KM, 0> : dist == kDistT ? gradient<O, KM, 1> : gradient<O, KM, 2>;
}

template <size_t O>
GradientPass byMean(size_t km, int dist) {
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

bool fixed(const Model& m) { return m.vol == kVolGarch && m.p == 1 && m.o <= 1 && m.q == 1 && meanCount(m) <= 3; }

}  // namespace

ValuePass garch11Value(const Model& m) {
  if (!fixed(m)) return nullptr;
  return m.o == 1 ? value<1> : value<0>;
}

GridPass garch11Grid(const Model& m) {
  if (!fixed(m)) return nullptr;
  return m.o == 1 ? grid<1> : grid<0>;
}

GradientPass garch11Gradient(const Model& m) {
  if (!fixed(m)) return nullptr;
  return m.o == 1 ? byMean<1>(meanCount(m), m.dist) : byMean<0>(meanCount(m), m.dist);
}

}  // namespace kernelbus::volatility
