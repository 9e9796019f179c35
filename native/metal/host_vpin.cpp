// The Metal backend's bulkClassify (host.hpp): the bars checked and their standardized price changes
// z = dP / sigma computed in double precision (vpin::standardizedChanges, the native kernel's code),
// the buy fractions F(z) on the runner in float (kb_classify), the buy volumes volume F(z) in double.
#include <cfloat>
#include <cmath>
#include <vector>

#include "host.hpp"
#include "math/special.hpp"

namespace kernelbus::shader {
namespace {

/// Beyond this |z| the float kernel is not asked: the normal CDF is 0 or 1 there, but Student's t with
/// few degrees of freedom is not, and z is past float's range. The host computes F in double.
constexpr double kFloatZ = 1e30;

/// The degrees of freedom the shader is given: within [1e-30, 1e30], where its float arithmetic holds
/// (beyond, the CDF is within float rounding of its value at the bound).
double shaderNu(double nu) { return nu < 1e-30 ? 1e-30 : nu > 1e30 ? 1e30 : nu; }

/// ln(a B(a, 1/2)), a = nu / 2, which the shader's incomplete beta function needs below 10 degrees of
/// freedom: of order 1 for every nu (ln B alone grows like -ln a as nu goes to 0).
double logABeta(double nu) {
  const double a = nu / 2;
  return nu < 10 ? std::lgamma(a) + std::log(a) + std::lgamma(0.5) - std::lgamma(a + 0.5) : 0;
}

}  // namespace

Status bulkClassify(Runner& runner, const double* open, const double* close, const double* volume, size_t n, const vpin::Params& params,
                    double* buy) {
  std::vector<double> z(n);
  if (Status s = vpin::standardizedChanges(open, close, volume, n, params, z.data()); !s.ok()) return s;
  if (n == 0) return Status{};
  requireElements(n, "the bars");
  Buffer zs = runner.allocate(n), fraction = runner.allocate(n);
  for (size_t i = 0; i < n; i++) zs.data[i] = std::fabs(z[i]) > kFloatZ ? 0.0f : static_cast<float>(z[i]);  // NaN stays NaN
  const double nu = shaderNu(params.nu);
  const KbClassifyParams p{static_cast<unsigned>(n), static_cast<unsigned>(params.distribution), static_cast<float>(nu),
                           static_cast<float>(params.distribution == 1 ? logABeta(nu) : 0)};
  runner.run(Kernel::Classify, {&zs, &fraction}, p, n);
  runner.finish();
  for (size_t i = 0; i < n; i++) {
    const double f = std::fabs(z[i]) > kFloatZ ? (params.distribution == 0 ? normalCdf(z[i]) : studentTCdf(z[i], params.nu))
                                               : static_cast<double>(fraction.data[i]);
    buy[i] = volume[i] * f;
  }
  return Status{};
}

}  // namespace kernelbus::shader
