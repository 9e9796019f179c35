// The error distributions' table (dists.hpp; src/kernels/volatility/volatility-dists.ts, the same
// formulas in the same order of operations).
#include "volatility/dists.hpp"

#include <algorithm>
#include <cmath>

#include "math/special.hpp"
#include "volatility/model.hpp"

namespace kernelbus::volatility {

namespace {

double sign(double x) { return x > 0 ? 1 : x < 0 ? -1 : x; }

/// The standard Student-t density.
double tPdf(double t, double nu) {
  return exp(logGamma((nu + 1) / 2) - logGamma(nu / 2) - 0.5 * ln(M_PI * nu) - ((nu + 1) / 2) * ln(1 + (t * t) / nu));
}
/// The integral of t g(t) from -inf to x, g the standard t density: -(nu + x^2) / (nu - 1) g(x).
double tPartialMean(double x, double nu) { return (-(nu + x * x) / (nu - 1)) * tPdf(x, nu); }

/// Hansen's skew-t constants a and b at eta and lambda (arch's SkewStudent).
void skewtAB(double eta, double lam, double& a, double& b) {
  const double c = exp(logGamma((eta + 1) / 2) - logGamma(eta / 2) - ln(M_PI * (eta - 2)) / 2);
  a = (4 * lam * c * (eta - 2)) / (eta - 1);
  b = std::sqrt(1 + 3 * (lam * lam) - a * a);
}

/// arch's StudentsT starting value of nu from the kurtosis: (4k - 6) / (k - 3) above 3.75, else 12; at least 4.
double nuFromKurtosis(double kurt) { return std::max(kurt > 3.75 ? (4 * kurt - 6) / (kurt - 3) : 12.0, 4.0); }

// The normal.
void normalStart(double, double*) {}
double normalPpf(const double*, double u) { return normalQuantile(u); }
void normalTail(const double*, double alpha, double& q, double& eq) {
  q = normalQuantile(alpha);
  eq = -normalPdf(q) / alpha;
}

// Student's t standardized to unit variance: t_nu scaled by sqrt((nu - 2) / nu).
void tStart(double kurt, double* out) { out[0] = nuFromKurtosis(kurt); }
double tPpf(const double* shape, double u) {
  const double nu = shape[0];
  return studentTQuantile(u, nu) * std::sqrt((nu - 2) / nu);
}
void tTail(const double* shape, double alpha, double& q, double& eq) {
  const double nu = shape[0], s = std::sqrt((nu - 2) / nu);
  const double t = studentTQuantile(alpha, nu);
  q = t * s;
  eq = (s * tPartialMean(t, nu)) / alpha;
}

// Hansen's skew-t.
void skewtStart(double kurt, double* out) {
  out[0] = nuFromKurtosis(kurt);
  out[1] = 0;
}
double skewtPpf(const double* shape, double u) {
  const double eta = shape[0], lam = shape[1];
  double a, b;
  skewtAB(eta, lam, a, b);
  const bool lower = u < (1 - lam) / 2;
  const double t = lower ? studentTQuantile(u / (1 - lam), eta) : studentTQuantile(0.5 + (u - (1 - lam) / 2) / (1 + lam), eta);
  return (t * (1 + sign(u - (1 - lam) / 2) * lam) * std::sqrt((eta - 2) / eta) - a) / b;
}
/// Its tail mean by the two branches of the density, each a scaled t.
void skewtTail(const double* shape, double alpha, double& q, double& eq) {
  const double eta = shape[0], lam = shape[1];
  double a, b;
  skewtAB(eta, lam, a, b);
  const double s = std::sqrt((eta - 2) / eta);
  // arch's ppf: the lower branch below (1 - lambda) / 2, t that branch's t quantile
  const bool lower = alpha < (1 - lam) / 2;
  const double t = lower ? studentTQuantile(alpha / (1 - lam), eta) : studentTQuantile(0.5 + (alpha - (1 - lam) / 2) / (1 + lam), eta);
  q = skewtPpf(shape, alpha);
  // E[z; z <= q]: z = ((1 -+ lambda) s t - a) / b with weight (1 -+ lambda) g(t) on each branch
  const double k1 = 1 - lam;
  double mean = ((k1 * k1 * s) / b) * tPartialMean(lower ? t : 0, eta) - (a / b) * k1 * (lower ? studentTCdf(t, eta) : 0.5);
  if (!lower) {
    const double k2 = 1 + lam;
    mean += ((k2 * k2 * s) / b) * (tPartialMean(t, eta) - tPartialMean(0, eta)) - (a / b) * k2 * (studentTCdf(t, eta) - 0.5);
  }
  eq = mean / alpha;
}

// The generalized error distribution standardized to unit variance (scipy's gennorm(nu) at scale
// s = sqrt(Gamma(1/nu) / Gamma(3/nu))): z = +-s x^(1/nu), Q(1/nu, x) the two-sided tail 2 min(u, 1 - u).
void gedStart(double, double* out) { out[0] = 1.5; }
/// x^a for x with Q(a, x) = q: below the doubles P(a, x) = x^a / Gamma(a + 1) to the last bit.
double gedPower(double a, double x, double q) { return x > 1e-300 ? exp(a * ln(x)) : (1 - q) * exp(logGamma(a + 1)); }
double sideOf(double u) { return u < 0.5 ? -1 : u > 0.5 ? 1 : 0; }
/// The GED's quantile q at u (a = 1/nu) and its parts: log Gamma(a), the scale s, x and x^a.
struct GedQuantile {
  double lgA, s, x, w, q;
  GedQuantile(double a, double u) {
    lgA = logGammaPositive(a);
    s = exp(0.5 * (lgA - logGammaPositive(3 * a)));
    const double two = 2 * std::min(u, 1 - u);
    x = gammaQInverse(a, two);
    w = gedPower(a, x, two);
    q = sideOf(u) * s * w;
  }
};
double gedPpf(const double* shape, double u) { return GedQuantile(1 / shape[0], u).q; }
/// E[z; z <= q] = -s Gamma(2/nu) Q(2/nu, x) / (2 Gamma(1/nu)) (arch's partial_moment).
void gedTail(const double* shape, double alpha, double& q, double& eq) {
  const double a = 1 / shape[0];
  const GedQuantile g(a, alpha);
  const double lgA = g.lgA, s = g.s, x = g.x, w = g.w;
  q = g.q;
  // Q(2/nu, x), x below the doubles: 1 - x^(2/nu) / Gamma(2/nu + 1)
  const double upper = x > 0 ? gammaQ(2 * a, x) : 1 - (w * w) / exp(logGamma(2 * a + 1));
  eq = (-0.5 * s * exp(logGammaPositive(2 * a) - lgA) * upper) / alpha;
}

constexpr Distribution kDistributions[kDistCount] = {
    {0, {0, 0}, {0, 0}, false, true, false, normalStart, normalPpf, normalTail},
    {1, {2.05, 0}, {500, 0}, true, true, true, tStart, tPpf, tTail},
    {2, {2.05, -1}, {300, 1}, true, true, true, skewtStart, skewtPpf, skewtTail},
    {1, {1.01, 0}, {500, 0}, false, false, false, gedStart, gedPpf, gedTail},
};

}  // namespace

const Distribution& distribution(int code) { return kDistributions[code]; }

}  // namespace kernelbus::volatility
