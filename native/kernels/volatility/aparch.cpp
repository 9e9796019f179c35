// APARCH (src/backends/reference/volatility/processes.ts aparchRecursion and aparchPaths, and the entry
// in src/kernels/volatility/volatility-processes.ts: the same operations in the same order).
#include "volatility/aparch.hpp"

#include <algorithm>
#include <cmath>

#include "elementary.hpp"
#include "volatility/passes.hpp"
#include "volatility/processes.hpp"

namespace kernelbus::volatility {

namespace {
using elementary::powerOf;
constexpr double kGammaBound = 0.9997;

}  // namespace

void aparchRecursion(Problem& pr, const double* theta, bool derivatives) {
  const Model& m = pr.m;
  const size_t k = pr.k, km = pr.iw, ix = pr.ix;
  const bool free = m.delta == 0;
  const double delta = aparchDelta(pr, theta);
  const double bc = pr.backcast, rootBc = std::sqrt(bc);
  const double rootBcPower = powerOf(rootBc, delta), bcPower = powerOf(bc, delta / 2);
  const double* e = pr.e.data();
  double *sigma2 = pr.sigma2.data(), *sd = pr.ln.data();
  double* ds = derivatives ? pr.ds.data() : nullptr;
  for (size_t t = 0; t < pr.nobs; t++) {
    double* d = ds ? ds + t * k : nullptr;
    if (d) {
      std::fill(d, d + k, 0.0);
      d[pr.iw] = 1;
    }
    double s = theta[pr.iw];
    for (size_t j = 0; j < m.p; j++) {
      const double a = theta[pr.ia + j];
      if (t < j + 1) {
        s += a * rootBcPower;
        if (d) {
          d[pr.ia + j] += rootBcPower;
          if (free && rootBc > 0) d[ix] += a * rootBcPower * ln(rootBc);
        }
        continue;
      }
      const size_t lag = t - 1 - j;
      const double g = j < m.o ? theta[pr.ig + j] : 0;
      double shock = std::fabs(e[lag]);
      if (j < m.o) shock -= g * e[lag];
      const double power = powerOf(shock, delta);
      s += a * power;
      if (d) {
        d[pr.ia + j] += power;
        if (shock > 0) {
          // d (shock^delta) = delta shock^(delta - 1) d shock + shock^delta ln shock d delta
          const double f = (a * delta * power) / shock;
          const double slope = (e[lag] > 0 ? 1 : e[lag] < 0 ? -1 : 0) - g;
          for (size_t i = 0; i < km; i++) d[i] += f * slope * residualDerivative(pr, lag, i);
          if (j < m.o) d[pr.ig + j] -= f * e[lag];
          if (free) d[ix] += a * power * ln(shock);
        }
      }
    }
    for (size_t j = 0; j < m.q; j++) {
      const double b = theta[pr.ib + j];
      if (t < j + 1) {
        s += b * bcPower;
        if (d) {
          d[pr.ib + j] += bcPower;
          if (free && bc > 0) d[ix] += b * bcPower * 0.5 * ln(bc);
        }
        continue;
      }
      const size_t lag = t - 1 - j;
      s += b * sd[lag];
      if (d) {
        // d sigma^delta = sigma^delta (delta / 2 d sigma^2 / sigma^2 + ln sigma^2 / 2 d delta)
        d[pr.ib + j] += sd[lag];
        const double* l = ds + lag * k;
        const double f = (b * sd[lag] * (delta / 2)) / sigma2[lag];
        for (size_t i = 0; i < k; i++) d[i] += f * l[i];
        if (free) d[ix] += b * sd[lag] * 0.5 * ln(sigma2[lag]);
      }
    }
    const double v = powerOf(s, 2 / delta);
    if (d) {
      // d s^(2 / delta) = s^(2 / delta) (2 / delta ds / s - 2 / delta^2 ln s d delta)
      const double f = (v * (2 / delta)) / s;
      for (size_t i = 0; i < k; i++) d[i] *= f;
      if (free) d[ix] -= v * (2 / (delta * delta)) * ln(s);
    }
    sigma2[t] = d ? boundVariance(pr, t, v, d, k) : boundVariance(pr, t, v);
    sd[t] = powerOf(sigma2[t], delta / 2);
  }
}

void aparchOmegaBounds(const Problem& pr, double v, double& lo, double& hi) {
  double root = 0;
  for (size_t t = 0; t < pr.nobs; t++) root += std::sqrt(std::fabs(pr.e[t]));
  lo = 0;
  hi = 10 * std::max(root / double(pr.nobs), v);
}

void aparchPolytope(const Problem& pr, double v, Polytope& out) {
  const Model& m = pr.m;
  const size_t k = pr.k;
  aparchOmegaBounds(pr, v, out.lo[pr.iw], out.hi[pr.iw]);
  for (size_t j = 0; j < m.p; j++) out.lo[pr.ia + j] = 0, out.hi[pr.ia + j] = 1;
  for (size_t j = 0; j < m.o; j++) out.lo[pr.ig + j] = -kGammaBound, out.hi[pr.ig + j] = kGammaBound;
  for (size_t j = 0; j < m.q; j++) out.lo[pr.ib + j] = 0, out.hi[pr.ib + j] = 1;
  if (m.delta == 0) out.lo[pr.ix] = 0.05, out.hi[pr.ix] = 4;
  double* r = addRow(out, k);
  for (size_t j = 0; j < m.p; j++) r[pr.ia + j] = -1;
  for (size_t j = 0; j < m.q; j++) r[pr.ib + j] = -1;
  out.b.push_back(-1);
}

void aparchStarts(const Problem& pr, const double* theta, std::vector<double>& grid) {
  const Model& m = pr.m;
  const size_t nobs = pr.nobs;
  const double meanSq = meanSquare(pr.e.data(), nobs);
  const double alphas[] = {0.03, 0.05, 0.08, 0.15}, abs[] = {0.8, 0.9, 0.95, 0.975, 0.99};
  const double gammasAsym[] = {-0.5, 0, 0.5}, gammasNone[] = {0}, deltasFree[] = {0.5, 1.2, 1.8}, deltaFixed[] = {m.delta};
  const double* gammas = m.o > 0 ? gammasAsym : gammasNone;
  const double* deltas = m.delta == 0 ? deltasFree : deltaFixed;
  const size_t gammaCount = m.o > 0 ? 3 : 1, deltaCount = m.delta == 0 ? 3 : 1;
  // omega's target (1 - ab) mean(e^2)^(delta / 2), computed as arch does: once a delta (the grid repeats it)
  double targets[3];
  for (size_t di = 0; di < deltaCount; di++) {
    const double delta = deltas[di];
    double target = 0;
    for (size_t t = 0; t < nobs; t++) target += powerOf(std::fabs(pr.e[t]), delta);
    target /= double(nobs);
    const double scale = meanSq / powerOf(target, 2 / delta);
    targets[di] = target * powerOf(scale, delta / 2);
  }
  std::vector<double> sv(theta, theta + pr.k);
  for (double alpha : alphas)
    for (size_t gi = 0; gi < gammaCount; gi++)
      for (double ab0 : abs)
        for (size_t di = 0; di < deltaCount; di++) {
          const double delta = deltas[di];
          sv[pr.iw] = (1 - ab0) * targets[di];
          for (size_t j = 0; j < m.p; j++) sv[pr.ia + j] = alpha / double(m.p);
          const double ab = ab0 - alpha;
          for (size_t j = 0; j < m.o; j++) sv[pr.ig + j] = gammas[gi];
          for (size_t j = 0; j < m.q; j++) sv[pr.ib + j] = ab / double(m.q);
          if (m.delta == 0) sv[pr.ix] = delta;
          grid.insert(grid.end(), sv.begin(), sv.end());
        }
}

AparchPaths::AparchPaths(const Problem& ext, const double* params, size_t horizon)
    : ext(ext), params(params), horizon(horizon), mx(std::max(ext.m.p, ext.m.q)), delta(aparchDelta(ext, params)) {
  const size_t n = ext.nobs - 1;
  start.resize(3 * mx);
  shock.resize(mx + horizon);
  abs.resize(mx + horizon);
  sd.resize(mx + horizon);
  for (size_t i = 0; i < mx; i++) {
    const bool before = n + i < mx;
    const double e = before ? std::sqrt(ext.backcast) : ext.e[n + i - mx];
    start[i] = e;
    start[mx + i] = std::fabs(e);
    start[2 * mx + i] = powerOf(before ? ext.backcast : ext.sigma2[n + i - mx], delta / 2);
  }
}

void AparchPaths::run(const double* z, double* variance) {
  const Model& m = ext.m;
  std::copy(start.begin(), start.begin() + mx, shock.begin());
  std::copy(start.begin() + mx, start.begin() + 2 * mx, abs.begin());
  std::copy(start.begin() + 2 * mx, start.end(), sd.begin());
  for (size_t h = 0; h < horizon; h++) {
    const size_t loc = h + mx - 1;
    double v = params[ext.iw];
    for (size_t j = 0; j < m.p; j++) {
      // arch's term of lag j is computed in its |e| array itself (a numpy view): a later step reads it
      if (j < m.o) abs[loc - j] -= params[ext.ig + j] * shock[loc - j];
      v += params[ext.ia + j] * powerOf(abs[loc - j], delta);
    }
    for (size_t j = 0; j < m.q; j++) v += params[ext.ib + j] * sd[loc - j];
    sd[loc + 1] = v;
    shock[loc + 1] = z[h] * powerOf(v, 1 / delta);
    abs[loc + 1] = std::fabs(shock[loc + 1]);
    variance[h] = powerOf(v, 2 / delta);
  }
}

void aparchPaths(const Problem& ext, const double* params, size_t horizon, size_t simulations, const Draw& draw, double* sums) {
  AparchPaths paths(ext, params, horizon);
  std::vector<double> variance(horizon);
  for (size_t path = 0; path < simulations; path++) {
    paths.run(draw(path), variance.data());
    for (size_t h = 0; h < horizon; h++) sums[h] += variance[h];
  }
}

}  // namespace kernelbus::volatility
