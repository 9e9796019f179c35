// TA-Lib's indicators on one series of n values (src/backends/reference/indicators/averages.ts,
// momentum.ts, volatility.ts function for function, in the same order of floating-point operations).
// Each fills its n outputs, NaN over TA-Lib's lookback.
#pragma once
#include <cstddef>

namespace kernelbus::indicators::series {

// averages.cpp
void sma(const double* x, size_t n, size_t period, double* out);
void ma(const double* x, size_t n, size_t period, double* out);
inline double perToK(size_t period) { return 2.0 / static_cast<double>(period + 1); }
void emaFrom(const double* x, size_t n, size_t period, double k, size_t first, double* out);
void ema(const double* x, size_t n, size_t period, double* out);

// momentum.cpp
void rsi(const double* x, size_t n, size_t period, double* out);
void macd(const double* x, size_t n, size_t fastPeriod, size_t slowPeriod, size_t signalPeriod, double* line, double* signal, double* hist);
void stoch(const double* high, const double* low, const double* close, size_t n, size_t fastK, size_t slowK, size_t slowD, double* outK,
           double* outD);

// volatility.cpp
void bbands(const double* x, size_t n, size_t period, double nbDevUp, double nbDevDn, double* upper, double* middle, double* lower);
double trueRange(const double* high, const double* low, const double* close, size_t t);
void trange(const double* high, const double* low, const double* close, size_t n, double* out);
void atr(const double* high, const double* low, const double* close, size_t n, size_t period, double* out);
void adx(const double* high, const double* low, const double* close, size_t n, size_t period, double* out);

}  // namespace kernelbus::indicators::series
