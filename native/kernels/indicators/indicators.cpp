// The indicators' kernels (generated/indicators.hpp declares them, src/backends/reference/indicators/
// indicators.ts): each the series function (series.hpp) over every column (columns.hpp).
#include "columns.hpp"
#include "generated/indicators.hpp"
#include "series.hpp"

namespace kernelbus::indicators {

namespace {
using In1 = std::array<const double*, 1>;
using In3 = std::array<const double*, 3>;
using Out1 = std::array<double*, 1>;
using Out2 = std::array<double*, 2>;
using Out3 = std::array<double*, 3>;
}  // namespace

Status sma(const double* close, size_t rows, size_t cols, size_t timePeriod, double* out) {
  perColumn(In1{close}, rows, cols, Out1{out}, [&](const In1& x, size_t n, const Out1& o) { series::sma(x[0], n, timePeriod, o[0]); });
  return {};
}

Status ema(const double* close, size_t rows, size_t cols, size_t timePeriod, double* out) {
  perColumn(In1{close}, rows, cols, Out1{out}, [&](const In1& x, size_t n, const Out1& o) { series::ema(x[0], n, timePeriod, o[0]); });
  return {};
}

Status rsi(const double* close, size_t rows, size_t cols, size_t timePeriod, double* out) {
  perColumn(In1{close}, rows, cols, Out1{out}, [&](const In1& x, size_t n, const Out1& o) { series::rsi(x[0], n, timePeriod, o[0]); });
  return {};
}

Status macd(const double* close, size_t rows, size_t cols, size_t fastPeriod, size_t slowPeriod, size_t signalPeriod, double* out) {
  const MacdOut m = macdOut(out, rows, cols);
  perColumn(In1{close}, rows, cols, Out3{m.macd, m.signal, m.hist},
            [&](const In1& x, size_t n, const Out3& o) { series::macd(x[0], n, fastPeriod, slowPeriod, signalPeriod, o[0], o[1], o[2]); });
  return {};
}

Status bbands(const double* close, size_t rows, size_t cols, size_t timePeriod, double nbDevUp, double nbDevDn, double* out) {
  const BbandsOut b = bbandsOut(out, rows, cols);
  perColumn(In1{close}, rows, cols, Out3{b.upper, b.middle, b.lower},
            [&](const In1& x, size_t n, const Out3& o) { series::bbands(x[0], n, timePeriod, nbDevUp, nbDevDn, o[0], o[1], o[2]); });
  return {};
}

Status trange(const double* high, const double* low, const double* close, size_t rows, size_t cols, double* out) {
  perColumn(In3{high, low, close}, rows, cols, Out1{out},
            [&](const In3& x, size_t n, const Out1& o) { series::trange(x[0], x[1], x[2], n, o[0]); });
  return {};
}

Status atr(const double* high, const double* low, const double* close, size_t rows, size_t cols, size_t timePeriod, double* out) {
  perColumn(In3{high, low, close}, rows, cols, Out1{out},
            [&](const In3& x, size_t n, const Out1& o) { series::atr(x[0], x[1], x[2], n, timePeriod, o[0]); });
  return {};
}

Status adx(const double* high, const double* low, const double* close, size_t rows, size_t cols, size_t timePeriod, double* out) {
  perColumn(In3{high, low, close}, rows, cols, Out1{out},
            [&](const In3& x, size_t n, const Out1& o) { series::adx(x[0], x[1], x[2], n, timePeriod, o[0]); });
  return {};
}

Status stoch(const double* high, const double* low, const double* close, size_t rows, size_t cols, size_t fastKPeriod, size_t slowKPeriod,
             size_t slowDPeriod, double* out) {
  const StochOut s = stochOut(out, rows, cols);
  perColumn(In3{high, low, close}, rows, cols, Out2{s.k, s.d}, [&](const In3& x, size_t n, const Out2& o) {
    series::stoch(x[0], x[1], x[2], n, fastKPeriod, slowKPeriod, slowDPeriod, o[0], o[1]);
  });
  return {};
}

}  // namespace kernelbus::indicators
