// The simulation forecast (src/backends/reference/volatility/forecast-simulation.ts, function for function): the
// residual variance of each step as the mean over paths of shocks drawn from the fitted distribution
// (its quantile of Philox4x32-10 uniforms: the same draws as the reference's).
#include <algorithm>
#include <cmath>
#include <vector>

#include "random.hpp"
#include "volatility/processes.hpp"
#include "volatility/model.hpp"

namespace kernelbus::volatility {

namespace {
constexpr uint64_t kTag = 0x766f6c;  // "vol"
}  // namespace

void simulateVariance(const Problem& ext, const double* params, size_t horizon, size_t simulations, double seed, double* vf) {
  const Model& m = ext.m;
  const double* shape = params + ext.id;
  const auto ppf = distribution(m.dist).ppf;
  const uint64_t k0 = uint64_t(std::fmod(seed, 4294967296.0)), k1 = uint64_t(std::floor(seed / 4294967296.0));
  std::vector<double> z(horizon), sums(horizon, 0.0);
  const Draw draw = [&](size_t path) -> const double* {
    for (size_t h = 0; h < horizon; h += 2) {
      random::Word x0 = path, x1 = h / 2, x2 = kTag, x3 = 0;
      random::philox4x32(x0, x1, x2, x3, k0, k1);
      z[h] = ppf(shape, random::uniform52(x0, x1));
      if (h + 1 < horizon) z[h + 1] = ppf(shape, random::uniform52(x2, x3));
    }
    return z.data();
  };
  processOf(m).paths(ext, params, horizon, simulations, draw, sums.data());  // each process's own
  for (size_t h = 0; h < horizon; h++) vf[h] = sums[h] / double(simulations);
}

}  // namespace kernelbus::volatility
