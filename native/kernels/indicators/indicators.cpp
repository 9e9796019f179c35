// The indicators' kernels (generated/indicators.hpp declares them, src/backends/reference/indicators/
// indicators.ts): each the series function (series.hpp) over every column (columns.hpp), the core
// ones' lane functions (lanes.hpp) over a panel's blocks of columns, the outputs where the generated
// layout puts them.
#include "columns.hpp"
#include "lanes.hpp"
#include "generated/indicators.hpp"
#include "series.hpp"

namespace kernelbus::indicators {

namespace {

using In1 = std::array<const double*, 1>;
using In2 = std::array<const double*, 2>;
using In3 = std::array<const double*, 3>;
using In4 = std::array<const double*, 4>;
using Out1 = std::array<double*, 1>;
using Out2 = std::array<double*, 2>;
using Out3 = std::array<double*, 3>;

// run(): `series` over the columns of `in` into `out`, with the indicator's lane function for a
// panel's blocks where it has one (lanes.hpp); never fails (NaN is data here).
template <size_t In, size_t Out, typename Series, typename Lanes = NoLanes>
Status run(const std::array<const double*, In>& in, size_t rows, size_t cols, const std::array<double*, Out>& out, Series&& series,
           Lanes&& lanes = {}) {
  perColumn(in, rows, cols, out, series, lanes);
  return {};
}

}  // namespace

Status sma(const double* close, size_t rows, size_t cols, size_t timePeriod, double* out) {
  return run(
      In1{close}, rows, cols, Out1{out}, [&](const In1& x, size_t n, const Out1& o) { series::sma(x[0], n, timePeriod, o[0]); },
      [&](const In1& x, size_t stride, size_t n, const Out1& o) { lanes::sma(x[0], stride, n, timePeriod, o[0]); });
}

Status ema(const double* close, size_t rows, size_t cols, size_t timePeriod, double* out) {
  return run(
      In1{close}, rows, cols, Out1{out}, [&](const In1& x, size_t n, const Out1& o) { series::ema(x[0], n, timePeriod, o[0]); },
      [&](const In1& x, size_t stride, size_t n, const Out1& o) { lanes::ema(x[0], stride, n, timePeriod, o[0]); });
}

Status wma(const double* close, size_t rows, size_t cols, size_t timePeriod, double* out) {
  return run(In1{close}, rows, cols, Out1{out}, [&](const In1& x, size_t n, const Out1& o) { series::wma(x[0], n, timePeriod, o[0]); });
}

Status dema(const double* close, size_t rows, size_t cols, size_t timePeriod, double* out) {
  return run(In1{close}, rows, cols, Out1{out}, [&](const In1& x, size_t n, const Out1& o) { series::dema(x[0], n, timePeriod, o[0]); });
}

Status tema(const double* close, size_t rows, size_t cols, size_t timePeriod, double* out) {
  return run(In1{close}, rows, cols, Out1{out}, [&](const In1& x, size_t n, const Out1& o) { series::tema(x[0], n, timePeriod, o[0]); });
}

Status trima(const double* close, size_t rows, size_t cols, size_t timePeriod, double* out) {
  return run(In1{close}, rows, cols, Out1{out}, [&](const In1& x, size_t n, const Out1& o) { series::trima(x[0], n, timePeriod, o[0]); });
}

Status kama(const double* close, size_t rows, size_t cols, size_t timePeriod, double* out) {
  return run(In1{close}, rows, cols, Out1{out}, [&](const In1& x, size_t n, const Out1& o) { series::kama(x[0], n, timePeriod, o[0]); });
}

Status rsi(const double* close, size_t rows, size_t cols, size_t timePeriod, double* out) {
  return run(
      In1{close}, rows, cols, Out1{out}, [&](const In1& x, size_t n, const Out1& o) { series::rsi(x[0], n, timePeriod, o[0]); },
      [&](const In1& x, size_t stride, size_t n, const Out1& o) { lanes::rsi(x[0], stride, n, timePeriod, o[0]); });
}

Status macd(const double* close, size_t rows, size_t cols, size_t fastPeriod, size_t slowPeriod, size_t signalPeriod, double* out) {
  const MacdOut m = macdOut(out, rows, cols);
  return run(
      In1{close}, rows, cols, Out3{m.macd, m.signal, m.hist},
      [&](const In1& x, size_t n, const Out3& o) { series::macd(x[0], n, fastPeriod, slowPeriod, signalPeriod, o[0], o[1], o[2]); },
      [&](const In1& x, size_t stride, size_t n, const Out3& o) {
        lanes::macd(x[0], stride, n, fastPeriod, slowPeriod, signalPeriod, o[0], o[1], o[2]);
      });
}

Status bbands(const double* close, size_t rows, size_t cols, size_t timePeriod, double nbDevUp, double nbDevDn, int maType, double* out) {
  const BbandsOut b = bbandsOut(out, rows, cols);
  auto each = [&](const In1& x, size_t n, const Out3& o) {
    series::bbands(x[0], n, timePeriod, nbDevUp, nbDevDn, maType, o[0], o[1], o[2]);
  };
  if (maType != 0) return run(In1{close}, rows, cols, Out3{b.upper, b.middle, b.lower}, each);
  return run(In1{close}, rows, cols, Out3{b.upper, b.middle, b.lower}, each, [&](const In1& x, size_t stride, size_t n, const Out3& o) {
    lanes::bbands(x[0], stride, n, timePeriod, nbDevUp, nbDevDn, o[0], o[1], o[2]);
  });
}

Status atr(const double* high, const double* low, const double* close, size_t rows, size_t cols, size_t timePeriod, double* out) {
  auto each = [&](const In3& x, size_t n, const Out1& o) { series::atr(x[0], x[1], x[2], n, timePeriod, o[0]); };
  if (timePeriod <= 1) return run(In3{high, low, close}, rows, cols, Out1{out}, each);
  return run(In3{high, low, close}, rows, cols, Out1{out}, each,
             [&](const In3& x, size_t stride, size_t n, const Out1& o) { lanes::atr(x[0], x[1], x[2], stride, n, timePeriod, o[0]); });
}

Status natr(const double* high, const double* low, const double* close, size_t rows, size_t cols, size_t timePeriod, double* out) {
  return run(In3{high, low, close}, rows, cols, Out1{out},
             [&](const In3& x, size_t n, const Out1& o) { series::natr(x[0], x[1], x[2], n, timePeriod, o[0]); });
}

Status trange(const double* high, const double* low, const double* close, size_t rows, size_t cols, double* out) {
  return run(In3{high, low, close}, rows, cols, Out1{out},
             [&](const In3& x, size_t n, const Out1& o) { series::trange(x[0], x[1], x[2], n, o[0]); });
}

Status stoch(const double* high, const double* low, const double* close, size_t rows, size_t cols, size_t fastKPeriod, size_t slowKPeriod,
             int slowKMAType, size_t slowDPeriod, int slowDMAType, double* out) {
  const StochOut s = stochOut(out, rows, cols);
  return run(In3{high, low, close}, rows, cols, Out2{s.k, s.d}, [&](const In3& x, size_t n, const Out2& o) {
    series::stoch(x[0], x[1], x[2], n, fastKPeriod, slowKPeriod, slowKMAType, slowDPeriod, slowDMAType, o[0], o[1]);
  });
}

Status stochf(const double* high, const double* low, const double* close, size_t rows, size_t cols, size_t fastKPeriod, size_t fastDPeriod,
              int fastDMAType, double* out) {
  const StochfOut s = stochfOut(out, rows, cols);
  return run(In3{high, low, close}, rows, cols, Out2{s.k, s.d}, [&](const In3& x, size_t n, const Out2& o) {
    series::stochf(x[0], x[1], x[2], n, fastKPeriod, fastDPeriod, fastDMAType, o[0], o[1]);
  });
}

Status stochRsi(const double* close, size_t rows, size_t cols, size_t timePeriod, size_t fastKPeriod, size_t fastDPeriod, int fastDMAType,
                double* out) {
  const StochRsiOut s = stochRsiOut(out, rows, cols);
  return run(In1{close}, rows, cols, Out2{s.k, s.d}, [&](const In1& x, size_t n, const Out2& o) {
    series::stochRsi(x[0], n, timePeriod, fastKPeriod, fastDPeriod, fastDMAType, o[0], o[1]);
  });
}

Status adx(const double* high, const double* low, const double* close, size_t rows, size_t cols, size_t timePeriod, double* out) {
  return run(In3{high, low, close}, rows, cols, Out1{out},
             [&](const In3& x, size_t n, const Out1& o) { series::adx(x[0], x[1], x[2], n, timePeriod, o[0]); });
}

Status adxr(const double* high, const double* low, const double* close, size_t rows, size_t cols, size_t timePeriod, double* out) {
  return run(In3{high, low, close}, rows, cols, Out1{out},
             [&](const In3& x, size_t n, const Out1& o) { series::adxr(x[0], x[1], x[2], n, timePeriod, o[0]); });
}

Status plusDi(const double* high, const double* low, const double* close, size_t rows, size_t cols, size_t timePeriod, double* out) {
  return run(In3{high, low, close}, rows, cols, Out1{out},
             [&](const In3& x, size_t n, const Out1& o) { series::plusDi(x[0], x[1], x[2], n, timePeriod, o[0]); });
}

Status minusDi(const double* high, const double* low, const double* close, size_t rows, size_t cols, size_t timePeriod, double* out) {
  return run(In3{high, low, close}, rows, cols, Out1{out},
             [&](const In3& x, size_t n, const Out1& o) { series::minusDi(x[0], x[1], x[2], n, timePeriod, o[0]); });
}

Status cci(const double* high, const double* low, const double* close, size_t rows, size_t cols, size_t timePeriod, double* out) {
  return run(In3{high, low, close}, rows, cols, Out1{out},
             [&](const In3& x, size_t n, const Out1& o) { series::cci(x[0], x[1], x[2], n, timePeriod, o[0]); });
}

Status mfi(const double* high, const double* low, const double* close, const double* volume, size_t rows, size_t cols, size_t timePeriod,
           double* out) {
  return run(In4{high, low, close, volume}, rows, cols, Out1{out},
             [&](const In4& x, size_t n, const Out1& o) { series::mfi(x[0], x[1], x[2], x[3], n, timePeriod, o[0]); });
}

Status obv(const double* close, const double* volume, size_t rows, size_t cols, double* out) {
  return run(In2{close, volume}, rows, cols, Out1{out}, [&](const In2& x, size_t n, const Out1& o) { series::obv(x[0], x[1], n, o[0]); });
}

Status ad(const double* high, const double* low, const double* close, const double* volume, size_t rows, size_t cols, double* out) {
  return run(In4{high, low, close, volume}, rows, cols, Out1{out},
             [&](const In4& x, size_t n, const Out1& o) { series::ad(x[0], x[1], x[2], x[3], n, o[0]); });
}

Status adosc(const double* high, const double* low, const double* close, const double* volume, size_t rows, size_t cols, size_t fastPeriod,
             size_t slowPeriod, double* out) {
  return run(In4{high, low, close, volume}, rows, cols, Out1{out},
             [&](const In4& x, size_t n, const Out1& o) { series::adosc(x[0], x[1], x[2], x[3], n, fastPeriod, slowPeriod, o[0]); });
}

Status roc(const double* close, size_t rows, size_t cols, size_t timePeriod, double* out) {
  return run(In1{close}, rows, cols, Out1{out}, [&](const In1& x, size_t n, const Out1& o) { series::roc(x[0], n, timePeriod, o[0]); });
}

Status mom(const double* close, size_t rows, size_t cols, size_t timePeriod, double* out) {
  return run(In1{close}, rows, cols, Out1{out}, [&](const In1& x, size_t n, const Out1& o) { series::mom(x[0], n, timePeriod, o[0]); });
}

Status willr(const double* high, const double* low, const double* close, size_t rows, size_t cols, size_t timePeriod, double* out) {
  return run(In3{high, low, close}, rows, cols, Out1{out},
             [&](const In3& x, size_t n, const Out1& o) { series::willr(x[0], x[1], x[2], n, timePeriod, o[0]); });
}

Status aroon(const double* high, const double* low, size_t rows, size_t cols, size_t timePeriod, double* out) {
  const AroonOut a = aroonOut(out, rows, cols);
  return run(In2{high, low}, rows, cols, Out2{a.down, a.up},
             [&](const In2& x, size_t n, const Out2& o) { series::aroon(x[0], x[1], n, timePeriod, o[0], o[1]); });
}

Status aroonOsc(const double* high, const double* low, size_t rows, size_t cols, size_t timePeriod, double* out) {
  return run(In2{high, low}, rows, cols, Out1{out},
             [&](const In2& x, size_t n, const Out1& o) { series::aroonOsc(x[0], x[1], n, timePeriod, o[0]); });
}

Status sar(const double* high, const double* low, size_t rows, size_t cols, double acceleration, double maximum, double* out) {
  return run(In2{high, low}, rows, cols, Out1{out},
             [&](const In2& x, size_t n, const Out1& o) { series::sar(x[0], x[1], n, acceleration, maximum, o[0]); });
}

Status ultosc(const double* high, const double* low, const double* close, size_t rows, size_t cols, size_t timePeriod1, size_t timePeriod2,
              size_t timePeriod3, double* out) {
  return run(In3{high, low, close}, rows, cols, Out1{out}, [&](const In3& x, size_t n, const Out1& o) {
    series::ultosc(x[0], x[1], x[2], n, timePeriod1, timePeriod2, timePeriod3, o[0]);
  });
}

}  // namespace kernelbus::indicators
