// Realized measures per day and HAR (src/backends/reference/features/realized.ts, har.ts): R
// highfrequency's formulas on each day's prices, the same functions in the same order of
// floating-point operations. The days are found first (under a whole-day session each day's end by
// search, the trades checked as the sums read them; under a session, or to find a fault, days()'s
// one pass), then their sums taken in chunks on the pool (realized_sums.hpp), then each day's value.
#pragma once

#include <cstddef>
#include <vector>

#include "doubles.hpp"
#include "generated/features.hpp"

namespace kernelbus::features {

/// A day in ms.
constexpr double kDayMs = 86400000;

/// The days of a call: trades [start, end) make the day labelled `label` (its local midnight, epoch ms).
struct Day {
  size_t start, end;
  double label;
};

/// The days of ts under the session (offset, open, close), the prices of kept trades checked:
/// RealizedTsInvalid, RealizedPriceInvalid at the first fault, as the reference's days().
Status days(Doubles ts, Doubles price, size_t n, double offset, double open, double close, std::vector<Day>& out);

/// The days of a whole-day session (open 0, close 24 h) from ts alone, each day's end found by
/// search (as days() gives them when ts is sorted); nothing checked but the first and last ts + offset
/// finite (false, out untouched, where one is not: days() then finds the fault).
bool wholeDayBounds(Doubles ts, size_t n, double offset, std::vector<Day>& out);

/// A day's values from its n prices and its sums (realized_sums.hpp's; the reference's day*
/// functions): bipower variation, medRV, minRV, TSRV (sums of the K- and J-lag squared returns).
/// realizedVariance is its sum of squares, realizedSemivariance its two sums.
double bpvOf(double sum);
double medRvOf(size_t n, double sum);
double minRvOf(size_t n, double sum);
double tsrvOf(size_t n, size_t K, size_t J, double sumK, double sumJ);

/// The realized kernel of the day's prices [start, end), r its returns' scratch.
double dayKernel(Doubles price, size_t start, size_t end, int type, size_t H, bool adjust, std::vector<double>& r);

}  // namespace kernelbus::features
