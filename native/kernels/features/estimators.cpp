// Rolling estimators on bars (generated/features.hpp declares them): src/backends/reference/features/
// estimators.ts in C++, function for function: each a series function, run over a panel's columns,
// the columns shared out between threads (each computed whole on one: the result does not depend on
// the thread count).
#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "generated/features.hpp"
#include "parallel.hpp"

namespace kernelbus::features {

namespace {

constexpr double kPi = 3.14159265358979323846;

double windowSum(const double* x, size_t t, size_t w) {
  double s = 0;
  for (size_t i = t + 1 - w; i <= t; i++) s += x[i];
  return s;
}

double windowMean(const double* x, size_t t, size_t w) { return windowSum(x, t, w) / static_cast<double>(w); }

void rollingMean(const double* x, size_t n, size_t w, size_t first, double* out) {
  for (size_t t = 0; t < n; t++) out[t] = t >= first && t + 1 >= w ? windowMean(x, t, w) : NAN;
}

double sign(double x) { return x > 0 ? 1 : x < 0 ? -1 : x == 0 ? 0 : NAN; }

void rollMeasure(const double* close, size_t n, size_t w, double* out) {
  const double W = static_cast<double>(w);
  for (size_t t = 0; t < n; t++) {
    if (t < w + 1) {
      out[t] = NAN;
      continue;
    }
    double sx = 0, sy = 0;
    for (size_t i = t + 1 - w; i <= t; i++) {
      sx += close[i] - close[i - 1];
      sy += close[i - 1] - close[i - 2];
    }
    const double mx = sx / W, my = sy / W;
    double c = 0;
    for (size_t i = t + 1 - w; i <= t; i++) c += (close[i] - close[i - 1] - mx) * (close[i - 1] - close[i - 2] - my);
    out[t] = 2 * std::sqrt(std::fabs(c / (W - 1)));
  }
}

const double kSqrt2 = std::sqrt(2.0);
const double kCsDen = 3 - 2 * kSqrt2;
const double kK2 = std::sqrt(8 / kPi);
constexpr double kSqrt1_2 = 0.7071067811865476;  // Math.SQRT1_2, mlfinlab's 2 ** -0.5

void corwinSchultz(const double* high, const double* low, size_t n, size_t w, double* spread, double* sigma, std::vector<double>& b) {
  b.assign(n, 0.0);
  if (n > 0) b[0] = NAN;
  for (size_t t = 1; t < n; t++) {
    const double r0 = std::log(high[t] / low[t]);
    const double r1 = std::log(high[t - 1] / low[t - 1]);
    b[t] = r0 * r0 + r1 * r1;
  }
  for (size_t t = 0; t < n; t++) {
    if (t < w) {
      spread[t] = NAN;
      sigma[t] = NAN;
      continue;
    }
    const double beta = windowMean(b.data(), t, w);
    const double g = std::log(std::max(high[t], high[t - 1]) / std::min(low[t], low[t - 1]));
    const double gamma = g * g;
    double alpha = ((kSqrt2 - 1) * std::sqrt(beta)) / kCsDen - std::sqrt(gamma / kCsDen);
    if (alpha < 0) alpha = 0;
    const double e = std::exp(alpha);
    spread[t] = (2 * (e - 1)) / (1 + e);
    double s = ((kSqrt1_2 - 1) * std::sqrt(beta)) / (kK2 * kCsDen) + std::sqrt(gamma / (kK2 * kK2 * kCsDen));
    if (s < 0) s = 0;
    sigma[t] = s;
  }
}

/// x_t = num_t / (den_t sign_t), a zero sign the previous one (from bar 0's NaN), x_0 NaN.
void signedTerms(const double* num, const double* den, size_t n, double* x) {
  double prev = NAN;
  x[0] = NAN;
  for (size_t t = 1; t < n; t++) {
    double s = sign(num[t]);
    if (s == 0) s = prev;
    prev = s;
    x[t] = num[t] / (den[t] * s);
  }
}

/// Scratch series of a worker: a few of n values each.
struct Scratch {
  std::vector<double> a, b, c;
};

void kyleLambda(const double* close, const double* volume, size_t n, size_t w, double* out, Scratch& s) {
  s.a.assign(n, 0.0);
  s.b.assign(n, 0.0);
  for (size_t t = 1; t < n; t++) s.a[t] = close[t] - close[t - 1];
  if (n > 0) signedTerms(s.a.data(), volume, n, s.b.data());
  rollingMean(s.b.data(), n, w, w, out);
}

void amihudLambda(const double* close, const double* dv, size_t n, size_t w, double* out, Scratch& s) {
  s.a.assign(n, 0.0);
  if (n > 0) s.a[0] = NAN;
  for (size_t t = 1; t < n; t++) s.a[t] = std::fabs(std::log(close[t] / close[t - 1])) / dv[t];
  rollingMean(s.a.data(), n, w, w, out);
}

void hasbrouckLambda(const double* close, const double* dv, size_t n, size_t w, double* out, Scratch& s) {
  s.a.assign(n, 0.0);
  s.b.assign(n, 0.0);
  s.c.assign(n, 0.0);
  for (size_t t = 1; t < n; t++) {
    s.a[t] = std::log(close[t] / close[t - 1]);
    s.b[t] = std::sqrt(dv[t]);
  }
  if (n > 0) signedTerms(s.a.data(), s.b.data(), n, s.c.data());
  rollingMean(s.c.data(), n, w, w, out);
}

void rangeVolatility(const double* open, const double* high, const double* low, const double* close, size_t n, int estimator, size_t w,
                     double annualize, double* out, Scratch& s) {
  const double scale = std::sqrt(annualize);
  const double ln2 = std::log(2.0);
  auto rs = [&](size_t t) {
    const double hc = std::log(high[t] / close[t]);
    const double ho = std::log(high[t] / open[t]);
    const double lc = std::log(low[t] / close[t]);
    const double lo = std::log(low[t] / open[t]);
    return hc * ho + lc * lo;
  };
  s.a.assign(n, 0.0);
  double* e = s.a.data();
  if (estimator == 3) {
    s.b.assign(n, 0.0);
    s.c.assign(n, 0.0);
    double *so = s.b.data(), *sc = s.c.data();
    if (n > 0) so[0] = sc[0] = NAN;
    for (size_t t = 1; t < n; t++) {
      const double a = std::log(open[t] / close[t - 1]);
      const double b = std::log(close[t] / open[t - 1]);
      so[t] = a * a;
      sc[t] = b * b;
    }
    for (size_t t = 0; t < n; t++) e[t] = rs(t);
    const double W = static_cast<double>(w);
    const double k = 0.34 / (1.34 + (W + 1) / (W - 1));
    for (size_t t = 0; t < n; t++) {
      if (t < w) {
        out[t] = NAN;
        continue;
      }
      const double o = (1 / (W - 1)) * windowSum(so, t, w);
      const double c = (1 / (W - 1)) * windowSum(sc, t, w);
      const double r = (1 / (W - 1)) * windowSum(e, t, w);
      out[t] = std::sqrt(o + k * c + (1 - k) * r) * scale;
    }
    return;
  }
  for (size_t t = 0; t < n; t++) {
    if (estimator == 0) {
      const double hl = std::log(high[t] / low[t]);
      e[t] = (1 / (4 * ln2)) * (hl * hl);
    } else if (estimator == 1) {
      const double hl = std::log(high[t] / low[t]);
      const double co = std::log(close[t] / open[t]);
      e[t] = 0.5 * (hl * hl) - (2 * ln2 - 1) * (co * co);
    } else {
      e[t] = rs(t);
    }
  }
  for (size_t t = 0; t < n; t++) out[t] = t + 1 >= w ? std::sqrt(windowMean(e, t, w)) * scale : NAN;
}

/// series(ins, n, outs, scratch) over each column of the rows x cols inputs (row-major) into the
/// outputs: one column read in place; a panel's columns on the pool, each gathered, computed whole,
/// scattered back.
template <size_t In, size_t Out, typename Series>
Status perColumn(const std::array<const double*, In>& inputs, size_t rows, size_t cols, const std::array<double*, Out>& outputs,
                 Series&& series) {
  if (cols == 1) {
    Scratch s;
    series(inputs, rows, outputs, s);
    return Status{};
  }
  parallelForChunks(cols, 1, [&](size_t first, size_t last) {
    Scratch s;
    std::vector<double> buffer((In + Out) * rows);
    std::array<const double*, In> ins;
    std::array<double*, Out> outs;
    for (size_t k = 0; k < In; k++) ins[k] = buffer.data() + k * rows;
    for (size_t k = 0; k < Out; k++) outs[k] = buffer.data() + (In + k) * rows;
    for (size_t c = first; c < last; c++) {
      for (size_t k = 0; k < In; k++) {
        for (size_t t = 0; t < rows; t++) buffer[k * rows + t] = inputs[k][t * cols + c];
      }
      series(ins, rows, outs, s);
      for (size_t k = 0; k < Out; k++) {
        for (size_t t = 0; t < rows; t++) outputs[k][t * cols + c] = outs[k][t];
      }
    }
  });
  return Status{};
}

using In1 = std::array<const double*, 1>;
using In2 = std::array<const double*, 2>;
using In4 = std::array<const double*, 4>;
using Out1 = std::array<double*, 1>;
using Out2 = std::array<double*, 2>;

}  // namespace

Status rollMeasure(const double* close, size_t rows, size_t cols, size_t window, double* out) {
  return perColumn(In1{close}, rows, cols, Out1{out},
                   [&](const In1& x, size_t n, const Out1& o, Scratch&) { rollMeasure(x[0], n, window, o[0]); });
}

Status rollImpact(const double* close, const double* dollarVolume, size_t rows, size_t cols, size_t window, double* out) {
  return perColumn(In2{close, dollarVolume}, rows, cols, Out1{out}, [&](const In2& x, size_t n, const Out1& o, Scratch&) {
    rollMeasure(x[0], n, window, o[0]);
    for (size_t t = 0; t < n; t++) o[0][t] /= x[1][t];
  });
}

Status corwinSchultz(const double* high, const double* low, size_t rows, size_t cols, size_t window, double* out) {
  const CorwinSchultzOut c = corwinSchultzOut(out, rows, cols);
  return perColumn(In2{high, low}, rows, cols, Out2{c.spread, c.sigma},
                   [&](const In2& x, size_t n, const Out2& o, Scratch& s) { corwinSchultz(x[0], x[1], n, window, o[0], o[1], s.a); });
}

Status kyleLambda(const double* close, const double* volume, size_t rows, size_t cols, size_t window, double* out) {
  return perColumn(In2{close, volume}, rows, cols, Out1{out},
                   [&](const In2& x, size_t n, const Out1& o, Scratch& s) { kyleLambda(x[0], x[1], n, window, o[0], s); });
}

Status amihudLambda(const double* close, const double* dollarVolume, size_t rows, size_t cols, size_t window, double* out) {
  return perColumn(In2{close, dollarVolume}, rows, cols, Out1{out},
                   [&](const In2& x, size_t n, const Out1& o, Scratch& s) { amihudLambda(x[0], x[1], n, window, o[0], s); });
}

Status hasbrouckLambda(const double* close, const double* dollarVolume, size_t rows, size_t cols, size_t window, double* out) {
  return perColumn(In2{close, dollarVolume}, rows, cols, Out1{out},
                   [&](const In2& x, size_t n, const Out1& o, Scratch& s) { hasbrouckLambda(x[0], x[1], n, window, o[0], s); });
}

Status rangeVolatility(const double* open, const double* high, const double* low, const double* close, size_t rows, size_t cols,
                       int estimator, size_t window, double annualize, double* out) {
  return perColumn(In4{open, high, low, close}, rows, cols, Out1{out}, [&](const In4& x, size_t n, const Out1& o, Scratch& s) {
    rangeVolatility(x[0], x[1], x[2], x[3], n, estimator, window, annualize, o[0], s);
  });
}

}  // namespace kernelbus::features
