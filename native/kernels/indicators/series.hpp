// TA-Lib's indicators on one series of n values (src/backends/reference/indicators/averages.ts,
// momentum.ts, volatility.ts function for function, in the same order of floating-point operations).
// Each fills its n outputs, NaN over TA-Lib's lookback.
#pragma once
#include <cmath>
#include <cstddef>

namespace kernelbus::indicators::series {

// averages.cpp
void sma(const double* x, size_t n, size_t period, double* out);
inline double perToK(size_t period) { return 2.0 / static_cast<double>(period + 1); }
void emaFrom(const double* x, size_t n, size_t period, double k, size_t first, double* out);
void ema(const double* x, size_t n, size_t period, double* out);
void wma(const double* x, size_t n, size_t period, double* out);
void dema(const double* x, size_t n, size_t period, double* out);
void tema(const double* x, size_t n, size_t period, double* out);
void trima(const double* x, size_t n, size_t period, double* out);
void kama(const double* x, size_t n, size_t period, double* out);
size_t maLookback(int type, size_t period);
void maOf(int type, const double* x, size_t n, size_t period, double* out);

// momentum.cpp
void rsi(const double* x, size_t n, size_t period, double* out);
void macd(const double* x, size_t n, size_t fastPeriod, size_t slowPeriod, size_t signalPeriod, double* line, double* signal, double* hist);
void mom(const double* x, size_t n, size_t period, double* out);
void roc(const double* x, size_t n, size_t period, double* out);
void cci(const double* high, const double* low, const double* close, size_t n, size_t period, double* out);
void aroon(const double* high, const double* low, size_t n, size_t period, double* down, double* up);
void aroonOsc(const double* high, const double* low, size_t n, size_t period, double* out);
void ultosc(const double* high, const double* low, const double* close, size_t n, size_t period1, size_t period2, size_t period3,
            double* out);

// oscillators.cpp
void stoch(const double* high, const double* low, const double* close, size_t n, size_t fastK, size_t slowK, int slowKType, size_t slowD,
           int slowDType, double* outK, double* outD);
void stochf(const double* high, const double* low, const double* close, size_t n, size_t fastK, size_t fastD, int fastDType, double* outK,
            double* outD);
void stochRsi(const double* x, size_t n, size_t period, size_t fastK, size_t fastD, int fastDType, double* outK, double* outD);
void willr(const double* high, const double* low, const double* close, size_t n, size_t period, double* out);

// bands_ranges.cpp
void bbands(const double* x, size_t n, size_t period, double nbDevUp, double nbDevDn, int maType, double* upper, double* middle,
            double* lower);
/// TA-Lib's true range of bar t >= 1: max(h - l, |previous close - h|, |previous close - l|).
inline double trueRange(const double* high, const double* low, const double* close, size_t t) {
  double greatest = high[t] - low[t];
  const double up = std::fabs(close[t - 1] - high[t]);
  if (up > greatest) greatest = up;
  const double down = std::fabs(close[t - 1] - low[t]);
  if (down > greatest) greatest = down;
  return greatest;
}
void trange(const double* high, const double* low, const double* close, size_t n, double* out);
void atr(const double* high, const double* low, const double* close, size_t n, size_t period, double* out);
void natr(const double* high, const double* low, const double* close, size_t n, size_t period, double* out);

// directional.cpp
void adx(const double* high, const double* low, const double* close, size_t n, size_t period, double* out);
void adxr(const double* high, const double* low, const double* close, size_t n, size_t period, double* out);
void plusDi(const double* high, const double* low, const double* close, size_t n, size_t period, double* out);
void minusDi(const double* high, const double* low, const double* close, size_t n, size_t period, double* out);
void sar(const double* high, const double* low, size_t n, double acceleration, double maximum, double* out);

// volume.cpp
void obv(const double* close, const double* volume, size_t n, double* out);
void ad(const double* high, const double* low, const double* close, const double* volume, size_t n, double* out);
void adosc(const double* high, const double* low, const double* close, const double* volume, size_t n, size_t fastPeriod, size_t slowPeriod,
           double* out);
void mfi(const double* high, const double* low, const double* close, const double* volume, size_t n, size_t period, double* out);

}  // namespace kernelbus::indicators::series
