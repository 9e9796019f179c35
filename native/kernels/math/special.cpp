// See special.hpp. Every function follows src/math/special.ts line by line (same constants, same
// order of operations); the comments there give the methods, their sources and their accuracy. Two
// additions of the C++ side only: expNonPositive (elementary.hpp: the normal's Gaussian factor
// without a libm call) and normalCdfMany (the normal CDF over an array, vectorized, bit for bit normalCdf).
#include "special.hpp"

#include "elementary.hpp"
#include "random.hpp"
#include "simd.hpp"

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace kernelbus {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kPi = 3.141592653589793;  // Math.PI
constexpr double kInvSqrt2Pi = 0.3989422804014327;
constexpr double kSqrtPi = 1.7724538509055160273;
constexpr double kInvSqrtPi = 0.5641895835477562869;
constexpr double kSqrt32 = 5.656854249492380195;
constexpr double kNormalCentral = 0.66291;
constexpr double kNormalUnderflow = 40;
constexpr double kSplitter = 134217729;  // 2^27 + 1 (Veltkamp)

// W. J. Cody, Math. Comp. 23 (1969) 631-637, as in his ANORM (netlib specfun) and R's pnorm.c.
constexpr double kCodyA[5] = {2.2352520354606839287, 161.02823106855587881, 1067.6894854603709582, 18154.981253343561249,
                              0.065682337918207449113};
constexpr double kCodyB[4] = {47.20258190468824187, 976.09855173777669322, 10260.932208618978205, 45507.789335026729956};
constexpr double kCodyC[9] = {0.39894151208813466764, 8.8831497943883759412, 93.506656132177855979,
                              597.27027639480026226,  2494.5375852903726711, 6848.1904505362823326,
                              11602.651437647350124,  9842.7148383839780218, 1.0765576773720192317e-8};
constexpr double kCodyD[8] = {22.266688044328115691, 235.38790178262499861, 1519.377599407554805,  6485.558298266760755,
                              18615.571640885098091, 34900.952721145977266, 38912.003286093271411, 19685.429676859990727};
constexpr double kCodyP[6] = {0.21589853405795699,     0.1274011611602473639, 0.022235277870649807,
                              0.001421619193227893466, 2.9112874951168792e-5, 0.02307344176494017303};
constexpr double kCodyQ[5] = {1.28426009614491121, 0.468238212480865118, 0.0659881378689285515, 0.00378239633202758244,
                              7.29751555083966205e-5};

// Phi(x) - 1/2 for |x| <= kNormalCentral (Cody's first range).
double normalCentral(double x) {
  const double xsq = x * x;
  double num = kCodyA[4] * xsq;
  double den = xsq;
  for (int i = 0; i < 3; i++) {
    num = (num + kCodyA[i]) * xsq;
    den = (den + kCodyB[i]) * xsq;
  }
  return (x * (num + kCodyA[3])) / (den + kCodyB[3]);
}

// Phi(-y) exp(y^2 / 2) for kNormalCentral < y <= kSqrt32 (Cody's second range).
inline double normalNearRatio(double y) {
  double num = kCodyC[8] * y;
  double den = y;
  for (int i = 0; i < 7; i++) {
    num = (num + kCodyC[i]) * y;
    den = (den + kCodyD[i]) * y;
  }
  return (num + kCodyC[7]) / (den + kCodyD[7]);
}

// Phi(-y) exp(y^2 / 2) for kSqrt32 < y < kNormalUnderflow (Cody's asymptotic third range).
double normalFarRatio(double y) {
  const double r = 1 / (y * y);
  double num = kCodyP[5] * r;
  double den = r;
  for (int i = 0; i < 4; i++) {
    num = (num + kCodyP[i]) * r;
    den = (den + kCodyQ[i]) * r;
  }
  return (kInvSqrt2Pi - (r * (num + kCodyP[4])) / (den + kCodyQ[4])) / y;
}

// Phi(-y) exp(y^2 / 2) for kNormalCentral < y < kNormalUnderflow (Cody's second and third ranges).
double normalTailRatio(double y) { return y <= kSqrt32 ? normalNearRatio(y) : normalFarRatio(y); }

// Veltkamp's split: the high half of x (26 bits), so that x - highHalf(x) is exact.
double highHalf(double x) {
  const double c = kSplitter * x;
  return c - (c - x);
}

// The rounding error of p = a * b, exactly: a * b = p + productError(a, b, p) (Dekker's product, no
// FMA; every operation is exact barring underflow).
double productError(double a, double b, double p) {
  const double ah = highHalf(a);
  const double al = a - ah;
  const double bh = highHalf(b);
  const double bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

using elementary::expNonPositive;
using elementary::kLn2Hi;
using elementary::kLn2Lo;

// exp(-y^2 / 2), y^2 = hi + lo exactly (Dekker, Veltkamp split; no FMA), one exp.
inline double gaussFactor(double y) {
  const double hi = y * y;
  return expNonPositive(-0.5 * hi) * (1 - 0.5 * productError(y, y, hi));
}

// Phi(x) for |x| <= kSqrt32 (Cody's first two ranges) without a branch: both ranges are evaluated
// and one is selected, so that a loop over it vectorizes; the same arithmetic as normalCdf's branches.
inline double normalCdfNear(double x) {
  const double y = std::fabs(x);
  const double central = 0.5 + normalCentral(x);
  const double tail = gaussFactor(y) * normalNearRatio(y);
  const double far = x > 0 ? 1 - tail : tail;
  return y <= kNormalCentral ? central : far;
}

// M. J. Wichura, Algorithm AS 241 (PPND16), Applied Statistics 37 (1988) 477-484.
constexpr double kAs241A[8] = {3.387132872796366608,  133.14166789178437745, 1971.5909503065514427, 13731.693765509461125,
                               45921.953931549871457, 67265.770927008700853, 33430.575583588128105, 2509.0809287301226727};
constexpr double kAs241B[8] = {1,
                               42.313330701600911252,
                               687.1870074920579083,
                               5394.1960214247511077,
                               21213.794301586595867,
                               39307.89580009271061,
                               28729.085735721942674,
                               5226.495278852854561};
constexpr double kAs241C[8] = {1.42343711074968357734, 4.6303378461565452959,  5.7694972214606914055,    3.64784832476320460504,
                               1.27045825245236838258, 0.24178072517745061177, 0.0227238449892691845833, 7.7454501427834140764e-4};
constexpr double kAs241D[8] = {1,
                               2.05319162663775882187,
                               1.6763848301838038494,
                               0.68976733498510000455,
                               0.14810397642748007459,
                               0.0151986665636164571966,
                               5.475938084995344946e-4,
                               1.05075007164441684324e-9};
constexpr double kAs241E[8] = {6.6579046435011037772,   5.4637849111641143699,    1.7848265399172913358,     0.29656057182850489123,
                               0.026532189526576123093, 0.0012426609473880784386, 2.71155556874348757815e-5, 2.01033439929228813265e-7};
constexpr double kAs241F[8] = {1,
                               0.59983220655588793769,
                               0.13692988092273580531,
                               0.0148753612908506148525,
                               7.868691311456132591e-4,
                               1.8463183175100546818e-5,
                               1.4215117583164458887e-7,
                               2.04426310338993978564e-15};

double poly7(const double* c, double r) {
  double s = c[7];
  for (int i = 6; i >= 0; i--) s = s * r + c[i];
  return s;
}

// ------------------------------------------------------------------------------------- Student t
// A. R. DiDonato and A. H. Morris, Algorithm 708, ACM TOMS 18 (1992) 360-373: BPSER, BUP, BGRAT with
// b = 1/2, chosen as BRATIO does for min(a, b) <= 1. Bounded series, no continued fraction.
constexpr double kNuNormal = 1e30;
constexpr double kSqrt3 = 1.7320508075688772935;
constexpr double kSeriesEps = 1e-17;
constexpr double kBgratEps = 1e-16;
constexpr int kBgratTerms = 30;
constexpr int kQuantileSteps = 50;

// Gamma(a + 1/2) / Gamma(a + 1) = w^(-1/2) sum_k e_k w^(-2k), w = a + 1/4 (exact coefficients).
constexpr double kGammaRatioSeries[8] = {1,
                                         -1.0 / 64,
                                         21.0 / 8192,
                                         -671.0 / 524288,
                                         180323.0 / 134217728,
                                         -20898423.0 / 8589934592,
                                         7426362705.0 / 1099511627776,
                                         -1874409467055.0 / 70368744177664};

double gammaHalfRatio(double a) {
  double num = 1;
  double den = 1;
  while (a < 10) {
    num *= a + 1;
    den *= a + 0.5;
    a += 1;
  }
  const double w = a + 0.25;
  const double v = 1 / (w * w);
  double s = kGammaRatioSeries[7];
  for (int i = 6; i >= 0; i--) s = s * v + kGammaRatioSeries[i];
  return (num / den) * (s / std::sqrt(w));
}

// log(1 + u) in double-double, identical to the TS (V8's and glibc's log1p differ in the last bit):
// 1 + u = 2^k m, m in [sqrt(1/2), sqrt 2]; log m = 2 atanh(s), s = (m - 1) / (m + 1) (fdlibm e_log.c).
constexpr double kSqrt2 = 1.4142135623730951;
constexpr double kAtanhSeries[12] = {1.0 / 3,  1.0 / 5,  1.0 / 7,  1.0 / 9,  1.0 / 11, 1.0 / 13,
                                     1.0 / 15, 1.0 / 17, 1.0 / 19, 1.0 / 21, 1.0 / 23, 1.0 / 25};
constexpr int kPow2Exp[10] = {512, 256, 128, 64, 32, 16, 8, 4, 2, 1};
constexpr double kPow2[10] = {0x1p512, 0x1p256, 0x1p128, 0x1p64, 0x1p32, 0x1p16, 0x1p8, 0x1p4, 0x1p2, 0x1p1};
constexpr double kPow2Inv[10] = {0x1p-512, 0x1p-256, 0x1p-128, 0x1p-64, 0x1p-32, 0x1p-16, 0x1p-8, 0x1p-4, 0x1p-2, 0x1p-1};

// log(1 + u) = return value + lo, 0 <= u < inf.
double log1pDD(double u, double& lo) {
  const double w = 1 + u;
  int k = 0;
  double f = u;
  double werr = 0;
  if (w >= kSqrt2) {
    const double bv = w - 1;
    werr = 1 - (w - bv) + (u - bv);
    double m = w;
    for (int i = 0; i < 10; i++) {
      if (m >= kPow2[i]) {
        m *= kPow2Inv[i];
        k += kPow2Exp[i];
      }
    }
    if (m > kSqrt2) {
      m *= 0.5;
      k += 1;
    }
    f = m - 1;
  }
  const double den = 2 + f;
  const double denLo = 2 - den + f;
  const double s = f / den;
  const double p = s * den;
  const double e = productError(s, den, p);
  const double sLo = (f - p - e - s * denLo) / den;
  const double s2 = s * s;
  double r = kAtanhSeries[11];
  for (int i = 10; i >= 0; i--) r = r * s2 + kAtanhSeries[i];
  r = 2 * s * s2 * r;
  const double kh = k * kLn2Hi;
  const double hi = kh + 2 * s;
  const double bv = hi - kh;
  const double l = kh - (hi - bv) + (2 * s - bv) + (k * kLn2Lo + 2 * sLo + r + werr / w);
  const double sum = hi + l;
  lo = hi - sum + l;
  return sum;
}

// exp(shift - c (lHi + lLo)) with c * lHi split exactly (Dekker) and shift - c lHi summed exactly (two-sum);
// shift (0, or kTailShift) scales a tail that would be subnormal.
double expNegProduct(double c, double lHi, double lLo, double shift) {
  const double p = c * lHi;
  const double d = shift - p;
  const double bv = d - shift;
  const double dErr = shift - (d - bv) + (-p - bv);
  return std::exp(d) * (1 + dErr - (productError(c, lHi, p) + c * lLo));
}

// BPSER: I_x(a, 1/2), x <= 0.7.
double betaSeriesTail(double a, double x, double lHi, double lLo, double shift) {
  if (a * lHi - shift > 746) return 0;
  double sum = 0;
  double c = 1;
  for (int n = 1; n <= 200; n++) {
    c *= ((n - 0.5) / n) * x;
    const double w = c / (a + n);
    sum += w;
    if (a * w <= kSeriesEps) break;
  }
  return expNegProduct(a, lHi, lLo, shift) * gammaHalfRatio(a) * kInvSqrtPi * (1 + a * sum);
}

// BPSER: I_y(1/2, a), y < 1/2 and a <= 1, or y < 0.1 and a y <= 0.49.
double betaSeriesCentral(double a, double y) {
  double sum = 0;
  double c = 1;
  for (int n = 1; n <= 200; n++) {
    c *= (1 - a / n) * y;
    const double w = c / (n + 0.5);
    sum += w;
    if (std::fabs(w) <= 2 * kSeriesEps) break;
  }
  return 2 * std::sqrt(y) * a * gammaHalfRatio(a) * kInvSqrtPi * (1 + 0.5 * sum);
}

// BUP: I_x(a, 1/2) - I_x(a + 20, 1/2).
double betaRecurrence(double a, double y, double x, double lHi, double lLo, double shift) {
  const double apb = a + 0.5;
  const double ap1 = a + 1;
  double d = 1;
  double w = 1;
  for (int i = 1; i < 20; i++) {
    const double l = i - 1;
    d = ((apb + l) / (ap1 + l)) * x * d;
    w += d;
    if (d <= kSeriesEps * w) break;
  }
  return expNegProduct(a, lHi, lLo, shift) * std::sqrt(y) * gammaHalfRatio(a) * kInvSqrtPi * w;
}

// BGRAT: w0 + I_x(A, 1/2) for A >= 15, x >= 0.7; Q(1/2, z) = erfc(sqrt z) from Cody's ratio.
double betaAsymptotic(double A, double lHi, double lLo, double w0, double shift) {
  const double T = A - 0.25;
  const double z = T * lHi;
  const double sqrtZ = std::sqrt(z);
  const double u = expNegProduct(T, lHi, lLo, shift) * sqrtZ * kInvSqrtPi * ((A * gammaHalfRatio(A)) / std::sqrt(T));
  if (u == 0) return w0;
  const double s = std::sqrt(2 * z);
  double j = s > kNormalCentral ? (2 * kSqrtPi * normalTailRatio(s)) / sqrtZ : (kSqrtPi * std::exp(z) * (1 - 2 * normalCentral(s))) / sqrtZ;
  const double v = 0.25 / (T * T);
  const double t2 = 0.25 * lHi * lHi;
  const double l = w0 / u;
  double cArr[kBgratTerms + 1];
  double dArr[kBgratTerms + 1];
  double sum = j;
  double tp = 1;
  double cn = 1;
  double n2 = 0;
  for (int n = 1; n <= kBgratTerms; n++) {
    const double bp2n = 0.5 + n2;
    j = (bp2n * (bp2n + 1) * j + (z + bp2n + 1) * tp) * v;
    n2 += 2;
    tp *= t2;
    cn /= n2 * (n2 + 1);
    cArr[n] = cn;
    double acc = 0;
    double coef = 0.5 - n;
    for (int i = 1; i < n; i++) {
      acc += coef * cArr[i] * dArr[n - i];
      coef += 0.5;
    }
    dArr[n] = -0.5 * cn + acc / n;
    const double dj = dArr[n] * j;
    sum += dj;
    if (std::fabs(dj) <= kBgratEps * (sum + l)) break;
  }
  return w0 + u * sum;
}

// P(T <= -|t|) (central false) or P(|T| <= |t|) (central true), 0 < nu < kNuNormal; shift: the tail
// times e^shift, for tails that would be subnormal (the quantile's iteration).
double tDistribution(double absT, double nu, bool central, double shift = 0) {
  if (absT == 0) return central ? 0 : 0.5;
  if (absT == kInf) return central ? 1 : 0;
  const double a = 0.5 * nu;
  const double sq = absT * absT;
  const double uHi = sq / nu;
  double lHi;
  double lLo = 0;
  if (absT < 1e-10 && uHi < 1e-20) {
    const double w = 2 * absT * ((a * gammaHalfRatio(a)) / std::sqrt(nu * kPi));
    return central ? w : (0.5 - 0.5 * w) * std::exp(shift);
  }
  if (uHi < 1e290) {
    const double sqLo = productError(absT, absT, sq);
    const double p = uHi * nu;
    const double uLo = (sq - p - productError(uHi, nu, p) + sqLo) / nu;
    double lo;
    lHi = log1pDD(uHi, lo);
    lLo = lo + uLo / (1 + uHi);
  } else if (uHi < kInf) {
    lHi = log1pDD(uHi, lLo);
  } else if (absT >= 1 && nu > 1e-300) {
    double lo1;
    double lo2;
    const double h1 = 2 * log1pDD(absT - 1, lo1);
    const double l1 = 2 * lo1;
    const double h2 = nu >= 1 ? -log1pDD(nu - 1, lo2) : log1pDD(1 / nu - 1, lo2);
    const double l2 = nu >= 1 ? -lo2 : lo2;
    lHi = h1 + h2;
    const double bv = lHi - h1;
    lLo = h1 - (lHi - bv) + (h2 - bv) + (l1 + l2);
  } else {
    lHi = 2 * std::log(absT) - std::log(nu);
  }
  const double x = 1 / (1 + uHi);
  const double y = uHi < kInf ? uHi / (1 + uHi) : 1;
  double twoTail;
  const double scale = central ? 0 : shift;
  if (x <= 0.5) {
    twoTail = betaSeriesTail(a, x, lHi, lLo, scale);
  } else if (a <= 1 || (y < 0.1 && a * y <= 0.49)) {
    const double w = betaSeriesCentral(a, y);
    return central ? w : (0.5 - 0.5 * w) * std::exp(shift);
  } else if (y >= 0.3) {
    twoTail = betaSeriesTail(a, x, lHi, lLo, scale);
  } else if (a > 15) {
    twoTail = betaAsymptotic(a, lHi, lLo, 0, scale);
  } else {
    const double head = betaRecurrence(a, y, x, lHi, lLo, scale);
    twoTail = betaAsymptotic(a + 20, lHi, lLo, head, scale);
  }
  return central ? 1 - twoTail : 0.5 * twoTail;
}

double studentTTail(double absT, double nu) {
  if (nu == 1) return absT > 1 ? std::atan(1 / absT) / kPi : 0.5 - std::atan(absT) / kPi;
  if (nu == 2) {
    if (absT < 1) return 0.5 - (0.5 * absT) / std::sqrt(2 + absT * absT);
    const double r = std::sqrt(1 + 2 / (absT * absT));
    return 1 / (r * (r + 1)) / absT / absT;
  }
  if (nu == 4) {
    const double x = 4 / (4 + absT * absT);
    const double s = absT < 1 ? absT / std::sqrt(4 + absT * absT) : 1 / std::sqrt(1 + 4 / (absT * absT));
    return (x * x * (2 + s)) / (4 * (1 + s) * (1 + s));
  }
  if (nu >= kNuNormal) return normalCdf(-absT);
  return tDistribution(absT, nu, false);
}

// Hill's algorithm 396 (CACM 13 (1970) 619-620) for nu >= 1; tail asymptote / central line for nu < 1.
double studentTStart(double q, double nu, double f0) {
  if (nu < 1) {
    if (q >= 0.25) return (0.5 - q) / f0;
    return std::sqrt(nu) * std::exp(-(std::log(q) + 0.5 * std::log(nu) - std::log(f0)) / nu);
  }
  const double P = 2 * q;
  const double a = 1 / (nu - 0.5);
  const double b = 48 / (a * a);
  double c = ((20700 * a) / b - 98) * a - 16;
  c = c * a + 96.36;
  const double d = ((94.5 / (b + c) - 3) / b + 1) * std::sqrt((a * kPi) / 2) * nu;
  const double ly = (2 / nu) * std::log(d * P);
  double y = std::exp(ly);
  if ((nu < 2.1 && P > 0.5) || y > 0.05 + a) {
    const double x = normalQuantile(q);
    y = x * x;
    if (nu < 5) c += 0.3 * (nu - 4.5) * (x + 0.6);
    c = (((0.05 * d * x - 5) * x - 7) * x - 2) * x + b + c;
    y = (((((0.4 * y + 6.3) * y + 36) * y + 94.5) / c - y - 3) / b + 1) * x;
    return std::sqrt(nu * std::expm1(a * y * y));
  }
  if (y < 1e-100) return std::sqrt(nu) * std::exp(-0.5 * ly);
  y = ((1 / (((nu + 6) / (nu * y) - 0.089 * d - 0.822) * (nu + 2) * 3) + 0.5 / (nu + 4)) * y - 1) * ((nu + 1) / (nu + 2)) + 1 / y;
  return std::sqrt(nu * y);
}

double log1pT2OverNu(double t, double nu) {
  const double u = (t * t) / nu;
  return u < kInf ? std::log1p(u) : 2 * std::log(t) - std::log(nu);
}

// log(t f(t) / c): t times the density over a probability c, for the steps in log t.
double logTDensityOver(double t, double nu, double a, double f0, double logC) {
  return std::log(t) + std::log(f0) - (a + 0.5) * log1pT2OverNu(t, nu) - logC;
}

// The smallest normal double, and the scale of the tails below it in the quantile's iteration.
constexpr double kMinNormal = 2.2250738585072014e-308;
constexpr double kTailShift = 700;

// |t| with P(T <= -|t|) = q, 0 < q < 1/2: for q >= 1/4, Halley on the central probability (nu >= 1)
// or Newton on its log in log t (nu < 1); for q < 1/4, Halley on log P(T <= -t) in log t.
double studentTQuantileAbs(double q, double nu) {
  const double a = 0.5 * nu;
  const double f0 = (a * gammaHalfRatio(a)) / std::sqrt(nu * kPi);
  // Beyond the largest double (a small nu, or a tiny q): +inf, as the CDF says.
  if (tDistribution(DBL_MAX, nu, false) > q) return kInf;
  double t = std::fmin(studentTStart(q, nu, f0), DBL_MAX);
  if (q >= 0.25 && nu < 1) {
    const double r = 1 - 2 * q;
    for (int i = 0; i < kQuantileSteps; i++) {
      const double c = tDistribution(t, nu, true);
      const double ds = -std::log(c / r) / (2 * std::exp(logTDensityOver(t, nu, a, f0, std::log(c))));
      t = std::fmin(t * std::exp(ds), DBL_MAX);
      if (std::fabs(ds) <= 1e-9) break;
    }
    return t;
  }
  if (q >= 0.25) {
    const double r = 1 - 2 * q;
    for (int i = 0; i < kQuantileSteps; i++) {
      const double g = tDistribution(t, nu, true) - r;
      const double f = f0 * std::exp(-(a + 0.5) * log1pT2OverNu(t, nu));
      const double d = g / (2 * f);
      double den = 1 + (d * (nu + 1) * t) / (2 * (nu + t * t));
      if (!(den >= 0.5 && den <= 2)) den = 1;
      const double step = d / den;
      const double next = t - step;
      t = next > 0 ? next : 0.5 * t;
      if (std::fabs(step) <= 1e-9 * t) break;
    }
    return t;
  }
  const double qShifted = q * std::exp(kTailShift);
  for (int i = 0; i < kQuantileSteps; i++) {
    // a subnormal tail has few significant bits: compared as tau e^kTailShift with q e^kTailShift
    double tau = tDistribution(t, nu, false);
    double tauRatio = tau / q;
    double logTau = 0;
    if (tau < kMinNormal) {
      tau = tDistribution(t, nu, false, kTailShift);
      tauRatio = tau / qShifted;
      logTau = -kTailShift;
    }
    if (!(tau > 0)) {
      t *= 0.5;
      continue;
    }
    // tau / q overflows where q is subnormal and t still far: the difference of logs there
    const double h = tauRatio < kInf ? std::log(tauRatio) : std::log(tau) - std::log(q);
    logTau += std::log(tau);
    const double eta = std::exp(logTDensityOver(t, nu, a, f0, logTau));
    const double y = 1 / (1 + nu / (t * t));
    double den = 1 + (h * (1 - (nu + 1) * y + eta)) / (2 * eta);
    if (!(den >= 0.5 && den <= 2)) den = 1;
    const double ds = h / eta / den;
    t = std::fmin(t * std::exp(ds), DBL_MAX);
    if (std::fabs(ds) <= 1e-9) break;
  }
  return t;
}

}  // namespace

double normalCdf(double x) {
  const double y = std::fabs(x);
  if (y <= kNormalCentral) return 0.5 + normalCentral(x);
  if (!(y < kNormalUnderflow)) return std::isnan(x) ? kNaN : x > 0 ? 1 : 0;
  const double tail = gaussFactor(y) * normalTailRatio(y);
  // x > 0 ? 1 - tail : tail (as in the TS) without a branch, the sign of x being unpredictable:
  // 1 + (-tail) and 0 + tail round exactly like 1 - tail and tail.
  return (0.5 + std::copysign(0.5, x)) + std::copysign(tail, -x);
}

namespace {
KERNELBUS_VECTOR_BODY void normalCdfManyBody(const double* x, double* out, size_t n) {
  for (size_t i = 0; i < n; i++) out[i] = normalCdfNear(x[i]);
  for (size_t i = 0; i < n; i++) {
    if (!(std::fabs(x[i]) <= kSqrt32)) out[i] = normalCdf(x[i]);  // far tails, infinities, NaN: rare
  }
}
}  // namespace

void normalCdfMany(const double* x, double* out, size_t n) { simd::run<normalCdfManyBody>(x, out, n); }

double normalSf(double x) { return normalCdf(-x); }

double normalPdf(double x) {
  const double y = std::fabs(x);
  if (!(y < kNormalUnderflow)) return std::isnan(x) ? kNaN : 0;
  return kInvSqrt2Pi * gaussFactor(y);
}

double normalQuantile(double p) {
  if (!(p >= 0 && p <= 1)) return kNaN;
  if (p == 0) return -kInf;
  if (p == 1) return kInf;
  const double q = p - 0.5;
  if (std::fabs(q) <= 0.425) {
    const double r = 0.180625 - q * q;
    return (q * poly7(kAs241A, r)) / poly7(kAs241B, r);
  }
  double r = std::sqrt(-random::logOf(q < 0 ? p : 1 - p));  // the TS's bits (logOf, not the C library's log)
  double v;
  if (r <= 5) {
    r -= 1.6;
    v = poly7(kAs241C, r) / poly7(kAs241D, r);
  } else {
    r -= 5;
    v = poly7(kAs241E, r) / poly7(kAs241F, r);
  }
  return q < 0 ? -v : v;
}

double studentTCdf(double t, double nu) {
  if (!(nu > 0) || std::isnan(t)) return kNaN;
  const double tail = studentTTail(std::fabs(t), nu);
  return t < 0 ? tail : 1 - tail;
}

double studentTSf(double t, double nu) { return studentTCdf(-t, nu); }

double studentTQuantile(double p, double nu) {
  if (!(nu > 0) || !(p >= 0 && p <= 1)) return kNaN;
  if (p == 0) return -kInf;
  if (p == 1) return kInf;
  if (p == 0.5) return 0;
  if (nu >= kNuNormal) return normalQuantile(p);
  const double q = p < 0.5 ? p : 1 - p;
  double t;
  if (nu == 1) {
    t = q > 0.25 ? std::tan(kPi * (0.5 - q)) : 1 / std::tan(kPi * q);
  } else if (nu == 2) {
    t = (1 - 2 * q) / std::sqrt(2 * q * (1 - q));
  } else if (nu == 4) {
    if (q >= 0.25) {
      const double s = 2 * std::sin(std::asin(1 - 2 * q) / 3);
      t = (2 * s) / std::sqrt(1 - s * s);
    } else {
      const double b = (2.0 / 3.0) * std::asin(std::sqrt(q));
      const double h = std::sin(0.5 * b);
      const double oneMinusS = 2 * h * h + kSqrt3 * std::sin(b);
      const double s = 1 - oneMinusS;
      t = (2 * s) / std::sqrt(oneMinusS * (1 + s));
    }
  } else {
    t = studentTQuantileAbs(q, nu);
  }
  return p < 0.5 ? -t : t;
}

// Lanczos's coefficients for g = 7, n = 9 (special.ts LANCZOS).
constexpr double kLanczosG = 7;
constexpr double kLanczos[9] = {0.99999999999980993, 676.5203681218851,    -1259.1392167224028,   771.32342877765313,   -176.61502916214059,
                                12.507343278686905,  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7};
constexpr double kHalfLog2Pi = 0.91893853320467274178;  // log(2 pi) / 2

double logGamma(double x) {
  if (!(x >= 0)) return kNaN;
  if (x == 0) return kInf;
  if (x == 1 || x == 2) return 0;
  if (x < 0.5) return std::log(kPi / std::sin(kPi * x)) - logGamma(1 - x);  // reflection
  const double z = x - 1;
  double sum = kLanczos[0];
  for (int i = 1; i < 9; i++) sum += kLanczos[i] / (z + i);
  const double t = z + kLanczosG + 0.5;
  return kHalfLog2Pi + (z + 0.5) * random::logOf(t) - t + random::logOf(sum);  // fdlibm's log: special.ts's bits
}

double logFactorial(double k) { return k < 2 ? 0 : logGamma(k + 1); }

}  // namespace kernelbus
