// arch 8.0's error distributions (src/backends/reference/volatility/dist.ts, the same formulas): one
// observation's log-likelihood K - log(sigma^2)/2 - h log(g) + q and its partials in sigma^2, e and the
// shape parameters; sums take the logs of products (LogProduct). The distributions' other parts (shape
// bounds, starting values, quantile, tail) are dists.hpp's table.
#pragma once

#include <cfloat>
#include <cmath>
#include <cstdint>

#include "math/special.hpp"
#include "select.hpp"
#include "volatility/model.hpp"

namespace kernelbus::volatility {

/// psi(x), x > 0: the recurrence up to x >= 10, then the asymptotic series (src/math/digamma.ts).
inline double digamma(double x) {
  double shift = 0;
  while (x < 10) {
    shift -= 1 / x;
    x += 1;
  }
  const double r = 1 / (x * x);
  const double series = r * (1.0 / 12 - r * (1.0 / 120 - r * (1.0 / 252 - r * (1.0 / 240 - r * (1.0 / 132 - r * (691.0 / 32760))))));
  return shift + ln(x) - 0.5 / x - series;
}

/// psi'(x), x > 0: the recurrence up to x >= 10, then the asymptotic series (dist.ts trigamma, the same
/// operations): the skew-t's Hessian (hessian.cpp).
inline double trigamma(double x) {
  double shift = 0;
  while (x < 10) {
    shift += 1 / (x * x);
    x += 1;
  }
  const double r = 1 / x, r2 = r * r;
  const double series = r2 * r * (1.0 / 6 - r2 * (1.0 / 30 - r2 * (1.0 / 42 - r2 * (1.0 / 30 - r2 * (5.0 / 66)))));
  return shift + r + 0.5 * r2 + series;
}

/// log of a product of positive numbers: a mantissa and a power of 2, the exponent moved out (the
/// mantissa back to [1, 2)) when the mantissa leaves [2^-16, 2^16] (dist.ts LogProduct, the same bits).
class LogProduct {
 public:
  void add(double x) {
    m_ *= x;
    if (m_ >= 0x1p-16 && m_ <= 0x1p16) return;  // the exponent moved out past 2^+-16: the next factor (>= 1e-298) cannot underflow
    normalize(m_, e_);
  }
  double log() const { return ln(m_) + e_ * M_LN2; }
  static double log(double m, double e) { return ln(m) + e * M_LN2; }

  /// add()'s step once the mantissa m has left [2^-16, 2^16]: its exponent moved into e (lanes.cpp's
  /// products take it lane by lane).
  static void normalize(double& m, double& e) {
    uint64_t bits = elementary::bitsOf(m);
    uint64_t ex = (bits >> 52) & 0x7ff;
    if (ex == 0x7ff || m == 0) return;  // infinity, NaN, 0: their log
    if (ex == 0) {
      m *= 0x1p64;  // subnormal: scaled to normal first
      e -= 64;
      bits = elementary::bitsOf(m);
      ex = (bits >> 52) & 0x7ff;
    }
    e += double(int64_t(ex) - 1023);
    m = elementary::fromBits((bits & 0x800fffffffffffffULL) | (uint64_t(1023) << 52));
  }

 private:
  double m_ = 1, e_ = 0;
};

/// x within +-DBL_MAX (NaN stays NaN): the normal's dl/d sigma^2 where e^2 / sigma^4 is past the doubles
/// (a residual 1e150 sigmas out), so that its product with a zero derivative is 0, not NaN (numbers.ts
/// finiteClamp, the same operations).
inline double finiteClamp(double x) { return x > DBL_MAX ? DBL_MAX : x < -DBL_MAX ? -DBL_MAX : x; }

/// One observation's parts and partials; dA, dB without the constants and the log.
struct Partials {
  double g = 1, q = 0, dSigma2 = 0, dE = 0, dA = 0, dB = 0;
};

/// A distribution at its shape parameters: the constants computed once per evaluation.
class Dist {
 public:
  Dist(int dist, const double* theta, size_t id) : kind_(dist) {
    static const double kLog2Pi = ln(2 * M_PI);
    log2pi_ = kLog2Pi;
    if (dist == 0) {
      constant_ = -0.5 * log2pi_;
      return;
    }
    nu_ = theta[id];
    if (dist == kDistGed) {
      // log c = (-2 ln 2 / nu + lgamma(1/nu) - lgamma(3/nu)) / 2, K = ln nu - log c - lgamma(1/nu) - (1 + 1/nu) ln 2
      const double a = 1 / nu_;
      const double lgA = logGammaPositive(a);
      logC_ = 0.5 * (-2 * a * M_LN2 + lgA - logGammaPositive(3 * a));
      constant_ = ln(nu_) - logC_ - lgA - (1 + a) * M_LN2;
      const double a2 = a * a;
      dLogC_ = a2 * (M_LN2 - 0.5 * digamma(a) + 1.5 * digamma(3 * a));
      constantA_ = a - dLogC_ + a2 * (digamma(a) + M_LN2);
      return;
    }
    c_ = logGamma((nu_ + 1) / 2) - logGamma(nu_ / 2) - ln(M_PI * (nu_ - 2)) / 2;
    dc_ = 0.5 * digamma((nu_ + 1) / 2) - 0.5 * digamma(nu_ / 2) - 0.5 / (nu_ - 2);
    h_ = (nu_ + 1) / 2;
    inu2_ = 1 / (nu_ - 2);
    hi_ = h_ * inu2_;
    m2hi_ = -2 * h_ * inu2_;
    constant_ = c_;
    constantA_ = dc_;
    if (dist != 2) return;
    lambda_ = theta[id + 1];
    const double ec = exp(c_);
    a_ = (4 * lambda_ * ec * (nu_ - 2)) / (nu_ - 1);
    b_ = std::sqrt(1 + 3 * (lambda_ * lambda_) - a_ * a_);
    lam_ = std::fabs(lambda_) >= 1 ? (lambda_ > 0 ? 1 : -1) * (1 - 1e-6) : lambda_;
    clipped_ = lam_ != lambda_;
    daEta_ = a_ * (dc_ + 1 / (nu_ - 2) - 1 / (nu_ - 1));
    daLam_ = (4 * ec * (nu_ - 2)) / (nu_ - 1);
    dbEta_ = (-a_ * daEta_) / b_;
    dbLam_ = (3 * lambda_ - a_ * daLam_) / b_;
    logB_ = ln(b_);
    constant_ = logB_ + c_;
    constantA_ = dbEta_ / b_ + dc_;
    // reciprocals made once: an observation's partials take two divisions and a root
    aob_ = a_ / b_;
    ipl_ = 1 / (1 + lam_);
    iml_ = 1 / (1 - lam_);
    cv_ = -(nu_ + 1) * inu2_;
    hi2_ = h_ * inu2_ * inu2_;
    dbLamOb_ = dbLam_ / b_;
  }

  /// The constants partials() takes (lanes.cpp: four distributions' in vectors).
  struct Constants {
    double constant, constantA, h, inu2, hi, m2hi, a, b, aob, ipl, iml, lam, cv, hi2, daEta, dbEta, daLam, dbLam, dbLamOb;
    bool clipped;
  };
  Constants constants() const {
    return {constant_, constantA_, h_,  inu2_, hi_,    m2hi_,  a_,     b_,     aob_,     ipl_,
            iml_,      lam_,       cv_, hi2_,  daEta_, dbEta_, daLam_, dbLam_, dbLamOb_, clipped_};
  }

  /// K, h and dA's constant per observation.
  double constant() const { return constant_; }
  double h() const { return h_; }
  double constantA() const { return constantA_; }

  /// log f(e | sigma^2) of one observation, arch's order (the scores).
  double ll(double e, double s2) const {
    if (kind_ == 0) return -0.5 * (log2pi_ + ln(s2) + (e * e) / s2);
    if (kind_ == 1) return c_ - 0.5 * ln(s2) - h_ * ln(1 + (e * e) / (s2 * (nu_ - 2)));
    if (kind_ == kDistGed) return constant_ - 0.5 * ln(s2) - 0.5 * exp(nu_ * gedLevel(e, s2));
    const double z = e / std::sqrt(s2);
    const double v = (b_ * z + a_) / (1 + sign(z + a_ / b_) * lam_);
    return logB_ + c_ - ln(s2) / 2 - h_ * ln(1 + (v * v) / (nu_ - 2));
  }

  /// g and q of one observation: partials()'s g and q, in its operations.
  void observe(double e, double s2, Partials& out) const {
    if (kind_ == 0) {
      out.g = 1;
      out.q = -0.5 * ((e * e) * (1 / s2));
      return;
    }
    if (kind_ == 1) {
      out.g = 1 + (e * e) * (1 / s2) * inu2_;
      out.q = 0;
      return;
    }
    if (kind_ == kDistGed) {
      out.g = 1;
      out.q = -0.5 * exp(nu_ * gedLevel(e, s2));
      return;
    }
    const double z = e * (1 / std::sqrt(s2));
    const double v = (b_ * z + a_) * inverseDen(z + aob_);
    out.g = 1 + (v * v) * inu2_;
    out.q = 0;
  }

  /// g, q and the partials of one observation: one division (normal), two (t), two and a root (skew-t),
  /// the shape parameters' reciprocals made once (dist.ts, the same operations).
  void partials(double e, double s2, Partials& out) const {
    if (kind_ == 0) {
      const double r = 1 / s2;
      const double u = (e * e) * r;
      out.g = 1;
      out.q = -0.5 * u;
      out.dSigma2 = finiteClamp(-0.5 * (r - u * r));  // not e^2 r^2: r^2 overflows first
      out.dE = -e * r;
      out.dA = out.dB = 0;
      return;
    }
    if (kind_ == 1) {
      const double r = 1 / s2;
      const double u = (e * e) * r * inu2_;
      const double g = 1 + u;
      const double ig = 1 / g;
      out.g = g;
      out.q = 0;
      const double ru = u * ig;
      out.dSigma2 = (-0.5 + h_ * ru) * r;
      out.dE = m2hi_ * e * r * ig;
      out.dA = hi_ * ru;
      out.dB = 0;
      return;
    }
    if (kind_ == kDistGed) {
      gedPartials(e, s2, out);
      return;
    }
    const double isd = 1 / std::sqrt(s2);
    const double z = e * isd;
    const double x = z + aob_;
    const double s = sign(x);
    const double iden = inverseDen(x);
    const double v = (b_ * z + a_) * iden;
    const double g = 1 + (v * v) * inu2_;
    const double ig = 1 / g;
    out.g = g;
    out.q = 0;
    const double dv = cv_ * v * ig;  // dl/dv
    const double dz = dv * b_ * iden;
    out.dE = dz * isd;
    out.dSigma2 = -0.5 * (isd * isd) * (1 + dz * z);
    out.dA = hi2_ * (v * v) * ig + dv * (daEta_ + z * dbEta_) * iden;
    out.dB = dbLamOb_ + dv * (daLam_ + z * dbLam_) * iden - (clipped_ ? 0 : dv * v * s * iden);
  }

 private:
  /// x > 0 ? 1 : x < 0 ? -1 : x, as selects (the sign of z + a / b is the data's: a branch on it
  /// mispredicts), the rare 0 or NaN apart.
  static double sign(double x) {
    double s = selectLess(0.0, x, 1.0, -1.0);
    if (__builtin_expect(!(x > 0) && !(x < 0), 0)) s = x;
    return s;
  }
  /// The GED's l = ln(|e| / sigma) - log c of one observation: q = -exp(nu l) / 2. -inf where |e| / sigma
  /// is 0: at e = 0, and where it is below the doubles (a subnormal e over a large sigma: arch's
  /// |e / (sigma c)|^nu is then 0, not NaN).
  double gedLevel(double e, double s2) const {
    const double r = std::fabs(e) / std::sqrt(s2);
    return r == 0 ? -INFINITY : ln(r) - logC_;
  }
  /// The GED's partials: dq/d sigma^2 = -nu q / (2 sigma^2), dq/de = nu q / e, dq/d nu = q (l - nu d log c),
  /// each q's limit where l is -inf (q = 0).
  void gedPartials(double e, double s2, Partials& out) const {
    out.g = 1;
    out.dB = 0;
    const double l = gedLevel(e, s2);
    if (l == -INFINITY) {
      out.q = 0;
      out.dSigma2 = -0.5 / s2;
      out.dE = 0;
      out.dA = 0;
      return;
    }
    const double q = -0.5 * exp(nu_ * l);
    out.q = q;
    out.dSigma2 = finiteClamp((-0.5 * (1 + nu_ * q)) / s2);
    out.dE = finiteClamp((nu_ * q) / e);
    out.dA = finiteClamp(q * (l - nu_ * dLogC_));
  }

  /// 1 / (1 + s lambda) for s = sign(x), x = z + a / b: made once for s = +-1 (selected, as sign()).
  double inverseDen(double x) const {
    double d = selectLess(0.0, x, ipl_, iml_);
    if (__builtin_expect(!(x > 0) && !(x < 0), 0)) d = 1 / (1 + x * lam_);
    return d;
  }

  int kind_;
  double constant_ = 0, constantA_ = 0, log2pi_ = 0, nu_ = 0, c_ = 0, dc_ = 0, h_ = 0;
  double inu2_ = 0, hi_ = 0, m2hi_ = 0;
  double lambda_ = 0, lam_ = 0, a_ = 0, b_ = 0, daEta_ = 0, daLam_ = 0, dbEta_ = 0, dbLam_ = 0, logB_ = 0;
  double aob_ = 0, ipl_ = 0, iml_ = 0, cv_ = 0, hi2_ = 0, dbLamOb_ = 0;
  double logC_ = 0, dLogC_ = 0;  // the GED's
  bool clipped_ = false;
};

/// The log-likelihood summed over the residuals: n K - log(prod sigma^2) / 2 - h log(prod g) + sum q.
inline double distLogLikelihood(const Dist& dist, const double* e, const double* sigma2, size_t nobs) {
  LogProduct s2, g;
  Partials out;
  double q = 0;
  for (size_t t = 0; t < nobs; t++) {
    dist.observe(e[t], sigma2[t], out);
    s2.add(sigma2[t]);
    g.add(out.g);
    q += out.q;
  }
  return double(nobs) * dist.constant() - 0.5 * s2.log() - dist.h() * g.log() + q;
}

}  // namespace kernelbus::volatility
