// The simulation forecast (src/backends/reference/volatility/forecast-simulation.ts, function for function): the
// residual variance of each step as the mean over paths of shocks drawn from the fitted distribution
// (its quantile of Philox4x32-10 uniforms: the same draws as the reference's).
#include <algorithm>
#include <cmath>
#include <vector>

#include "random.hpp"
#include "volatility/aparch.hpp"
#include "volatility/model.hpp"

namespace kernelbus::volatility {

namespace {
constexpr uint64_t kTag = 0x766f6c;  // "vol"
const double kSqrt2OvPi = std::sqrt(2 / M_PI);
}  // namespace

void simulateVariance(const Problem& ext, const double* params, size_t horizon, size_t simulations, double seed, double* vf) {
  const Model& m = ext.m;
  const size_t n = ext.nobs - 1;
  const size_t mx = std::max(std::max(m.p, m.o), m.q);
  const double* shape = params + ext.id;
  const auto ppf = distribution(m.dist).ppf;
  const uint64_t k0 = uint64_t(std::fmod(seed, 4294967296.0)), k1 = uint64_t(std::floor(seed / 4294967296.0));
  std::vector<double> z(horizon), sums(horizon, 0.0), sym(mx + horizon), asym(mx + horizon), s(mx + horizon);
  const auto draw = [&](size_t path) {
    for (size_t h = 0; h < horizon; h += 2) {
      random::Word x0 = path, x1 = h / 2, x2 = kTag, x3 = 0;
      random::philox4x32(x0, x1, x2, x3, k0, k1);
      z[h] = ppf(shape, random::uniform52(x0, x1));
      if (h + 1 < horizon) z[h + 1] = ppf(shape, random::uniform52(x2, x3));
    }
  };
  if (m.vol == kVolAparch) {  // aparch.cpp's paths
    AparchPaths paths(ext, params, horizon);
    std::vector<double> variance(horizon);
    for (size_t path = 0; path < simulations; path++) {
      draw(path);
      paths.run(z.data(), variance.data());
      for (size_t h = 0; h < horizon; h++) sums[h] += variance[h];
    }
    for (size_t h = 0; h < horizon; h++) vf[h] = sums[h] / double(simulations);
    return;
  }
  for (size_t i = 0; i < mx; i++) {
    if (n + i < mx) {  // before the sample
      sym[i] = (m.vol == kVolEgarch) ? kSqrt2OvPi : ext.backcast;
      asym[i] = (m.vol == kVolEgarch) ? 0 : 0.5 * ext.backcast;
      s[i] = ext.backcast;
      continue;
    }
    const size_t t = n + i - mx;
    if (m.vol == kVolEgarch) {
      const double zt = ext.e[t] / std::sqrt(ext.sigma2[t]);
      sym[i] = std::fabs(zt);
      asym[i] = zt;
      s[i] = ln(ext.sigma2[t]);
    } else {
      sym[i] = ext.e[t] * ext.e[t];
      asym[i] = ext.e[t] < 0 ? sym[i] : 0;
      s[i] = ext.sigma2[t];
    }
  }
  for (size_t path = 0; path < simulations; path++) {
    draw(path);
    for (size_t h = 0; h < horizon; h++) {
      const size_t at = mx + h;
      double v = params[ext.iw];
      for (size_t j = 0; j < m.p; j++) v += params[ext.ia + j] * ((m.vol == kVolEgarch) ? sym[at - 1 - j] - kSqrt2OvPi : sym[at - 1 - j]);
      for (size_t j = 0; j < m.o; j++) v += params[ext.ig + j] * asym[at - 1 - j];
      for (size_t j = 0; j < m.q; j++) v += params[ext.ib + j] * s[at - 1 - j];
      s[at] = v;
      if (m.vol == kVolEgarch) {
        sym[at] = std::fabs(z[h]);
        asym[at] = z[h];
        sums[h] += exp(v);
      } else {
        const double shock = z[h] * std::sqrt(v);
        sym[at] = shock * shock;
        asym[at] = shock < 0 ? sym[at] : 0;
        sums[h] += v;
      }
    }
  }
  for (size_t h = 0; h < horizon; h++) vf[h] = sums[h] / double(simulations);
}

}  // namespace kernelbus::volatility
